"""Method "classifier": a linear model trained on the answers' phrases and labelled messages.

Each title, keyword, example and labelled message is a training sample labelled with its
answer (bot/understanding/matcher.py `targets_of`). Features are
word uni- and bigrams over stems and character n-grams over the canonical words (TF-IDF each);
the model is scikit-learn's LinearSVC (one-against-the-rest linear SVMs, several times faster
to train than LogisticRegression's solvers). Its margins become
probabilities by a softmax at TEMPERATURE, a calibration tuned on the tuning sets: 100 is
certain, and a message the model has no evidence for spreads its probability over all answers
and so falls below the thresholds.

Probabilities say which answer is likelier, not whether any answer fits: a message of mostly
unseen words can still give one answer most of the little evidence it has. So the probability
is multiplied by the share of the message's character pieces the content knows (its coverage,
raised to COVERAGE_POWER), which is what keeps "recommend a movie" from being answered.
Training on the answers' own phrases takes a few tenths of a second, on every labelled message
some twenty seconds; the trained model is kept in the process and in the cache folder
(bot/understanding/scorers/trained.py), so only changed content is trained on again. Beyond
LARGE_LIBRARY answers the method falls back to "stems" (bot/understanding/scorers/__init__.py).
"""

from __future__ import annotations

import itertools
import os
import sys
from collections import Counter
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING

import numpy as np
from scipy import sparse

from bot.understanding.scorers import chars, trained
from bot.understanding.scorers.base import ByWordsAlone, Ranked, Target
from bot.understanding.scorers.chars import CharGrams, best, content_text

if TYPE_CHECKING:
    from bot.understanding.matcher import Analyser

C = 1.0  # inverse regularisation
TEMPERATURE = 5.0  # margins times this before the softmax: higher is surer
COVERAGE_POWER = 1.0
# An answer's own title, keywords and examples count this many times a labelled message: they
# are few beside the thousands of labelled ones, and name what the answer is about ("what are
# benzos" is the benzos card, though many labelled messages about mixing name benzos too).
OWN_WEIGHT = 1.0
REST = -1  # the label of the answers another thread fits (`_fit`)


