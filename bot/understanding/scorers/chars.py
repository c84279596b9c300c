"""Method "chars": character n-gram TF-IDF vectors and cosine similarity.

Every phrase (title, keyword, example) becomes a vector of the 2- to 5-letter pieces of its
canonical words (as scikit-learn's TfidfVectorizer with analyzer "char_wb" cuts and weighs
them), so "overdosing", "overdosed" and a typo the corrector missed still share most of their
pieces. An answer is scored on its closest phrase and on all its phrases together, like "stems".

Pieces of a message that no answer has are kept in the message's length (at UNKNOWN_WEIGHT times
the rarest known piece), so a message about something else can't reach an answer by the few
pieces it happens to share with it.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from scipy import sparse

from bot.understanding.scorers.base import ByWordsAlone, Ranked, Target

if TYPE_CHECKING:
    from bot.understanding.matcher import Analyser

NGRAMS = (2, 5)
PHRASE_WEIGHT = 0.5  # the closest phrase; the rest is the answer as a whole
UNKNOWN_WEIGHT = 1.0


def content_text(analyser: Analyser, canonical: Sequence[str]) -> str:
    """The words that carry meaning, as one string for the n-gram analysers."""
    kept = [word for word in canonical if word not in analyser.stopwords]
    return " ".join(kept or canonical)


class CharGrams:
    """A fitted char_wb TF-IDF space, with a message's vector made by hand so that the pieces
    the content has never seen count in its length."""

    def __init__(self, pieces: Sequence[str], idf: np.ndarray) -> None:
        """The space of `pieces` (feature i is pieces[i]) weighted by `idf`: as fitted by
        `fit`, or as kept in the cache folder (bot/understanding/scorers/trained.py)."""
        self.pieces = list(pieces)
        self._index: dict[str, int] = {piece: i for i, piece in enumerate(self.pieces)}
        self.idf: np.ndarray = np.asarray(idf, dtype=np.float32)
        self._unknown = float(self.idf.max()) * UNKNOWN_WEIGHT if len(self.idf) else 1.0
        self._words: dict[str, _Pieces] = {}

    def prepare(self, words: Iterable[str]) -> None:
        """Work out the pieces of the content's own words now (never a message's: those are
        worked out for each message and dropped), so a long message costs a look-up a word
        instead of one a piece: half a millisecond less at the 99th percentile."""
        self._words = {word: self._pieces_of(word) for word in words}

    @classmethod
    def fit(cls, texts: Sequence[str]) -> tuple[CharGrams, sparse.csr_matrix]:
        """The space fitted on `texts`, and their vectors in it (one row each), as
        scikit-learn's TfidfVectorizer(analyzer="char_wb", sublinear_tf=True) makes them.

        The pieces are counted word by word, as `query` does: a text's counts are its words'
        counts (a texts × words matrix times a words × pieces one), so each word is cut once
        however many of the 30,000 phrases hold it: four times faster than the vectorizer."""
        columns: dict[str, int] = {}
        rows, cols, times = [], [], []
        for row, text in enumerate(texts):
            for word, n in Counter(text.split()).items():
                rows.append(row)
                cols.append(columns.setdefault(word, len(columns)))
                times.append(n)
        by_word = [Counter(pieces_of(word)) for word in columns]
        pieces = sorted({piece for counts in by_word for piece in counts})
        index = {piece: i for i, piece in enumerate(pieces)}
        word_rows = [i for i, counts in enumerate(by_word) for _ in counts]
        piece_cols = [index[piece] for counts in by_word for piece in counts]
        piece_counts = [n for counts in by_word for n in counts.values()]
        shape = (len(texts), len(columns))
        in_texts = sparse.csr_matrix((np.array(times, np.float32), (rows, cols)), shape=shape)
        in_words = sparse.csr_matrix(
            (np.array(piece_counts, np.float32), (word_rows, piece_cols)),
            shape=(len(columns), len(pieces)),
        )
        matrix: sparse.csr_matrix = sparse.csr_matrix(in_texts @ in_words)
        matrix.sort_indices()
        # smoothed idf, as if one more text held every piece
        df = np.bincount(matrix.indices, minlength=len(pieces)).astype(np.float32) + 1
        idf = np.log(np.float32(len(texts) + 1) / df) + np.float32(1)
        matrix.data = (np.log(matrix.data) + np.float32(1)) * idf[matrix.indices]
        squares = (matrix.data * matrix.data).astype(np.float64)
        row_of = np.repeat(np.arange(len(texts)), np.diff(matrix.indptr))
        norms = np.sqrt(np.bincount(row_of, weights=squares, minlength=len(texts)))
        matrix.data = (matrix.data / np.maximum(norms, 1e-300)[row_of]).astype(np.float32)
        return cls(pieces, idf), matrix

    def query(self, text: str) -> tuple[np.ndarray, np.ndarray]:
        """(feature indices, weights) of a message, L2-normalised over all its pieces.

        The analyser pads and cuts each word apart (char_wb), so a message's pieces are its
        words' pieces together: counted word by word, then summed per piece."""
        indices, counts, unknown = [], [], Counter[str]()
        for word, times in Counter(text.split()).items():
            pieces = self._words.get(word) or self._pieces_of(word)
            indices.append(pieces.indices)
            counts.append(pieces.counts * times)
            for piece in pieces.unknown:
                unknown[piece] += times
        found = np.concatenate(indices) if indices else np.zeros(0, dtype=np.int64)
        if not len(found) and not unknown:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
        kept, where = np.unique(found, return_inverse=True)
        tf = np.bincount(where, weights=np.concatenate(counts), minlength=len(kept))
        values = (1.0 + np.log(tf)) * self.idf[kept]
        missing = sum(((1.0 + math.log(n)) * self._unknown) ** 2 for n in unknown.values())
        norm = math.sqrt(float(values @ values) + missing)
        return kept, (values / norm).astype(np.float32)

    def _pieces_of(self, word: str) -> _Pieces:
        counts = Counter(pieces_of(word))
        known = [(self._index[piece], n) for piece, n in counts.items() if piece in self._index]
        return _Pieces(
            np.fromiter((i for i, _ in known), np.int64, len(known)),
            np.fromiter((n for _, n in known), np.float64, len(known)),
            tuple(p for p, n in counts.items() if p not in self._index for _ in range(n)),
        )


