"""What happens in a private chat: every update becomes one engine `Event`, its `Reply` is shown.

Nothing is remembered between updates. The person's app language travels with each event,
buttons carry all they need in their callback data, and no `context.user_data` or
`context.chat_data` is ever touched (reading them would create a per-person entry).
"""

from __future__ import annotations

import contextlib
import time

from telegram import Bot, Message, Update
from telegram.constants import ChatType

from bot.conversation.reply import Event, EventKind, Reply
from bot.engine import Engine
from handlers.chat_actions import deliver
from handlers.commands import parse_command
from handlers.counters import Counters
from handlers.ptb import Context
from handlers.replies import answer_query, edit_reply, send_reply


def is_navigation(data: str) -> bool:
    """Topic-menu buttons ("t", "t:<area>") edit the menu in place instead of adding messages."""
    return data == "t" or data.startswith("t:")


class PrivateChat:
    """The handlers for private chats, sharing one engine and one set of counters."""

    def __init__(self, engine: Engine, counters: Counters) -> None:
        self.engine = engine
        self.counters = counters

    async def command(self, update: Update, context: Context) -> None:
        message = update.message
        if message is None or not message.text:
            return
        parsed = parse_command(message.text, context.bot.username)
        if parsed is None:
            return
        name, argument = parsed
        event = Event(
            EventKind.COMMAND, name, argument, _language(update), message_id=message.message_id
        )
        await self._answer(message, event)

    async def text(self, update: Update, context: Context) -> None:
        message = update.message
        if message is None or not message.text:
            return
        await self._answer(message, Event(EventKind.TEXT, message.text, language=_language(update)))

    async def not_text(self, update: Update, context: Context) -> None:
        """Voice notes, photos, stickers …: a kind "I read text only", the menu, the 🆘 button."""
        message = update.message
        if message is None:
            return
        await self._answer(message, Event(EventKind.OTHER, language=_language(update)))

    async def location(self, update: Update, context: Context) -> None:
        """A shared location: the nearest services. The point is used for this reply only."""
        message = update.message
        if message is None or message.location is None:
            return
        event = Event(
            EventKind.LOCATION,
            language=_language(update),
            latitude=message.location.latitude,
            longitude=message.location.longitude,
        )
        await self._answer(message, event)

    async def button(self, update: Update, context: Context) -> None:
        query = update.callback_query
        if query is None:
            return
        started = time.perf_counter()
        self.counters.add("updates")
        await answer_query(query, self.counters)  # always, so the button stops spinning
        message = query.message
        if query.data is None or message is None or message.chat.type != ChatType.PRIVATE:
            return
        event = Event(
            EventKind.BUTTON,
            query.data,
            language=query.from_user.language_code,
            message_id=message.message_id,  # for /forget's range, pinning: this reply only
        )
        reply = await self._reply_to(event, context.bot, message.chat.id)
        if is_navigation(query.data) and isinstance(message, Message):
            sent = await edit_reply(context.bot, message, reply, self.counters)
        else:
            sent = await deliver(context.bot, message.chat.id, reply, self.counters)
        if sent:
            self.counters.replied_in(time.perf_counter() - started)

    async def _answer(self, message: Message, event: Event) -> None:
        started = time.perf_counter()
        self.counters.add("updates")
        reply = await self._reply_to(event, message.get_bot(), message.chat.id)
        if await deliver(message.get_bot(), message.chat.id, reply, self.counters):
            self.counters.replied_in(time.perf_counter() - started)

    async def _reply_to(self, event: Event, bot: Bot, chat_id: int) -> Reply:
        """The engine's reply. Should the engine fail, the person still gets the topic menu
        (with the 🆘 button) instead of silence; the error then goes on to the error handler."""
        try:
            reply = self.engine.handle(event)
        except Exception:
            with contextlib.suppress(Exception):  # best effort; the engine's error goes on
                menu = self.engine.language(event.language).menu()
                await send_reply(bot, chat_id, menu, self.counters)
            raise
        self.counters.count_reply(event, reply, self.engine.language(event.language).entries)
        return reply


def _language(update: Update) -> str | None:
    user = update.effective_user
    return user.language_code if user else None
