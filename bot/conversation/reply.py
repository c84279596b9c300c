"""The values that flow through the engine: an event in, a reply out.

Adapters (Telegram, the terminal, tests) turn what they receive into an `Event` and show the
`Reply` they get back. Neither holds anything about the person beyond the one call.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from bot.conversation.actions import ChatAction


class EventKind(StrEnum):
    TEXT = "text"  # free text typed by the person
    BUTTON = "button"  # the data of a pressed button
    COMMAND = "command"  # /start, /help … with an optional argument
    OTHER = "other"  # a voice note, photo, sticker: something the bot cannot read
    LOCATION = "location"  # a shared location: used for this one reply, then dropped


@dataclass(frozen=True)
class Event:
    kind: EventKind
    text: str = ""
    argument: str = ""  # a command's argument, e.g. the entry id of a /start deep link
    language: str | None = None  # the person's app language, used for this reply only
    latitude: float | None = None  # a shared location (LOCATION events only), never kept
    longitude: float | None = None
    # The id of the message that asked (a command's own, or the one a pressed button is on),
    # for /forget and pinning; used for this reply only, like everything else here.
    message_id: int | None = None


@dataclass(frozen=True)
class Button:
    """A button whose `data` is self-contained (no server-side lookup), at most 64 bytes."""

    label: str
    data: str
    # A share button (data `share:<id>`): the words sent with the answer's link, its title.
    share_text: str = ""


@dataclass(frozen=True)
class Reply:
    """What to show: Telegram-HTML text and rows of buttons."""

    html: str
    buttons: tuple[tuple[Button, ...], ...] = ()
    emergency: bool = False
    entry_id: str | None = None  # the answer shown, if any (for counts and tests)
    # For a typed message: what reading it decided (bot/understanding/reading.py Route's value:
    # "emergency", "answer", "none" …), for counts by route; None for buttons and commands.
    route: str | None = None
    # Offer the app's one-time "send my location" button (Telegram: a reply keyboard, sent as
    # its own short message with `location_prompt`, since a message has one keyboard only).
    request_location: bool = False
    location_prompt: str = ""
    location_button: str = ""
    # /forget and /card (docs/privacy-tools.md): done in the chat before the reply is shown;
    # `photo` (PNG) is sent with `html` as its caption; `if_failed` replaces `html` when an
    # action fails; an empty `html` sends nothing after the actions.
    actions: tuple[ChatAction, ...] = ()
    photo: bytes | None = None
    if_failed: str = ""
    # A 👍 / 👎 press: (answer id, "up" or "down") to count, and `notice`, the short thanks
    # the app shows over the chat (Telegram: the button's answer) instead of a new message.
    # The adapter takes the two feedback buttons off the message; the other buttons stay.
    vote: tuple[str, str] | None = None
    notice: str = ""

    @property
    def button_list(self) -> list[Button]:
        return [button for row in self.buttons for button in row]
