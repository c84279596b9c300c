"""Groups: the bot answers nothing there, it only points to a private chat.

A question asked in a group is seen by everyone in it, and an answer would tell them what the
person asked about. So free text in groups is never answered, and a command addressed to this
bot gets one line and a button that opens a private chat (with the answer already open for
`/emergency` and for `/start <answer-id>`).
"""

from __future__ import annotations

import re

from telegram import Update

from bot.conversation.protocol import COMMANDS
from bot.engine import Engine
from handlers.commands import parse_command
from handlers.counters import Counters
from handlers.ptb import Context
from handlers.replies import send_link
from handlers.words import Words

# What Telegram accepts after ?start= in a deep link.
_START_PARAMETER = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


class GroupChat:
    """The one handler for groups: commands addressed to this bot."""

    def __init__(self, engine: Engine, words: dict[str, Words], counters: Counters) -> None:
        self.engine = engine
        self.words = words
        self.counters = counters

    async def command(self, update: Update, context: Context) -> None:
        message = update.message
        username = context.bot.username
        if message is None or not message.text or not username:
            return
        parsed = parse_command(message.text, username)
        if parsed is None or parsed[0] not in COMMANDS:
            return  # another bot's command
        self.counters.add("updates")
        name, argument = parsed
        user = update.effective_user
        language = self.engine.language(user.language_code if user else None)
        words = self.words.get(language.code) or next(iter(self.words.values()))
        url = f"https://t.me/{username}"
        opens = self.opens(name, argument)
        if opens:
            url += f"?start={opens}"
        self.counters.add("group_pointers")
        await send_link(
            context.bot,
            message.chat.id,
            words.group,
            words.open_private_chat,
            url,
            self.counters,
            thread_id=message.message_thread_id if message.is_topic_message else None,
        )

    def opens(self, name: str, argument: str) -> str | None:
        """The answer the private chat should open with, if the command asked for one."""
        language = self.engine.language(None)
        if name == "emergency":
            entry_id = language.rules.overdose_card
        elif name == "start" and argument:
            entry_id = argument
        else:
            return None
        if entry_id in language.entries and _START_PARAMETER.match(entry_id):
            return entry_id
        return None
