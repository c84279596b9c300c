"""`/metrics` on a running bot and `hrbot stats` reading it: counts of what the bot fails on,
by route, by the answers a did-you-mean offered and their areas, and the cards shown, with no
text of any message anywhere in them."""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families
from telegram_harness import Person, RunningBot, bound_socket

from bot.conversation import protocol as p
from bot.engine import Engine
from bot.tools import cli
from bot.tools.stats import parse, summary
from handlers.monitoring import bind, monitoring_server, serving

pytest_plugins = ["telegram_fixtures"]

NO_MATCH = "i feel weird canary-7f3a"  # no answer; its words must not reach any count
SUGGEST = "safe or not"  # a did-you-mean


async def _conversation(bot: RunningBot) -> None:
    chat = bot.chat(Person(user_id=424242, first_name="Robin", username="robin_canary"))
    for text in ("how do i use narcan", "my friend wont wake up", SUGGEST, NO_MATCH, NO_MATCH,
                 "i want to die", "/start"):  # fmt: skip
        await chat.send(text)
        await chat.reply()
    await chat.press_data(p.NUMBERS)
    await chat.reply()


def _counts(text: str) -> dict[str, dict[str, float]]:
    """The labelled counters of a /metrics page (checked as Prometheus text): metric name →
    its one label's value → the count."""
    found: dict[str, dict[str, float]] = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name.endswith("_total") and len(sample.labels) == 1:
                (value,) = sample.labels.values()
                found.setdefault(sample.name, {})[value] = sample.value
    return found


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
    assert response.headers["content-type"].startswith("text/plain; version=")
    text = response.text
    counts = _counts(text)
    routes = counts["hrbot_messages_by_route_total"]
    assert {route: n for route, n in routes.items() if n} == {
        "none": 2,
        "suggest": 1,
        "emergency": 1,
        "crisis": 1,
        "answer": 1,
    }
    cards = counts["hrbot_cards_total"]
    assert cards == {"overdose-now": 1, "crisis-support": 1, "numbers": 1}
    assert counts["hrbot_answers_by_id_total"]["naloxone-how"] == 1
    offered = _offered(bundled_engine)
    entries = bundled_engine.language("en").entries
    assert counts["hrbot_suggested_total"] == dict.fromkeys(offered, 1)
    areas = {entries[i].meta.area for i in offered}
    assert counts["hrbot_suggested_areas_total"] == dict.fromkeys(areas, 1)
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


async def test_stats_reads_the_monitoring_port_beside_polling(
    polling_bot: RunningBot, capsys: pytest.CaptureFixture
) -> None:
    sock = bind("127.0.0.1", 0)
    base = f"http://127.0.0.1:{sock.getsockname()[1]}"
    async with serving((monitoring_server(polling_bot.application, polling_bot.counters), sock)):
        chat = polling_bot.chat(Person(user_id=626262, first_name="Robin"))
        for text in (NO_MATCH, SUGGEST):
            await chat.send(text)
            await chat.reply()
        code = await asyncio.to_thread(cli.main, ["stats", base])
        async with httpx.AsyncClient(timeout=10) as client:
            other = await client.get(f"{base}/telegram")
    out = capsys.readouterr().out
    assert code == 0 and other.status_code == 404
    assert "2 typed message(s)" in out and "  1 no match; 1 did-you-mean; 0 answered;" in out
    assert "canary" not in out and "Robin" not in out


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
