"""How well the labelled messages teach: each one read by an engine that has not learnt it.

    python benchmarks/held_out.py [--lang en] [--folds 4] [--method NAME] [--answer X]
                                  [--suggest X] [--param M.NAME=X ...] [--set NAME ...]

The matcher learns the labelled messages in content/<lang>/labelled/, so the tuning sets'
own figures (benchmarks/quality.py) are training figures. Here the labelled files are dealt
into --folds groups, file by file; for each group an engine learns every other group's
messages and reads this group's, through the same reading step as a real message. Printed:
the figures over every held-out message, then fold by fold, then (with --set) the named
sets read by an engine that has learnt everything. The frozen set is read only when named.

Use it to choose between changes to the matcher, its thresholds (--answer, --suggest) or the
labelled messages: a change that only helps the messages it learnt shows up here as none.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from quality import print_report, try_constants

from bot.config import Config, Matching, MatchingMethod
from bot.content.labelled import FOLDER
from bot.engine import Engine
from bot.library import Library, load_library
from bot.tools.evaluation import Report, evaluate, load_set, set_path


def engine_learning(library: Library, config: Config, files: list[Path]) -> Engine:
    """An engine whose matcher learns the labelled messages of `files` only."""
    library.languages[config.default_language].labelled_files = tuple(files)
    return Engine(library, config)


def held_out(config: Config, folds: int) -> tuple[Report, list[Report]]:
    library = load_library(config.content_dir, config.local_content)
    files = library.layers.glob(f"{config.default_language}/{FOLDER}/*.yaml")
    total, per_fold = Report(), []
    for fold in range(folds):
        learnt = [path for number, path in enumerate(files) if number % folds != fold]
        engine = engine_learning(library, config, learnt)
        report = Report()
        for path in files[fold::folds]:
            report.outcomes += evaluate(engine, load_set(path), config.default_language).outcomes
        per_fold.append(report)
        total.outcomes += report.outcomes
    return total, per_fold


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lang", default="en")
    parser.add_argument("--folds", type=int, default=4)
    parser.add_argument("--method", help="the matching method (default: the configured one)")
    parser.add_argument("--answer", type=float, help="the answer threshold")
    parser.add_argument("--suggest", type=float, help="the did-you-mean threshold")
    parser.add_argument("--set", action="append", default=[], help="also read this set")
    parser.add_argument(
        "--param", action="append", default=[], help="try a scorer constant: stems.FUZZY_WEIGHT=0.3"
    )
    args = parser.parse_args()
    try_constants(args.param)
    method: MatchingMethod | None = args.method
    matching = Matching(answer_threshold=args.answer, suggest_threshold=args.suggest)
    if method:
        matching = matching.model_copy(update={"method": method})
    config = Config(default_language=args.lang, matching=matching)
    total, per_fold = held_out(config, args.folds)
    print_report(f"held out, {args.folds} folds", total)
    for number, report in enumerate(per_fold):
        print_report(f"fold {number}", report)
    if args.set:
        engine = Engine(load_library(config.content_dir, config.local_content), config)
        for name in args.set:
            print_report(name, evaluate(engine, load_set(set_path(name)), args.lang))


if __name__ == "__main__":
    main()
