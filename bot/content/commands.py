"""The words of Telegram's command menu and group-chat pointer (`content/<lang>/commands.yaml`).

They live next to the answers so translators find them. Only the Telegram adapter shows them,
but they are content like the rest, so they are validated and layered the same way.
"""

from __future__ import annotations

from pydantic import Field

from bot.content.kit import Strict

FILE_NAME = "commands.yaml"


class CommandWords(Strict):
    commands: dict[str, str] = Field(min_length=1)
    group: str = Field(min_length=1, max_length=1000)
    open_private_chat: str = Field(min_length=1, max_length=64)

    def description(self, command: str) -> str:
        """Telegram wants 1–256 characters; the command's own name is the last resort."""
        text = self.commands.get(command, "").strip() or command
        return text[:256]
