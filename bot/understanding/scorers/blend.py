"""Method "blend": the "stems" score and the classifier's, weighted together.

The two go wrong in different ways: "stems" is fooled by a long message whose many words each
touch some answer, the classifier by a short one it has few pieces of evidence for. An answer
ranked by one of them and not by the other gets 0 from the other.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from bot.understanding.scorers.base import Ranked, Target
from bot.understanding.scorers.classifier import ClassifierScorer
from bot.understanding.scorers.stems import StemScorer

if TYPE_CHECKING:
    from bot.understanding.matcher import Analyser

STEMS_WEIGHT = 0.7  # the classifier has the rest


class BlendScorer:
    def __init__(self, targets: Sequence[Target], analyser: Analyser, rerank: int = 8) -> None:
        self.rerank = rerank
        self.stems = StemScorer(targets, analyser, rerank)
        self.classifier = ClassifierScorer(targets, analyser, rerank)

    def rank(self, canonical: Sequence[str]) -> Ranked:
        scores: dict[str, float] = {}
        for answer, score in self.stems.rank(canonical):
            scores[answer] = STEMS_WEIGHT * score
        for answer, score in self.classifier.rank(canonical):
            scores[answer] = scores.get(answer, 0.0) + (1 - STEMS_WEIGHT) * score
        ranked = sorted(scores.items(), key=lambda item: -item[1])[: self.rerank]
        return [(answer, round(score, 1)) for answer, score in ranked]
