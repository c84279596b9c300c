"""End to end over real HTTP: the real Application against the fake Bot API on 127.0.0.1.

The same conversation runs in polling mode (updates handed out by getUpdates) and in webhook
mode (updates POSTed to the bot's uvicorn server, after `hrbot set-webhook` told the fake
Telegram where to send them). Waiting is always on the fake server's recorded calls.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from fake_bot_api import FakeBotApi
from telegram_harness import (
    BOT_USERNAME,
    SECRET,
    TOKEN,
    Person,
    RunningBot,
    data,
    expected,
    group_chat,
)

from bot.config import Config, Telegram
from bot.conversation.reply import EventKind
from bot.engine import Engine
from handlers.app import set_webhook

# The fixtures (fast_bot, polling_bot, webhook_bot …); see telegram_fixtures.py for why.
pytest_plugins = ["telegram_fixtures"]

alex = Person(user_id=31337, first_name="Alex", username="alex_example")


@pytest.fixture(params=["polling", "webhook"])
def running_bot(request: pytest.FixtureRequest) -> RunningBot:
    bot: RunningBot = request.getfixturevalue(f"{request.param}_bot")
    return bot


async def test_a_whole_conversation(running_bot: RunningBot, bundled_engine: Engine) -> None:
    en = bundled_engine.language("en")
    chat = running_bot.chat(alex)

    await chat.send("/start")
    start = await chat.reply()
    greeting = expected(bundled_engine, EventKind.COMMAND, "start")
    assert start.text == greeting.html and start.button_data == data(greeting)

    await chat.send("/start naloxone-how")  # the deep link on a flyer's QR code
    assert (await chat.reply()).text == en.answer("naloxone-how").html

    await chat.send("/menu")
    menu = await chat.reply()
    await chat.press_data("t:overdose", menu.result["message_id"])
    area = await chat.reply()
    assert area.method == "editMessageText"
    assert area.params["message_id"] == menu.result["message_id"]
    assert "a:overdose-now" in area.button_data and area.button_data[-1] == "t"  # Back
    await chat.press_data("t")  # Back
    back = await chat.reply()
    assert back.method == "editMessageText" and "t:overdose" in back.button_data

    await chat.send("how do i use narcan")
    answer = await chat.reply()
    assert answer.text == expected(bundled_engine, EventKind.TEXT, "how do i use narcan").html

    await chat.send("my friend wont wake up")
    card = await chat.reply()
    assert en.answer("overdose-now").html in card.text
    assert card.method == "sendMessage"

    await chat.send_voice()
    voice = await chat.reply()
    assert voice.text == expected(bundled_engine, EventKind.OTHER).html
    assert "e" in voice.button_data

    answered = running_bot.api.answered("answerCallbackQuery")
    assert len(answered) == 2  # both presses
    assert set(chat.statuses) == {200}
    assert running_bot.counters["replies_failed"] == 0
    assert running_bot.counters["errors"] == 0


async def test_groups_get_a_pointer_and_nothing_else(running_bot: RunningBot) -> None:
    group = running_bot.chat(alex, group_chat())
    await group.send("my friend wont wake up")  # never answered in a group
    await group.send(f"/start@{BOT_USERNAME}")
    pointer = await group.reply()
    assert pointer.buttons == [
        {"text": pointer.buttons[0]["text"], "url": f"https://t.me/{BOT_USERNAME}"}
    ]
    # Updates are handled in order here, so the free text was handled before the command.
    assert len(group.outgoing()) == 1


async def test_429_then_success(running_bot: RunningBot) -> None:
    running_bot.api.fail("sendMessage", status=429, retry_after=1)
    chat = running_bot.chat(alex)
    await chat.send("/start")
    reply = await chat.reply(timeout=15)
    assert reply.method == "sendMessage"
    statuses = [call.status for call in running_bot.api.calls("sendMessage", alex.user_id)]
    assert statuses == [429, 200]


async def test_500_then_success(running_bot: RunningBot) -> None:
    running_bot.api.fail("sendMessage", status=500)
    chat = running_bot.chat(alex)
    await chat.send("/help")
    assert (await chat.reply()).method == "sendMessage"
    statuses = [call.status for call in running_bot.api.calls("sendMessage", alex.user_id)]
    assert statuses == [500, 200]
    assert running_bot.counters["replies_failed"] == 0


async def test_set_webhook_gives_telegram_the_url_and_secret(
    fake_api: FakeBotApi, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HRBOT_TELEGRAM_TOKEN", TOKEN)
    monkeypatch.setenv("HRBOT_WEBHOOK_SECRET", SECRET)
    url = "https://bot.example.org/telegram"
    config = Config(telegram=Telegram(base_url=fake_api.base_url, webhook_url=url))
    assert await asyncio.to_thread(set_webhook, config, False) == 0
    assert fake_api.webhook == (url, SECRET)
    [call] = fake_api.answered("setWebhook")
    assert call.params["allowed_updates"] == ["message", "callback_query", "inline_query"]
    assert await asyncio.to_thread(set_webhook, config, True) == 0
    assert fake_api.webhook == ("", "")


async def test_webhook_with_a_wrong_secret_is_rejected_and_not_processed(
    webhook_bot: RunningBot,
) -> None:
    async with httpx.AsyncClient() as client:
        for headers in ({"X-Telegram-Bot-Api-Secret-Token": "wrong-secret-0123456789"}, {}):
            response = await client.post(
                webhook_bot.webhook_url, json=alex.message("/start"), headers=headers
            )
            assert response.status_code == 403
        health = await client.get(webhook_bot.webhook_url.replace("/telegram", "/healthz"))
    assert health.status_code == 200
    assert health.json()["counts"]["webhook_rejected"] == 2
    chat = webhook_bot.chat(alex)
    await chat.send("/help")  # handled after anything queued before it
    await chat.reply()
    assert len(chat.outgoing()) == 1
    assert webhook_bot.counters["updates"] == 1


async def test_webhook_rejects_what_is_not_an_update(webhook_bot: RunningBot) -> None:
    headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET}
    async with httpx.AsyncClient() as client:
        for body in (b"not json", b"[1, 2]", b'{"no": "update id"}'):
            response = await client.post(webhook_bot.webhook_url, content=body, headers=headers)
            assert response.status_code == 400
    assert webhook_bot.counters["errors"] == 0


async def test_webhook_shutdown_answers_every_accepted_update(webhook_bot: RunningBot) -> None:
    people = [Person(user_id=90_000 + n) for n in range(5)]
    for person in people:
        assert await webhook_bot.deliver(person.message("/start")) == 200
    await webhook_bot.stop()
    for person in people:
        assert len(webhook_bot.api.answered("sendMessage", person.user_id)) == 1


def test_run_without_a_token_says_so_in_one_line() -> None:
    environ = {k: v for k, v in os.environ.items() if not k.startswith("HRBOT_")}
    result = subprocess.run(
        [sys.executable, "-m", "handlers.cli", "run"],
        capture_output=True,
        text=True,
        env=environ,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "HRBOT_TELEGRAM_TOKEN" in result.stderr
    assert "Traceback" not in result.stderr


def test_run_with_a_rejected_token_says_so_in_one_line(
    fake_api: FakeBotApi, tmp_path: Path
) -> None:
    environ = {k: v for k, v in os.environ.items() if not k.startswith("HRBOT_")}
    environ["HRBOT_TELEGRAM_TOKEN"] = "111:" + "x" * 35  # well formed, but not the fake's
    config = tmp_path / "config.yaml"
    config.write_text(f"log_level: ERROR\ntelegram:\n  base_url: {fake_api.base_url}\n")
    result = subprocess.run(
        [sys.executable, "-m", "handlers.cli", "run", "--config", str(config)],
        capture_output=True,
        text=True,
        env=environ,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2, result.stderr
    assert result.stderr.strip().splitlines() == [
        "hrbot: Telegram does not accept this token; check it with @BotFather"
    ]
