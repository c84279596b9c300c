"""Links that pass an answer on, and taking the feedback buttons off an answer.

An answer is passed on as a link to the bot that opens it: `https://t.me/<bot>?start=<id>`
(/start with an answer id shows that answer). The core doesn't know the bot's username, so
it marks a share button (`share:<id>`, bot/conversation/protocol.py) and whoever shows the
reply fills the username in here: Telegram from its own bot, `hrbot chat` with a stand-in.
Nothing here knows who shares; the links carry the answer id only.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TypeVar
from urllib.parse import quote, urlencode

from bot.conversation import protocol as p

# Telegram's deep-link parameter (and so an answer id in a link) is at most 64 characters.
MAX_START_PARAMETER = 64


def deep_link(bot_username: str, entry_id: str) -> str:
    """The link that opens a private chat with the bot on that answer."""
    return f"https://t.me/{bot_username}?start={quote(entry_id, safe='')}"


def share_url(bot_username: str, entry_id: str, text: str) -> str:
    """Telegram's share sheet (pick a chat, send) with the answer's deep link and `text`."""
    query = urlencode({"url": deep_link(bot_username, entry_id), "text": text}, quote_via=quote)
    return f"https://t.me/share/url?{query}"


def shared_answer(button_data: str) -> str | None:
    """The answer id a share button shares; None for any other button."""
    kind, value = p.parse(button_data)
    return value if kind == p.SHARE and value else None


def is_feedback(button_data: str) -> bool:
    return p.parse(button_data)[0] == p.FEEDBACK


def vote_of(button_data: str) -> tuple[str, str] | None:
    """(answer id, "up"/"down") of feedback data `f:<id>:+`; None when it is not one."""
    kind, rest = p.parse(button_data)
    entry_id, _, sign = rest.rpartition(":")
    if kind != p.FEEDBACK or not entry_id or sign not in p.VOTES:
        return None
    return entry_id, p.VOTES[sign]


_Button = TypeVar("_Button")


def without_feedback(
    rows: Sequence[Sequence[_Button]], data_of: Callable[[_Button], str | None]
) -> tuple[tuple[_Button, ...], ...]:
    """The rows with the 👍 / 👎 buttons taken out and rows left empty dropped; every other
    button stays where it was. `data_of` reads a button's callback data (None: a link)."""
    kept = (tuple(b for b in row if not is_feedback(data_of(b) or "")) for row in rows)
    return tuple(row for row in kept if row)


@dataclass(frozen=True)
class Shared:
    """One answer as inline mode lists it: the title and a line under it in the list, and the
    message posted when it is chosen (the answer's card, Telegram HTML)."""

    entry_id: str
    title: str
    description: str
    html: str
    emergency: bool = False
