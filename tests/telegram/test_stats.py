"""`/metrics` on a running bot and `hrbot stats` reading it: counts of what the bot fails on,
by route, by the answers a did-you-mean offered and their areas, and the cards shown, with no
text of any message anywhere in them."""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx
import pytest
import uvicorn
from telegram_harness import Person, RunningBot, bound_socket

from bot.config import Telegram
from bot.conversation import protocol as p
from bot.engine import Engine
from bot.tools import cli
from bot.tools.stats import parse, summary
from handlers.counters import Counters
from handlers.metrics import metrics_server

pytest_plugins = ["telegram_fixtures"]

NO_MATCH = "i feel weird canary-7f3a"  # no answer; its words must not reach any count
SUGGEST = "coming off"  # a did-you-mean


async def _conversation(bot: RunningBot) -> None:
    chat = bot.chat(Person(user_id=424242, first_name="Robin", username="robin_canary"))
    for text in ("how do i use narcan", "my friend wont wake up", SUGGEST, NO_MATCH, NO_MATCH,
                 "i want to die", "/start"):  # fmt: skip
        await chat.send(text)
        await chat.reply()
    await chat.press_data(p.NUMBERS)
    await chat.reply()


def _offered(engine: Engine) -> list[str]:
    reply = engine.language("en").text(SUGGEST)
    assert reply.route == "suggest"
    return [b.data.split(":", 1)[1] for b in reply.button_list if b.data.startswith("a:")]


async def test_metrics_after_a_scripted_conversation(
    webhook_bot: RunningBot, bundled_engine: Engine, tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    await _conversation(webhook_bot)
    base = webhook_bot.webhook_url.rsplit("/", 1)[0]
    async with httpx.AsyncClient(timeout=10) as client:
        response = await client.get(f"{base}/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain; version=0.0.4")
    text = response.text
    assert 'hrbot_messages_total{route="none"} 2' in text
    assert 'hrbot_messages_total{route="suggest"} 1' in text
    assert 'hrbot_messages_total{route="emergency"} 1' in text
    assert 'hrbot_messages_total{route="crisis"} 1' in text
    assert 'hrbot_cards_total{card="overdose-now"} 1' in text
    assert 'hrbot_cards_total{card="crisis-support"} 1' in text
    assert 'hrbot_cards_total{card="numbers"} 1' in text
    assert 'hrbot_answers_shown_total{answer="naloxone-how"} 1' in text
    offered = _offered(bundled_engine)
    entries = bundled_engine.language("en").entries
    for entry_id in offered:
        assert f'hrbot_suggested_total{{answer="{entry_id}"}} 1' in text
    for area in {entries[i].meta.area for i in offered}:
        assert f'hrbot_suggested_areas_total{{area="{area}"}} 1' in text
    for secret in ("canary", "weird", "Robin", "robin", "424242", "coming off"):
        assert secret not in text

    saved = tmp_path / "monday.json"
    code = await asyncio.to_thread(cli.main, ["stats", base, "--save", str(saved)])
    out = capsys.readouterr().out
    assert code == 0
    lines = out.splitlines()
    assert lines[0].startswith("since the bot started (") and "6 typed message(s)" in lines[0]
    assert lines[1].startswith("  2 no match; 1 did-you-mean; 1 answered;")
    offered_line = next(line for line in lines if "did-you-mean most often offered: " in line)
    assert all(f"{entry_id} (1)" in offered_line for entry_id in offered)
    assert "cards shown: " in out and "overdose-now (1)" in out and "crisis-support (1)" in out
    assert "canary" not in out and saved.exists()

    chat = webhook_bot.chat(Person(user_id=515151))
    await chat.send(NO_MATCH)
    await chat.reply()
    code = await asyncio.to_thread(cli.main, ["stats", f"{base}/metrics", "--since", str(saved)])
    out = capsys.readouterr().out
    assert code == 0
    assert out.startswith("since the saved reading (") and "1 typed message(s)" in out
    assert "  1 no match; 0 did-you-mean; 0 answered;" in out


async def test_polling_mode_serves_metrics_on_its_own_port() -> None:
    counters = Counters()
    counters.add_labelled("messages", "none", 3)
    sock = bound_socket()
    server = metrics_server(Telegram(), counters, sock.getsockname()[1])
    task = asyncio.create_task(server.serve(sockets=[sock]))
    try:
        while not server.started:
            await asyncio.sleep(0)  # uvicorn's own start-up flag, no fixed wait
        async with httpx.AsyncClient(timeout=10) as client:
            response = await client.get(f"http://127.0.0.1:{sock.getsockname()[1]}/metrics")
            other = await client.get(f"http://127.0.0.1:{sock.getsockname()[1]}/telegram")
        assert 'hrbot_messages_total{route="none"} 3' in response.text
        assert other.status_code == 404
    finally:
        server.should_exit = True
        await task
        sock.close()
    assert isinstance(server, uvicorn.Server)


def test_stats_says_what_to_do_when_the_bot_is_not_there(hrbot) -> None:
    sock = bound_socket()
    port = sock.getsockname()[1]
    sock.close()  # nothing listens there now
    code, _, err = hrbot("stats", f"http://127.0.0.1:{port}")
    assert code == 2 and f"http://127.0.0.1:{port}: cannot reach the bot" in err
    code, _, err = hrbot("stats", "localhost:9100")
    assert code == 2 and "give the bot's address" in err


def test_summary_of_a_reading_with_nothing_typed() -> None:
    reading = parse("hrbot_started_seconds 1700000000\nhrbot_updates_total 0\n", 1700086400)
    lines = summary(reading)
    assert lines[0].startswith("since the bot started (2023-11-14 22:13 UTC, 1.0 days): 0 typed")
    assert not any(line.startswith("  next:") for line in lines)
