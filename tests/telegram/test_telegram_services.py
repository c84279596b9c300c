"""The services finder end to end over real HTTP, against the fake Bot API, in both modes.

The bot runs on a copy of the bundled content whose directory is a test one (built in a temp
folder), with the clock frozen at Friday noon in London. A shared location must be answered
and then be nowhere: not in a log record at DEBUG, not in a file, not in a button.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fake_bot_api import Call
from services_data import DIRECTORY, engine_for
from telegram_harness import Person, RunningBot

from bot.engine import Engine
from handlers.logging import setup_logging
from handlers.words import Words, load_words

# The fixtures (polling_bot, webhook_bot …); see telegram_fixtures.py for why.
pytest_plugins = ["telegram_fixtures"]

kim = Person(user_id=424242, first_name="Kim", username="kim_example")
# A shared location: a point near the test services, with digits that appear nowhere else.
PLACE = {"latitude": 51.5072913, "longitude": -0.1276387}
PLACE_TEXTS = ("51.5072913", "-0.1276387", "51.50729", "-0.12763", "0.1276387")
LIBRARY_LOGGERS = ("telegram", "httpx", "uvicorn")


@pytest.fixture(scope="module")
def bundled_engine(tmp_path_factory: pytest.TempPathFactory) -> Engine:
    """Stands in for the bundled engine in this module's bots: the test directory, GB."""
    return engine_for(tmp_path_factory.mktemp("telegram-services"), DIRECTORY)


@pytest.fixture(scope="module")
def bot_words(bundled_engine: Engine) -> dict[str, Words]:
    return load_words(bundled_engine)


@pytest.fixture(params=["polling", "webhook"])
def running_bot(request: pytest.FixtureRequest) -> RunningBot:
    bot: RunningBot = request.getfixturevalue(f"{request.param}_bot")
    return bot


def location_keyboard(call: Call) -> list[dict[str, Any]]:
    markup = call.params.get("reply_markup") or {}
    return [button for row in markup.get("keyboard", []) for button in row]


async def test_services_type_area_results_and_more(running_bot: RunningBot) -> None:
    chat = running_bot.chat(kim)
    await chat.send("/services")
    menu = await chat.reply()
    assert "s:syringe-services" in menu.button_data and "s:drug-checking" in menu.button_data
    offer = await chat.reply()  # the one-time "send my location" keyboard, a message of its own
    assert location_keyboard(offer) == [{"text": "📍 Send my location", "request_location": True}]
    assert offer.params["reply_markup"]["one_time_keyboard"] is True
    assert offer.params["reply_markup"]["resize_keyboard"] is True

    await chat.press_data("s:syringe-services", menu.result["message_id"])
    kind = await chat.reply()
    assert kind.button_data[:2] == ["s:syringe-services:camden", "s:syringe-services:hackney"]
    assert "a:new-equipment" in kind.button_data
    assert location_keyboard(await chat.reply())

    await chat.press_data("s:syringe-services:camden")
    first = await chat.reply()
    assert "(1–5 of 8)" in first.text and first.text.count("open now · closes 17:00") == 5
    assert "Secret Place" not in first.text
    assert "s:syringe-services:camden:1" in first.button_data
    await chat.press_data("s:syringe-services:camden:1")
    more = await chat.reply()
    assert "(6–8 of 8)" in more.text and "closed · opens Sat 10:00" in more.text
    assert all(len(data.encode()) <= 64 for data in first.button_data + more.button_data)
    assert len(running_bot.api.answered("answerCallbackQuery")) == 3
    assert set(chat.statuses) == {200}
    assert running_bot.counters["replies_failed"] == 0 and running_bot.counters["errors"] == 0


async def test_typed_place_questions_reach_the_finder(
    running_bot: RunningBot, bundled_engine: Engine
) -> None:
    chat = running_bot.chat(kim)
    await chat.send("needle exchange near me")
    needles = await chat.reply()
    assert needles.button_data[:2] == ["s:syringe-services:camden", "s:syringe-services:hackney"]
    assert location_keyboard(await chat.reply())
    await chat.send("methadone clinic")
    honest = await chat.reply()
    assert "have any local services listed for this yet" in honest.text
    assert "FRANK" in honest.text and "Samaritans" not in honest.text  # lines for this need
    assert "a:treatment-options" in honest.button_data
    await chat.send("my mate wont wake up where can i get narcan")
    card = await chat.reply()  # the emergency card comes first, whatever else was asked
    assert card.text == bundled_engine.language("en").answer("overdose-now").html


async def test_a_shared_location_gets_the_nearest_and_is_dropped(
    running_bot: RunningBot, bundled_engine: Engine
) -> None:
    chat = running_bot.chat(kim)
    await chat.send_location(**PLACE)
    nearest = await chat.reply()
    assert "Nearest to you" in nearest.text and "kept nothing" in nearest.text
    assert "<b>Camden 00</b>" in nearest.text and "0.7 mi" in nearest.text
    assert "s:drug-checking:camden" in nearest.button_data
    assert running_bot.counters["locations"] == 1
    sent = [call.params for call in running_bot.api.calls()]
    for text in PLACE_TEXTS:
        assert text not in repr(sent), "the location came back in something the bot sent"
    for part in (bundled_engine, *bundled_engine.languages.values()):
        assert PLACE["latitude"] not in vars(part).values()


@pytest.fixture
def watch(
    caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> Iterator[tuple[Path, io.StringIO, list[logging.LogRecord]]]:
    """DEBUG everywhere (the libraries too), every record kept, an empty working folder."""
    monkeypatch.chdir(tmp_path)
    output = io.StringIO()
    setup_logging("DEBUG", stream=output)
    caplog.set_level(logging.DEBUG)
    kept: list[logging.LogRecord] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            kept.append(record)

    keep = Keep(logging.DEBUG)
    for name in LIBRARY_LOGGERS:
        logger = logging.getLogger(name)
        logger.addHandler(keep)
        monkeypatch.setattr(logger, "level", logging.DEBUG)
    yield tmp_path, output, kept
    for name in LIBRARY_LOGGERS:
        logging.getLogger(name).removeHandler(keep)


@pytest.fixture(params=["polling", "webhook"])
def watched_bot(
    watch: tuple[Path, io.StringIO, list[logging.LogRecord]], request: pytest.FixtureRequest
) -> RunningBot:
    bot: RunningBot = request.getfixturevalue(f"{request.param}_bot")
    return bot


async def test_location_canary_in_no_log_record_and_no_file(
    watch: tuple[Path, io.StringIO, list[logging.LogRecord]],
    watched_bot: RunningBot,
    caplog: pytest.LogCaptureFixture,
) -> None:
    folder, output, kept = watch
    chat = watched_bot.chat(kim)
    await chat.send("/services")
    await chat.reply()
    await chat.reply()
    await chat.send_location(**PLACE)
    assert "Nearest to you" in (await chat.reply()).text
    watched_bot.api.fail("sendMessage", status=500)  # a retry must not log it either
    await chat.send_location(**PLACE)
    await chat.reply()
    await watched_bot.stop()

    records = caplog.records + kept
    assert any(r.name.startswith("telegram") and r.levelno == logging.DEBUG for r in records)
    formatter = logging.Formatter("%(name)s %(levelname)s %(message)s")
    for record in records:
        text = "\n".join([formatter.format(record), repr(record.args), str(record.msg)])
        for canary in PLACE_TEXTS:
            assert canary not in text, f"{canary} logged by {record.name}: {text}"
    for canary in PLACE_TEXTS:
        assert canary not in output.getvalue()
    assert [path for path in folder.rglob("*") if path.is_file()] == []
