"""The error handler: one log line per failed update, with nothing about the person in it.

The usual recipe logs `update.to_dict()` and the traceback; the first is personal data and
an exception's message can quote what was sent. This logs the update id (a counter Telegram
keeps per bot, not a person's id), which of our handlers failed, and the exception type.
"""

from __future__ import annotations

import logging
import traceback

from telegram import Update

from handlers.counters import Counters
from handlers.ptb import Context

log = logging.getLogger(__name__)


class ErrorHandler:
    def __init__(self, counters: Counters) -> None:
        self.counters = counters

    async def __call__(self, update: object, context: Context) -> None:
        self.counters.add("errors")
        error = context.error
        update_id = update.update_id if isinstance(update, Update) else None
        log.error(
            "update %s failed in %s: %s",
            update_id if update_id is not None else "-",
            failed_handler(error),
            type(error).__name__,
        )


def failed_handler(error: BaseException | None) -> str:
    """The registered callback the exception came through, e.g. `private_chat.PrivateChat.text`.

    That is the outermost frame of this package in the traceback; "-" when there is none (an
    error inside the library, such as a failed getUpdates).
    """
    if error is None or error.__traceback__ is None:
        return "-"
    for frame, _ in traceback.walk_tb(error.__traceback__):
        module = str(frame.f_globals.get("__name__", ""))
        if module.startswith("handlers."):
            return f"{module.removeprefix('handlers.')}.{frame.f_code.co_qualname}"
    return "-"
