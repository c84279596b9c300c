"""Method "stems", the first scorer: weighted word vectors over stems, fuzzy re-ranked.

Each answer's title, keywords and examples are turned into weighted word vectors (TF-IDF over
stems, after the slang lexicon and typo correction). A message is scored against every answer
by how well it matches the closest single example and the answer as a whole, then the best few
are re-ranked with rapidfuzz's string similarity, which is kind to word order and partial words.

Scores run 0-100. Words the content has never seen count against a match, which is what lets
"what's the weather" fall below the threshold instead of reaching the nearest answer. It needs
nothing but the standard library and rapidfuzz, indexes 5,000 answers in a few seconds and
answers them within the latency targets, so it is also what other methods fall back on for
large libraries.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from rapidfuzz import fuzz, process

from bot.understanding.cache_files import Recent, digest
from bot.understanding.scorers.base import ByWordsAlone, Ranked, Target

if TYPE_CHECKING:
    from bot.understanding.matcher import Analyser

# How a score is made (0-1 each, weighted to 0-100): the closest single example, the answer's
# words as a whole, and rapidfuzz's similarity to the closest example. Words the content has
# never seen weigh UNKNOWN_WEIGHT times the rarest known word.
PHRASE_WEIGHT = 0.4
WHOLE_WEIGHT = 0.6
FUZZY_WEIGHT = 0.25
UNKNOWN_WEIGHT = 1.3
# Everyday words ("good", "time", "cool") can't carry a match on their own: an answer that
# shares only such words with a message gets its score multiplied by this.
EVERYDAY_ONLY_FACTOR = 0.8
# A message is compared, fuzzily, with only the FUZZY_PHRASES phrases of an answer closest to
# it by their words: an answer with hundreds of labelled messages, each against a long message,
# would cost milliseconds, and held out (benchmarks/held_out.py) the closest 8 do as well as all.
FUZZY_PHRASES = 8


class StemScorer(ByWordsAlone):
    """Method "stems": the closest example and the answer as a whole, fuzzy re-ranked.

    Every phrase (title, keyword, example) and every answer as a whole is a unit vector over
    stems, kept as the columns of two sparse matrices: a message picks out the columns of its
    own stems, so scoring thousands of long examples costs a few sparse products, not a loop
    over each example's words.
    """

    def __init__(self, targets: Sequence[Target], analyser: Analyser, rerank: int = 8) -> None:
        """The index of `targets`' phrases, or the same index made by an earlier engine in
        this process (the checker and the terminal tools build several over the same
        content: indexing 30,000 phrases takes half a second)."""
        self.analyser = analyser
        self.rerank = rerank
        self.ids = [entry.id for entry in targets]
        stemmed = [analyser.content_stems(entry.phrases) for entry in targets]
        index = _indexed(stemmed)
        self._idf = index.idf
        self._unknown_idf = index.unknown_idf
        self._column = index.column
        self._phrases = index.phrases
        self._entries = index.entries
        self._owner = index.owner
        self._texts_by_entry = index.texts_by_entry
        self._stems_of_entry = index.stems_of_entry
        self._first_phrase = index.first_phrase
        self._has_phrases = index.has_phrases
        self._segments = index.segments

    def _nearest_texts(self, entry: int, phrase_scores: np.ndarray) -> list[str]:
        """The answer's FUZZY_PHRASES phrases closest to the message by their words."""
        start, end = int(self._first_phrase[entry]), int(self._first_phrase[entry + 1])
        texts = self._texts_by_entry[entry]
        if end - start <= FUZZY_PHRASES:
            return texts
        nearest = np.argpartition(-phrase_scores[start:end], FUZZY_PHRASES)[:FUZZY_PHRASES]
        return [texts[i] for i in sorted(nearest.tolist())]

    def _vector(self, stems: Sequence[str], unknown_weight: float = 0.0) -> dict[str, float]:
        return _vector_of(stems, self._idf, unknown_weight)

    def rank(self, canonical: Sequence[str]) -> Ranked:
        stems = self.analyser.stems_of(canonical)
        everyday = self.analyser.everyday_stems(canonical)
        query = self._vector(stems, unknown_weight=self._unknown_idf * UNKNOWN_WEIGHT)
        known = [
            (self._column[stem], weight) for stem, weight in query.items() if stem in self._column
        ]
        if not known:
            return []
        columns = np.fromiter((c for c, _ in known), dtype=np.int64, count=len(known))
        weights = np.fromiter((w for _, w in known), dtype=np.float64, count=len(known))
        # The answer as a whole, and its closest phrase: one sparse product each.
        whole = _columns_times(self._entries, columns, weights)
        phrase_scores = _columns_times(self._phrases, columns, weights)
        closest = np.zeros(len(self.ids))
        if len(self._segments):  # each answer's best phrase, its rows being consecutive
            closest[self._has_phrases] = np.maximum.reduceat(phrase_scores, self._segments)
        coarse = PHRASE_WEIGHT * closest + WHOLE_WEIGHT * whole
        met = np.flatnonzero(whole > 0)  # the answers that share a stem with the message
        order = met[np.argsort(-coarse[met], kind="stable")][: self.rerank]
        query_text = " ".join(sorted(stems))  # as token_sort_ratio compares, sorted once
        specific = [stem for stem in query if stem not in everyday]
        scored = []
        for entry in order.tolist():
            found = process.extractOne(
                query_text,
                self._nearest_texts(entry, phrase_scores),
                scorer=fuzz.ratio,
            )
            similarity = found[1] / 100 if found else 0.0
            score = (1 - FUZZY_WEIGHT) * float(coarse[entry]) + FUZZY_WEIGHT * similarity
            if self._stems_of_entry[entry].isdisjoint(specific):
                score *= EVERYDAY_ONLY_FACTOR
            scored.append((100 * score, entry))
        scored.sort(reverse=True)
        return [(self.ids[entry], round(score, 1)) for score, entry in scored]


