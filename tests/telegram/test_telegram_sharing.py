"""Sharing answers and 👍 / 👎 on Telegram: inline queries answered, Share links under answers,
feedback counted and its buttons taken off, through the running bot (polling and webhook) and
`hrbot run` itself; and nothing of the person left in memory or in the metrics."""

from __future__ import annotations

import asyncio
import gc
import itertools
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from fake_bot_api import BOT_USERNAME, Call, FakeBotApi
from telegram import Update
from telegram_harness import (
    TOKEN,
    FakeRequest,
    FastBot,
    Person,
    RunningBot,
    fast_config,
    next_update_id,
)

from bot.conversation.sharing import deep_link, share_url
from bot.engine import Engine
from handlers.app import build_application
from handlers.counters import Counters
from handlers.inline import CACHE_SECONDS, START_PARAMETER
from handlers.monitoring import bind
from handlers.words import Words

pytest_plugins = ["telegram_fixtures"]

_ids = itertools.count(700_000)


def inline_query(person: Person, text: str) -> dict[str, Any]:
    """The update for typing "@bot <text>" in some chat."""
    query = {"id": f"iq-{next(_ids)}", "from": person.user(), "query": text, "offset": ""}
    return {"update_id": next_update_id(), "inline_query": {**query, "chat_type": "group"}}


def pressed_on(person: Person, data: str, message: Call) -> dict[str, Any]:
    """Pressing a button of a message the bot sent, with its keyboard (as Telegram sends it)."""
    update = person.callback(data, int(message.result["message_id"]))
    update["callback_query"]["message"]["reply_markup"] = message.params["reply_markup"]
    return update


def urls(call: Call) -> list[str]:
    return [str(button["url"]) for button in call.buttons if "url" in button]


async def answered_inline(bot: RunningBot, person: Person, text: str) -> dict[str, Any]:
    before = len(bot.api.answered("answerInlineQuery"))
    assert await bot.deliver(inline_query(person, text)) == 200
    await bot.api.until(lambda: len(bot.api.answered("answerInlineQuery")) > before)
    return bot.api.answered("answerInlineQuery")[-1].params


@pytest.fixture(params=["polling", "webhook"])
def running_bot(request: pytest.FixtureRequest) -> RunningBot:
    bot: RunningBot = request.getfixturevalue(f"{request.param}_bot")
    return bot


async def test_an_inline_query_lists_answers_that_post_their_card_and_link_back(
    running_bot: RunningBot, bundled_engine: Engine
) -> None:
    params = await answered_inline(running_bot, Person(5101), "naloxone")
    expected = bundled_engine.inline("naloxone", "en")
    results = params["results"]
    assert [r["id"] for r in results] == [s.entry_id for s in expected] and results
    assert params["is_personal"] is True and params["cache_time"] == CACHE_SECONDS
    assert params["button"]["start_parameter"] == START_PARAMETER
    for result, shared in zip(results, expected, strict=True):
        title = f"🆘 {shared.title}" if shared.emergency else shared.title  # a card, marked
        assert result["type"] == "article" and result["title"] == title
        assert result["description"] == shared.description
        content = result["input_message_content"]
        assert content["message_text"] == shared.html and content["parse_mode"] == "HTML"
        assert content["link_preview_options"]["is_disabled"] is True
        [[button]] = result["reply_markup"]["inline_keyboard"]
        assert button["url"] == f"https://t.me/{BOT_USERNAME}?start={shared.entry_id}"
    counted = running_bot.counters.wait_for
    assert await asyncio.to_thread(counted, "inline_queries", 1, 10)


async def test_emergency_words_put_the_overdose_card_first_and_nothing_typed_lists_cards(
    running_bot: RunningBot,
) -> None:
    person = Person(5102)
    first = (await answered_inline(running_bot, person, "my mate wont wake up"))["results"][0]
    assert first["id"] == "overdose-now" and first["title"].startswith("🆘")
    empty = (await answered_inline(running_bot, person, ""))["results"]
    assert [r["id"] for r in empty][:2] == ["overdose-now", "naloxone-how"]
    assert (await answered_inline(running_bot, person, "where can i buy coke"))["results"] == []


