"""Nothing about the person and never the token: not in any log record, not on disk.

A whole conversation runs at DEBUG with canary values (a message text, a user id, a first
name, a username, a shared location) through both modes, including Telegram faults and a
handler that crashes with the person's text in its exception. Every log record from the root
logger and from the `telegram`, `httpx` and `uvicorn` loggers is searched for the canaries and
the token, and so is every file under the working directory (which must stay empty).

One variant also turns the libraries' own loggers up to DEBUG, as someone debugging might: the
records they make then must still carry nothing. That variant writes JSON lines
(`log_format: json`), which must carry no more than the text lines do.
"""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
from telegram_harness import TOKEN, Person, RunningBot, next_update_id

from bot.conversation.reply import Event, Reply
from bot.engine import Engine
from handlers.logging import setup_logging
from handlers.metrics import exposition, registry_for

# The fixtures (fast_bot, polling_bot, webhook_bot …); see telegram_fixtures.py for why.
pytest_plugins = ["telegram_fixtures"]

CANARY_TEXT = "zqxcanaryword"
CANARY_USER_ID = 918273645
CANARY_FIRST_NAME = "Qzanaryfirst"
CANARY_USERNAME = "qz_canary_handle"
CANARY_PLACE = {"latitude": 51.507213, "longitude": -0.127647}
FORBIDDEN = (
    CANARY_TEXT,
    str(CANARY_USER_ID),
    CANARY_FIRST_NAME,
    CANARY_USERNAME,
    TOKEN,
    "51.507",
    "0.1276",
)
LIBRARY_LOGGERS = ("telegram", "httpx", "uvicorn")


