"""The bot's commands: reading one from a message, and the command menu Telegram shows.

Commands are parsed here rather than by `CommandHandler` so that an unknown command in a
private chat still gets the help text (from the engine) instead of silence, and so that a
command addressed to another bot in a group (`/help@otherbot`) is left alone.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping

from telegram import Bot, BotCommand
from telegram.error import TelegramError

from bot.conversation.protocol import COMMANDS
from handlers.words import Words

log = logging.getLogger(__name__)


def parse_command(text: str, bot_username: str | None) -> tuple[str, str] | None:
    """`("start", "naloxone-how")` from "/start@this_bot naloxone-how".

    None when the command is addressed to another bot.
    """
    head, _, argument = text.strip().partition(" ")
    name, _, addressee = head.lstrip("/").partition("@")
    if addressee and (bot_username is None or addressee.casefold() != bot_username.casefold()):
        return None
    return name.casefold(), argument.strip()


def bot_commands(words: Words) -> list[BotCommand]:
    return [BotCommand(name, words.description(name)) for name in COMMANDS]


async def register_commands(bot: Bot, words: Mapping[str, Words], default: str) -> None:
    """setMyCommands for every language, and once without one for everybody else.

    Run at every start-up (it is idempotent), so a new translation shows without a deploy step.
    A failure is logged and the bot starts anyway: the menu is a convenience, answers are not.
    """
    try:
        for code, language_words in words.items():
            await bot.set_my_commands(bot_commands(language_words), language_code=code)
        await bot.set_my_commands(bot_commands(words[default]))
    except TelegramError as exc:
        log.warning("the command menu could not be set (%s)", type(exc).__name__)
