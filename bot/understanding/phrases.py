"""Phrase lists that staff can edit (emergency words, off-topic requests), and matching them.

A phrase matches when its words appear in a message in order, with at most `MAX_GAP` other
words between two of them, none of them a negation: "i really want to die" matches "i want to
die", "i dont want him to die" does not. Both sides go through the same normalising (typos,
slang), so "not breathing" matches "hes not really breathin".
"""

from __future__ import annotations

import bisect
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

MAX_GAP = 2  # other words allowed between two words of a phrase
# Words a gap may not hold (canonical words: "dont" is "do not", "cant" is "cannot").
NEGATIONS = ("not", "never", "cannot")


class PhraseSet:
    def __init__(self, phrases: Iterable[str], normalise: Callable[[str], list[str]]) -> None:
        compiled = (normalise(phrase) for phrase in phrases)
        self._phrases = [words for words in compiled if words]
        # Phrases by their rarest word, each with the set of its words: a message's words pick
        # out the few phrases that could match (a phrase with a word the message lacks can't),
        # so a 4,096-character message costs one pass per list, not one scan per phrase.
        # Rarest within the list: "i", "my" and "to" begin dozens of its phrases, "die" few.
        self._by_key: dict[str, list[tuple[list[str], frozenset[str]]]] = {}
        holding = Counter(word for phrase in self._phrases for word in set(phrase))
        for phrase in self._phrases:
            self._by_key.setdefault(_key_word(phrase, holding), []).append(
                (phrase, frozenset(phrase))
            )

    def __bool__(self) -> bool:
        return bool(self._phrases)

    def found_in(self, words: list[str]) -> bool:
        return self.first_in(words) is not None

    def starts_in(self, words: list[str]) -> list[int]:
        """Every position where a phrase match starts, in order."""
        return sorted({start for start, _ in self._matches(words)})

    def spans_in(self, words: list[str]) -> set[tuple[int, int]]:
        """Every (start, end) of a match, both words included."""
        return set(self._matches(words))

    def count_in(self, words: list[str]) -> int:
        """How many matches that don't overlap: "after tonight" is one time said, not two
        ("after tonight" and "tonight")."""
        count, reached = 0, -1
        for start, end in sorted(self._matches(words)):
            if start > reached:
                count, reached = count + 1, end
            else:
                reached = min(reached, end)  # the shorter of two overlapping matches
        return count

    def first_in(self, words: list[str]) -> int | None:
        """Where in `words` the earliest match starts; None when no phrase matches."""
        positions = _positions(words)
        best: int | None = None
        present = positions.keys()
        for key in self._by_key.keys() & present:
            for phrase, needed in self._by_key[key]:
                if not needed <= present:
                    continue
                for start in positions[phrase[0]]:
                    if best is not None and start >= best:
                        break
                    if _end_at(phrase, positions, start) is not None:
                        best = start
                        break
        return best

    def _matches(self, words: list[str]) -> list[tuple[int, int]]:
        """Every (start, end) of a phrase match."""
        positions = _positions(words)
        found = []
        present = positions.keys()
        for key in self._by_key.keys() & present:
            for phrase, needed in self._by_key[key]:
                if needed <= present:
                    for start in positions[phrase[0]]:
                        end = _end_at(phrase, positions, start)
                        if end is not None:
                            found.append((start, end))
        return found


def _key_word(phrase: list[str], holding: Counter[str]) -> str:
    """The word of `phrase` that the fewest phrases of its list hold (the longest of those):
    the one least likely to be in a message the phrase doesn't match."""
    return min(phrase, key=lambda word: (holding[word], -len(word)))


_MESSAGE: ContextVar[dict[tuple[str, ...], dict[str, list[int]]] | None] = ContextVar(
    "_MESSAGE", default=None
)


@contextmanager
def one_message() -> Iterator[None]:
    """While one message is read: its word positions are worked out once and shared by the
    some thirty lists it is matched against, then dropped, so nothing of it outlives its
    reading (bot/understanding/reading.py)."""
    token = _MESSAGE.set({})
    try:
        yield
    finally:
        _MESSAGE.reset(token)


def _positions(words: list[str]) -> dict[str, list[int]]:
    """Where each word of a message stands. Inside `one_message` they are worked out once per
    message, not once per list (a 4,096-character message would cost a walk of all its words
    for every list). The words are compared, not just the list: a list changed in place is
    worked out again."""
    shared = _MESSAGE.get()
    key = tuple(words)
    if shared is not None and key in shared:
        return shared[key]
    found: dict[str, list[int]] = {}
    for at, word in enumerate(words):
        found.setdefault(word, []).append(at)
    if shared is not None:
        shared[key] = found
    return found


def _end_at(phrase: list[str], positions: dict[str, list[int]], start: int) -> int | None:
    """Where a match of the phrase starting at `start` ends; None when there is none. Each
    next word must stand within MAX_GAP words after the one before it."""
    position = start
    for wanted in phrase[1:]:
        at = positions.get(wanted)
        if at is None:
            return None
        index = bisect.bisect_right(at, position)
        if index == len(at) or at[index] > position + 1 + MAX_GAP:
            return None
        if _negated_between(positions, position, at[index]):
            return None
        position = at[index]
    return position


def _negated_between(positions: dict[str, list[int]], after: int, before: int) -> bool:
    """A negation stands in the gap between two words of a phrase."""
    if before == after + 1:
        return False
    return any(after < at < before for word in NEGATIONS for at in positions.get(word, ()))


class PhrasesUnless(PhraseSet):
    """A phrase list whose match an `unless` phrase cancels: "buy ketamine" is a request the bot
    declines, "which reagent kit should i buy for ket" is not."""

    def __init__(
        self, phrases: Iterable[str], unless: Iterable[str], normalise: Callable[[str], list[str]]
    ) -> None:
        super().__init__(phrases, normalise)
        self._unless = PhraseSet(unless, normalise)

    def first_in(self, words: list[str]) -> int | None:
        return None if self._unless.found_in(words) else super().first_in(words)
