"""👍 / 👎 under an answer: counted by answer id, thanked, and the two buttons taken away.

A press carries the answer id and the vote in its data (`f:<id>:+`), so nothing is looked up
or kept. The count is by answer id only (handlers/counters.py): not who pressed, not when, not
in which chat. The thanks shows over the chat for a moment (the button's answer) rather than
as a new message, and the message keeps every other button: only 👍 and 👎 go, so one press
is all a person is asked for.
"""

from __future__ import annotations

import logging
import time
from dataclasses import replace

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.error import BadRequest, TelegramError

from bot.conversation.reply import Event, EventKind
from bot.conversation.sharing import without_feedback
from bot.engine import Engine
from handlers.counters import Counters
from handlers.ptb import Context
from handlers.replies import answer_query, keyboard, username_of

log = logging.getLogger(__name__)


class FeedbackPresses:
    """The handler for 👍 / 👎 presses (callback data `f:…`)."""

    def __init__(self, engine: Engine, counters: Counters) -> None:
        self.engine = engine
        self.counters = counters

    async def press(self, update: Update, context: Context) -> None:
        query = update.callback_query
        if query is None or query.data is None:
            return
        started = time.perf_counter()
        self.counters.add("updates")
        language = query.from_user.language_code
        event = Event(EventKind.BUTTON, query.data, language=language)
        reply = self.engine.handle(event)
        self.counters.count_reply(event, reply)
        await answer_query(query, self.counters, reply.notice)
        message = query.message
        if not isinstance(message, Message):
            return  # too old to reach: the thanks was shown, there is nothing to edit
        markup = self._remaining(message, reply.vote, language, context.bot)
        if await self._edit(context.bot, message, markup):
            self.counters.replied_in(time.perf_counter() - started)

    def _remaining(
        self, message: Message, vote: tuple[str, str] | None, language: str | None, bot: Bot
    ) -> InlineKeyboardMarkup | None:
        """The message's keyboard without 👍 / 👎. Telegram sends the keyboard with the press;
        should it not, the answer's own keyboard stands in (rebuilt, nothing was kept)."""
        if message.reply_markup is not None:
            rows = without_feedback(message.reply_markup.inline_keyboard, _callback_data)
            return InlineKeyboardMarkup(rows) if rows else None
        engine = self.engine.language(language)
        if vote is None or vote[0] not in engine.entries:
            return None
        answer = engine.answer(vote[0])
        kept = replace(answer, buttons=without_feedback(answer.buttons, lambda b: b.data))
        return keyboard(kept, username_of(bot))

    async def _edit(self, bot: Bot, message: Message, markup: InlineKeyboardMarkup | None) -> bool:
        try:
            await bot.edit_message_reply_markup(
                chat_id=message.chat.id, message_id=message.message_id, reply_markup=markup
            )
        except BadRequest as exc:
            if "not modified" in str(exc).lower():
                return True  # pressed twice: the buttons are gone already
            log.warning("the feedback buttons could not be taken away (BadRequest)")
            return False
        except TelegramError as exc:
            self.counters.add("replies_failed")
            log.warning("the feedback buttons could not be taken away (%s)", type(exc).__name__)
            return False
        self.counters.add("replies_sent")
        return True


def _callback_data(button: InlineKeyboardButton) -> str | None:
    data = button.callback_data
    return data if isinstance(data, str) else None