class ClassifierScorer(ByWordsAlone):
    def __init__(self, targets: Sequence[Target], analyser: Analyser, rerank: int = 8) -> None:
        """Trained on `targets`, or the same model kept from an earlier build or start
        (bot/understanding/scorers/trained.py)."""
        self.analyser = analyser
        self.rerank = rerank
        self.ids = [entry.id for entry in targets]
        key = trained.model_key(targets, analyser.reading, sys.modules[__name__], chars)
        model = trained.remembered(key, analyser.keep_in, analyser.language)
        if model is None or model.ids != tuple(self.ids):
            model = train(targets, analyser)
        trained.remember(key, model, analyser.keep_in, analyser.language, analyser.prepare)
        self.grams = CharGrams(model.pieces, model.piece_idf)
        self.grams.prepare(analyser.known_words)
        # answers × features, kept transposed: a message picks out its few feature rows
        self._coef = model.coef
        self._intercept = model.intercept
        self._word_count = len(model.words)
        self._word_index: dict[str, int] = {word: i for i, word in enumerate(model.words)}
        self._word_idf = model.word_idf

    def _word_vector(self, canonical: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        """A message's stem features as the vectorizer would make them (sublinear TF-IDF, L2),
        by dictionary look-ups: TfidfVectorizer.transform costs more than the rest together."""
        counts = Counter(_unigrams_and_bigrams(" ".join(self.analyser.stems_of(canonical))))
        found = [(self._word_index[f], n) for f, n in counts.items() if f in self._word_index]
        if not found:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
        indices = np.fromiter((i for i, _ in found), dtype=np.int64, count=len(found))
        tf = np.fromiter((n for _, n in found), dtype=np.float32, count=len(found))
        weights = (1 + np.log(tf)) * self._word_idf[indices]
        return indices, weights / np.sqrt(weights @ weights)

    def probabilities(self, canonical: Sequence[str]) -> np.ndarray:
        """Per answer: the model's probability times the message's coverage."""
        text = content_text(self.analyser, canonical)
        indices, weights = self.grams.query(text)
        covered = float(weights @ weights)  # the known pieces' share of the message's length
        if not len(indices):
            return np.zeros(len(self.ids), dtype=np.float32)
        word_indices, word_weights = self._word_vector(canonical)
        logits = self._intercept.copy()
        if len(word_indices):
            logits += word_weights @ self._coef[word_indices]
        logits += weights @ self._coef[self._word_count + indices]
        if len(self.ids) == 1:  # nothing to tell apart: coverage alone decides
            return np.full(1, covered**COVERAGE_POWER, dtype=np.float32)
        logits *= TEMPERATURE
        exp = np.exp(logits - logits.max())
        probabilities: np.ndarray = exp / exp.sum() * covered**COVERAGE_POWER
        return probabilities

    def rank(self, canonical: Sequence[str]) -> Ranked:
        return best(self.probabilities(canonical), self.ids, self.rerank)


def _unigrams_and_bigrams(text: str) -> list[str]:
    """Stems and pairs of neighbouring stems ("take_break" is not "take" and "break")."""
    stems = text.split()
    return stems + [f"{a}_{b}" for a, b in itertools.pairwise(stems)]


def train(targets: Sequence[Target], analyser: Analyser) -> trained.Model:
    """The model fitted on every phrase of `targets`, each labelled with its target."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    chars_texts, stems, labels, weights = [], [], [], []
    for number, entry in enumerate(targets):
        for place, phrase in enumerate(entry.phrases):
            canonical = analyser.content_words(phrase)
            chars_texts.append(content_text(analyser, canonical))
            stems.append(" ".join(analyser.stems_of(canonical)))
            labels.append(number)
            weights.append(OWN_WEIGHT if place < entry.own else 1.0)
    grams, pieces = CharGrams.fit(chars_texts)
    words = TfidfVectorizer(analyzer=_unigrams_and_bigrams, sublinear_tf=True, dtype=np.float32)
    features = sparse.hstack([words.fit_transform(stems), pieces]).tocsr()
    coef, intercept = _fit(features, np.asarray(labels), np.asarray(weights))
    vocabulary: dict[str, int] = words.vocabulary_
    return trained.Model(
        ids=tuple(entry.id for entry in targets),
        words=tuple(sorted(vocabulary, key=vocabulary.__getitem__)),
        word_idf=words.idf_.astype(np.float32),
        pieces=tuple(grams.pieces),
        piece_idf=grams.idf,
        coef=np.ascontiguousarray(coef.T, dtype=np.float32),
        intercept=np.asarray(intercept, dtype=np.float32).reshape(-1),
    )


def _fit(
    features: sparse.csr_matrix, labels: np.ndarray, weights: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """LinearSVC's margins, one row per answer (one against the rest), with the answers dealt
    into groups fitted side by side, a thread a core: liblinear lets go of the interpreter
    while it fits, so two cores fit in two thirds of the time (29 s → 19 s on the bundled
    content), with the same margins. In a group the other groups' answers are
    one more class, "the rest", whose row is dropped: each answer is still fitted against every
    other answer's phrases."""
    from sklearn.svm import LinearSVC

    answers = np.unique(labels)
    if len(answers) < 2:
        return np.zeros((1, features.shape[1])), np.zeros(1)
    if len(answers) == 2:  # one margin, for the second against the first
        model = LinearSVC(C=C).fit(features, labels, sample_weight=weights)
        coef, intercept = model.coef_, model.intercept_
        return np.vstack([-coef, coef]), np.r_[-intercept, intercept]
    groups = np.array_split(answers, min(_cores(), len(answers) // 2))

    def fit_group(group: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        own = np.where(np.isin(labels, group), labels, REST)
        model = LinearSVC(C=C).fit(features, own, sample_weight=weights)
        if len(group) == 1:  # binary: the one row is the answer's, against the rest
            return model.coef_, model.intercept_
        keep = model.classes_ != REST
        return model.coef_[keep], model.intercept_[keep]

    with ThreadPoolExecutor(len(groups)) as pool:
        fitted = list(pool.map(fit_group, groups))
    return np.vstack([c for c, _ in fitted]), np.concatenate([i for _, i in fitted])


def _cores() -> int:
    """The cores this process may run on (a container may be given fewer than the machine)."""
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return os.cpu_count() or 1
