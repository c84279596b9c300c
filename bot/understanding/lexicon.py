"""Slang, brand names and shorthand mapped to the words the answers use.

The lexicon is data (`content/<lang>/lexicon.yaml`); this module applies it. Terms may be several
words long ("special k"); the longest term wins, so "crack pipe" can differ from "crack".
"""

from __future__ import annotations

import functools
import hashlib
import itertools
from collections.abc import Iterable, Mapping, Sequence

from bot.understanding.normalise import plain, words

CONTEXT_WINDOW = 6  # a context word counts within this many words of the term
# Two everyday-word terms for different drugs joined by one of these are each other's context.
JOINS = frozenset({"and", "n", "with", "plus", "then"})


class Lexicon:
    def __init__(
        self,
        canonical_by_term: Mapping[str, str],
        contextual: Mapping[str, str] | None = None,
        context_words: Iterable[str] = (),
    ) -> None:
        """`contextual` terms are everyday words too ("gear", "school bus", "chalk"): they map
        only with a `context_words` word (canonical, like "heroin" or "inject") near them."""
        self._contextual: dict[tuple[str, ...], tuple[str, ...]] = {}
        for term, canonical in (contextual or {}).items():
            key = tuple(plain(word) for word in words(term))
            if key:
                self._contextual[key] = tuple(plain(word) for word in words(canonical))
        self._context = frozenset(plain(word) for word in context_words)
        contextual_sizes: dict[str, set[int]] = {}
        for key in self._contextual:
            contextual_sizes.setdefault(key[0], set()).add(len(key))
        self._contextual_sizes = {
            first: sorted(found, reverse=True) for first, found in contextual_sizes.items()
        }
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

    @functools.cached_property
    def fingerprint(self) -> int:
        """Alike for two lexicons that map every message alike."""
        return hash(self._mapping)

    @functools.cached_property
    def digest(self) -> str:
        """As `fingerprint`, but the same in every process (for a file named by it)."""
        return hashlib.sha256(self._mapping.encode()).hexdigest()

    @functools.cached_property
    def _mapping(self) -> str:
        terms = (sorted(self._terms.items()), sorted(self._contextual.items()))
        return repr((repr(terms), tuple(sorted(self._context))))

    @property
    def single_word_terms(self) -> list[str]:
        return [plain(key[0]) for key in self._terms if len(key) == 1]

    @property
    def phrases(self) -> list[tuple[str, ...]]:
        """Terms of several words ("special k", "the done"), plain: said whole, they are the
        drug even when one of their words is an everyday one."""
        return [tuple(plain(word) for word in key) for key in self._terms if len(key) > 1]

    @property
    def canonical_words(self) -> set[str]:
        """Every word a term maps to ("heroin", "cocaine", and "can", "not" for "cant")."""
        mapped = [*self._terms.values(), *self._contextual.values()]
        return {word for canonical in mapped for word in canonical}

    @property
    def contextual_words(self) -> set[str]:
        """The words of the everyday-word terms ("gear", "school", "bus")."""
        return {word for key in self._contextual for word in key}

    def apply(self, tokens: Sequence[str]) -> list[str]:
        """Replace known terms, longest first, then the everyday-word terms that have drug or
        using words near them."""
        mapped = self._apply_plain(tokens)
        return self._apply_contextual(mapped) if self._contextual else mapped

    def _apply_contextual(self, mapped: list[str]) -> list[str]:
        spans = self._contextual_spans(mapped)
        paired = _paired(mapped, spans)
        kept = {
            start: (size, found)
            for start, size, found in spans
            if start in paired or self._has_context(mapped, start, start + size)
        }
        out: list[str] = []
        i = 0
        while i < len(mapped):
            if i in kept:
                size, found = kept[i]
                out.extend(found)
                i += size
            else:
                out.append(mapped[i])
                i += 1
        return out

    def _contextual_spans(self, mapped: list[str]) -> list[tuple[int, int, tuple[str, ...]]]:
        """Where the everyday-word terms stand (start, length, what they map to), longest
        first, left to right."""
        spans: list[tuple[int, int, tuple[str, ...]]] = []
        i = 0
        while i < len(mapped):
            sizes = self._contextual_sizes.get(mapped[i], ())
            for size in (s for s in sizes if s <= len(mapped) - i):
                found = self._contextual.get(tuple(mapped[i : i + size]))
                if found is not None:
                    spans.append((i, size, found))
                    i += size
                    break
            else:
                i += 1
        return spans

    def _has_context(self, mapped: list[str], start: int, end: int) -> bool:
        near = mapped[max(0, start - CONTEXT_WINDOW) : start] + mapped[end : end + CONTEXT_WINDOW]
        return any(word in self._context for word in near)

    def _apply_plain(self, tokens: Sequence[str]) -> list[str]:
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


def _paired(mapped: list[str], spans: list[tuple[int, int, tuple[str, ...]]]) -> set[int]:
    """The starts of everyday-word terms for two different drugs joined by "and", "with" or
    the like, each the other's context: "gear and blues together" is heroin and benzos, while
    "my fishing gear is in the green shed" and "have done k" are left as they are."""
    paired: set[int] = set()
    for (start, size, found), (after, _, again) in itertools.pairwise(spans):
        between = mapped[start + size : after]
        if found != again and 1 <= len(between) <= 2 and JOINS.intersection(between):
            paired.update((start, after))
    return paired
