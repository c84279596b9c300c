"""Slang, brand names and shorthand mapped to the words the answers use.

The lexicon is data (`content/<lang>/lexicon.yaml`); this module applies it. Terms may be several
words long ("special k"); the longest term wins, so "crack pipe" can differ from "crack".
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from bot.understanding.normalise import plain, words


class Lexicon:
    def __init__(self, canonical_by_term: Mapping[str, str]) -> None:
        self._terms: dict[tuple[str, ...], tuple[str, ...]] = {}
        for term, canonical in canonical_by_term.items():
            key = tuple(words(term))
            if key:
                self._terms[key] = tuple(plain(word) for word in words(canonical))
        self._longest = max((len(key) for key in self._terms), default=1)
        # For each word a term starts with, the lengths of those terms, longest first: only
        # windows of these lengths can be a term, so other words cost one look-up.
        sizes: dict[str, set[int]] = {}
        for key in self._terms:
            sizes.setdefault(key[0], set()).add(len(key))
        self._sizes = {first: sorted(found, reverse=True) for first, found in sizes.items()}

    def __len__(self) -> int:
        return len(self._terms)

    @property
    def single_word_terms(self) -> list[str]:
        return [plain(key[0]) for key in self._terms if len(key) == 1]

    def apply(self, tokens: Sequence[str]) -> list[str]:
        """Replace known terms, longest first; every word comes back without apostrophes.

        A term is looked up as typed first ("od'd") and then without apostrophes ("cant"), so
        a lexicon can tell "od'd" from "odd".
        """
        out: list[str] = []
        i = 0
        while i < len(tokens):
            token = tokens[i]
            sizes = self._sizes.get(token, [])
            if "'" in token:  # a term may also start with the word without its apostrophes
                sizes = sorted({*sizes, *self._sizes.get(plain(token), [])}, reverse=True)
            for size in (s for s in sizes if s <= len(tokens) - i):
                window = tuple(tokens[i : i + size])
                found = self._terms.get(window) or self._terms.get(tuple(map(plain, window)))
                if found is not None:
                    out.extend(found)
                    i += size
                    break
            else:
                out.append(plain(token))
                i += 1
        return out
