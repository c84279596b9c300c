"""Drug-supply alerts and /human end to end over real HTTP, against the fake Bot API.

The bot runs on the minimal test content with one alert and the service's people, its clock
frozen (Friday noon, London) and moved by hand: /alerts lists the alert, /start and the drug
card carry its banner until it expires, /human says who answers now. Posting to the alerts
channel happens once, when an alert's published time comes while the bot runs, and never
again after a restart; `hrbot alerts post ID` posts one by hand.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from pathlib import Path

import pytest
from alerts_data import FRIDAY_NOON, OUTREACH, alert_text, content_with, engine_at, people_text
from fake_bot_api import BOT_USERNAME, FakeBotApi
from telegram import Bot
from telegram_harness import TOKEN, Person, RunningBot

from bot.config import Alerts, Config, Telegram
from bot.engine import Engine
from handlers.alerts import AlertPoster, alert_poster, posting
from handlers.app import post_alert_now
from handlers.counters import Counters
from handlers.words import Words, load_words

pytest_plugins = ["telegram_fixtures"]

robin = Person(user_id=515151, first_name="Robin", username="robin_example")
CHANNEL = "-1001234567890"
LIVE = alert_text(title="Strong fentanyl in heroin", published="2026-11-20 09:00")
SOON = alert_text(title="Pills with nitazenes", published="2026-11-27 13:00")  # in an hour


class Clock:
    def __init__(self, now: dt.datetime) -> None:
        self.now = now

    def __call__(self) -> dt.datetime:
        return self.now


@pytest.fixture(scope="module")
def clock() -> Clock:
    return Clock(FRIDAY_NOON)


@pytest.fixture(scope="module")
def bundled_engine(tmp_path_factory: pytest.TempPathFactory, clock: Clock) -> Engine:
    """Stands in for the bundled engine in this module's bots."""
    root = tmp_path_factory.mktemp("telegram-alerts")
    tree = content_with(root, {"live.md": LIVE, "soon.md": SOON}, people_text([OUTREACH]))
    return engine_at(tree, clock)


@pytest.fixture(scope="module")
def bot_words(bundled_engine: Engine) -> dict[str, Words]:
    return load_words(bundled_engine)


@pytest.fixture(autouse=True)
def friday_noon(clock: Clock) -> None:
    """Every test starts at Friday noon, whatever the one before did to the clock."""
    clock.now = FRIDAY_NOON


@pytest.fixture(params=["polling", "webhook"])
def running_bot(request: pytest.FixtureRequest) -> RunningBot:
    bot: RunningBot = request.getfixturevalue(f"{request.param}_bot")
    return bot


async def test_alerts_banners_and_human(running_bot: RunningBot, clock: Clock) -> None:
    chat = running_bot.chat(robin)
    await chat.send("/start")
    start = await chat.reply()
    assert start.text.startswith("<b>⛔ Danger: Strong fentanyl in heroin</b>")
    assert start.button_data[0] == "al:live"
    await chat.press_data("al:live", start.result["message_id"])
    one = await chat.reply()
    assert "Several overdoses this week" in one.text and "a:fentanyl" in one.button_data

    await chat.send("/alerts")
    listing = await chat.reply()
    assert "Strong fentanyl in heroin" in listing.text and "nitazenes" not in listing.text
    await chat.send("what is fentanyl")
    card = await chat.reply()
    assert "Strong fentanyl in heroin" in card.text.split("\n")[0]

    await chat.send("/human")
    human = await chat.reply()
    assert "Outreach team" in human.text and "open now · closes 17:00" in human.text
    await chat.send("zzz qqq vvv")  # no answer: a person is one tap away
    nothing = await chat.reply()
    assert "h" in nothing.button_data
    await chat.press_data("h", nothing.result["message_id"])
    assert "Outreach team" in (await chat.reply()).text

    clock.now = dt.datetime(2026, 12, 4, tzinfo=dt.UTC)  # both alerts expired, nobody at work
    await chat.send("/start")
    assert "Danger" not in (await chat.reply()).text
    await chat.send("/human")
    closed = await chat.reply()
    assert "Nobody from Test Service is answering" in closed.text and "116 123" in closed.text
    assert set(chat.statuses) == {200} and running_bot.counters["errors"] == 0


async def test_the_channel_gets_each_alert_once_when_it_is_published(
    polling_bot: RunningBot, bundled_engine: Engine, clock: Clock
) -> None:
    api = polling_bot.api
    poster = AlertPoster(polling_bot.application.bot, bundled_engine, CHANNEL, Counters(), clock)
    assert poster.started == FRIDAY_NOON  # `live` was published before: never posted by itself
    async with posting(poster):
        clock.now = FRIDAY_NOON + dt.timedelta(hours=2)  # `soon` is published at 13:00
        poster.wake()
        await api.until(lambda: bool(api.answered("sendMessage", int(CHANNEL))))
        assert await poster.post_due() == []  # once
    [post] = api.answered("sendMessage", int(CHANNEL))
    assert "Pills with nitazenes" in post.text and "Strong fentanyl" not in post.text
    assert post.buttons == [
        {"text": "💬 Ask the bot", "url": f"https://t.me/{BOT_USERNAME}?start=alerts"}
    ]
    restarted = AlertPoster(polling_bot.application.bot, bundled_engine, CHANNEL, Counters(), clock)
    assert await restarted.post_due() == []  # a restart posts nothing again
    assert len(api.answered("sendMessage", int(CHANNEL))) == 1


def test_only_one_process_posts_by_default(bundled_engine: Engine) -> None:
    def poster(telegram: Telegram, auto_post: bool | None = None) -> AlertPoster | None:
        config = Config(alerts=Alerts(channel=CHANNEL, auto_post=auto_post), telegram=telegram)
        return alert_poster(config, bundled_engine, Bot(TOKEN), Counters())

    webhook = Telegram(mode="webhook", webhook_url="https://bot.example.org/telegram")
    assert poster(Telegram(mode="polling")) is not None
    assert poster(webhook) is None  # every replica would post it
    assert poster(webhook, auto_post=True) is not None  # the one replica told to
    assert poster(Telegram(mode="polling"), auto_post=False) is None
    assert alert_poster(Config(), bundled_engine, Bot(TOKEN), Counters()) is None  # no channel


async def test_hrbot_alerts_post_posts_a_live_alert_by_hand(
    fake_api: FakeBotApi, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HRBOT_TELEGRAM_TOKEN", TOKEN)
    tree = content_with(tmp_path, {"now.md": alert_text(expires="2099-01-01")})
    config = Config(
        content_dir=tree,
        country="GB",
        alerts=Alerts(channel=CHANNEL),
        telegram=Telegram(base_url=fake_api.base_url),
    )
    assert await asyncio.to_thread(post_alert_now, config, "now") == 0
    [post] = fake_api.answered("sendMessage", int(CHANNEL))
    assert "Strong fentanyl in heroin" in post.text
    assert await asyncio.to_thread(post_alert_now, config, "no-such-alert") == 2
    assert len(fake_api.answered("sendMessage")) == 1