async def test_answers_carry_a_share_link_and_feedback_is_counted_and_removed(
    running_bot: RunningBot,
) -> None:
    bot, person = running_bot, Person(5103)
    chat = bot.chat(person)
    await chat.send("how do i use narcan")
    answer = await chat.reply()
    [share] = [u for u in urls(answer) if u.startswith("https://t.me/share/url")]
    assert share == share_url(BOT_USERNAME, "naloxone-how", "How to give naloxone")
    assert parse_qs(urlsplit(share).query)["url"] == [deep_link(BOT_USERNAME, "naloxone-how")]
    assert {"f:naloxone-how:+", "f:naloxone-how:-"} <= set(answer.button_data)

    await bot.deliver(pressed_on(person, "f:naloxone-how:+", answer))
    await bot.api.until(lambda: bool(bot.api.answered("editMessageReplyMarkup")))
    [edit] = bot.api.answered("editMessageReplyMarkup")
    assert edit.chat_id == person.user_id
    assert edit.params["message_id"] == answer.result["message_id"]
    assert edit.button_data == [d for d in answer.button_data if not d.startswith("f:")]
    assert urls(edit) == urls(answer)  # Share stays
    thanks = [c for c in bot.api.answered("answerCallbackQuery") if c.params.get("text")]
    assert thanks and thanks[-1].params["text"].startswith("Thank you")
    assert len(chat.outgoing()) == 1  # no new message: the thanks shows over the chat
    assert bot.counters.offers()["helpful"] == {"naloxone-how": 1}  # counted before the edit
    assert bot.counters["feedback"] == 1

    await bot.deliver(pressed_on(person, "f:naloxone-how:-", answer))  # from another screen
    await bot.api.until(lambda: len(bot.api.answered("editMessageReplyMarkup")) == 2)
    await bot.deliver(pressed_on(person, "f:made-up-answer:-", answer))
    await bot.api.until(lambda: len(bot.api.answered("editMessageReplyMarkup")) == 3)
    assert bot.counters.offers()["not_helpful"] == {"naloxone-how": 1}  # only content ids
    assert bot.counters["feedback"] == 2 and bot.counters["errors"] == 0


async def test_a_feedback_press_whose_keyboard_did_not_come_rebuilds_the_answers(
    fast_bot: FastBot, bundled_engine: Engine
) -> None:
    person = Person(5104)
    await fast_bot.handle(person.callback("f:naloxone-how:+", 77))
    [(_, edit)] = [c for c in fast_bot.request.calls if c[0] == "editMessageReplyMarkup"]
    data = [b.get("callback_data") for row in edit["reply_markup"]["inline_keyboard"] for b in row]
    answer = bundled_engine.language("en").answer("naloxone-how")
    kept = [b.data for b in answer.button_list if not b.data.startswith(("f:", "share:"))]
    assert [d for d in data if d] == kept and data[-1] is None  # the Share link is last


