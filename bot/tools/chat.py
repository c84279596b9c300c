"""`hrbot chat`: the bot in a terminal, with the same replies Telegram would show.

Buttons become numbered choices; typing the number presses the button. It ends cleanly at the
end of input, so a script can pipe a conversation through it. `/location LAT LON` shares a
location, as Telegram's "send my location" button does, so staff can try the services finder.

Messages are numbered as Telegram numbers them in a chat (each message and each reply one up),
so /forget and the card's Pin button say which messages they would delete or pin there, and
/card writes its image to a temporary file and prints where, to open it.
`/inline WORDS` shows what typing "@YOUR_BOT WORDS" in any chat would list (inline mode).
A Share button prints the link it would open (with YOUR_BOT for the bot's username, which only
Telegram knows); 👍 / 👎 print the thanks and take those two buttons away, as Telegram does.
"""

from __future__ import annotations

import hashlib
import itertools
import re
import tempfile
from dataclasses import replace
from html import unescape
from pathlib import Path
from typing import TextIO

from bot.conversation.actions import ChatAction, DeleteMessages
from bot.conversation.reply import Button, Event, EventKind, Reply
from bot.conversation.sharing import deep_link, share_url, shared_answer, without_feedback
from bot.engine import Engine

# The bot's username in the links `hrbot chat` prints: Telegram fills in the real one.
BOT_STAND_IN = "YOUR_BOT"

_LINK = re.compile(r'<a href="([^"]*)">(.*?)</a>', re.DOTALL)
_TAG = re.compile(r"<[^>]+>")


def plain_text(html: str) -> str:
    """Telegram HTML as terminal text: tags dropped, links shown as "text (url)"."""
    text = _LINK.sub(lambda m: f"{m.group(2)} ({unescape(m.group(1))})", html)
    return unescape(_TAG.sub("", text))


def show(reply: Reply, out: TextIO, text: bool = True) -> list[str]:
    """Print a reply (`text=False`: its buttons only); return its buttons' data in the order
    they are numbered."""
    if text:
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


def share_note(button: Button) -> str:
    """What a Share button does, since a terminal has no share sheet."""
    entry_id = shared_answer(button.data) or ""
    link = deep_link(BOT_STAND_IN, entry_id)
    url = share_url(BOT_STAND_IN, entry_id, button.share_text)
    return f"(on Telegram this opens the share sheet to send {link} to a chat)\n  {url}"


def show_inline(engine: Engine, words: str, out: TextIO, language: str | None) -> None:
    """The list inline mode shows for `words`; choosing one posts that answer's card."""
    found = engine.inline(words.strip(), language)
    print(f"@{BOT_STAND_IN} {words.strip()} lists:", file=out)
    for number, shared in enumerate(found, start=1):
        print(f"  {number}. {shared.title}: {shared.description}", file=out)
    if not found:
        print("  nothing (only the button that opens the bot)", file=out)
    print(file=out)


def run_chat(engine: Engine, source: TextIO, out: TextIO, language: str | None = None) -> int:
    interactive = source.isatty()
    ids = itertools.count(1)  # as Telegram numbers the messages of a chat
    last = engine.handle(Event(EventKind.COMMAND, "start", language=language))
    choices = show(last, out)
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
        if line.strip().casefold().split(" ")[0] == "/inline":
            show_inline(engine, line.strip()[len("/inline") :], out, language)
            continue
        typed = next(ids)
        event = event_for(line, choices, language, typed, shown_id)
        pressed = next((b for b in last.button_list if b.data == event.text), None)
        if event.kind is EventKind.BUTTON and pressed and shared_answer(pressed.data):
            print(share_note(pressed), file=out, end="\n\n")
            continue
        reply = engine.handle(event)
        if reply.notice and not reply.html:  # a 👍 / 👎: the same message, fewer buttons
            print(reply.notice, file=out)
            last = replace(last, buttons=without_feedback(last.buttons, lambda b: b.data))
            choices = show(last, out, text=False)
            continue
        shown = show(reply, out)
        if reply.html or reply.photo:  # a new message, with its own buttons
            last, choices, shown_id = reply, shown, next(ids)