def pieces_of(word: str) -> list[str]:
    """The 2- to 5-letter pieces of one word, padded with a space each side, as
    scikit-learn's "char_wb" analyser cuts them (lower-cased): the same pieces the space was
    fitted on, without importing scikit-learn (some 70 MB) in a bot that loads its model."""
    padded = f" {word.lower()} "
    low, high = NGRAMS
    found: list[str] = []
    for n in range(low, high + 1):
        found.extend(padded[start : start + n] for start in range(max(len(padded) - n, 0) + 1))
        if len(padded) <= n:  # a short word counts once, whole
            break
    return found


@dataclass(frozen=True)
class _Pieces:
    """One word's pieces: the known ones' feature indices and counts, and the unknown ones."""

    indices: np.ndarray
    counts: np.ndarray
    unknown: tuple[str, ...]


class CharScorer(ByWordsAlone):
    def __init__(self, targets: Sequence[Target], analyser: Analyser, rerank: int = 8) -> None:
        self.analyser = analyser
        self.rerank = rerank
        self.ids = [entry.id for entry in targets]
        texts, owners = [], []
        for number, entry in enumerate(targets):
            for phrase in entry.phrases:
                texts.append(content_text(analyser, analyser.content_words(phrase)))
                owners.append(number)
        self.grams, phrases = CharGrams.fit(texts)
        self._starts = np.flatnonzero(np.r_[True, np.diff(owners) != 0])  # phrases by entry
        summed = sparse.csr_matrix(
            sparse.csr_matrix(
                (np.ones(len(owners), dtype=np.float32), (owners, range(len(owners)))),
                shape=(len(targets), len(owners)),
            )
            @ phrases
        )
        lengths = np.sqrt(np.asarray(summed.multiply(summed).sum(axis=1)).ravel())
        whole = sparse.diags(1 / np.maximum(lengths, 1e-9)) @ summed
        self._phrases_t = sparse.csr_matrix(phrases.T)  # rows: features, for a message's few
        self._whole_t = sparse.csr_matrix(whole.T)

    def similarities(self, canonical: Sequence[str]) -> np.ndarray:
        """0-1 per answer: cosine with its closest phrase and with the answer as a whole."""
        indices, weights = self.grams.query(content_text(self.analyser, canonical))
        if not len(indices):
            return np.zeros(len(self.ids), dtype=np.float32)
        closest = np.maximum.reduceat(weights @ self._phrases_t[indices], self._starts)
        whole = weights @ self._whole_t[indices]
        return np.asarray(PHRASE_WEIGHT * closest + (1 - PHRASE_WEIGHT) * whole).ravel()

    def rank(self, canonical: Sequence[str]) -> Ranked:
        return best(self.similarities(canonical), self.ids, self.rerank)


def best(similarities: np.ndarray, ids: Sequence[str], count: int) -> Ranked:
    """The `count` highest of 0-1 similarities as (id, 0-100 score) pairs, best first.

    Scores are rounded down and kept below 100: a similarity of 0.9996 is not certainty, and a
    threshold of 100 stays one that nothing reaches."""
    count = min(count, len(ids))
    if not count:
        return []
    chosen = np.argpartition(-similarities, count - 1)[:count]
    chosen = chosen[np.argsort(-similarities[chosen], kind="stable")]
    return [
        (ids[i], min(math.floor(float(similarities[i]) * 1000) / 10, 99.9))
        for i in chosen
        if similarities[i] > 0
    ]
