"""Nothing about the people who wrote stays in memory once their updates are answered.

3,000 people (private chats and groups, messages, button presses, voice notes, group commands)
each send one update through the real Application. Afterwards no user id, chat id, first name
or username of theirs may be held anywhere: not in the Application's own bookkeeping, not in
the rate limiter, and not in any object the interpreter still has, found by walking every
object the garbage collector tracks and everything each one refers to (dict keys and values,
list, set and tuple items, attributes in __slots__, frame locals).
"""

from __future__ import annotations

import gc
import time
from collections.abc import Iterator
from typing import Any

from telegram import Update
from telegram_harness import BOT_USERNAME, TOKEN, FakeRequest, fast_config

from bot.engine import Engine
from handlers.app import build_application
from handlers.counters import Counters
from handlers.ptb import GROUP_BUCKETS, BucketedRateLimiter
from handlers.words import Words

pytest_plugins = ["telegram_fixtures"]

PEOPLE = 3_000
GROUPS = 300  # of them write in a group (a command for this bot), the others in private
FIRST_USER = 6_100_000_000
FIRST_GROUP = -1_009_100_000_000
USER_IDS = range(FIRST_USER, FIRST_USER + PEOPLE)
GROUP_IDS = range(FIRST_GROUP - GROUPS + 1, FIRST_GROUP + 1)


def _name(n: int) -> str:
    return f"Qzv{n}x"


def _username(n: int) -> str:
    return f"qzu_{n}_x"


def _is_canary_text(value: str) -> bool:
    return (value.startswith("Qzv") and value.endswith("x") and value[3:-1].isdigit()) or (
        value.startswith("qzu_") and value.endswith("_x") and value[4:-2].isdigit()
    )


def _updates() -> Iterator[dict[str, Any]]:
    """One raw update per person, built as it is needed and not kept."""
    kinds = ("/start", "how do i use narcan", "press", "voice", "/help")
    for n in range(PEOPLE):
        user_id = FIRST_USER + n
        user = {
            "id": user_id,
            "is_bot": False,
            "first_name": _name(n),
            "username": _username(n),
            "language_code": "en",
        }
        if n < GROUPS:
            chat = {"id": FIRST_GROUP - n, "type": "supergroup", "title": "Friends"}
            text = f"/start@{BOT_USERNAME}"
        else:
            chat = {"id": user_id, "type": "private", "first_name": _name(n)}
            chat["username"] = _username(n)
            text = kinds[n % len(kinds)]
        message: dict[str, Any] = {
            "message_id": n + 1,
            "date": int(time.time()),
            "chat": chat,
            "from": user,
        }
        if text == "press":
            yield {
                "update_id": 100_000 + n,
                "callback_query": {
                    "id": f"q{n}",
                    "from": user,
                    "chat_instance": "i",
                    "data": "t:overdose",
                    "message": {**message, "from": {"id": 1, "is_bot": True, "first_name": "B"}},
                },
            }
            continue
        if text == "voice":
            message["voice"] = {"file_id": "v", "file_unique_id": "u", "duration": 3}
        else:
            message["text"] = text
            if text.startswith("/"):
                length = len(text.split(" ")[0])
                message["entities"] = [{"type": "bot_command", "offset": 0, "length": length}]
        yield {"update_id": 100_000 + n, "message": message}


def _leaks() -> tuple[list[str], int]:
    """What every tracked object still refers to of the people above, and how many were seen."""
    gc.collect()
    found: list[str] = []
    objects = gc.get_objects()
    ours = globals()  # where the first id of each range is written down, as a constant
    for obj in objects:
        if obj is ours:
            continue
        for ref in gc.get_referents(obj):
            kind = type(ref)
            if kind is int:
                if ref in USER_IDS or ref in GROUP_IDS:
                    found.append(f"{ref} in {type(obj).__name__}")
            elif kind is str and _is_canary_text(ref):
                found.append(f"{ref!r} in {type(obj).__name__}")
    return found, len(objects)


async def test_nothing_about_3000_people_is_left_in_memory(
    bundled_engine: Engine, bot_words: dict[str, Words]
) -> None:
    request = FakeRequest()
    counters = Counters()
    config = fast_config(messages_per_second=0)  # the overall limit would take 100 s here
    application = build_application(
        config, bundled_engine, TOKEN, counters, bot_words, request, FakeRequest()
    )
    await application.initialize()
    try:
        for raw in _updates():
            await application.process_update(Update.de_json(raw, application.bot))
        sent = request.sent()
        assert counters["updates"] == PEOPLE
        assert counters["errors"] == 0 and counters["replies_failed"] == 0
        assert len(sent) >= PEOPLE  # every one of them was answered
        assert counters["group_pointers"] == GROUPS
        request.calls.clear()  # the test's own record of what was sent, not the bot's
        del sent

        # The Application's own bookkeeping.
        assert application._chat_ids_to_be_updated_in_persistence == set()
        assert application._user_ids_to_be_updated_in_persistence == set()
        assert len(application.user_data) == 0 and len(application.chat_data) == 0
        limiter = application.bot.rate_limiter
        assert isinstance(limiter, BucketedRateLimiter)
        keys = set(limiter._group_limiters)
        assert keys and keys <= set(range(GROUP_BUCKETS))

        # Everything the interpreter still holds.
        found, scanned = _leaks()
        assert scanned > 10_000  # the walk did see the heap
        assert found == [], found[:20]
    finally:
        await application.shutdown()


def test_the_scan_finds_an_id_that_is_kept() -> None:
    """The walk above is able to see an id held in an object's slots or a set."""

    class Slotted:
        __slots__ = ("value",)

        def __init__(self, value: int) -> None:
            self.value = value

    kept = Slotted(int(str(FIRST_USER + 7)))
    also = {int(str(FIRST_GROUP - 3))}
    name = "".join(["Qzv", "12", "x"])
    holder = [name]
    found, _ = _leaks()
    assert any(str(FIRST_USER + 7) in line and "Slotted" in line for line in found)
    assert any(str(FIRST_GROUP - 3) in line and "set" in line for line in found)
    assert any("Qzv12x" in line for line in found)
    del kept, also, holder
