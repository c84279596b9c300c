"""Odd but legal updates: each one gets a reply or is answered quietly, never an exception.

Telegram sends shapes the everyday ones don't show: button presses on inline messages (no
message at all), on messages too old to be shown (an "inaccessible" message with date 0),
game buttons without data, locations from broken GPS, commands from anonymous group admins (no
`from`), app languages nobody has translated. Each runs through the real Application with the
fake request object; the error handler must never be reached.
"""

from __future__ import annotations

import time
from typing import Any

import pytest
from telegram_harness import BOT_ID, BOT_USERNAME, FastBot, Person, group_chat, next_update_id

pytest_plugins = ["telegram_fixtures"]

sam = Person(user_id=5151)
nameless = Person(user_id=5152, first_name="N", username=None, language=None)
elsewhere = Person(user_id=5153, language="xx-unknown")

REPLY = "reply"  # a message (or an edit) is sent
QUIET = "quiet"  # only the button's spinner is stopped, or nothing at all


def query(data: str | None = "t:overdose", **fields: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"id": "q-1", "from": sam.user(), "chat_instance": "i", **fields}
    if data is not None:
        body["data"] = data
    return {"update_id": next_update_id(), "callback_query": body}


def inaccessible(chat: dict[str, Any]) -> dict[str, Any]:
    return {"chat": chat, "message_id": 9, "date": 0}


def bot_message(chat: dict[str, Any]) -> dict[str, Any]:
    bot = {"id": BOT_ID, "is_bot": True, "first_name": "Bot", "username": BOT_USERNAME}
    return {"message_id": 9, "date": int(time.time()), "chat": chat, "from": bot, "text": "…"}


def anonymous_admin_command() -> dict[str, Any]:
    update = sam.message(f"/help@{BOT_USERNAME}", chat=group_chat())
    message = update["message"]
    message["from"] = {"id": 1087968824, "is_bot": True, "first_name": "Group"}
    message["sender_chat"] = group_chat()
    return update


def topic_command() -> dict[str, Any]:
    chat = {**group_chat(), "is_forum": True}
    return sam.message(
        f"/emergency@{BOT_USERNAME}", chat=chat, message_thread_id=7, is_topic_message=True
    )


def located(latitude: float, longitude: float, **extra: Any) -> dict[str, Any]:
    return sam.message(location={"latitude": latitude, "longitude": longitude, **extra})


CASES: dict[str, tuple[dict[str, Any], str]] = {
    "button on an inline message": (query(inline_message_id="inline-1"), QUIET),
    "button without data (a game)": (query(None, game_short_name="g"), QUIET),
    "button on an inaccessible message": (
        query(message=inaccessible(sam.private_chat())),
        REPLY,
    ),
    "button on a group message": (query(message=bot_message(group_chat())), QUIET),
    "answer button on an inaccessible message": (
        query("a:naloxone-how", message=inaccessible(sam.private_chat())),
        REPLY,
    ),
    "unknown button": (query("zz:" + "x" * 61, message=bot_message(sam.private_chat())), REPLY),
    "location north of the pole": (located(123.0, 10.0), REPLY),
    "location past the date line": (located(10.0, 500.0), REPLY),
    "location at the extremes": (located(-90.0, -180.0), REPLY),
    "live location": (located(51.5, -0.12, live_period=60, heading=90), REPLY),
    "venue": (
        sam.message(
            location={"latitude": 51.5, "longitude": -0.12},
            venue={
                "location": {"latitude": 51.5, "longitude": -0.12},
                "title": "A place",
                "address": "1 Road",
            },
        ),
        REPLY,
    ),
    "no language, no username": (nameless.message("how do i use narcan"), REPLY),
    "a language with no content": (elsewhere.message("/start"), REPLY),
    "a bare slash": (sam.message("/"), REPLY),
    "a slash and an at": (sam.message("/@"), REPLY),
    "a command addressed to nobody": (sam.message("/start@"), REPLY),
    "a deep link that is not an answer": (sam.message("/start ../../etc/passwd"), REPLY),
    "the longest text": (sam.message("narcan " * 585), REPLY),
    "only spaces": (sam.message("   "), REPLY),
    "only emoji": (sam.message("🆘🆘"), REPLY),
    "photo with a caption": (
        sam.message(
            photo=[{"file_id": "p", "file_unique_id": "u", "width": 1, "height": 1}],
            caption="is this safe",
        ),
        REPLY,
    ),
    "a forwarded message": (
        sam.message(
            "my friend wont wake up",
            forward_origin={"type": "hidden_user", "date": 1, "sender_user_name": "X"},
        ),
        REPLY,
    ),
    "a command from an anonymous group admin": (anonymous_admin_command(), REPLY),
    "a command in a forum topic": (topic_command(), REPLY),
    "a location in a group": (
        sam.message(chat=group_chat(), location={"latitude": 1.0, "longitude": 2.0}),
        QUIET,
    ),
    "someone joins a group": (
        sam.message(chat=group_chat(), new_chat_members=[nameless.user()]),
        QUIET,
    ),
    "a service message in private": (
        sam.message(pinned_message={"chat": sam.private_chat(), "message_id": 1, "date": 0}),
        QUIET,
    ),
}


@pytest.mark.parametrize("name", list(CASES))
async def test_odd_updates_are_handled(fast_bot: FastBot, name: str) -> None:
    raw, outcome = CASES[name]
    sent = await fast_bot.handle(raw)
    assert fast_bot.counters["errors"] == 0
    if outcome == REPLY:
        assert sent, "expected a reply"
    else:
        assert sent == []
    if "callback_query" in raw:
        assert fast_bot.request.methods().count("answerCallbackQuery") == 1
