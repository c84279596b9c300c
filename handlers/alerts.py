"""Posting drug-supply alerts to the service's own Telegram channel (`alerts.channel`).

People follow the channel in Telegram to get each alert as it comes; the bot keeps no list of
anyone. The running bot posts an alert once, when its `published` time arrives while it runs:
only alerts published after the process started are posted, so a restart never posts one
again, and nothing needs to be stored to know that. An alert published while the bot was not
running is posted by hand with `hrbot alerts post ID`.

With several webhook replicas each would post the same alert, so by default only polling mode
(one process) posts; `alerts.auto_post: true` turns it on for the one replica that should.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
from collections.abc import AsyncIterator, Callable

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.constants import ParseMode
from telegram.error import TelegramError

from bot.config import Config
from bot.content.alerts import Alert
from bot.engine import Engine
from handlers.counters import Counters
from handlers.replies import NO_PREVIEW

log = logging.getLogger(__name__)

CHECK_SECONDS = 60.0  # how often the clock is looked at, at most, between published times


def posts_automatically(config: Config) -> bool:
    """Whether this process posts alerts by itself (see the module's docstring)."""
    settings = config.alerts
    if not settings.channel:
        return False
    if settings.auto_post is None:
        return config.telegram.mode == "polling"
    return settings.auto_post


async def post_alert(bot: Bot, engine: Engine, channel: str, alert: Alert) -> None:
    """One alert in the channel, as the bot shows it, with a button to open the bot."""
    language = engine.language(None)
    button = InlineKeyboardButton(
        language.messages.alerts.open_bot, url=f"https://t.me/{bot.username}?start=alerts"
    )
    await bot.send_message(
        channel,
        language.alerts.post(alert),
        parse_mode=ParseMode.HTML,
        link_preview_options=NO_PREVIEW,
        reply_markup=InlineKeyboardMarkup([[button]]),
    )


class AlertPoster:
    """Posts each alert published after `started` once, when its time comes."""

    def __init__(
        self,
        bot: Bot,
        engine: Engine,
        channel: str,
        counters: Counters,
        clock: Callable[[], dt.datetime] | None = None,
    ) -> None:
        self.bot = bot
        self.engine = engine
        self.channel = channel
        self.counters = counters
        self.clock = clock or engine.clock
        self.started = self.clock()
        self.posted: set[str] = set()  # alert ids (content, never anything about a person)
        self._wake = asyncio.Event()
        self._one_at_a_time = asyncio.Lock()
        self._stopping = False

    async def post_due(self) -> list[str]:
        """Post what is due and not posted yet; the ids posted now. A failed post is tried
        again at the next look (the request layer has already retried it)."""
        sent = []
        async with self._one_at_a_time:  # two looks at once would both post
            for alert in self.engine.library.alerts.due(self.started, self.clock()):
                if alert.id in self.posted:
                    continue
                try:
                    await post_alert(self.bot, self.engine, self.channel, alert)
                except TelegramError as exc:
                    self.counters.add("alert_posts_failed")
                    log.warning("alert %s could not be posted (%s)", alert.id, type(exc).__name__)
                    continue
                self.posted.add(alert.id)
                self.counters.add("alerts_posted")
                log.info("alert %s posted to the alerts channel", alert.id)
                sent.append(alert.id)
        return sent

    def wake(self) -> None:
        """Look at the clock now (tests move a frozen clock, then call this)."""
        self._wake.set()

    def stop(self) -> None:
        self._stopping = True
        self._wake.set()

    async def run(self) -> None:
        while not self._stopping:
            await self.post_due()
            self._wake.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self._seconds_to_next())

    def _seconds_to_next(self) -> float:
        now = self.clock()
        upcoming = self.engine.library.alerts.next_published(now)
        if upcoming is None:
            return CHECK_SECONDS
        return max(0.0, min(CHECK_SECONDS, (upcoming - now).total_seconds()))


def alert_poster(
    config: Config, engine: Engine, bot: Bot, counters: Counters
) -> AlertPoster | None:
    """The poster for this process, or None when it doesn't post by itself."""
    if not posts_automatically(config) or not config.alerts.channel:
        return None
    return AlertPoster(bot, engine, config.alerts.channel, counters)


@contextlib.asynccontextmanager
async def posting(poster: AlertPoster | None) -> AsyncIterator[None]:
    """Run `poster` (if any) alongside the bot; stop it when the bot stops."""
    if poster is None:
        yield
        return
    task = asyncio.create_task(poster.run())
    try:
        yield
    finally:
        poster.stop()
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.wait_for(task, 10)
