"""The files the emergency card depends on, and the bundled copy used when one is broken.

Most broken files are left out and the bot answers from the rest. A few can't be left out
without hiding the emergency card or silencing the bot: a language's emergency phrases
(emergency.yaml) and words (messages.yaml), the overdose and crisis cards, the emergency
numbers and the reply templates. When one of these in the content tree or the service's own
folder is broken or missing, the bot uses the copy that ships with the package instead (CI
checks that copy in every release), says so loudly in the log and on /healthz, and keeps
answering. `hrbot check` still fails until the file is fixed.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from bot.content.layers import BUNDLED_CONTENT


@dataclass(frozen=True)
class Fallback:
    """A safety file that could not be used, and the bundled copy used in its place."""

    broken: Path
    used: Path
    reason: str

    def __str__(self) -> str:
        return f"{self.broken}: {self.reason}; the bundled {self.used} is used until it is fixed"


def bundled_copy(relative: str, broken: Path) -> Path | None:
    """The bundled file at `relative`, unless it is missing or is the broken file itself."""
    copy = BUNDLED_CONTENT / relative
    if not copy.is_file():
        return None
    if broken.exists() and broken.resolve() == copy.resolve():
        return None  # the bundled file itself is broken: CI stops that from being released
    return copy
