"""Retrying Bot API calls that failed on Telegram's side or on the way there.

AIORateLimiter already waits out 429 "retry after" answers, but a 500/502/503 from Telegram or a
dropped connection would lose the reply. This wraps any `BaseRequest` (the real HTTPX one, or a
test's fake) and repeats such a call a bounded number of times with doubling pauses. When the
last attempt fails the error is raised as usual, so the sender can count the lost reply.

A retried call may, rarely, reach Telegram twice (the first answer got lost on the way back):
for this bot a repeated answer is far better than a missing one.
"""

from __future__ import annotations

import asyncio
import logging

from telegram._utils.types import ODVInput  # the type BaseRequest itself uses
from telegram.error import NetworkError
from telegram.request import BaseRequest, RequestData

log = logging.getLogger(__name__)

MAX_PAUSE = 8.0


class RetryingRequest(BaseRequest):
    """Another request object's calls, repeated on 5xx answers and network errors."""

    def __init__(self, inner: BaseRequest, retries: int, first_pause: float = 0.5) -> None:
        self.inner = inner
        self.retries = retries
        self.first_pause = first_pause

    @property
    def read_timeout(self) -> float | None:
        return self.inner.read_timeout

    async def initialize(self) -> None:
        await self.inner.initialize()

    async def shutdown(self) -> None:
        await self.inner.shutdown()

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
        attempt = 0
        while True:
            try:
                code, payload = await self.inner.do_request(
                    url,
                    method,
                    request_data,
                    read_timeout,
                    write_timeout,
                    connect_timeout,
                    pool_timeout,
                )
            except NetworkError as exc:  # TimedOut is a NetworkError too
                if attempt >= self.retries:
                    raise
                reason = type(exc).__name__
            else:
                if code < 500 or attempt >= self.retries:
                    return code, payload
                reason = f"HTTP {code}"
            pause = min(MAX_PAUSE, self.first_pause * 2**attempt)
            attempt += 1
            # The method name is the last part of the URL; the URL itself holds the token.
            log.info(
                "%s failed (%s); retry %d of %d in %.1fs",
                url.rsplit("/", 1)[-1],
                reason,
                attempt,
                self.retries,
                pause,
            )
            await asyncio.sleep(pause)
