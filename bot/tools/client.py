"""A test client for the bot, and conversations kept as data files that run against it.

Tests talk to the bot the way a person does: `say` a message, `press` a button by its label,
look at the `reply`. The same three words work over the engine (here), the fast Telegram layer
and the running bot (tests/telegram/clients.py), so one conversation file checks every layer.

A conversation file (tests/conversations/*.yaml; staff can add one) is a list of steps:

    name: Someone is not waking up
    steps:
      - say: my friend wont wake up
        shows: ["Someone is overdosing"]  # each appears in the reply (plain text, any case)
        hides: ["Sorry"]           # none of these appears
        buttons: ["➕ More"]        # each is a button label on the reply
        no_buttons: ["👍"]          # none of these is (after a 👍, say)
      - press: "➕ More"
        shows: ["Stay with them"]
"""

from __future__ import annotations

import html
import re
from collections import deque
from dataclasses import dataclass, replace
from pathlib import Path

import yaml

from bot.conversation.reply import Button, Event, EventKind, Reply
from bot.conversation.sharing import without_feedback
from bot.engine import Engine

_TAG = re.compile(r"<[^>]+>")


@dataclass(frozen=True)
class Shown:
    """What a person sees of one reply: its text and its buttons (label, data) in order."""

    html: str
    buttons: tuple[tuple[str, str], ...] = ()

    @classmethod
    def of(cls, reply: Reply) -> Shown:
        return cls(reply.html, tuple((b.label, b.data) for b in reply.button_list))

    @property
    def text(self) -> str:
        """The text without markup, as it reads on screen."""
        return html.unescape(_TAG.sub("", self.html))

    @property
    def labels(self) -> list[str]:
        return [label for label, _ in self.buttons]

    def data_of(self, label: str) -> str:
        """The data of the button labelled `label` (or whose label starts with it)."""
        for text, data in self.buttons:
            if text == label:
                return data
        for text, data in self.buttons:
            if text.startswith(label):
                return data
        raise AssertionError(f"no button {label!r} in {self.labels}")


class Client:
    """The engine as a chat: push what a person sends, pop what the bot replies.

    The client keeps the last reply (to know which buttons are on screen); the engine itself
    keeps nothing. `say` and `press` return the engine's `Reply`, for tests that look inside.
    """

    def __init__(self, engine: Engine, language: str | None = "en") -> None:
        self.engine = engine
        self.language = language
        self.replies: deque[Reply] = deque()
        self.last: Reply | None = None

    @property
    def reply(self) -> Shown:
        assert self.last is not None, "the bot has not replied"
        return Shown.of(self.last)

    def say(self, text: str) -> Reply:
        """Typed text; "/name argument" is a command, as Telegram sends it."""
        self.push(text)
        return self.pop()

    def press(self, label: str) -> Reply:
        """Press the button of the last reply whose label is (or starts with) `label`."""
        self.push_button(self.button(label).data)
        return self.pop()

    def push(self, text: str) -> None:
        if text.startswith("/"):
            name, _, argument = text[1:].partition(" ")
            event = Event(EventKind.COMMAND, name, argument.strip(), language=self.language)
        else:
            event = Event(EventKind.TEXT, text, language=self.language)
        self._handle(event)

    def push_button(self, data: str) -> None:
        self._handle(Event(EventKind.BUTTON, data, language=self.language))

    def push_other(self) -> None:
        """Something that isn't text: a voice note, a photo, a sticker."""
        self._handle(Event(EventKind.OTHER, language=self.language))

    def pop(self) -> Reply:
        assert self.replies, "the bot has not replied"
        return self.replies.popleft()

    def button(self, label: str) -> Button:
        data = self.reply.data_of(label)
        assert self.last is not None
        return next(b for b in self.last.button_list if b.data == data)

    def _handle(self, event: Event) -> None:
        reply = self.engine.handle(event)
        if reply.notice and not reply.html and self.last is not None:
            # A 👍 / 👎: the thanks over the same message, which loses just those two buttons.
            rows = without_feedback(self.last.buttons, lambda b: b.data)
            self.last = replace(self.last, html=html.escape(reply.notice), buttons=rows)
        else:
            self.last = reply
        self.replies.append(reply)


# --- conversations as data ----------------------------------------------------------------------


@dataclass(frozen=True)
class Step:
    say: str | None = None
    press: str | None = None
    shows: tuple[str, ...] = ()
    hides: tuple[str, ...] = ()
    buttons: tuple[str, ...] = ()
    no_buttons: tuple[str, ...] = ()

    @property
    def action(self) -> str:
        return f"say {self.say!r}" if self.say is not None else f"press {self.press!r}"

    def report(self, number: int, shown: Shown) -> list[str]:
        """This step's unmet expectations, each as "step N (say 'x'): does not show 'y'"."""
        return [f"step {number} ({self.action}): {p}" for p in self.problems(shown)]

    def problems(self, shown: Shown) -> list[str]:
        """What of this step's expectations the reply does not meet (empty: all met)."""
        text = shown.text.casefold()
        found = [f"does not show {s!r}" for s in self.shows if s.casefold() not in text]
        found += [f"shows {s!r}" for s in self.hides if s.casefold() in text]
        found += [f"has no button {b!r}" for b in self.buttons if b not in shown.labels]
        found += [f"has a button {b!r}" for b in self.no_buttons if b in shown.labels]
        return found


@dataclass(frozen=True)
class Conversation:
    name: str
    path: Path
    steps: tuple[Step, ...]


def load_conversation(path: Path) -> Conversation:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    steps = []
    for raw in data["steps"]:
        if ("say" in raw) == ("press" in raw):
            raise ValueError(f"{path}: each step has either `say` or `press`: {raw}")
        steps.append(
            Step(
                say=raw.get("say"),
                press=raw.get("press"),
                shows=tuple(raw.get("shows", ())),
                hides=tuple(raw.get("hides", ())),
                buttons=tuple(raw.get("buttons", ())),
                no_buttons=tuple(raw.get("no_buttons", ())),
            )
        )
    return Conversation(str(data["name"]), path, tuple(steps))


def run_conversation(client: Client, conversation: Conversation) -> list[str]:
    """Every unmet expectation, as "step N (say 'x'): does not show 'y'"; empty when all pass."""
    problems = []
    for number, step in enumerate(conversation.steps, start=1):
        if step.say is not None:
            client.say(step.say)
        else:
            assert step.press is not None
            client.press(step.press)
        problems += step.report(number, client.reply)
    return problems
