"""Phrase lists that staff can edit (emergency words, off-topic requests), and matching them.

A phrase matches when its words appear in a message in order, with at most `MAX_GAP` other
words between two of them. Both sides go through the same normalising (typos, slang), so
"not breathing" matches "hes not really breathin".
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

MAX_GAP = 2  # other words allowed between two words of a phrase


class PhraseSet:
    def __init__(self, phrases: Iterable[str], normalise: Callable[[str], list[str]]) -> None:
        compiled = (normalise(phrase) for phrase in phrases)
        self._phrases = [words for words in compiled if words]

    def __bool__(self) -> bool:
        return bool(self._phrases)

    def found_in(self, words: list[str]) -> bool:
        return self.first_in(words) is not None

    def starts_in(self, words: list[str]) -> list[int]:
        """Every position where a phrase match starts, in order."""
        present = set(words)
        found = {
            start
            for phrase in self._phrases
            if present.issuperset(phrase)
            for start, word in enumerate(words)
            if word == phrase[0] and _matches_at(phrase, words, start)
        }
        return sorted(found)

    def count_in(self, words: list[str]) -> int:
        """How many matches that don't overlap: "after tonight" is one time said, not two
        ("after tonight" and "tonight")."""
        present = set(words)
        spans = sorted(
            (start, end)
            for phrase in self._phrases
            if present.issuperset(phrase)
            for start, word in enumerate(words)
            if word == phrase[0] and (end := _end_at(phrase, words, start)) is not None
        )
        count, reached = 0, -1
        for start, end in spans:
            if start > reached:
                count, reached = count + 1, end
            else:
                reached = min(reached, end)  # the shorter of two overlapping matches
        return count

    def first_in(self, words: list[str]) -> int | None:
        """Where in `words` the earliest match starts; None when no phrase matches."""
        present = set(words)  # a phrase with a word the message lacks can't match anywhere
        starts = (_start(p, words) for p in self._phrases if present.issuperset(p))
        return min((start for start in starts if start is not None), default=None)


def _start(phrase: list[str], words: list[str]) -> int | None:
    first, start = phrase[0], -1
    while True:
        try:  # list.index scans in C: a long message costs microseconds per phrase
            start = words.index(first, start + 1)
        except ValueError:
            return None
        if _matches_at(phrase, words, start):
            return start


def _matches_at(phrase: list[str], words: list[str], start: int) -> bool:
    """The phrase's words follow words[start] in order, each within MAX_GAP of the last."""
    return _end_at(phrase, words, start) is not None


def _end_at(phrase: list[str], words: list[str], start: int) -> int | None:
    """Where a match of the phrase starting at words[start] ends; None when there is none."""
    position = start
    for wanted in phrase[1:]:
        window = words[position + 1 : position + 2 + MAX_GAP]
        if wanted not in window:
            return None
        position = position + 1 + window.index(wanted)
    return position
