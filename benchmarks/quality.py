"""Print how well messages reach the right answer on the held-out set (tests/eval/<lang>.yaml).

    python benchmarks/quality.py [--lang en] [--misses]

Floors (enforced by tests/test_quality.py): top-1 >= 90%, emergency recall 100%,
false emergencies <= 5%, out-of-scope rejection >= 85%.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from bot.config import Config
from bot.engine import build_engine
from bot.tools.evaluation import evaluate, load_set

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lang", default="en")
    parser.add_argument("--misses", action="store_true", help="list every message got wrong")
    args = parser.parse_args()
    engine = build_engine(Config(default_language=args.lang))
    items = load_set(ROOT / "tests" / "eval" / f"{args.lang}.yaml")
    report = evaluate(engine, items, args.lang)
    print(f"messages:               {len(report.outcomes)}")
    print(f"top-1 accuracy:         {report.top1:.1%}")
    print(f"emergency recall:       {report.emergency_recall:.1%}")
    print(f"false emergency rate:   {report.false_emergency_rate:.1%}")
    print(f"out-of-scope rejection: {report.out_of_scope_rejection:.1%}")
    if args.misses:
        for outcome in report.misses:
            flag = "E" if outcome.emergency else " "
            print(
                f"{flag} {outcome.kind:13} want {','.join(outcome.expect) or '-':32} "
                f"got {outcome.shown or '-':22} {outcome.text}"
            )


if __name__ == "__main__":
    main()
