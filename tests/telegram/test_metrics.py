"""`/metrics` and `/healthz` in both modes: the counts a service watches, and nothing of a person.

A conversation with canary values (text, user id, names, a shared location) runs through the
bot polling and by webhook; then `/metrics` is scraped (from the webhook server itself, and from
the small monitoring server polling mode starts) and parsed as Prometheus text. It must count
by route and by answer id, hold the reply-time histogram, and contain no canary at all.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from fake_bot_api import FakeBotApi
from prometheus_client.parser import text_string_to_metric_families
from telegram_harness import TOKEN, Person, RunningBot
from test_telegram_privacy import (
    CANARY_FIRST_NAME,
    CANARY_PLACE,
    CANARY_TEXT,
    CANARY_USER_ID,
    CANARY_USERNAME,
    FORBIDDEN,
)

from handlers.monitoring import bind, handling, monitoring_server, serving

pytest_plugins = ["telegram_fixtures"]

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
async def polling_metrics(polling_bot: RunningBot) -> AsyncIterator[str]:
    """The polling bot with the monitoring server `hrbot run` starts when monitoring.port is
    set; its base URL."""
    sock = bind("127.0.0.1", 0)
    monitor = (monitoring_server(polling_bot.application, polling_bot.counters), sock)
    async with serving(monitor):
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"


@pytest.fixture(params=["polling", "webhook"])
def monitored(request: pytest.FixtureRequest) -> tuple[RunningBot, str]:
    """A running bot and the base URL of its /metrics and /healthz."""
    if request.param == "polling":
        base: str = request.getfixturevalue("polling_metrics")
        return request.getfixturevalue("polling_bot"), base
    bot: RunningBot = request.getfixturevalue("webhook_bot")
    return bot, bot.webhook_url.removesuffix("/telegram")


def samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """Every sample of a Prometheus text page, by name and labels (the parser rejects a page
    that is not valid exposition format)."""
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


async def test_metrics_count_by_route_and_answer_and_hold_nothing_of_the_person(
    monitored: tuple[RunningBot, str],
) -> None:
    bot, base = monitored
    person = Person(CANARY_USER_ID, CANARY_FIRST_NAME, CANARY_USERNAME, language="en")
    chat = bot.chat(person)
    await chat.send(f"my friend wont wake up {CANARY_TEXT}")
    await chat.reply()
    await chat.send(f"{CANARY_TEXT} how do i use narcan")
    await chat.reply()
    await chat.send(CANARY_TEXT)  # nothing matches
    await chat.reply()
    await chat.send("hi")
    await chat.reply()
    await chat.press_data("t:overdose")
    await chat.reply()
    await chat.send_location(**CANARY_PLACE)
    await chat.reply()
    bot.api.fail("sendMessage", status=500)  # one retry
    await chat.send("/emergency")
    await chat.reply()

    async with httpx.AsyncClient(timeout=10) as client:
        page = (await client.get(f"{base}/metrics")).text
        health = await client.get(f"{base}/healthz")
    for canary in FORBIDDEN:
        assert canary not in page, f"{canary!r} in /metrics"
        assert canary not in health.text, f"{canary!r} in /healthz"
    found = samples(page)

    def value(name: str, **labels: str) -> float:
        return found.get((name, tuple(sorted(labels.items()))), 0.0)

    assert value("hrbot_messages_by_route_total", route="emergency") == 1
    assert value("hrbot_messages_by_route_total", route="answer") == 1
    assert value("hrbot_messages_by_route_total", route="greeting") == 1
    assert value("hrbot_messages_by_route_total", route="none") == 1
    assert ("hrbot_messages_by_route_total", (("route", "crisis"),)) in found  # zero, not absent
    assert value("hrbot_updates_by_kind_total", kind="text") == 4
    assert value("hrbot_updates_by_kind_total", kind="button") == 1
    assert value("hrbot_updates_by_kind_total", kind="location") == 1
    assert value("hrbot_updates_by_kind_total", kind="command") == 1
    assert value("hrbot_answers_by_id_total", answer="naloxone-how") == 1
    assert value("hrbot_answers_by_id_total", answer="overdose-now") >= 1
    assert value("hrbot_emergency_total") >= 2
    assert value("hrbot_telegram_retries_total") == 1
    assert value("hrbot_replies_failed_total") == 0
    assert value("hrbot_replies_sent_total") == 7
    assert value("hrbot_reply_seconds_count") == 7
    assert value("hrbot_reply_seconds_bucket", le="+Inf") == 7
    assert value("hrbot_handling") == 1
    assert value("process_resident_memory_bytes") > 0
    assert health.status_code == 200 and health.json()["status"] == "ok"


async def test_polling_health_says_stopping_once_polling_stops(polling_bot: RunningBot) -> None:
    is_handling = handling(polling_bot.application)
    assert is_handling()
    await polling_bot.stop()
    assert not is_handling()


def test_hrbot_run_polling_serves_metrics_and_health_on_its_port_with_json_logs(
    tmp_path: Path,
) -> None:
    """`hrbot run` itself: monitoring.port in polling mode, log_format json, `hrbot health`
    (the container's health check) answered, a clean stop."""
    api = FakeBotApi(TOKEN).start()
    port = bind("127.0.0.1", 0)
    number = port.getsockname()[1]
    port.close()
    config = tmp_path / "config.yaml"
    config.write_text(
        f"log_level: INFO\nlog_format: json\ntelegram:\n  base_url: {api.base_url}\n"
        f"monitoring:\n  port: {number}\n",
        encoding="utf-8",
    )
    env = {**os.environ, "HRBOT_TELEGRAM_TOKEN": TOKEN}
    command = [sys.executable, "-m", "handlers.cli", "run", "--config", str(config)]
    bot = subprocess.Popen(command, env=env, cwd=tmp_path, stderr=subprocess.PIPE, text=True)
    try:
        assert api.wait_for(lambda: bool(api.calls("getUpdates")), 60), "no polling"
        api.push_update(Person(CANARY_USER_ID).message(f"my friend wont wake up {CANARY_TEXT}"))
        assert api.wait_for(lambda: bool(api.answered("sendMessage")), 30), "no reply"
        with httpx.Client(timeout=10) as client:
            health = client.get(f"http://127.0.0.1:{number}/healthz")
            page = client.get(f"http://127.0.0.1:{number}/metrics").text
        health_check = subprocess.run(
            [sys.executable, "-m", "handlers.cli", "health", "--config", str(config)],
            capture_output=True, text=True, timeout=60, check=False,
        )  # fmt: skip
    finally:
        bot.send_signal(signal.SIGTERM)
        _, stderr = bot.communicate(timeout=30)
        api.stop()
    assert bot.returncode == 0, stderr
    assert health.status_code == 200 and health.json()["counts"]["replies_sent"] == 1
    assert (health_check.returncode, health_check.stdout) == (0, "ok\n")  # the image's check
    assert 'hrbot_messages_by_route_total{route="emergency"} 1.0' in page
    lines = [json.loads(line) for line in stderr.splitlines()]
    assert any("polling for updates" in line["message"] for line in lines)
    assert {"time", "level", "logger", "message"} <= set(lines[0])
    for canary in FORBIDDEN:
        assert canary not in page and canary not in stderr
