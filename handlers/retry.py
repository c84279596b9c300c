"""Retrying Bot API calls that failed on Telegram's side or on the way there.

AIORateLimiter already waits out 429 "retry after" answers, but a 500/502/503 from Telegram, a
dropped connection or an answer that is not JSON (an error page from something in between)
would lose the reply. This wraps any `BaseRequest` (the real HTTPX one, or a test's fake) and
repeats such a call with doubling, jittered pauses (0.5 s, 1 s, 2 s … at most 10 s) until it
succeeds or the call has been failing for `RetryPolicy.seconds` (two minutes by default), so a
reply outlives an outage of that long. Each call waits on its own: a chat whose reply is being
retried holds up no other chat (only the updates this process handles at once are bounded, by
`concurrent_updates`). When the last attempt fails the error is raised as usual, so the sender
counts the lost reply.

A retried call may, rarely, reach Telegram twice: when Telegram acted on it but its answer got
lost on the way back (a timeout after sending, a connection cut mid-answer). For this bot a
repeated answer is far better than a missing one.
"""

from __future__ import annotations

import asyncio
import json
import logging
import random
import time
from collections.abc import Callable
from dataclasses import dataclass

from telegram._utils.types import ODVInput  # the type BaseRequest itself uses
from telegram.error import NetworkError
from telegram.request import BaseRequest, RequestData

from bot.config import Telegram
from handlers.counters import Counters

log = logging.getLogger(__name__)

# How long a failing call is retried when the config does not say (`telegram.retry_seconds`).
DEFAULT_RETRY_SECONDS = 120.0


@dataclass(frozen=True)
class RetryPolicy:
    """How long, and how often, one failing call is tried again.

    `seconds` bounds the time from the first attempt to the last; `retries`, when not None,
    also bounds the number of retries (whichever is reached first ends the call).
    """

    seconds: float = DEFAULT_RETRY_SECONDS
    retries: int | None = None
    first_pause: float = 0.5
    max_pause: float = 10.0

    @classmethod
    def from_config(cls, telegram: Telegram) -> RetryPolicy:
        """`telegram.retry_seconds` bounds the time; `max_retries`, when set, the count."""
        return cls(seconds=telegram.retry_seconds, retries=telegram.max_retries)

    def pause(self, attempt: int) -> float:
        """The wait before retry `attempt + 1`: half the doubled step plus up to half again,
        so the replicas and chats that failed together do not all come back together."""
        step = min(self.max_pause, self.first_pause * 2.0**attempt)
        return step / 2 + random.uniform(0, step / 2)


def readable(payload: bytes) -> bool:
    """Whether an answer is JSON, as every Bot API answer is."""
    try:
        json.loads(payload)
    except ValueError:
        return False
    return True


class WrappedRequest(BaseRequest):
    """A request object that hands everything but `do_request` to the one it wraps."""

    inner: BaseRequest

    @property
    def read_timeout(self) -> float | None:
        return self.inner.read_timeout

    async def initialize(self) -> None:
        await self.inner.initialize()

    async def shutdown(self) -> None:
        await self.inner.shutdown()


class RetryingRequest(WrappedRequest):
    """Another request object's calls, repeated on 5xx, network errors and unreadable answers."""

    def __init__(
        self,
        inner: BaseRequest,
        policy: RetryPolicy,
        counters: Counters | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.inner = inner
        self.policy = policy
        self.counters = counters
        self.clock = clock

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
        policy = self.policy
        deadline = self.clock() + policy.seconds
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
                if self._last(attempt, deadline):
                    raise
                reason = type(exc).__name__
            else:
                if code >= 500:
                    reason = f"HTTP {code}"
                elif 200 <= code < 300 and not readable(payload):
                    reason = "an unreadable answer"
                else:
                    return code, payload
                if self._last(attempt, deadline):
                    return code, payload
            pause = min(policy.pause(attempt), max(0.0, deadline - self.clock()))
            attempt += 1
            if self.counters is not None:
                self.counters.add("telegram_retries")
            # The method name is the last part of the URL; the URL itself holds the token.
            log.info(
                "%s failed (%s); retry %d in %.1fs", url.rsplit("/", 1)[-1], reason, attempt, pause
            )
            await asyncio.sleep(pause)

    def _last(self, attempt: int, deadline: float) -> bool:
        """Whether the attempt that just failed was the last one allowed."""
        retries = self.policy.retries
        return (retries is not None and attempt >= retries) or self.clock() >= deadline
