"""Method "blend": the "stems" score and the classifier's, weighted together.

The two go wrong in different ways: "stems" is fooled by a long message whose many words each
touch some answer, the classifier by a short one it has few pieces of evidence for. An answer
ranked by one of them and not by the other gets 0 from the other. The default method
(docs/matching.md): the Telegram bot answers by "stems" until the classifier is trained or
loaded (bot/understanding/learning.py, bot/understanding/scorers/trained.py).
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
# Messages of at most SHORT words (stopwords included) weigh "stems" at SHORT_STEMS_WEIGHT: the
# classifier has least evidence in them ("is gbl dangerous").
SHORT = 6
SHORT_STEMS_WEIGHT = 0.85
# At or above this "stems" score its ranking stands alone: a message that all but repeats an
# answer's own title or example ("what are benzos") is that answer, even where the labelled
# messages name the same drug mostly in another answer's questions (mixing), which is what the
# classifier goes by. The stems method's own `sure` (bot/understanding/scorers/__init__.py).
# All three were chosen held out (benchmarks/held_out.py, docs/matching.md).
STEMS_SURE = 70.0


class BlendScorer:
    def __init__(self, targets: Sequence[Target], analyser: Analyser, rerank: int = 8) -> None:
        self.rerank = rerank
        self.stems = StemScorer(targets, analyser, rerank)
        self.classifier = ClassifierScorer(targets, analyser, rerank)

    def rank(self, canonical: Sequence[str]) -> Ranked:
        return self.rank_both(canonical)[0]

    def rank_both(self, canonical: Sequence[str]) -> tuple[Ranked, Ranked]:
        by_stems = self.stems.rank(canonical)
        if by_stems and by_stems[0][1] >= STEMS_SURE:
            return by_stems, by_stems
        weight = SHORT_STEMS_WEIGHT if len(canonical) <= SHORT else STEMS_WEIGHT
        scores: dict[str, float] = {}
        for answer, score in by_stems:
            scores[answer] = weight * score
        for answer, score in self.classifier.rank(canonical):
            scores[answer] = scores.get(answer, 0.0) + (1 - weight) * score
        ranked = sorted(scores.items(), key=lambda item: -item[1])[: self.rerank]
        return [(answer, round(score, 1)) for answer, score in ranked], by_stems
