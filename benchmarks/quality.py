"""Print what people get, set by set, on the labelled messages.

    python benchmarks/quality.py [--lang en] [--set NAME ...] [--misses] [--method NAME]
    python benchmarks/quality.py --compare [--method NAME ...] [--set NAME ...]

Every message goes through the same reading step as a real one (bot/understanding/reading.py);
`--method` swaps only the matcher's scorer (bot/understanding/scorers/, `matching.method` in the
config). `--compare` runs every method (or those named) over the sets and prints one Markdown
table, as in docs/matching.md.

Sets: en (the first set), en-unseen (written without sight of the content) and en-people-test
(people-style messages, FROZEN: never tune on it), all in tests/eval/ and never learnt; and the
tuning sets en-people-tune, -tune2 and on (people-style messages) and en-crisis-tune2 and on
(emergencies, crises and the everyday talk that shares their words), which are the labelled
messages in content/en/labelled/ that the matcher learns from, so their figures are training
figures: benchmarks/held_out.py measures them held out. Name the sets with --set while tuning.
Floors held by tests/test_quality.py.
"""

from __future__ import annotations

import argparse
import importlib
import time
from pathlib import Path

from bot.config import Config, Matching, MatchingMethod
from bot.content.labelled import FOLDER as LABELLED_FOLDER
from bot.content.layers import BUNDLED_CONTENT
from bot.engine import Engine, build_engine
from bot.tools.evaluation import LENGTHS, Report, evaluate, load_set, set_path
from bot.understanding.scorers import METHODS


def default_sets(language: str) -> list[str]:
    """The evaluation sets, then every labelled file (in number order), then the frozen set."""
    folder = BUNDLED_CONTENT / language / LABELLED_FOLDER

    def in_order(path: Path) -> tuple[str, int]:
        stem = path.stem.rstrip("0123456789")
        return stem, int(path.stem[len(stem) :] or 1)

    labelled = [f"{language}-{path.stem}" for path in sorted(folder.glob("*.yaml"), key=in_order)]
    return [language, f"{language}-unseen", *labelled, f"{language}-people-test"]


COLUMNS = (
    "method", "set", "n", "top-1", "top-1 16+", "answer or offer", "out-of-scope rejected",
    "false emergencies", "emergency recall",
)  # fmt: skip


def try_constants(assignments: list[str]) -> None:
    """Set scorer constants for this run only: "stems.PHRASE_WEIGHT=0.5" (--param)."""
    for assignment in assignments:
        name, value = assignment.split("=")
        module, constant = name.rsplit(".", 1)
        target = importlib.import_module(f"bot.understanding.scorers.{module}")
        setattr(target, constant, type(getattr(target, constant))(value))
        print(f"{name} = {value}")


def print_report(name: str, report: Report) -> None:
    print(f"== {name}: {len(report.outcomes)} messages")
    print(f"  top-1 accuracy:          {report.top1:.1%}")
    for low, high, label in LENGTHS:
        count = report.count_by_length(low, high)
        print(f"    {label:12}           {report.top1_by_length(low, high):.1%}  (n={count})")
    print(f"  answer or offer:         {report.answer_or_offer:.1%}")
    print(f"  emergency recall:        {report.emergency_recall:.1%}")
    print(f"    overdose               {report.overdose_recall:.1%}")
    print(f"    crisis                 {report.crisis_recall:.1%}")
    print(f"  false emergency rate:    {report.false_emergency_rate:.1%}")
    print(f"  out-of-scope rejection:  {report.out_of_scope_rejection:.1%}")


def print_misses(report: Report) -> None:
    for outcome in report.misses:
        flag = "E" if outcome.emergency else " "
        print(
            f"  {flag} {outcome.kind:13} want {','.join(outcome.expect) or '-':30} "
            f"got {outcome.route}:{outcome.shown or '-':20} {outcome.text}"
        )


def engine_for(language: str, method: MatchingMethod | None) -> tuple[Engine, float]:
    """The engine with `method` (the configured default when None), and seconds to build it."""
    matching = Matching() if method is None else Matching(method=method)
    start = time.perf_counter()
    engine = build_engine(Config(default_language=language, matching=matching))
    return engine, time.perf_counter() - start


def row(method: str, name: str, report: Report) -> str:
    has_emergencies = any(o.kind in ("emergency", "crisis") for o in report.outcomes)
    cells = [
        method,
        name,
        str(len(report.outcomes)),
        f"{report.top1:.1%}",
        f"{report.top1_by_length(16, 10_000):.1%}",
        f"{report.answer_or_offer:.1%}",
        f"{report.out_of_scope_rejection:.1%}",
        f"{report.false_emergency_rate:.1%}",
        f"{report.emergency_recall:.1%}" if has_emergencies else "-",
    ]
    return "| " + " | ".join(cells) + " |"


def compare(language: str, methods: list[str], names: list[str]) -> None:
    print("| " + " | ".join(COLUMNS) + " |")
    print("|" + "---|" * len(COLUMNS))
    built = []
    for method in methods:
        engine, seconds = engine_for(language, method)  # type: ignore[arg-type]
        built.append((method, seconds, engine.language(language).matcher.method))
        for name in names:
            report = evaluate(engine, load_set(set_path(name)), language)
            print(row(method, name, report), flush=True)
    print()
    for method, seconds, used in built:
        note = "" if used == method else f" (fell back to {used})"
        print(f"{method}: engine built in {seconds:.2f} s{note}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lang", default="en")
    parser.add_argument("--set", action="append", help="a set name like en-people-tune")
    parser.add_argument("--misses", action="store_true", help="list every message got wrong")
    parser.add_argument(
        "--method", action="append", choices=list(METHODS), help="the matching method"
    )
    parser.add_argument("--compare", action="store_true", help="a table: methods x sets")
    args = parser.parse_args()
    names = args.set or default_sets(args.lang)
    names = [name for name in names if set_path(name).exists()]
    if args.compare:
        compare(args.lang, args.method or list(METHODS), names)
        return
    if args.method and len(args.method) > 1:
        parser.error("one --method at a time, or --compare")
    engine, _ = engine_for(args.lang, args.method[0] if args.method else None)
    print(f"method: {engine.language(args.lang).matcher.method}")
    for name in names:
        report = evaluate(engine, load_set(set_path(name)), args.lang)
        print_report(name, report)
        if args.misses:
            print_misses(report)


if __name__ == "__main__":
    main()
