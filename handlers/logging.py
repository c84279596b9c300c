"""Logging that cannot leak who wrote what, or the token.

The libraries under the bot log far too much for a harm reduction service: httpx logs every
request URL (which contains the token), and python-telegram-bot logs whole updates and API
parameters at DEBUG and raw update data when parsing fails. Three layers keep that out:

1. their loggers are capped at WARNING whatever level the bot itself runs at;
2. every record they still make loses its arguments and exception text (the line says what
   happened, never to whom or with what), so even a logger someone turns up stays clean;
3. a last filter on the output replaces anything shaped like a bot token.

`log_format: json` writes one JSON object per line (time, level, logger, message, and the
exception when there is one) for log collectors; it formats the same records after the same
filters, so it carries exactly what the text lines carry.
"""

from __future__ import annotations

import json
import logging
import re
import sys
from datetime import UTC, datetime
from typing import TextIO

import httpx  # noqa: F401  (imported so its loggers exist before the filters are attached)
import telegram.ext  # noqa: F401
import uvicorn  # noqa: F401

TOKEN_SHAPE = re.compile(r"\d+:[A-Za-z0-9_-]{30,}")
TOKEN_MASK = "<token>"
LIBRARIES = ("telegram", "httpx", "httpcore", "uvicorn", "starlette")
# Loggers python-telegram-bot only creates when a Bot is made; created here so they get filters.
_LATE_LOGGERS = ("telegram.Bot", "telegram.ext.ExtBot", "telegram.ext.Application")
_PLACEHOLDER = re.compile(r"%(\([^)]*\))?[-#0 +]*(\*|\d+)?(\.(\*|\d+))?[diouxXeEfFgGcrsa]")
_OUR_HANDLER = "hrbot"


def redact(text: str) -> str:
    """`text` with every token-shaped string masked."""
    return TOKEN_SHAPE.sub(TOKEN_MASK, text)


class WithholdDetails(logging.Filter):
    """Keeps a library's log line but drops what it was about.

    Arguments are where update contents, chat ids and URLs go, and exception messages can quote
    a server response, so both are replaced: the template and the exception type are left.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        if record.args:
            record.msg = _PLACEHOLDER.sub("…", str(record.msg))
            record.args = None
        if record.exc_info:
            error = record.exc_info[1]
            if error is not None:
                record.msg = f"{record.msg} ({type(error).__name__})"
            record.exc_info = None
            record.exc_text = None
        record.msg = redact(str(record.msg))
        return True


class RedactTokens(logging.Filter):
    """The last line of defence on the output: no token-shaped string is ever written."""

    def __init__(self, formatter: logging.Formatter) -> None:
        super().__init__()
        self.formatter = formatter

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = redact(record.getMessage())
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatter.formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        return True


class JsonLines(logging.Formatter):
    """One JSON object per record. The message and exception text are taken as the filters
    left them (RedactTokens runs first), never formatted again from the raw record."""

    def format(self, record: logging.LogRecord) -> str:
        line = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_text:
            line["exception"] = record.exc_text
        return json.dumps(line, ensure_ascii=False)


def setup_logging(level: str, stream: TextIO | None = None, json_lines: bool = False) -> None:
    """One handler on the root logger at `level`; libraries capped and filtered.

    Safe to call again (tests do): the handler it added before is replaced, not doubled.
    """
    formatter: logging.Formatter = (
        JsonLines()
        if json_lines
        else logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s")
    )
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.set_name(_OUR_HANDLER)
    handler.setFormatter(formatter)
    handler.addFilter(RedactTokens(formatter))
    root = logging.getLogger()
    for old in [h for h in root.handlers if h.get_name() == _OUR_HANDLER]:
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    tame_libraries()


def tame_libraries() -> None:
    """Cap and filter every library logger that exists now (they are made at import)."""
    for name in _LATE_LOGGERS:
        logging.getLogger(name)
    for name in LIBRARIES:
        logging.getLogger(name).setLevel(logging.WARNING)
    # The access log would record every webhook call; it says nothing useful and is switched off.
    logging.getLogger("uvicorn.access").disabled = True
    withhold = WithholdDetails()
    for name in list(logging.root.manager.loggerDict):
        if name.split(".")[0] in LIBRARIES:
            logger = logging.getLogger(name)
            if not any(isinstance(f, WithholdDetails) for f in logger.filters):
                logger.addFilter(withhold)
