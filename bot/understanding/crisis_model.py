"""A small recogniser for a suicidal crisis said in other words, learnt from examples.

People in crisis rarely say "suicide", and phrase lists can't hold every way of saying "this is
the last time you'll hear from me". This is a multinomial naive Bayes model over the words and
word pairs of a message (after the lexicon and typo correction), trained at start-up on the
examples in `content/<lang>/crisis-examples.yaml` and on every answer's own examples as
"not a crisis". It is small, fast, explainable, and needs nothing from outside the content.

Naive Bayes multiplies many weak word likelihoods, and its "not a crisis" side is mostly short
drug questions, so a long everyday sentence ("car's been in the garage all week") adds up to
near certainty from words like "all", "been" and "week". So the model also names its *cues*:
the words and pairs it learnt to be much likelier in a crisis, from enough examples. The
detector (bot/understanding/emergency.py) asks for far more certainty from a message that has
no cue, neither one of these nor a phrase from `crisis_signals`.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Container, Iterable, Sequence
from itertools import pairwise

# How much unseen features are smoothed (Laplace), and how the two classes are weighed before
# any word is read: equal priors, so a class's size in the examples doesn't decide.
SMOOTHING = 0.5
# A cue: a feature at least e**CUE_LOG_RATIO (about 7) times likelier in a crisis, seen in at
# least CUE_COUNT crisis examples ("kill myself", "after tonight", "way out", "pills are").
CUE_LOG_RATIO = 2.0
CUE_COUNT = 3


def features(canonical: Sequence[str]) -> list[str]:
    """Words and adjacent pairs of words: "not be here" says more than "not", "be", "here"."""
    pairs = [f"{a} {b}" for a, b in pairwise(canonical)]
    return [*canonical, *pairs]


class CrisisModel:
    def __init__(
        self,
        crisis: Iterable[Sequence[str]],
        other: Iterable[Sequence[str]],
        stopwords: Container[str] = frozenset(),
    ) -> None:
        """`crisis` and `other`: example messages, each already turned into canonical words.
        A cue needs a word that is not a stopword: "be a" (from "be a burden") is in "is it
        going to be a white christmas" too."""
        self._counts = [Counter[str](), Counter[str]()]  # 0: other, 1: crisis
        for label, messages in ((1, crisis), (0, other)):
            for words in messages:
                self._counts[label].update(set(features(words)))
        vocabulary = set(self._counts[0]) | set(self._counts[1])
        self._size = max(len(vocabulary), 1)
        self._totals = [sum(counts.values()) for counts in self._counts]
        self.trained = all(self._totals)
        # Every seen feature's log ratio, worked out once: a long message has hundreds.
        self._ratios = {feature: self.log_ratio(feature) for feature in vocabulary}
        self._cues = frozenset(
            feature
            for feature, count in self._counts[1].items()
            if count >= CUE_COUNT
            and self.log_ratio(feature) >= CUE_LOG_RATIO
            and any(word not in stopwords for word in feature.split())
        )

    def log_ratio(self, feature: str) -> float:
        """How much likelier (log) the feature is in a crisis example than in any other."""
        crisis = (self._counts[1][feature] + SMOOTHING) / (self._totals[1] + SMOOTHING * self._size)
        other = (self._counts[0][feature] + SMOOTHING) / (self._totals[0] + SMOOTHING * self._size)
        return math.log(crisis / other)

    def probability(self, canonical: Sequence[str]) -> float:
        """How likely (0-1) the message is a crisis, by the examples."""
        if not self.trained or not canonical:
            return 0.0
        ratios = self._ratios  # a word no example has says nothing either way
        log_odds = sum(ratios.get(feature, 0.0) for feature in set(features(canonical)))
        log_odds = max(-50.0, min(50.0, log_odds))
        return 1.0 / (1.0 + math.exp(-log_odds))

    def has_cue(self, canonical: Sequence[str]) -> bool:
        """Whether the message holds a word or pair the model learnt to be a crisis's own."""
        return self.trained and not self._cues.isdisjoint(features(canonical))
