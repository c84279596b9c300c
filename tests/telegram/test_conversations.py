"""The conversations in tests/conversations/, at every layer: the engine, the fast Telegram
layer and the running bot. A staff member can add a file there; it runs everywhere at once."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest
from clients import FastChat, LiveChat, run_async
from telegram_harness import FastBot, Person, RunningBot

from bot.engine import Engine
from bot.tools.client import Client, load_conversation, run_conversation

pytest_plugins = ["telegram_fixtures"]

FILES = sorted((Path(__file__).parent.parent / "conversations").glob("*.yaml"))


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_conversation_through_the_engine(engine: Engine, path: Path) -> None:
    assert run_conversation(Client(engine), load_conversation(path)) == []


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
async def test_conversation_through_the_fast_telegram_layer(
    make_fast_bot: Callable[..., Awaitable[FastBot]], path: Path
) -> None:
    chat = FastChat(await make_fast_bot(), Person(4242))
    assert await run_async(chat, load_conversation(path)) == []


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
async def test_conversation_through_the_running_bot(polling_bot: RunningBot, path: Path) -> None:
    chat = LiveChat(polling_bot.chat(Person(4343)))
    assert await run_async(chat, load_conversation(path)) == []


def test_there_are_conversations() -> None:
    assert len(FILES) >= 4
