"""Fixtures for the Telegram tests: the engine, the fast bot (a fake request object, no
sockets), the fake Bot API server, and the bot running against it by polling or by webhook.

Test modules load them with `pytest_plugins = ["telegram_fixtures"]` rather than from a
conftest.py here: other test files import their folder's conftest by module name, and a second
conftest module would stand in for theirs.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from typing import Any

import httpx
import pytest
from fake_bot_api import FakeBotApi
from telegram_harness import (
    SECRET,
    TOKEN,
    FakeRequest,
    FastBot,
    RunningBot,
    bound_socket,
    fast_config,
)

from bot.config import Config, Telegram
from bot.engine import Engine, build_engine
from handlers.app import build_application, run_webhook, serve_polling
from handlers.counters import Counters
from handlers.ptb import AnyApplication
from handlers.webhook import webhook_server
from handlers.words import Words, load_words


@pytest.fixture(scope="session")
def bundled_engine() -> Engine:
    return build_engine(Config())


@pytest.fixture(scope="session")
def bot_words(bundled_engine: Engine) -> dict[str, Words]:
    return load_words(bundled_engine)


@pytest.fixture
async def make_fast_bot(
    bundled_engine: Engine, bot_words: dict[str, Words]
) -> AsyncIterator[Callable[..., Awaitable[FastBot]]]:
    engine, words = bundled_engine, bot_words
    started: list[AnyApplication] = []

    async def make(**telegram: Any) -> FastBot:
        request = FakeRequest()
        counters = Counters()
        application = build_application(
            fast_config(**telegram), engine, TOKEN, counters, words, request, FakeRequest()
        )
        await application.initialize()
        started.append(application)
        return FastBot(application, request, counters)

    yield make
    for application in started:
        await application.shutdown()


@pytest.fixture
async def fast_bot(make_fast_bot: Callable[..., Awaitable[FastBot]]) -> FastBot:
    return await make_fast_bot()


@pytest.fixture
def fake_api() -> Iterator[FakeBotApi]:
    api = FakeBotApi(TOKEN).start()
    yield api
    api.stop()


@pytest.fixture
async def polling_bot(
    fake_api: FakeBotApi, bundled_engine: Engine, bot_words: dict[str, Words]
) -> AsyncIterator[RunningBot]:
    engine, words = bundled_engine, bot_words
    counters = Counters()
    config = Config(telegram=Telegram(base_url=fake_api.base_url, concurrent_updates=1))
    application = build_application(config, engine, TOKEN, counters, words)
    stop = asyncio.Event()
    task = asyncio.create_task(serve_polling(application, words, engine.default, stop))

    async def deliver(update: dict[str, Any]) -> int:
        fake_api.push_update(update)
        return 200

    async def stop_bot() -> None:
        stop.set()
        await asyncio.wait_for(task, 10)

    await fake_api.until(lambda: bool(fake_api.calls("getUpdates")) or task.done())
    if task.done():
        task.result()
    yield RunningBot(fake_api, application, counters, deliver, stop_bot)
    await stop_bot()


@pytest.fixture
async def webhook_bot(
    fake_api: FakeBotApi, bundled_engine: Engine, bot_words: dict[str, Words]
) -> AsyncIterator[RunningBot]:
    engine, words = bundled_engine, bot_words
    sock = bound_socket()
    url = f"http://127.0.0.1:{sock.getsockname()[1]}/telegram"
    config = Config(
        telegram=Telegram(
            base_url=fake_api.base_url, mode="webhook", webhook_url=url, concurrent_updates=1
        )
    )
    counters = Counters()
    application = build_application(config, engine, TOKEN, counters, words)
    server = webhook_server(application, config.telegram, SECRET, counters)
    task = asyncio.create_task(run_webhook(application, server, words, engine.default, [sock]))
    client = httpx.AsyncClient(timeout=10)

    async def deliver(update: dict[str, Any]) -> int:
        """Like Telegram: POST to the URL set with setWebhook, with the secret it was given."""
        target, secret = fake_api.webhook
        response = await client.post(
            target or url,
            json=update,
            headers={"X-Telegram-Bot-Api-Secret-Token": secret or SECRET},
        )
        return response.status_code

    async def stop_bot() -> None:
        """Like SIGTERM: stop listening, then answer every update already accepted."""
        server.should_exit = True
        await asyncio.wait_for(task, 15)

    await fake_api.until(lambda: bool(fake_api.calls("setMyCommands")) or task.done())
    if task.done():
        task.result()
    yield RunningBot(fake_api, application, counters, deliver, stop_bot, url)
    await stop_bot()
    await client.aclose()
    sock.close()
