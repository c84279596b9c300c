"""Print what people get, set by set, on the labelled messages in tests/eval/.

    python benchmarks/quality.py [--lang en] [--set NAME ...] [--misses]

Every message goes through the same reading step as a real one (bot/understanding/reading.py).
Sets: en (the first set), en-unseen (written without sight of the content), en-people-tune
(people-style messages to tune on) and en-people-test (the same style, FROZEN: never tune on
it). Floors held by tests/test_quality.py.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from bot.config import Config
from bot.engine import build_engine
from bot.tools.evaluation import LENGTHS, Report, evaluate, load_set

ROOT = Path(__file__).resolve().parent.parent
SETS = ("", "-unseen", "-people-tune", "-people-test")


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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lang", default="en")
    parser.add_argument("--set", action="append", help="a set name like en-people-tune")
    parser.add_argument("--misses", action="store_true", help="list every message got wrong")
    args = parser.parse_args()
    engine = build_engine(Config(default_language=args.lang))
    names = args.set or [f"{args.lang}{suffix}" for suffix in SETS]
    for name in names:
        path = ROOT / "tests" / "eval" / f"{name}.yaml"
        if not path.exists():
            continue
        report = evaluate(engine, load_set(path), args.lang)
        print_report(name, report)
        if args.misses:
            for outcome in report.misses:
                flag = "E" if outcome.emergency else " "
                print(
                    f"  {flag} {outcome.kind:13} want {','.join(outcome.expect) or '-':30} "
                    f"got {outcome.route}:{outcome.shown or '-':20} {outcome.text}"
                )


if __name__ == "__main__":
    main()
