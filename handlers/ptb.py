"""Short names for python-telegram-bot's generic types, the two library classes the bot
changes so that nothing about the people who write to it stays in memory, and the bounded
queue updates wait in.

python-telegram-bot remembers who wrote in two places even when nothing asks it to:

- `Application` adds every handled update's chat id and user id to two sets that only a
  persistence flush empties. The bot has no persistence, so they would grow into a list of
  everyone who ever wrote. `ForgetfulApplication` never adds to them.
- `AIORateLimiter` keeps one limiter per group chat id, and keeps up to 512 of them. The bot
  sends one pointer message per command in a group, so `BucketedRateLimiter` shares a small,
  fixed set of limiters between groups, chosen by a keyed hash that changes at every start:
  no group id is ever a key, and the set never grows.

The library's update queue has no bound, and the Application takes every update off it at once
into a task of its own that then waits its turn: an unpaced burst of 20,000 updates is 20,000
tasks in memory. `BoundedUpdateQueue` makes the one who puts an update in wait while
`max_pending_updates` are queued or being handled: in polling mode the next getUpdates waits
(the updates stay with Telegram), in webhook mode the POST waits, then gets 503 and Telegram
sends it again later.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
from typing import Any, TypeAlias

from aiolimiter import AsyncLimiter
from telegram.ext import AIORateLimiter, Application, ContextTypes, Job

# The Application as built by ApplicationBuilder with default context types.
AnyApplication: TypeAlias = Application[Any, Any, Any, Any, Any, Any]
Context: TypeAlias = ContextTypes.DEFAULT_TYPE

GROUP_BUCKETS = 64


class ForgetfulApplication(Application[Any, Any, Any, Any, Any, Any]):
    """An Application that does not note who an update came from.

    The notes are for a persistence the bot does not have (and must never have); without one
    nothing ever empties them. This is the only place the library records those ids.

    `token_refused` is set when polling gives up on a token Telegram no longer accepts
    (handlers/polling.py); the polling loop then stops the bot.
    """

    token_refused: asyncio.Event | None = None

    async def initialize(self) -> None:
        """The library's start-up; when it fails (Telegram refuses the token at getMe), the
        connections the bot opened for sending are closed before the error goes on: the library
        leaves them open, and they would linger until the process ends."""
        try:
            await super().initialize()
        except BaseException:
            await self.bot.request.shutdown()
            raise

    def _mark_for_persistence_update(
        self, *, update: object | None = None, job: Job[Any] | None = None
    ) -> None:
        return None


class BoundedUpdateQueue(asyncio.Queue[object]):
    """An update queue that holds at most `limit` updates queued or being handled.

    The Application calls `task_done` once for every update it took, handled or dropped at
    shutdown, and that frees a place. `put` waits for a place; waiting is cancel-safe, as
    nothing is queued until a place is taken.
    """

    def __init__(self, limit: int) -> None:
        super().__init__()
        self.limit = limit
        self._places = asyncio.Semaphore(limit)

    async def put(self, item: object) -> None:
        await self._places.acquire()
        self.put_nowait(item)

    def task_done(self) -> None:
        super().task_done()  # raises, and frees nothing, when called once too often
        self._places.release()

    @property
    def pending(self) -> int:
        """Updates queued or being handled."""
        return self.limit - self._places._value


class BucketedRateLimiter(AIORateLimiter):
    """AIORateLimiter whose per-group limiters are keyed by bucket, never by group id.

    Groups whose ids fall into one bucket share its budget (20 messages a minute by default),
    which can only make the bot slower in a group, never over Telegram's limit.
    """

    __slots__ = ("_salt",)

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self._salt = os.urandom(16)

    def _get_group_limiter(self, group_id: str | int | bool) -> AsyncLimiter:
        digest = hashlib.blake2b(str(group_id).encode(), key=self._salt, digest_size=4).digest()
        bucket = int.from_bytes(digest, "big") % GROUP_BUCKETS
        return super()._get_group_limiter(bucket)
