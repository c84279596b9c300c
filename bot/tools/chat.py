"""`hrbot chat`: the bot in a terminal, with the same replies Telegram would show.

Buttons become numbered choices; typing the number presses the button. It ends cleanly at the
end of input, so a script can pipe a conversation through it. `/location LAT LON` shares a
location, as Telegram's "send my location" button does, so staff can try the services finder.
"""

from __future__ import annotations

import re
from html import unescape
from typing import TextIO

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
    print(plain_text(reply.html), file=out)
    choices: list[str] = []
    for button in reply.button_list:
        choices.append(button.data)
        print(f"  [{len(choices)}] {button.label}", file=out)
    if reply.request_location:
        print(f"  [{reply.location_button}] type /location LATITUDE LONGITUDE", file=out)
    print(file=out)
    return choices


def event_for(line: str, choices: list[str], language: str | None) -> Event:
    """A typed line as an event: a number presses a button, /word is a command."""
    text = line.strip()
    if text.isdigit() and 1 <= int(text) <= len(choices):
        return Event(EventKind.BUTTON, choices[int(text) - 1], language=language)
    if text.startswith("/"):
        name, _, argument = text[1:].partition(" ")
        if name.casefold() == "location":
            return location_event(argument, language)
        return Event(EventKind.COMMAND, name, argument.strip(), language=language)
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
    choices = show(engine.handle(Event(EventKind.COMMAND, "start", language=language)), out)
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
        choices = show(engine.handle(event_for(line, choices, language)), out)
