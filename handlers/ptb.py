"""Short names for python-telegram-bot's generic types, and the two library classes the bot
changes so that nothing about the people who write to it stays in memory.

python-telegram-bot remembers who wrote in two places even when nothing asks it to:

- `Application` adds every handled update's chat id and user id to two sets that only a
  persistence flush empties. The bot has no persistence, so they would grow into a list of
  everyone who ever wrote. `ForgetfulApplication` never adds to them.
- `AIORateLimiter` keeps one limiter per group chat id, and keeps up to 512 of them. The bot
  sends one pointer message per command in a group, so `BucketedRateLimiter` shares a small,
  fixed set of limiters between groups, chosen by a keyed hash that changes at every start:
  no group id is ever a key, and the set never grows.
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