class Keep(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@dataclass
class Watch:
    """Everything logged and written while the bot runs."""

    folder: Path
    output: io.StringIO
    caplog: pytest.LogCaptureFixture
    json_lines: bool = False
    kept: Keep = field(default_factory=Keep)

    def records(self) -> list[logging.LogRecord]:
        return self.caplog.records + self.kept.records

    def files(self) -> list[Path]:
        return [path for path in self.folder.rglob("*") if path.is_file()]


@pytest.fixture(params=[False, True], ids=["libraries-capped", "libraries-at-debug-json"])
def watch(
    request: pytest.FixtureRequest,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    bundled_engine: Engine,
) -> Iterator[Watch]:
    """Set up before the bot starts: DEBUG logging, capture everywhere, an empty working dir,
    and an engine that crashes on "crash" with the person's text in the exception."""
    monkeypatch.chdir(tmp_path)
    watch = Watch(tmp_path, io.StringIO(), caplog, json_lines=request.param)
    # as `hrbot run` does with log_level: DEBUG (and log_format: json in one variant)
    setup_logging("DEBUG", stream=watch.output, json_lines=request.param)
    caplog.set_level(logging.DEBUG)
    for name in LIBRARY_LOGGERS:
        logger = logging.getLogger(name)
        logger.addHandler(watch.kept)
        if request.param:
            monkeypatch.setattr(logger, "level", logging.DEBUG)
    real_handle = bundled_engine.handle

    def crashing_handle(event: Event) -> Reply:
        if "crash" in event.text:
            raise RuntimeError(f"could not handle {event.text!r}")
        return real_handle(event)

    monkeypatch.setattr(bundled_engine, "handle", crashing_handle)
    yield watch
    for name in LIBRARY_LOGGERS:
        logging.getLogger(name).removeHandler(watch.kept)


@pytest.fixture(params=["polling", "webhook"])
def watched_bot(watch: Watch, request: pytest.FixtureRequest) -> RunningBot:
    bot: RunningBot = request.getfixturevalue(f"{request.param}_bot")
    return bot


def as_text(record: logging.LogRecord) -> str:
    formatter = logging.Formatter("%(name)s %(levelname)s %(message)s")
    parts = [formatter.format(record), repr(record.args), str(record.msg)]
    if record.exc_text:
        parts.append(record.exc_text)
    return "\n".join(parts)


async def test_no_personal_data_or_token_in_logs_or_files(
    watch: Watch, watched_bot: RunningBot
) -> None:
    bot = watched_bot
    person = Person(CANARY_USER_ID, CANARY_FIRST_NAME, CANARY_USERNAME, language="en")
    chat = bot.chat(person)
    await chat.send("/start")
    await chat.reply()
    await chat.send(f"{CANARY_TEXT} how do i use narcan")
    await chat.reply()
    bot.api.fail("sendMessage", status=500)
    await chat.send(f"my friend wont wake up {CANARY_TEXT}")
    await chat.reply()
    bot.api.fail("sendMessage", status=429, retry_after=1)
    await chat.send(CANARY_TEXT)  # no match
    await chat.reply(timeout=15)
    await chat.send("/menu")
    await chat.reply()
    await chat.press_data("t:overdose")
    await chat.reply()
    await chat.send_voice()
    await chat.reply()
    await chat.send_location(**CANARY_PLACE)
    await chat.reply()
    await chat.send(f"crash {CANARY_TEXT}")
    await chat.reply()  # the topic menu, instead of the answer that failed
    # /forget and /card: deletes and a pin in this chat, one of each refused by Telegram
    bot.api.fail("deleteMessages", status=400)
    await chat.send("/forget")
    await chat.reply()
    await chat.press_data("x")  # delete the explanation too: nothing is sent
    await chat.send("/card")
    card = await chat.reply()
    await chat.press_data("p", card.result["message_id"])  # pinned: nothing is sent
    bot.api.fail("pinChatMessage", status=400)
    await chat.press_data("p", card.result["message_id"])
    await chat.reply()  # how to pin it by hand
    await chat.send("/help")
    await chat.reply()
    assert bot.counters["errors"] == 1
    await bot.stop()  # now, so that shutdown is logged and searched too

    records = watch.records()
    assert any(r.name == "handlers.errors" for r in records)
    for record in records:
        text = as_text(record)
        for canary in FORBIDDEN:
            assert canary not in text, f"{canary!r} logged by {record.name}: {text}"
    written = watch.output.getvalue()
    assert "failed in private_chat.PrivateChat.text: RuntimeError" in written
    if watch.json_lines:
        lines = [json.loads(line) for line in written.splitlines()]
        assert all({"time", "level", "logger", "message"} <= set(line) for line in lines)
    for canary in FORBIDDEN:
        assert canary not in written
    assert watch.files() == [], "nothing may be written while the bot runs"


async def test_inline_queries_and_feedback_presses_leave_nothing_in_logs_metrics_or_files(
    watch: Watch, watched_bot: RunningBot
) -> None:
    """Sharing carries the person's id and the words they type in another chat; a 👍 carries
    their id and chat. None of it may be logged, counted or written (docs/sharing.md)."""
    bot = watched_bot
    person = Person(CANARY_USER_ID, CANARY_FIRST_NAME, CANARY_USERNAME, language="en")
    user = person.user()
    for n, words in enumerate([f"naloxone {CANARY_TEXT}", f"he wont wake up {CANARY_TEXT}", ""]):
        query = {"id": f"iq-canary-{n}", "from": user, "query": words, "offset": ""}
        await bot.deliver({"update_id": next_update_id(), "inline_query": query})
    await bot.api.until(lambda: len(bot.api.answered("answerInlineQuery")) == 3)
    chat = bot.chat(person)
    await chat.send(f"how do i use narcan {CANARY_TEXT}")
    answer = await chat.reply()
    update = person.callback("f:naloxone-how:+", int(answer.result["message_id"]))
    update["callback_query"]["message"]["reply_markup"] = answer.params["reply_markup"]
    await bot.deliver(update)
    await bot.api.until(lambda: bool(bot.api.answered("editMessageReplyMarkup")))
    await chat.press_data("f:naloxone-how:-")  # no keyboard with it: rebuilt
    await bot.api.until(lambda: len(bot.api.answered("editMessageReplyMarkup")) == 2)
    page = exposition(registry_for(bot.counters, lambda: True)).decode()
    if bot.webhook_url:  # the page a scrape gets, too
        async with httpx.AsyncClient(timeout=10) as client:
            page += (await client.get(bot.webhook_url.removesuffix("/telegram") + "/metrics")).text
    await bot.stop()

    assert 'hrbot_helpful_total{answer="naloxone-how"} 1.0' in page
    for canary in FORBIDDEN:
        assert canary not in page, f"{canary!r} in the metrics"
    for record in watch.records():
        text = as_text(record)
        for canary in FORBIDDEN:
            assert canary not in text, f"{canary!r} logged by {record.name}: {text}"
    for canary in FORBIDDEN:
        assert canary not in watch.output.getvalue()
    assert watch.files() == [], "nothing may be written while the bot runs"


async def test_no_personal_data_from_alerts_or_human(watch: Watch, watched_bot: RunningBot) -> None:
    """/alerts, /human and their buttons carry the person's ids like every update."""
    person = Person(CANARY_USER_ID, CANARY_FIRST_NAME, CANARY_USERNAME, language="en")
    chat = watched_bot.chat(person)
    for command in ("/alerts", f"/human {CANARY_TEXT}", f"/start alerts{CANARY_TEXT}"):
        await chat.send(command)
        await chat.reply()
    for data in ("h", "al", f"al:{CANARY_TEXT}"):
        await chat.press_data(data)
        await chat.reply()
    await watched_bot.stop()
    for record in watch.records():
        text = as_text(record)
        for canary in FORBIDDEN:
            assert canary not in text, f"{canary!r} logged by {record.name}: {text}"
    assert not any(canary in watch.output.getvalue() for canary in FORBIDDEN)
    assert watch.files() == []
