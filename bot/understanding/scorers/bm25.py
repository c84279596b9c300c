"""Method "bm25": Okapi BM25 over the stems of each answer's title, keywords and examples.

An answer is scored twice: against its closest single phrase (title, keyword or example) and
against all its phrases as one document, and the two are weighted together as "stems" does.
BM25's term saturation means a word said ten times in an answer's examples counts little more
than one said twice, and its length normalisation favours phrases no longer than they need be.

Each term's part is capped at its IDF, and the sum is divided by the IDF of every stem in the
message, words the content has never seen included (at UNKNOWN_WEIGHT times the rarest known
word), so a score is a share of the message that the answer explains: 0-100. Every phrase is
scored, so at thousands of answers this is slower than "stems", which it falls back to there.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Sequence
from typing import TYPE_CHECKING

from bot.understanding.scorers.base import ByWordsAlone, Ranked, Target

if TYPE_CHECKING:
    from bot.understanding.matcher import Analyser

K1 = 1.2  # how fast repeats of a word stop counting
B = 0.75  # how much a longer phrase is held against it
PHRASE_WEIGHT = 0.6  # the closest phrase; the rest is the answer as a whole
UNKNOWN_WEIGHT = 1.3
EVERYDAY_ONLY_FACTOR = 0.8  # an answer that shares only everyday words with the message


class BM25Scorer(ByWordsAlone):
    def __init__(self, targets: Sequence[Target], analyser: Analyser, rerank: int = 8) -> None:
        self.analyser = analyser
        self.rerank = rerank
        self.ids = [entry.id for entry in targets]
        stemmed = [analyser.content_stems(entry.phrases) for entry in targets]
        count = max(len(targets), 1)
        df: Counter[str] = Counter()
        for phrases in stemmed:
            df.update({stem for phrase in phrases for stem in phrase})
        self._idf = {s: math.log(1 + (count - n + 0.5) / (n + 0.5)) for s, n in df.items()}
        self._unknown_idf = math.log(1 + (count + 0.5) / 0.5) * UNKNOWN_WEIGHT
        self._phrase_entry: list[int] = []
        phrase_lengths: list[int] = []
        entry_lengths = [sum(len(p) for p in phrases) for phrases in stemmed]
        self._phrase_postings: dict[str, list[tuple[int, int]]] = defaultdict(list)
        self._entry_postings: dict[str, list[tuple[int, int]]] = defaultdict(list)
        self._stems_of_entry = [{s for p in phrases for s in p} for phrases in stemmed]
        for entry, phrases in enumerate(stemmed):
            for stem, tf in Counter(s for p in phrases for s in p).items():
                self._entry_postings[stem].append((entry, tf))
            for phrase in phrases:
                if not phrase:
                    continue
                number = len(self._phrase_entry)
                self._phrase_entry.append(entry)
                phrase_lengths.append(len(phrase))
                for stem, tf in Counter(phrase).items():
                    self._phrase_postings[stem].append((number, tf))
        self._phrase_norm = _norms(phrase_lengths)
        self._entry_norm = _norms(entry_lengths)

    def rank(self, canonical: Sequence[str]) -> Ranked:
        stems = list(dict.fromkeys(self.analyser.stems_of(canonical)))
        if not stems:
            return []
        everyday = self.analyser.everyday_stems(canonical)
        total = sum(self._idf.get(stem, self._unknown_idf) for stem in stems)
        whole: dict[int, float] = defaultdict(float)
        closest: dict[int, float] = defaultdict(float)
        phrase_scores: dict[int, float] = defaultdict(float)
        for stem in stems:
            idf = self._idf.get(stem)
            if idf is None:
                continue
            for entry, tf in self._entry_postings[stem]:
                whole[entry] += idf * _saturation(tf, self._entry_norm[entry])
            for phrase, tf in self._phrase_postings[stem]:
                phrase_scores[phrase] += idf * _saturation(tf, self._phrase_norm[phrase])
        for phrase, score in phrase_scores.items():
            entry = self._phrase_entry[phrase]
            closest[entry] = max(closest[entry], score)
        specific = [stem for stem in stems if stem not in everyday]
        scored = []
        for entry, score in whole.items():
            value = (PHRASE_WEIGHT * closest[entry] + (1 - PHRASE_WEIGHT) * score) / total
            if not any(stem in self._stems_of_entry[entry] for stem in specific):
                value *= EVERYDAY_ONLY_FACTOR
            scored.append((min(value, 1.0) * 100, -entry))
        scored.sort(reverse=True)
        return [(self.ids[-e], round(s, 1)) for s, e in scored[: self.rerank]]


def _norms(lengths: Sequence[int]) -> list[float]:
    """Each document's length part of BM25's denominator: K1 * (1 - B + B * length / mean)."""
    mean = sum(lengths) / len(lengths) if lengths else 1.0
    return [K1 * (1 - B + B * length / (mean or 1.0)) for length in lengths]


def _saturation(tf: int, norm: float) -> float:
    """BM25's term weight for `tf` repeats, capped at 1 (one repeat in a document of mean
    length), so a term never counts for more than its IDF."""
    return min(tf * (K1 + 1) / (tf + norm), 1.0)
