"""What every scorer shares: what it ranks, and the shape of what it returns.

A scorer ranks targets for one message, already read into canonical words (typos fixed, slang
mapped) by the language's Analyser. A target is an answer's id with every phrase it is matched
on (its title, keywords and examples, and the labelled messages that ask for it), or the
Matcher's NOTHING, the labelled messages no answer fits. A scorer returns (id, score 0-100)
pairs, best first; the Matcher turns them into an answer, a "did you mean" or nothing with the
method's thresholds.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from bot.content.model import Entry

if TYPE_CHECKING:
    from bot.understanding.matcher import Analyser

Ranked = list[tuple[str, float]]  # (answer id, score 0-100), best first
LONG_MESSAGE = 16  # words, stopwords included: the "16+" of the quality figures


@dataclass(frozen=True)
class Thresholds:
    """A method's own cut-offs, tuned on the tuning sets (docs/matching.md): each method's
    scores spread differently, so one pair of numbers can't serve them all."""

    answer: float  # at or above: answer directly
    suggest: float  # at or above (and below `answer`): offer "did you mean"
    close: float  # runners-up within this many points of an answer are offered too
    sure: float  # at or above: the answer wins over a mix answer for two named drugs
    # A message of LONG_MESSAGE words or more is answered this many points below `answer`:
    # a story around the question spreads its weight over words no answer has, so the same
    # match scores lower in a long message than in a short one.
    long_discount: float = 0.0
    # A guess scored below this needs a word about drugs, health or the service in the message
    # (bot/understanding/topic.py), or it gets the no-answer reply; None: below `sure`.
    topic: float | None = None

    @property
    def topic_checked_below(self) -> float:
        return self.sure if self.topic is None else min(self.topic, self.sure)


@dataclass(frozen=True)
class Target:
    """One thing a scorer ranks: an id and the phrases that stand for it."""

    id: str
    phrases: tuple[str, ...]
    own: int = 0  # how many of the phrases, from the first, are the answer's own (phrases_of)


class Scorer(Protocol):
    def rank(self, canonical: Sequence[str]) -> Ranked:
        """The answers for a message, best first; only those worth considering (at most a few
        dozen), so the Matcher's decision stays cheap."""
        ...

    def rank_both(self, canonical: Sequence[str]) -> tuple[Ranked, Ranked]:
        """`rank`'s ranking and, from the same pass, the ranking by the message's words alone
        ("stems"): the reader asks whether the overdose card is first by its words too."""
        ...


class ByWordsAlone:
    """For a method that has no ranking apart by the words: its own ranking is both."""

    def rank(self, canonical: Sequence[str]) -> Ranked:
        raise NotImplementedError

    def rank_both(self, canonical: Sequence[str]) -> tuple[Ranked, Ranked]:
        ranked = self.rank(canonical)
        return ranked, ranked


class ScorerFactory(Protocol):
    def __call__(self, targets: Sequence[Target], analyser: Analyser, rerank: int) -> Scorer: ...


def phrases_of(entry: Entry) -> list[str]:
    """What an answer's own file gives it to be matched on: its title, keywords and examples
    (never its body)."""
    return [entry.title, *entry.meta.keywords, *entry.meta.examples]


def top(scores: Sequence[float], ids: Sequence[str], count: int) -> Ranked:
    """The `count` best (id, score) pairs of parallel sequences, scores rounded to 0.1."""
    order = sorted(range(len(scores)), key=lambda i: -scores[i])[:count]
    return [(ids[i], round(float(scores[i]), 1)) for i in order if scores[i] > 0]