def test_hrbot_run_answers_inline_queries_and_counts_feedback(tmp_path: Path) -> None:
    """`hrbot run` itself, polling the fake Bot API: an inline query, an answer with its
    Share link, a 👍, and the count on /metrics."""
    api = FakeBotApi(TOKEN).start()
    port = bind("127.0.0.1", 0)
    number = port.getsockname()[1]
    port.close()
    config = tmp_path / "config.yaml"
    config.write_text(
        f"telegram:\n  base_url: {api.base_url}\nmonitoring:\n  port: {number}\n",
        encoding="utf-8",
    )
    env = {**os.environ, "HRBOT_TELEGRAM_TOKEN": TOKEN}
    command = [sys.executable, "-m", "handlers.cli", "run", "--config", str(config)]
    bot = subprocess.Popen(command, env=env, cwd=tmp_path, stderr=subprocess.PIPE, text=True)
    person = Person(5105)
    try:
        assert api.wait_for(lambda: bool(api.calls("getUpdates")), 60), "no polling"
        api.push_update(inline_query(person, "fent strips"))
        api.push_update(person.message("how do i test for fentanyl"))
        assert api.wait_for(lambda: bool(api.answered("sendMessage")), 30), "no reply"
        [answer] = api.answered("sendMessage")
        api.push_update(pressed_on(person, "f:fentanyl-test-strips:+", answer))
        assert api.wait_for(lambda: bool(api.answered("editMessageReplyMarkup")), 30)
        with httpx.Client(timeout=10) as client:
            page = client.get(f"http://127.0.0.1:{number}/metrics").text
    finally:
        bot.send_signal(signal.SIGTERM)
        _, stderr = bot.communicate(timeout=30)
        api.stop()
    assert bot.returncode == 0, stderr
    [inline] = api.answered("answerInlineQuery")
    assert inline.params["results"][0]["id"] == "fentanyl-test-strips"
    assert any(u.startswith("https://t.me/share/url?") for u in urls(answer))
    assert 'hrbot_helpful_total{answer="fentanyl-test-strips"} 1.0' in page
    assert "hrbot_inline_queries_total 1.0" in page and "hrbot_feedback_total 1.0" in page
    assert "inline mode is off for this bot" in stderr  # the fake's getMe says it is off


# --- nothing of the person stays -----------------------------------------------------------

PEOPLE = 400
FIRST_USER = 6_300_000_000
USER_IDS = range(FIRST_USER, FIRST_USER + PEOPLE)


def _canary(n: int) -> str:
    return f"Qzi{n}x"


def _is_canary(value: str) -> bool:
    return "Qzi" in value and any(_canary(n) in value for n in range(PEOPLE))


def _updates() -> Any:
    """Per person: an inline query with their own words, and a 👍 press; built when needed."""
    for n in range(PEOPLE):
        user = {
            "id": FIRST_USER + n,
            "is_bot": False,
            "first_name": _canary(n),
            "username": f"u{_canary(n)}",
            "language_code": "en",
        }
        query = {"id": f"iq{n}", "from": user, "query": f"narcan {_canary(n)}", "offset": ""}
        yield {"update_id": 300_000 + 2 * n, "inline_query": query}
        chat = {"id": FIRST_USER + n, "type": "private", "first_name": _canary(n)}
        bot = {"id": 1, "is_bot": True, "first_name": "B"}
        message = {"message_id": n + 1, "date": int(time.time()), "chat": chat, "from": bot}
        press = {"id": f"q{n}", "from": user, "chat_instance": "i", "data": "f:naloxone-how:+"}
        yield {"update_id": 300_001 + 2 * n, "callback_query": {**press, "message": message}}


def _held() -> list[str]:
    gc.collect()
    found = []
    ours = globals()  # where the first id is written down, as a constant
    for obj in gc.get_objects():
        if obj is ours:
            continue
        for ref in gc.get_referents(obj):
            if type(ref) is int and ref in USER_IDS:
                found.append(f"{ref} in {type(obj).__name__}")
            elif type(ref) is str and "Qzi" in ref and _is_canary(ref):
                found.append(f"{ref!r} in {type(obj).__name__}")
    return found


async def test_inline_queries_and_feedback_leave_nobody_in_memory(
    bundled_engine: Engine, bot_words: dict[str, Words]
) -> None:
    request, counters = FakeRequest(), Counters()
    config = fast_config(messages_per_second=0)
    application = build_application(
        config, bundled_engine, TOKEN, counters, bot_words, request, FakeRequest()
    )
    await application.initialize()
    try:
        for raw in _updates():
            await application.process_update(Update.de_json(raw, application.bot))
        assert counters["inline_queries"] == PEOPLE and counters["feedback"] == PEOPLE
        assert counters["errors"] == 0
        request.calls.clear()  # the test's own record of what was sent
        assert application._user_ids_to_be_updated_in_persistence == set()
        assert len(application.user_data) == 0 and len(application.chat_data) == 0
        assert _held() == []
    finally:
        await application.shutdown()
