"""The test client's three words — `say`, `press(label)`, `reply` — over Telegram.

bot/tools/client.py speaks them over the engine; these speak them over the fast layer (a fake
request object, no sockets) and over the running bot (real HTTP to the fake Bot API), so the
conversation files in tests/conversations/ run at every layer.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from telegram_harness import Chat, FastBot, Person

from bot.conversation.sharing import is_feedback
from bot.tools.client import Conversation, Shown


def shown(params: dict[str, Any]) -> Shown:
    """A sent message as the person sees it: its text and its inline buttons."""
    markup = params.get("reply_markup") or {}
    buttons = tuple(
        (str(b["text"]), str(b.get("callback_data", "")))
        for row in markup.get("inline_keyboard", [])
        for b in row
    )
    return Shown(str(params.get("text") or params.get("caption") or ""), buttons)


def noticed(calls: list[tuple[str, dict[str, Any]]]) -> Shown:
    """A 👍 / 👎 press as the person sees it: the thanks over the chat (the button's answer),
    and the message's keyboard after the edit that took those two buttons off."""
    notice = next(
        p["text"] for m, p in reversed(calls) if m == "answerCallbackQuery" and "text" in p
    )
    edit = next(p for m, p in reversed(calls) if m == "editMessageReplyMarkup")
    return shown({**edit, "text": notice})


@dataclass
class FastChat:
    """One person talking to the fast layer."""

    bot: FastBot
    person: Person
    last: Shown | None = None
    message_id: int = field(default=1)

    @property
    def reply(self) -> Shown:
        assert self.last is not None, "the bot has not replied"
        return self.last

    async def say(self, text: str) -> Shown:
        return await self._answer(self.person.message(text))

    async def press(self, label: str) -> Shown:
        data = self.reply.data_of(label)
        if not is_feedback(data):
            return await self._answer(self.person.callback(data, self.message_id))
        before = len(self.bot.request.calls)
        await self.bot.handle(self.person.callback(data, self.message_id))
        self.last = noticed(self.bot.request.calls[before:])
        return self.last

    async def _answer(self, update: dict[str, Any]) -> Shown:
        sent = await self.bot.handle(update)
        assert sent, "the bot sent nothing"
        self.last = shown(sent[0])
        return self.last


@dataclass
class LiveChat:
    """One person talking to the running bot over HTTP (polling or webhook)."""

    chat: Chat
    last: Shown | None = None

    @property
    def reply(self) -> Shown:
        assert self.last is not None, "the bot has not replied"
        return self.last

    async def say(self, text: str) -> Shown:
        await self.chat.send(text)
        return await self._next()

    async def press(self, label: str) -> Shown:
        data = self.reply.data_of(label)
        if not is_feedback(data):
            await self.chat.press_data(data)
            return await self._next()
        api, chat_id = self.chat.bot.api, self.chat.chat_id
        edits = len(api.answered("editMessageReplyMarkup", chat_id))
        await self.chat.press_data(data)
        await api.until(lambda: len(api.answered("editMessageReplyMarkup", chat_id)) > edits)
        calls = [(call.method, call.params) for call in api.answered()]
        self.last = noticed(calls)
        return self.last

    async def _next(self) -> Shown:
        call = await self.chat.reply()
        self.last = shown(call.params)
        return self.last


async def run_async(client: FastChat | LiveChat, conversation: Conversation) -> list[str]:
    """As bot.tools.client.run_conversation, for the Telegram layers."""
    problems = []
    for number, step in enumerate(conversation.steps, start=1):
        if step.say is not None:
            await client.say(step.say)
        else:
            assert step.press is not None
            await client.press(step.press)
        problems += step.report(number, client.reply)
    return problems
