"""Method "chars": character n-gram TF-IDF vectors and cosine similarity.

Every phrase (title, keyword, example) becomes a vector of the 2- to 5-letter pieces of its
canonical words (scikit-learn's TfidfVectorizer, analyzer "char_wb"), so "overdosing",
"overdosed" and a typo the corrector missed still share most of their pieces. An answer is
scored on its closest phrase and on all its phrases together, like "stems".

Pieces of a message that no answer has are kept in the message's length (at UNKNOWN_WEIGHT times
the rarest known piece), so a message about something else can't reach an answer by the few
pieces it happens to share with it.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
from scipy import sparse

from bot.understanding.scorers.base import Ranked, Target

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

    def __init__(self, texts: Sequence[str]) -> None:
        from sklearn.feature_extraction.text import TfidfVectorizer

        self.vectorizer = TfidfVectorizer(
            analyzer="char_wb", ngram_range=NGRAMS, sublinear_tf=True, norm="l2", dtype=np.float32
        )
        self.matrix: sparse.csr_matrix = self.vectorizer.fit_transform(texts)
        self._analyse = self.vectorizer.build_analyzer()
        self._index: dict[str, int] = self.vectorizer.vocabulary_
        self._idf: np.ndarray = self.vectorizer.idf_.astype(np.float32)
        self._unknown = float(self._idf.max()) * UNKNOWN_WEIGHT if len(self._idf) else 1.0

    def query(self, text: str) -> tuple[np.ndarray, np.ndarray]:
        """(feature indices, weights) of a message, L2-normalised over all its pieces."""
        counts = Counter(self._analyse(text))
        indices, weights, unknown = [], [], 0.0
        for gram, tf in counts.items():
            weight = 1.0 + np.log(tf)
            index = self._index.get(gram)
            if index is None:
                unknown += (weight * self._unknown) ** 2
            else:
                indices.append(index)
                weights.append(weight * self._idf[index])
        values = np.asarray(weights, dtype=np.float32)
        norm = float(np.sqrt(values @ values + unknown)) if counts else 0.0
        return np.asarray(indices, dtype=np.int64), values / norm if norm else values


class CharScorer:
    def __init__(self, targets: Sequence[Target], analyser: Analyser, rerank: int = 8) -> None:
        self.analyser = analyser
        self.rerank = rerank
        self.ids = [entry.id for entry in targets]
        texts, owners = [], []
        for number, entry in enumerate(targets):
            for phrase in entry.phrases:
                texts.append(content_text(analyser, analyser.canonical_words(phrase)))
                owners.append(number)
        self.grams = CharGrams(texts)
        self._starts = np.flatnonzero(np.r_[True, np.diff(owners) != 0])  # phrases by entry
        phrases = self.grams.matrix
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
