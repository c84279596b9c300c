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
        # Phrases by their first word: a message is walked once to find where each could start,
        # so a 4,096-character message costs one pass per list, not one scan per phrase.
        self._by_first: dict[str, list[list[str]]] = {}
        for phrase in self._phrases:
            self._by_first.setdefault(phrase[0], []).append(phrase)

    def __bool__(self) -> bool:
        return bool(self._phrases)

    def found_in(self, words: list[str]) -> bool:
        return self.first_in(words) is not None

    def starts_in(self, words: list[str]) -> list[int]:
        """Every position where a phrase match starts, in order."""
        return sorted({start for start, _ in self._matches(words)})

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
        present = set(words)  # a phrase with a word the message lacks can't match anywhere
        best: int | None = None
        for first, starts in self._starts(words).items():
            for phrase in self._by_first[first]:
                if not present.issuperset(phrase):
                    continue
                for start in starts:
                    if best is not None and start >= best:
                        break
                    if _end_at(phrase, words, start) is not None:
                        best = start
                        break
        return best

    def _starts(self, words: list[str]) -> dict[str, list[int]]:
        """For each first word of a phrase in the message, where it stands, in order."""
        firsts = self._by_first
        starts: dict[str, list[int]] = {}
        for at, word in enumerate(words):
            if word in firsts:
                starts.setdefault(word, []).append(at)
        return starts

    def _matches(self, words: list[str]) -> list[tuple[int, int]]:
        """Every (start, end) of a phrase match."""
        present = set(words)
        found = []
        for first, starts in self._starts(words).items():
            for phrase in self._by_first[first]:
                if present.issuperset(phrase):
                    for start in starts:
                        end = _end_at(phrase, words, start)
                        if end is not None:
                            found.append((start, end))
        return found


def _end_at(phrase: list[str], words: list[str], start: int) -> int | None:
    """Where a match of the phrase starting at words[start] ends; None when there is none."""
    position = start
    for wanted in phrase[1:]:
        window = words[position + 1 : position + 2 + MAX_GAP]
        if wanted not in window:
            return None
        position = position + 1 + window.index(wanted)
    return position


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
