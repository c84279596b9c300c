"""The request object for getUpdates: one unreadable update must not stop all the others, and a
token Telegram stops accepting must stop the bot rather than leave it silently deaf.

python-telegram-bot reads a getUpdates batch all at once. When one update in it cannot be read
(a message without a date, `from` that is not an object …) the whole batch fails, the offset
does not move, and the same batch is fetched and fails again and again: nobody gets an answer
and the library logs the raw update each time. Here every update of a batch is read on its own
first; one that cannot be read is logged once (its update id and the error type, nothing of its
contents), counted, and replaced by an empty update with the same id, which no handler takes.
The library then moves the offset past it as usual.

A 401 or 404 from getUpdates means Telegram does not accept the token (or the URL is wrong).
Before the first successful poll that ends the bot at once; once it has been polling, it may
be a passing fault on Telegram's side, so polling is retried with growing pauses for
`auth_seconds` before the bot gives up. Giving up sets `refused`, which stops the bot with one
line saying the token is not accepted; the library is told "no updates" meanwhile, so that it
does not log a refusal of its own.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Callable
from typing import Any

from telegram import Update
from telegram._utils.types import ODVInput  # the type BaseRequest itself uses
from telegram.request import BaseRequest, RequestData

from bot.config import Telegram
from handlers.counters import Counters
from handlers.retry import RetryPolicy, WrappedRequest

log = logging.getLogger(__name__)

# How long polling retries a token Telegram stopped accepting (`telegram.auth_retry_seconds`).
DEFAULT_AUTH_RETRY_SECONDS = 300.0
REFUSED = (401, 404)
NO_UPDATES = b'{"ok": true, "result": []}'


def auth_retry_seconds(telegram: Telegram) -> float:
    return telegram.auth_retry_seconds


class PollingRequest(WrappedRequest):
    """Another request object's getUpdates calls, with each update checked on its own."""

    def __init__(
        self,
        inner: BaseRequest,
        counters: Counters,
        auth_seconds: float = DEFAULT_AUTH_RETRY_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.inner = inner
        self.counters = counters
        self.auth = RetryPolicy(seconds=auth_seconds, first_pause=1.0, max_pause=30.0)
        self.clock = clock
        self.refused = asyncio.Event()
        self._polled = False

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        write_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        connect_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        pool_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        deadline: float | None = None
        attempt = 0
        while not self.refused.is_set():
            code, payload = await self.inner.do_request(
                url,
                method,
                request_data,
                read_timeout,
                write_timeout,
                connect_timeout,
                pool_timeout,
            )
            if code not in REFUSED:
                break
            if not self._polled:
                self.refused.set()
                break
            if deadline is None:
                deadline = self.clock() + self.auth.seconds
                log.error(
                    "Telegram refused the token (HTTP %d) while polling; retrying for %.0fs",
                    code,
                    self.auth.seconds,
                )
            left = deadline - self.clock()
            if left <= 0:
                self.refused.set()
                break
            await asyncio.sleep(min(self.auth.pause(attempt), left))
            attempt += 1
        if self.refused.is_set():
            return 200, NO_UPDATES
        if 200 <= code < 300:
            self._polled = True
            payload = self.screen(payload)
        return code, payload

    def screen(self, payload: bytes) -> bytes:
        """The batch with every update the library cannot read replaced by an empty one."""
        try:
            body = json.loads(payload)
        except ValueError:
            return payload  # the library reports an unreadable answer itself
        if not isinstance(body, dict) or not isinstance(body.get("result"), list):
            return payload
        updates: list[Any] = body["result"]
        changed = False
        for index, raw in enumerate(updates):
            try:
                Update.de_json(raw, None)
            except Exception as exc:
                update_id = raw.get("update_id") if isinstance(raw, dict) else None
                self.counters.add("updates_unreadable")
                changed = True
                if isinstance(update_id, int) and not isinstance(update_id, bool):
                    log.warning("update %d skipped: unreadable (%s)", update_id, type(exc).__name__)
                    updates[index] = {"update_id": update_id}
                else:
                    log.warning("an update without an id skipped (%s)", type(exc).__name__)
                    updates[index] = None
        if not changed:
            return payload
        body["result"] = [update for update in updates if update is not None]
        return json.dumps(body).encode()
