"""The core keeps nothing about anyone: no per-message state, nothing of what was said."""

from __future__ import annotations

import gc
import sys
import types
from collections import deque
from collections.abc import Iterator
from pathlib import Path

from alerts_data import FRIDAY_NOON, OUTREACH, alert_text, content_with, engine_at, people_text
from conftest import Bot

from bot.conversation.reply import Event, EventKind
from bot.engine import Engine

_OURS = ("bot", "handlers")  # the packages whose modules are walked

_NOT_STATE = (
    type,
    types.ModuleType,
    types.FunctionType,
    types.BuiltinFunctionType,
    types.CodeType,
    types.MethodType,
    types.FrameType,
)


def reachable(root: object) -> Iterator[object]:
    """Every object the engine holds on to, directly or not (code and modules aside)."""
    seen: set[int] = set()
    stack = [root]
    while stack:
        obj = stack.pop()
        if id(obj) in seen or isinstance(obj, _NOT_STATE):
            continue
        seen.add(id(obj))
        yield obj
        if not isinstance(obj, str | bytes | int | float):
            stack.extend(gc.get_referents(obj))


def footprint(engine: Engine) -> tuple[int, int]:
    """How many objects the engine holds, and how many items its containers hold."""
    count = items = 0
    for obj in reachable(engine):
        count += 1
        if isinstance(obj, dict | list | set | frozenset | tuple | deque):
            items += len(obj)
    return count, items


def conversation(n: int, tag: str) -> list[Event]:
    """`n` events of every kind, with words never seen before."""
    events = []
    for i in range(n):
        kind = i % 5
        if kind == 0:
            events.append(Event(EventKind.TEXT, f"how do i use narcan {tag}{i}x", language="en"))
        elif kind == 1:
            events.append(Event(EventKind.TEXT, f"my friend {tag}{i}y wont wake up"))
        elif kind == 2:
            events.append(Event(EventKind.BUTTON, f"a:{tag}{i}", language="en-GB"))
        elif kind == 3:
            events.append(Event(EventKind.COMMAND, "start", f"{tag}{i}", language="fr"))
        else:
            events.append(Event(EventKind.TEXT, f"{tag} weather {i} <b>{tag}</b> &"))
    events.append(Event(EventKind.OTHER))
    return events


def test_two_people_saying_the_same_get_the_same_reply(engine: Engine) -> None:
    alex, sam = Bot(engine), Bot(engine)
    first = [alex.say(text) for text in ("narcan how", "my friend wont wake up", "hi")]
    sam.say("/start")
    sam.say("where can i get new needles")
    again = [sam.say(text) for text in ("narcan how", "my friend wont wake up", "hi")]
    assert first == again
    assert [alex.say(text) for text in ("narcan how", "my friend wont wake up", "hi")] == first


def test_the_engine_does_not_grow_with_messages(engine: Engine) -> None:
    for event in conversation(50, "warm"):
        engine.handle(event)  # fill template caches and the like once
    attributes = {code: set(vars(lang)) for code, lang in engine.languages.items()}
    before = footprint(engine)
    for event in conversation(100, "qzv"):
        engine.handle(event)
    assert footprint(engine) == before
    assert {code: set(vars(lang)) for code, lang in engine.languages.items()} == attributes


def test_nothing_of_a_message_is_kept_after_the_reply(engine: Engine) -> None:
    def say(text: str) -> None:
        engine.handle(Event(EventKind.TEXT, text, language="en"))

    say("help my mate zorbleflux wont wake up")
    say("where can i get narcan qwyxzzt")
    held = [
        obj
        for obj in reachable(engine)
        if isinstance(obj, str) and ("zorbleflux" in obj or "qwyxzzt" in obj)
    ]
    assert held == []


def test_no_module_keeps_a_message_after_the_reply(engine: Engine) -> None:
    """Nor anything the modules hold at their top level (caches shared between messages)."""
    engine.handle(Event(EventKind.TEXT, "my mate vorbleplix is not breathing", language="en"))
    modules = [vars(m) for name, m in sorted(sys.modules.items()) if name.split(".")[0] in _OURS]
    held = [o for o in reachable(modules) if isinstance(o, str) and "vorbleplix" in o]
    assert held == []


def test_the_stemmer_caches_no_message_word(engine: Engine) -> None:
    """PyStemmer keeps a cache of 10,000 stemmed words by default, out of the reach of the
    walk above: the words people sent. The matcher turns it off."""
    for language in engine.languages.values():
        stemmer = language.reader.analyser._stemmer
        assert getattr(stemmer, "maxCacheSize", 0) == 0


def test_forget_and_card_keep_no_message_id(engine: Engine) -> None:
    """/forget and the card's buttons carry the message id of the chat: it is used for the
    reply and gone after it, and the card image is drawn once, not once per person."""
    canary = 987_654_321

    def tools(message_id: int) -> None:
        engine.handle(Event(EventKind.COMMAND, "forget", language="en", message_id=message_id))
        engine.handle(Event(EventKind.BUTTON, "w", language="en", message_id=message_id))
        engine.handle(Event(EventKind.BUTTON, "p", language="en", message_id=message_id))
        engine.handle(Event(EventKind.BUTTON, "x", language="en", message_id=message_id))
        engine.handle(Event(EventKind.COMMAND, "card", language="en", message_id=message_id))

    tools(1)
    before = footprint(engine)
    for n in range(20):
        tools(canary + n)
    assert footprint(engine) == before
    used = range(canary - 500, canary + 200)  # the ids and the ranges made from them
    assert [o for o in reachable(engine) if isinstance(o, int) and o in used] == []


def test_alerts_and_human_keep_nothing(tmp_path: Path) -> None:
    """The clock-driven replies hold nothing of the person between events either."""
    tree = content_with(tmp_path, {"live.md": alert_text()}, people_text([OUTREACH]))
    engine = engine_at(tree, lambda: FRIDAY_NOON)
    events = [
        Event(EventKind.COMMAND, "alerts"),
        Event(EventKind.COMMAND, "human", "qzvhuman"),
        Event(EventKind.BUTTON, "h"),
        Event(EventKind.BUTTON, "al:live"),
        Event(EventKind.BUTTON, "al:qzvnope"),
        Event(EventKind.TEXT, "what is fentanyl qzvtext"),
    ]
    for event in events * 3:
        engine.handle(event)  # warm up: template caches fill on the first rounds
    before = footprint(engine)
    for event in events * 20:
        engine.handle(event)
    assert footprint(engine) == before
    assert not [o for o in reachable(engine) if isinstance(o, str) and "qzv" in o]
