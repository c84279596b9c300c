"""Choose each matching method's thresholds on the TUNING sets, never on the frozen test set.

    python benchmarks/tune_matching.py [--method NAME ...] [--floor 0.85] [--param M.NAME=X ...]

For every method (bot/understanding/scorers/) and every pair of thresholds on a grid, the tuning
sets are read through the real reading step; the pair kept is the one with the highest mean
top-1 over en, en-unseen and en-people-tune whose out-of-scope rejection is at least --floor on
each of them and whose false-emergency rate on en-crisis-tune2 is no worse than the first
method's ("stems", 8.2%) at the thresholds it had before. Each message's reading into canonical
words and its ranking are cached, so only the decision is redone. en-people-tune and
en-crisis-tune2 are labelled messages the matcher learns from, so this grid sees them as
training data; benchmarks/held_out.py gives the figures on messages it has not learnt.
The thresholds found go into METHODS in bot/understanding/scorers/__init__.py by hand.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from dataclasses import replace
from functools import lru_cache

from quality import try_constants

from bot.config import Config, Matching
from bot.engine import build_engine
from bot.tools.evaluation import Report, evaluate, load_set, set_path
from bot.understanding.scorers import METHODS
from bot.understanding.scorers.base import Ranked

TUNING = ("en", "en-unseen", "en-people-tune")
EMERGENCIES = "en-crisis-tune2"  # the half the crisis recogniser does not learn from
ANSWER = [float(x) for x in range(14, 71, 2)]
GAPS = [4.0, 8.0, 12.0]  # answer - suggest
ALLOWED_FALSE_EMERGENCIES = 0.082


def tune(method: str, floor: float) -> None:
    engine = build_engine(Config(matching=Matching(method=method)))  # type: ignore[arg-type]
    matcher = engine.language("en").matcher
    scorer = matcher.scorer  # the matcher asks its scorer for every ranking
    ranking = scorer.rank
    rank = lru_cache(maxsize=None)(lambda canonical: ranking(canonical))

    def cached(canonical: Sequence[str]) -> Ranked:
        return list(rank(tuple(canonical)))

    scorer.rank = cached  # type: ignore[method-assign]
    analyser = matcher.analyser
    read = lru_cache(maxsize=None)(analyser.canonical_words)
    analyser.canonical_words = lambda text: list(read(text))  # type: ignore[method-assign]
    sets = {name: load_set(set_path(name)) for name in TUNING}
    crisis = load_set(set_path(EMERGENCIES))
    own = matcher.settings

    def run(answer: float, suggest: float) -> tuple[dict[str, Report], Report]:
        matcher.settings = replace(own, answer=answer, suggest=suggest)
        reports = {name: evaluate(engine, items) for name, items in sets.items()}
        return reports, evaluate(engine, crisis)

    allowed = ALLOWED_FALSE_EMERGENCIES
    best: tuple[float, float, float] | None = None
    for answer in ANSWER:
        for gap in GAPS:
            suggest = max(answer - gap, 0.0)
            reports, crisis_report = run(answer, suggest)
            top1 = sum(r.top1 for r in reports.values()) / len(reports)
            rejected = min(r.out_of_scope_rejection for r in reports.values())
            offered = sum(r.answer_or_offer for r in reports.values()) / len(reports)
            if rejected < floor or crisis_report.false_emergency_rate > allowed + 1e-9:
                continue
            key = (top1, offered, -answer)
            if best is None or key > (best[0], best[1], -best[2]):
                best = (top1, offered, answer)
                print(
                    f"  {method}: answer {answer:g} suggest {suggest:g}: top-1 {top1:.1%} "
                    f"answer-or-offer {offered:.1%} out-of-scope min {rejected:.1%} "
                    f"false emergencies {crisis_report.false_emergency_rate:.1%}"
                )
    matcher.settings = own
    print(f"{method}: current {own.answer:g}/{own.suggest:g}; best above is the last line\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--method", action="append", choices=list(METHODS))
    parser.add_argument("--floor", type=float, default=0.85, help="least out-of-scope rejection")
    parser.add_argument(
        "--param", action="append", default=[], help="try a scorer constant: classifier.C=0.5"
    )
    args = parser.parse_args()
    try_constants(args.param)
    for method in args.method or list(METHODS):
        tune(method, args.floor)


if __name__ == "__main__":
    main()
