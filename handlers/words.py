"""The few words only the Telegram bot needs: command descriptions and the group-chat pointer.

They live in `content/<lang>/commands.yaml` next to the answers so translators find them. A
language without its own file borrows the default language's, then the bundled English one:
a missing translation must never stop the bot from starting.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from bot.config import BUNDLED_CONTENT
from bot.engine import COMMANDS

log = logging.getLogger(__name__)

WORDS_FILE = "commands.yaml"


class Words(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    commands: dict[str, str] = Field(min_length=1)
    group: str = Field(min_length=1, max_length=1000)
    open_private_chat: str = Field(min_length=1, max_length=64)

    def description(self, command: str) -> str:
        """Telegram wants 1–256 characters; the command's own name is the last resort."""
        text = self.commands.get(command, "").strip() or command
        return text[:256]


class WordsError(Exception):
    """No usable words at all, not even the bundled English ones."""


def load_words(content_dir: Path, languages: Iterable[str], default: str) -> dict[str, Words]:
    """Words for each language, falling back to the default language, then bundled English."""
    fallback = _read(content_dir / default / WORDS_FILE) or _read(
        BUNDLED_CONTENT / "en" / WORDS_FILE
    )
    if fallback is None:
        where = content_dir / default
        raise WordsError(f"no usable {WORDS_FILE} in {where} or in the bundled content")
    words = {code: _read(content_dir / code / WORDS_FILE) or fallback for code in languages}
    words.setdefault(default, fallback)
    for code, found in words.items():
        missing = [name for name in COMMANDS if name not in found.commands]
        if missing:
            log.warning("%s/%s: no description for /%s", code, WORDS_FILE, ", /".join(missing))
    return words


def _read(path: Path) -> Words | None:
    if not path.exists():
        return None
    try:
        return Words.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))
    except ValidationError as exc:
        first = exc.errors()[0]
        problem = f"{'.'.join(str(part) for part in first['loc'])}: {first['msg']}"
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        problem = type(exc).__name__
    log.warning("%s cannot be used (%s); another language's words are used", path, problem)
    return None
