"""`hrbot chat`: the bot in a terminal, with the same replies Telegram would show.

Buttons become numbered choices; typing the number presses the button. It ends cleanly at the
end of input, so a script can pipe a conversation through it. `/location LAT LON` shares a
location, as Telegram's "send my location" button does, so staff can try the services finder.

Messages are numbered as Telegram numbers them in a chat (each message and each reply one up),
so /forget and the card's Pin button say which messages they would delete or pin there, and
/card writes its image to a temporary file and prints where, to open it.
"""

from __future__ import annotations

import hashlib
import itertools
import re
import tempfile
from html import unescape
from pathlib import Path
from typing import TextIO

from bot.conversation.actions import ChatAction, DeleteMessages
from bot.conversation.reply import Event, EventKind, Reply
from bot.engine import Engine

_LINK = re.compile(r'<a href="([^"]*)">(.*?)</a>', re.DOTALL)
_TAG = re.compile(r"<[^>]+>")


def plain_text(html: str) -> str:
    """Telegram HTML as terminal text: tags dropped, links shown as "text (url)"."""
    text = _LINK.sub(lambda m: f"{m.group(2)} ({unescape(m.group(1))})", html)
    return unescape(_TAG.sub("", text))


def show(reply: Reply, out: TextIO) -> list[str]:
    """Print a reply; return its buttons' data in the order they are numbered."""
    for action in reply.actions:
        print(f"[on Telegram: {describe(action)}]", file=out)
    if reply.photo is not None:
        print(f"[image: {keep_image(reply.photo)}]", file=out)
    if not reply.html and not reply.photo:
        return []  # nothing shown (after a delete or a pin)
    print(plain_text(reply.html), file=out)
    choices: list[str] = []
    for button in reply.button_list:
        choices.append(button.data)
        print(f"  [{len(choices)}] {button.label}", file=out)
    if reply.request_location:
        print(f"  [{reply.location_button}] type /location LATITUDE LONGITUDE", file=out)
    print(file=out)
    return choices


def describe(action: ChatAction) -> str:
    """What an action does in the chat, for the terminal."""
    if isinstance(action, DeleteMessages):
        if action.newest == action.oldest:
            return f"deletes message {action.newest}"
        return f"deletes messages {action.oldest}–{action.newest} (those under 48 hours old)"
    return f"pins message {action.message_id}"


def keep_image(png: bytes) -> Path:
    """The image in the temporary folder, named by its content, to open in any viewer."""
    path = Path(tempfile.gettempdir()) / f"hrbot-{hashlib.sha256(png).hexdigest()[:12]}.png"
    if not path.exists():
        path.write_bytes(png)
    return path


def event_for(
    line: str,
    choices: list[str],
    language: str | None,
    message_id: int | None = None,
    shown_id: int | None = None,
) -> Event:
    """A typed line as an event: a number presses a button, /word is a command.

    `message_id` is the typed line's number in the chat, `shown_id` that of the reply whose
    buttons are numbered (a button press is about the message it is on)."""
    text = line.strip()
    if text.isdigit() and 1 <= int(text) <= len(choices):
        data = choices[int(text) - 1]
        return Event(EventKind.BUTTON, data, language=language, message_id=shown_id)
    if text.startswith("/"):
        name, _, argument = text[1:].partition(" ")
        if name.casefold() == "location":
            return location_event(argument, language)
        return Event(
            EventKind.COMMAND, name, argument.strip(), language=language, message_id=message_id
        )
    return Event(EventKind.TEXT, text, language=language)


def location_event(argument: str, language: str | None) -> Event:
    """`/location 51.5072 -0.1276` (a comma between works too); unreadable: no coordinates."""
    parts = argument.replace(",", " ").split()
    try:
        latitude, longitude = (float(part) for part in parts)
    except ValueError:
        return Event(EventKind.LOCATION, language=language)
    return Event(EventKind.LOCATION, latitude=latitude, longitude=longitude, language=language)


def run_chat(engine: Engine, source: TextIO, out: TextIO, language: str | None = None) -> int:
    interactive = source.isatty()
    ids = itertools.count(1)  # as Telegram numbers the messages of a chat
    choices = show(engine.handle(Event(EventKind.COMMAND, "start", language=language)), out)
    shown_id = next(ids)
    while True:
        if interactive:
            print("> ", end="", file=out, flush=True)
        line = source.readline()
        if not line:
            return 0
        if not line.strip():
            continue
        if line.strip() in ("/quit", "/exit"):
            return 0
        typed = next(ids)
        reply = engine.handle(event_for(line, choices, language, typed, shown_id))
        shown = show(reply, out)
        if reply.html or reply.photo:  # a new message, with its own buttons
            choices, shown_id = shown, next(ids)
