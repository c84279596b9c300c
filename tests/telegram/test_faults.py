"""Telegram outages, unreadable updates and a refused token, against the fake Bot API.

The retry budget is shortened here (5 s instead of two minutes, pauses of 0.05 s to 0.5 s) so an
outage of 2 s stands for one of a minute or more in production. Waiting is always on recorded
calls or on the bot's own events, with timeouts.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import json
import logging
import threading
import time
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from fake_bot_api import GARBAGE, FakeBotApi
from faults import ResettingProxy
from telegram_harness import SECRET, TOKEN, Chat, Person, RunningBot, bound_socket

from bot.config import Config, Telegram
from bot.engine import Engine
from handlers.app import build_application, run, run_webhook, serve_polling
from handlers.counters import Counters
from handlers.logging import setup_logging
from handlers.retry import RetryPolicy
from handlers.webhook import SECRET_HEADER, webhook_server
from handlers.words import Words

pytest_plugins = ["telegram_fixtures"]

SHORT = RetryPolicy(seconds=5.0, first_pause=0.05, max_pause=0.5)
OUTAGE = 2.0
people = [Person(user_id=81_000 + n, first_name="P", username=None) for n in range(6)]


@contextlib.asynccontextmanager
async def webhook_bot(
    engine: Engine,
    words: dict[str, Words],
    api: FakeBotApi,
    base_url: str,
    retry: RetryPolicy = SHORT,
    client_timeout: float | None = None,
) -> AsyncIterator[RunningBot]:
    """The bot in webhook mode, talking to Telegram at `base_url`, 4 updates at a time."""
    sock = bound_socket()
    url = f"http://127.0.0.1:{sock.getsockname()[1]}/telegram"
    telegram = Telegram(base_url=base_url, mode="webhook", webhook_url=url, concurrent_updates=4)
    config = Config(telegram=telegram)
    counters = Counters()
    application = build_application(config, engine, TOKEN, counters, words, retry=retry)
    server = webhook_server(application, telegram, SECRET, counters, client_timeout)
    task = asyncio.create_task(run_webhook(application, server, words, engine.default, [sock]))
    client = httpx.AsyncClient(timeout=10)

    async def deliver(update: dict[str, Any]) -> int:
        headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET}
        return (await client.post(url, json=update, headers=headers)).status_code

    async def stop() -> None:
        server.should_exit = True
        await asyncio.wait_for(task, 15)

    # Serving starts once the command menu is set: once per language, then for everybody.
    menus = len(words) + 1
    await api.until(lambda: len(api.answered("setMyCommands")) >= menus or task.done())
    if task.done():
        task.result()
    try:
        yield RunningBot(api, application, counters, deliver, stop, url)
    finally:
        if not task.done():
            await stop()
        await client.aclose()
        sock.close()


async def counted(counters: Counters, name: str, at_least: int, timeout: float = 5.0) -> None:
    if not await asyncio.to_thread(counters.wait_for, name, at_least, timeout):
        raise AssertionError(f"{name} = {counters[name]}, not {at_least}, after {timeout}s")


async def everyone_answered(bot: RunningBot, chats: list[Chat], timeout: float = 12.0) -> None:
    await bot.api.until(lambda: all(chat.outgoing() for chat in chats), timeout)
    await counted(bot.counters, "replies_sent", len(chats))


def duplicates(chats: list[Chat]) -> int:
    return sum(len(chat.outgoing()) - 1 for chat in chats)


@pytest.mark.parametrize("kind", ["503", "garbage"])
async def test_an_outage_of_5xx_or_garbage_loses_no_reply(
    fake_api: FakeBotApi, bundled_engine: Engine, bot_words: dict[str, Words], kind: str
) -> None:
    async with webhook_bot(bundled_engine, bot_words, fake_api, fake_api.base_url) as bot:
        fake_api.outage(OUTAGE, status=503, garbage=kind == "garbage")
        began = time.monotonic()
        chats = [bot.chat(person) for person in people]
        for chat in chats:
            await chat.send("/start")
        await everyone_answered(bot, chats)
        took = time.monotonic() - began
        failed = [c for c in fake_api.calls("sendMessage") if c.status != 200]
        assert {c.status for c in failed} == {GARBAGE if kind == "garbage" else 503}
        assert len(failed) >= len(people)  # every reply met the outage at least once
        assert took >= OUTAGE * 0.9
        assert bot.counters["replies_failed"] == 0 and bot.counters["errors"] == 0
        assert bot.counters["replies_sent"] == len(people)
        assert bot.counters["telegram_retries"] >= len(failed)
        # Telegram did not act on the failed calls, so nobody got an answer twice.
        assert duplicates(chats) == 0


async def test_an_outage_of_connection_resets_loses_no_reply(
    fake_api: FakeBotApi, bundled_engine: Engine, bot_words: dict[str, Words]
) -> None:
    proxy = await ResettingProxy(fake_api.port).start()
    try:
        async with webhook_bot(bundled_engine, bot_words, fake_api, proxy.base_url) as bot:
            proxy.outage(OUTAGE)
            chats = [bot.chat(person) for person in people]
            for chat in chats:
                await chat.send("/help")
            await everyone_answered(bot, chats)
            assert proxy.resets >= len(people)
            assert bot.counters["replies_failed"] == 0 and bot.counters["errors"] == 0
            assert bot.counters["replies_sent"] == len(people)
            assert duplicates(chats) == 0
    finally:
        await proxy.stop()


async def test_polling_through_an_outage_loses_no_update_and_no_reply(
    fake_api: FakeBotApi, bundled_engine: Engine, bot_words: dict[str, Words]
) -> None:
    counters = Counters()
    telegram = Telegram(base_url=fake_api.base_url, concurrent_updates=4)
    application = build_application(
        Config(telegram=telegram), bundled_engine, TOKEN, counters, bot_words, retry=SHORT
    )
    stop = asyncio.Event()
    task = asyncio.create_task(serve_polling(application, bot_words, bundled_engine.default, stop))
    try:
        await fake_api.until(lambda: bool(fake_api.calls("getUpdates")) or task.done())
        fake_api.outage(OUTAGE, status=502)  # getUpdates fails too
        for person in people[:3]:
            fake_api.push_update(person.message("/start"))
        await fake_api.until(
            lambda: all(fake_api.answered("sendMessage", p.user_id) for p in people[:3]), 15
        )
        assert all(len(fake_api.answered("sendMessage", p.user_id)) == 1 for p in people[:3])
        assert counters["replies_failed"] == 0 and counters["errors"] == 0
    finally:
        stop.set()
        await asyncio.wait_for(task, 10)


async def test_a_chat_whose_reply_is_retried_holds_up_no_other_chat(
    fake_api: FakeBotApi, bundled_engine: Engine, bot_words: dict[str, Words]
) -> None:
    slow, other = people[0], people[1]
    async with webhook_bot(bundled_engine, bot_words, fake_api, fake_api.base_url) as bot:
        fake_api.outage(OUTAGE, status=500, chat_id=slow.user_id)
        waiting, fine = bot.chat(slow), bot.chat(other)
        await waiting.send("/start")
        await fake_api.until(lambda: bool(fake_api.calls("sendMessage", slow.user_id)), 5)
        began = time.monotonic()
        await fine.send("/start")
        await fine.reply(timeout=5)
        assert time.monotonic() - began < 1.0
        assert not waiting.outgoing()  # still being retried meanwhile
        await waiting.reply(timeout=10)
        assert bot.counters["replies_failed"] == 0


async def test_a_reply_that_outlasts_the_budget_is_counted_and_logged_without_content(
    fake_api: FakeBotApi,
    bundled_engine: Engine,
    bot_words: dict[str, Words],
    caplog: pytest.LogCaptureFixture,
) -> None:
    budget = RetryPolicy(seconds=0.6, first_pause=0.05, max_pause=0.2)
    person = Person(user_id=86_420_135, first_name="Zqfirst", username="zq_handle")
    output = io.StringIO()
    setup_logging("DEBUG", output)  # as `hrbot run` does
    caplog.set_level(logging.DEBUG)
    async with webhook_bot(bundled_engine, bot_words, fake_api, fake_api.base_url, budget) as bot:
        fake_api.outage(30, status=503, chat_id=person.user_id)
        began = time.monotonic()
        await bot.chat(person).send("zqxcanary naloxone")
        await counted(bot.counters, "replies_failed", 1)
        assert time.monotonic() - began < 3
    lines = [record.getMessage() for record in caplog.records] + output.getvalue().splitlines()
    assert any("a reply could not be delivered (" in line for line in lines)
    for forbidden in ("zqxcanary", str(person.user_id), "Zqfirst", "zq_handle", TOKEN):
        assert not any(forbidden in line for line in lines), forbidden


# --- updates the library cannot read --------------------------------------------------------


def unreadable_updates(person: Person) -> list[dict[str, Any]]:
    """Updates with one broken field each, as a Bot API bug or a proxy could produce."""
    no_date = person.message("hello")
    del no_date["message"]["date"]
    from_number = person.message("hello")
    from_number["message"]["from"] = 12345
    entities = person.message("/start")
    entities["message"]["entities"] = "bot_command"
    location = person.message(location="here")
    return [no_date, from_number, entities, location]


async def test_unreadable_updates_are_skipped_one_by_one(
    polling_bot: RunningBot, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    person = Person(user_id=77_001)
    bad = unreadable_updates(person)
    for update in bad:
        polling_bot.api.push_update(update)
    chat = polling_bot.chat(person)
    began = time.monotonic()
    await chat.send("/help")  # queued after the broken ones, in the same batch
    await chat.reply(timeout=5)
    assert time.monotonic() - began < 1.0
    assert polling_bot.counters["updates_unreadable"] == len(bad)
    # Polled on: the next getUpdates asks for what comes after the last one.
    last = max(update["update_id"] for update in bad)
    await polling_bot.api.until(
        lambda: any(
            int(c.params.get("offset") or 0) > last for c in polling_bot.api.calls("getUpdates")
        ),
        5,
    )
    skipped = [r.getMessage() for r in caplog.records if "skipped" in r.getMessage()]
    assert sorted(skipped) == sorted(
        f"update {u['update_id']} skipped: unreadable ({kind})"
        for u, kind in zip(
            bad, ("KeyError", "TypeError", "AttributeError", "TypeError"), strict=True
        )
    )
    assert polling_bot.counters["errors"] == 0


async def test_an_unreadable_update_in_a_webhook_body_gets_400(
    fake_api: FakeBotApi, bundled_engine: Engine, bot_words: dict[str, Words]
) -> None:
    person = Person(user_id=77_002)
    async with webhook_bot(bundled_engine, bot_words, fake_api, fake_api.base_url) as bot:
        headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET}
        bodies: list[bytes] = [b"\xff\xfe", b"null", b'{"update_id": "x", "message": 5}']
        async with httpx.AsyncClient(timeout=5) as client:
            for update in unreadable_updates(person):
                assert await bot.deliver(update) == 400
            for body in bodies:
                response = await client.post(bot.webhook_url, content=body, headers=headers)
                assert response.status_code == 400
        chat = bot.chat(person)
        await chat.send("/help")
        await chat.reply(timeout=5)
        assert bot.counters["errors"] == 0


# --- a token Telegram refuses ---------------------------------------------------------------


REFUSED_LINE = "hrbot: Telegram does not accept this token; check it with @BotFather"


def test_a_token_refused_by_get_updates_at_start_stops_the_bot(
    fake_api: FakeBotApi, capsys: pytest.CaptureFixture[str]
) -> None:
    fake_api.fail("getUpdates", times=1000, status=401)
    config = Config(log_level="ERROR", telegram=Telegram(base_url=fake_api.base_url))
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("HRBOT_TELEGRAM_TOKEN", TOKEN)
        assert run(config) == 2
    assert capsys.readouterr().err.splitlines() == [REFUSED_LINE]  # and nothing else
    assert len(fake_api.calls("getUpdates")) == 1  # not retried: it never worked


def test_a_token_refused_mid_run_is_retried_then_stops_the_bot(
    fake_api: FakeBotApi, capsys: pytest.CaptureFixture[str]
) -> None:
    config = Config(
        log_level="ERROR", telegram=Telegram(base_url=fake_api.base_url, auth_retry_seconds=1.5)
    )

    # Refused from the third poll on (the first two come back with no updates).
    def refuse_later() -> None:
        fake_api.wait_for(lambda: len(fake_api.calls("getUpdates")) >= 2, 20)
        fake_api.fail("getUpdates", times=1000, status=404)

    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("HRBOT_TELEGRAM_TOKEN", TOKEN)
        patch.setattr("fake_bot_api.MAX_LONG_POLL", 0.05)  # polls come back at once
        threading.Thread(target=refuse_later, daemon=True).start()
        began = time.monotonic()
        assert run(config) == 2
        took = time.monotonic() - began
    lines = capsys.readouterr().err.splitlines()
    assert lines[-1] == REFUSED_LINE
    [warning] = lines[:-1]  # the one line saying it is being retried
    assert warning.endswith("Telegram refused the token (HTTP 404) while polling; retrying for 2s")
    refused = [c for c in fake_api.calls("getUpdates") if c.status == 404]
    assert len(refused) >= 2  # tried again before giving up
    assert 1.5 <= took < 20


# --- webhook limits -----------------------------------------------------------------------


async def test_the_body_cap_holds_for_chunked_bodies(
    fake_api: FakeBotApi, bundled_engine: Engine, bot_words: dict[str, Words]
) -> None:
    person = Person(user_id=77_003)
    headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET}
    sent = 0

    async def huge() -> AsyncIterator[bytes]:
        nonlocal sent
        for _ in range(40):  # 40 × 64 KiB: 2.6 MB, over the 1 MB cap
            sent += 65536
            yield b" " * 65536

    async def small() -> AsyncIterator[bytes]:
        yield json.dumps(person.message("/help")).encode()

    async with webhook_bot(bundled_engine, bot_words, fake_api, fake_api.base_url) as bot:
        async with httpx.AsyncClient(timeout=5) as client:
            refused = await client.post(bot.webhook_url, content=huge(), headers=headers)
            assert refused.status_code == 413
            assert "content-length" not in refused.request.headers  # it was sent in chunks
            accepted = await client.post(bot.webhook_url, content=small(), headers=headers)
            assert accepted.status_code == 200
        await bot.chat(person).reply(timeout=5)


async def test_half_open_clients_are_timed_out_and_health_checks_go_on(
    fake_api: FakeBotApi, bundled_engine: Engine, bot_words: dict[str, Words]
) -> None:
    timeout = 0.5
    async with webhook_bot(
        bundled_engine, bot_words, fake_api, fake_api.base_url, client_timeout=timeout
    ) as bot:
        port = int(bot.webhook_url.split(":")[2].split("/")[0])
        head = (
            f"POST /telegram HTTP/1.1\r\nHost: x\r\n{SECRET_HEADER}: {SECRET}\r\n"
            "Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n"
        ).encode()
        openers = (
            b"",  # connects and says nothing
            b"POST /telegram HTTP/1.1\r\nHost: x\r\n",  # half a request head
            head + b'{"update_id": ',  # a whole head, a tenth of the body
            b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n",  # answered, then idle
        )
        clients: list[tuple[asyncio.StreamReader, asyncio.StreamWriter]] = []
        for n in range(200):
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.write(openers[n % len(openers)])
            await writer.drain()
            clients.append((reader, writer))
        began = time.monotonic()
        async with httpx.AsyncClient(timeout=2) as client:
            health = await client.get(bot.webhook_url.replace("/telegram", "/healthz"))
        assert health.status_code == 200 and time.monotonic() - began < 1.0

        async def closed_by_server(reader: asyncio.StreamReader) -> bytes:
            return await reader.read()  # until the server closes it

        answers = await asyncio.wait_for(
            asyncio.gather(*(closed_by_server(reader) for reader, _ in clients)),
            timeout * 2 + 5,
        )
        took = time.monotonic() - began
        assert len(answers) == 200 and took < timeout * 2 + 5
        slow_bodies = answers[2 :: len(openers)]
        assert all(answer.startswith(b"HTTP/1.1 408") for answer in slow_bodies)
        for _, writer in clients:
            writer.close()
        chat = bot.chat(Person(user_id=77_004))
        await chat.send("/help")  # and updates are still taken
        await chat.reply(timeout=5)


def test_by_default_a_call_is_retried_for_two_minutes_with_capped_jittered_pauses() -> None:
    policy = RetryPolicy.from_config(Telegram())
    assert policy.seconds == 120.0 and policy.retries is None
    assert RetryPolicy.from_config(Telegram(max_retries=1)).retries == 1  # set: a cap too
    pauses = [policy.pause(attempt) for attempt in range(30)]
    assert 0.25 <= pauses[0] <= 0.5 and all(5.0 <= p <= 10.0 for p in pauses[6:])
    assert len(set(pauses[6:])) > 1  # jittered, not in step
