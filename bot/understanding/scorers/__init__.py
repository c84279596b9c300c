"""The ways of ranking answers for a message, chosen by `matching.method` in the config.

  stems       TF-IDF over word stems, closest example and whole answer, rapidfuzz re-ranking
  bm25        Okapi BM25 over the same stems, closest example and whole answer
  chars       character n-gram TF-IDF vectors, cosine similarity
  classifier  a linear model trained at start-up on the answers' examples
  blend       stems and classifier together, weighted

How they compare on the labelled sets, and why the default is the default: docs/matching.md.
A method's module is imported only when it is used, so scikit-learn is loaded only by the methods
that need it. Every method but "stems" falls back to "stems" for libraries of LARGE_LIBRARY
answers or more: at 5,000 answers they train too long or answer too slowly (BM25's phrase
postings: p99 26 ms against the 20 ms target, benchmarks/latency.py --method bm25).
"""

from __future__ import annotations

import importlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final, cast

from bot.understanding.scorers.base import Scorer, ScorerFactory, Target, Thresholds

if TYPE_CHECKING:
    from bot.understanding.matcher import Analyser

__all__ = [
    "DEFAULT_METHOD",
    "FALLBACK_METHOD",
    "LARGE_LIBRARY",
    "METHODS",
    "Method",
    "build_scorer",
    "method_for",
]


@dataclass(frozen=True)
class Method:
    module: str  # bot.understanding.scorers.<module>
    factory: str  # the scorer class in it
    thresholds: Thresholds  # tuned on the tuning sets only (docs/matching.md)
    scales: bool  # fast enough to build and to query at thousands of answers


METHODS: dict[str, Method] = {
    "stems": Method("stems", "StemScorer", Thresholds(30.0, 22.0, 12.0, 70.0, 2.0), scales=True),
    "bm25": Method("bm25", "BM25Scorer", Thresholds(26.0, 14.0, 8.0, 70.0), scales=False),
    "chars": Method("chars", "CharScorer", Thresholds(38.0, 26.0, 8.0, 70.0), scales=False),
    "classifier": Method(
        "classifier", "ClassifierScorer", Thresholds(36.0, 24.0, 8.0, 70.0), scales=False
    ),
    "blend": Method(
        "blend", "BlendScorer", Thresholds(26.0, 18.0, 12.0, 70.0, topic=40.0), scales=False
    ),
}
DEFAULT_METHOD: Final = "blend"
FALLBACK_METHOD = "stems"
LARGE_LIBRARY = 1000


def method_for(method: str, answers: int, large: int = LARGE_LIBRARY) -> str:
    """The method that will rank `answers` answers when `method` is asked for."""
    if method not in METHODS:
        known = ", ".join(METHODS)
        raise ValueError(f"unknown matching method {method!r}: use one of {known}")
    return method if METHODS[method].scales or answers < large else FALLBACK_METHOD


def build_scorer(
    method: str, targets: Sequence[Target], analyser: Analyser, rerank: int = 8
) -> Scorer:
    """The scorer for `method`, built over `targets` (the analyser has learnt their words)."""
    spec = METHODS[method]
    module = importlib.import_module(f"{__name__}.{spec.module}")
    factory = cast(ScorerFactory, getattr(module, spec.factory))
    return factory(targets, analyser, rerank)