@dataclass(frozen=True)
class _Columns:
    """A sparse matrix kept column by column (as scipy's CSC format keeps it): all a message
    needs is to pick out its own stems' columns, and importing scipy would cost the bot some
    0.2 s of its start-up."""

    data: np.ndarray  # the values, column after column, rows in order within each
    indices: np.ndarray  # the row of each value
    indptr: np.ndarray  # where each column starts in data, and its end
    shape: tuple[int, int]


def _columns_times(matrix: _Columns, columns: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """`matrix[:, columns] @ weights`, read straight from the columns: a few columns out of
    thousands, so slicing a copy would cost more than the product itself. Each column is one
    slice of the stored values (a copy of consecutive memory, not a look-up per value)."""
    ends = matrix.indptr[columns + 1].tolist()
    starts = matrix.indptr[columns].tolist()
    if starts == ends:
        return np.zeros(matrix.shape[0])
    rows = np.concatenate([matrix.indices[s:e] for s, e in zip(starts, ends, strict=True)])
    values = np.concatenate(
        [matrix.data[s:e] * w for s, e, w in zip(starts, ends, weights.tolist(), strict=True)]
    )
    return np.bincount(rows, weights=values, minlength=matrix.shape[0])


def _unit(vector: dict[str, float]) -> dict[str, float]:
    norm = math.sqrt(sum(weight * weight for weight in vector.values()))
    return {key: weight / norm for key, weight in vector.items()} if norm else {}


@dataclass(frozen=True)
class _Index:
    """The phrases' stem vectors, as two sparse matrices (phrases, answers as a whole)."""

    idf: dict[str, float]
    unknown_idf: float
    column: dict[str, int]
    phrases: _Columns
    entries: _Columns
    owner: np.ndarray  # the answer each phrase belongs to
    # Each answer's phrases as text for the fuzzy comparison, their stems in sorted order:
    # rapidfuzz's token_sort_ratio, with the sorting done once here instead of per message.
    texts_by_entry: list[list[str]]
    stems_of_entry: list[set[str]]
    # Each answer's phrases are consecutive rows: where they start, and which answers have any
    # (the labelled messages' NOTHING may have none yet).
    first_phrase: np.ndarray
    has_phrases: np.ndarray
    segments: np.ndarray


_INDEXES: Recent[_Index] = Recent(2)  # digest of the stemmed phrases → their index


def _indexed(stemmed: list[list[list[str]]]) -> _Index:
    """The index of each answer's stemmed phrases: kept for the process, by their digest."""
    key = digest(stemmed)
    index = _INDEXES.get(key)
    if index is None:
        index = _index(stemmed)
        _INDEXES.put(key, index)
    return index


def forget_indexes() -> None:
    """Drop the indexes kept for building more engines (a running bot builds no more)."""
    _INDEXES.clear()


def _index(stemmed: list[list[list[str]]]) -> _Index:
    document_frequency: dict[str, int] = defaultdict(int)
    for phrases in stemmed:
        for stem in {stem for phrase in phrases for stem in phrase}:
            document_frequency[stem] += 1
    count = max(len(stemmed), 1)
    idf = {s: math.log((count + 1) / (df + 1)) + 1 for s, df in document_frequency.items()}
    column = {stem: number for number, stem in enumerate(sorted(idf))}
    phrase_rows: list[dict[str, float]] = []
    owner: list[int] = []
    entry_rows: list[dict[str, float]] = []
    texts_by_entry: list[list[str]] = [[] for _ in stemmed]
    for number, phrases in enumerate(stemmed):
        centroid: dict[str, float] = defaultdict(float)
        for stems in phrases:
            vector = _vector_of(stems, idf)
            if not vector:
                continue
            phrase_rows.append(vector)
            owner.append(number)
            texts_by_entry[number].append(" ".join(sorted(stems)))
            for stem, weight in vector.items():
                centroid[stem] += weight
        entry_rows.append(_unit(centroid))
    owners = np.asarray(owner, dtype=np.int64)
    first_phrase = np.searchsorted(owners, np.arange(len(stemmed) + 1))
    has_phrases = first_phrase[1:] > first_phrase[:-1]
    return _Index(
        idf=idf,
        unknown_idf=math.log(count + 1) + 1,
        column=column,
        phrases=_matrix(phrase_rows, column),
        entries=_matrix(entry_rows, column),
        owner=owners,
        texts_by_entry=texts_by_entry,
        stems_of_entry=[{s for phrase in phrases for s in phrase} for phrases in stemmed],
        first_phrase=first_phrase,
        has_phrases=has_phrases,
        segments=first_phrase[:-1][has_phrases],
    )


def _matrix(rows: list[dict[str, float]], column: dict[str, int]) -> _Columns:
    """Rows of stem weights as a sparse matrix whose columns are stems."""
    row_of, column_of, data = [], [], []
    for number, row in enumerate(rows):
        for stem, weight in row.items():
            row_of.append(number)
            column_of.append(column[stem])
            data.append(weight)
    columns = np.asarray(column_of, dtype=np.int64)
    order = np.argsort(columns, kind="stable")  # by column; rows stay in order within one
    indptr = np.zeros(len(column) + 1, dtype=np.int64)
    np.cumsum(np.bincount(columns, minlength=len(column)), out=indptr[1:])
    return _Columns(
        data=np.asarray(data, dtype=np.float64)[order],
        indices=np.asarray(row_of, dtype=np.int64)[order],
        indptr=indptr,
        shape=(len(rows), len(column)),
    )


def _vector_of(
    stems: Sequence[str], idf: dict[str, float], unknown_weight: float = 0.0
) -> dict[str, float]:
    """A unit vector of idf weights; stems not in `idf` weigh `unknown_weight`."""
    vector: dict[str, float] = {}
    for stem in stems:
        vector[stem] = idf.get(stem, unknown_weight)
    return _unit({stem: weight for stem, weight in vector.items() if weight > 0})
