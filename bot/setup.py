"""Building the engine from a config: load the content, report what's broken, keep going."""

from __future__ import annotations

import logging
from typing import TextIO

from bot.config import Config
from bot.engine import Engine
from bot.library import load_library

log = logging.getLogger(__name__)


def build_engine(config: Config, report: TextIO | None = None) -> Engine:
    """The engine over every usable file; each broken one is reported and left out.

    Problems go to `report` (the terminal) or to the log. They name files and lines only,
    never anything a person sent.
    """
    library = load_library(config.content_dir)
    engine = Engine(library, config)
    problems = library.problems + [p for lang in engine.languages.values() for p in lang.problems]
    for problem in problems:
        if not problem.is_error:
            continue
        if report is not None:
            print(f"skipped: {problem}", file=report)
        else:
            log.warning("content problem, skipped: %s", problem)
    return engine
