"""The few words only the Telegram bot needs: command descriptions and the group-chat pointer.

They are content (`content/<lang>/commands.yaml`, bot/content/commands.py), loaded with the
rest. A language without its own file borrows the default language's, then the bundled
English one: a missing translation must never stop the bot from starting.
"""

from __future__ import annotations

import logging

from bot.content.commands import FILE_NAME, CommandWords
from bot.content.files import read_model
from bot.content.layers import BUNDLED_CONTENT
from bot.content.problems import Problem
from bot.conversation.protocol import COMMANDS
from bot.engine import Engine

log = logging.getLogger(__name__)

Words = CommandWords


class WordsError(Exception):
    """No usable words at all, not even the bundled English ones."""


def load_words(engine: Engine) -> dict[str, Words]:
    """Words for each language, falling back to the default language, then bundled English."""
    languages = engine.library.languages
    fallback = languages[engine.default].commands if engine.default in languages else None
    if fallback is None:
        fallback = _bundled_english()
    if fallback is None:
        raise WordsError(f"no usable commands.yaml for {engine.default} or in the bundled content")
    words = {code: languages[code].commands or fallback for code in engine.languages}
    words.setdefault(engine.default, fallback)
    for code, found in words.items():
        missing = [name for name in COMMANDS if name not in found.commands]
        if missing:
            log.warning("%s/commands.yaml: no description for /%s", code, ", /".join(missing))
    return words


def _bundled_english() -> Words | None:
    """The bundled English commands.yaml, read on its own: the rest of the bundled library
    is not needed for a menu, and loading it all would slow every start without one."""
    problems: list[Problem] = []  # the bundled file is checked by its own tests
    return read_model(BUNDLED_CONTENT / "en" / FILE_NAME, CommandWords, problems)
