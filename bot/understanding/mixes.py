"""Finding the two substances a message asks about mixing ("coke and a few pints").

Each substance's words (content/<lang>/mixes/substances.yaml) are read through the same
normalising as the message, so slang the lexicon maps ("molly" → mdma) is found too. Where
names overlap ("crack cocaine" holds "cocaine"), the longest name wins its words.
"""

from __future__ import annotations

from collections.abc import Callable

from bot.content.mixes import Mix, MixTable
from bot.understanding.phrases import PhraseSet

MANY = 3  # substances named: the general mixing answer, not one pair's


class MixFinder:
    def __init__(self, table: MixTable | None, normalise: Callable[[str], list[str]]) -> None:
        self.table = table
        self._names: list[tuple[tuple[str, ...], str]] = []
        for substance_id, substance in table.substances.items() if table else ():
            for word in {substance_id.replace("-", " "), *substance.words}:
                tokens = tuple(normalise(word))
                if tokens:
                    self._names.append((tokens, substance_id))
        self._names.sort(key=lambda item: -len(item[0]))  # longest first
        self._by_first: dict[str, list[int]] = {}
        for rank, (tokens, _) in enumerate(self._names):
            self._by_first.setdefault(tokens[0], []).append(rank)
        # Phrases, not loose words: "cut with" must not make every "with" a comparison.
        self._comparing = PhraseSet(table.comparing if table else (), normalise)
        self._not_with = {
            substance_id: PhraseSet(substance.not_with, normalise)
            for substance_id, substance in (table.substances.items() if table else ())
            if substance.not_with
        }
        self._mixing = PhraseSet(table.mixing if table else (), normalise)
        self._unnamed = PhraseSet(table.unnamed if table else (), normalise)

    def mix_in(self, canonical: list[str]) -> Mix | None:
        """The mix answer when exactly two substances are named."""
        if self.table is None or self._comparing.found_in(canonical):
            return None  # "is fetty worse than heroin" compares two drugs
        named = self.substances_in(canonical)
        if len(named) != 2:
            return None
        return self.table.lookup(named[0], named[1])

    def names_many(self, canonical: list[str]) -> bool:
        """Three substances or more, not compared ("took coke, mdma and ket on the same day",
        or "pills, ket and drink": an unnamed one counts with two named): a question for the
        answer about mixing in general."""
        if self.table is None or self._comparing.found_in(canonical):
            return False
        named = self.substances_in(canonical)
        if len(named) >= MANY:
            return True
        if len(named) < MANY - 1 or self.table.unnamed_not_with.intersection(named):
            return False
        return self._unnamed.found_in(canonical)

    def asks_about_mixing(self, canonical: list[str]) -> bool:
        """The message says it asks about taking them together ("how bad is mixing the two")."""
        return self._mixing.found_in(canonical)

    def substances_in(self, canonical: list[str]) -> list[str]:
        """The substances a message names, each once, in the order it names them."""
        # Every place a name starts, longest names first, then left to right: the same order
        # as trying each name over the whole message, without comparing every name everywhere.
        candidates: list[tuple[int, int]] = []  # (rank of the name, start)
        for start, word in enumerate(canonical):
            for rank in self._by_first.get(word, ()):
                tokens = self._names[rank][0]
                if tuple(canonical[start : start + len(tokens)]) == tokens:
                    candidates.append((rank, start))
        candidates.sort()
        taken = [False] * len(canonical)
        found: list[tuple[int, str]] = []
        for rank, start in candidates:
            tokens, substance_id = self._names[rank]
            span = range(start, start + len(tokens))
            if not any(taken[i] for i in span):
                for i in span:
                    taken[i] = True
                found.append((start, substance_id))
        named = dict.fromkeys(substance_id for _, substance_id in sorted(found))
        return [
            s for s in named if s not in self._not_with or not self._not_with[s].found_in(canonical)
        ]
