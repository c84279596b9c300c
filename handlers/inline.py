"""Inline mode: `@bot naloxone` in any chat lists answers; choosing one posts its card there.

The person picks a friend's chat, types the bot's name and a few words, and Telegram shows the
list this answers with. The posted card is the answer as the bot shows it, with an "Open the
bot" button that opens a private chat on that answer (its /start deep link), so the friend can
ask more without anyone in the chat seeing what. The words typed and who typed them are used
for this one answer: never logged, counted or kept (the count is of queries, nothing else).
Telegram only sends inline queries once inline mode is switched on with @BotFather
(`/setinline`); `note_inline_mode` says so in the log at start-up when it is off.
"""

from __future__ import annotations

import logging
import time

from telegram import (
    Bot,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InlineQueryResultArticle,
    InlineQueryResultsButton,
    InputTextMessageContent,
    Update,
)
from telegram.constants import ParseMode
from telegram.error import TelegramError

from bot.content.messages import SharingWords
from bot.conversation.sharing import MAX_START_PARAMETER, Shared, deep_link
from bot.engine import Engine
from handlers.counters import Counters
from handlers.ptb import Context
from handlers.replies import NO_PREVIEW, messages, username_of

log = logging.getLogger(__name__)

# Seconds Telegram may reuse a list for the same person and words: short, so an answer staff
# change shows within a minute, and personal, as the list follows the person's app language.
CACHE_SECONDS = 30
# The deep-link parameter of the button above the list: /start with it is the greeting.
START_PARAMETER = "inline"


class InlineAnswers:
    """The inline query handler, sharing the engine and counters with the chat handlers."""

    def __init__(self, engine: Engine, counters: Counters) -> None:
        self.engine = engine
        self.counters = counters

    async def answer(self, update: Update, context: Context) -> None:
        query = update.inline_query
        if query is None:
            return
        started = time.perf_counter()
        self.counters.add("updates")
        language = query.from_user.language_code
        username = username_of(context.bot)
        if username is None:
            return  # not started yet: no link could be made
        words = self.engine.language(language).messages.sharing
        found = self.engine.inline(query.query, language)
        results = [result(shared, username, words) for shared in found if fits(shared)]
        button = InlineQueryResultsButton(words.ask_privately, start_parameter=START_PARAMETER)
        try:
            await query.answer(results, cache_time=CACHE_SECONDS, is_personal=True, button=button)
        except TelegramError as exc:
            self.counters.add("replies_failed")
            log.warning("an inline query could not be answered (%s)", type(exc).__name__)
            return
        self.counters.add("inline_queries")
        self.counters.replied_in(time.perf_counter() - started)


def fits(shared: Shared) -> bool:
    """Whether the answer id can be a result id and a deep-link parameter (64 characters)."""
    return len(shared.entry_id) <= MAX_START_PARAMETER


def result(shared: Shared, bot_username: str, words: SharingWords) -> InlineQueryResultArticle:
    """One answer in the list: its title and summary, the card it posts, the link back."""
    title = f"🆘 {shared.title}" if shared.emergency else shared.title
    open_bot = InlineKeyboardButton(words.open_bot, url=deep_link(bot_username, shared.entry_id))
    return InlineQueryResultArticle(
        id=shared.entry_id,
        title=title,
        description=shared.description,
        input_message_content=InputTextMessageContent(
            messages(shared.html)[0],  # a card longer than one message posts its first part
            parse_mode=ParseMode.HTML,
            link_preview_options=NO_PREVIEW,
        ),
        reply_markup=InlineKeyboardMarkup([[open_bot]]),
    )


def note_inline_mode(bot: Bot) -> None:
    """Say in the log, once at start-up, when inline mode is off for this bot."""
    try:
        on = bool(bot.supports_inline_queries)
    except RuntimeError:
        return
    if not on:
        log.warning(
            "inline mode is off for this bot, so sharing answers with @%s in other chats "
            "does not work: send /setinline to @BotFather to switch it on",
            username_of(bot) or "the bot",
        )
