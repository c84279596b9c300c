"""Labelled messages: what people send, and the answer each one should get.

`content/<lang>/labelled/*.yaml` are lists of `{text, expect, kind, route?}`, the format of the
evaluation sets (bot/tools/evaluation.py). The matcher learns every message whose kind asks for
an answer (`info`, `overdose-info`, `services`, and `low-mood`, whose answer is the crisis
answer as support) as one more example of the first answer its `expect` names, and every
`out-of-scope` one as something the bot should not answer. These are messages written the way
people write: long, with a story first, misspelt, in slang. An answer's own `examples` stay
short and reviewed, and these teach the rest.

Emergencies and crises are learnt apart, as what an overdose or a crisis happening now sounds
like: the emergency detector's phrases come first, and a message they miss that is nearer to
these than to any answer still gets the card (bot/understanding/emergency.py).

A broken item loses that item, never the file: it is reported with its line and left out.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, ValidationError

from bot.content.files import (
    ContentError,
    parse_yaml,
    parse_yaml_data,
    read_text,
    validation_problems,
)
from bot.content.kit import ID_PATTERN, Strict
from bot.content.problems import Problem, error, warning

FOLDER = "labelled"
Kind = Literal["emergency", "crisis", "low-mood", "overdose-info", "services", "info",
               "out-of-scope"]  # fmt: skip
TEACHES = ("info", "overdose-info", "services", "low-mood")  # learnt as examples of their answer
# An answer's id, or a mix answer's ("mix:alcohol+benzos"): mixes are found by the drugs a
# message names (bot/understanding/mixes.py), so the matcher learns nothing from those.
MIX = "mix:"
AnswerId = Annotated[
    str, Field(pattern=f"{ID_PATTERN}|^{MIX}[a-z0-9]+(-[a-z0-9]+)*\\+[a-z0-9]+(-[a-z0-9]+)*$")
]


class LabelledMessage(Strict):
    text: str = Field(min_length=1)
    expect: list[AnswerId] = []
    kind: Kind = "info"
    route: Literal["services"] | None = None


@dataclass(frozen=True)
class Labelled:
    """What the matcher learns: messages by the answer they ask for, and those it must not
    answer."""

    by_answer: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    unanswered: tuple[str, ...] = ()
    overdoses: tuple[str, ...] = ()  # kind emergency: an overdose happening now
    crises: tuple[str, ...] = ()  # kind crisis: a suicidal crisis or self-harm now

    def __len__(self) -> int:
        told = (self.unanswered, self.overdoses, self.crises)
        return sum(map(len, self.by_answer.values())) + sum(map(len, told))


def load_labelled(
    paths: Iterable[Path], answers: Iterable[str] | None = None
) -> tuple[Labelled, list[Problem]]:
    """Every file's messages; `answers` (the language's answer ids) when known, so a message
    labelled with an id no answer has is reported rather than learnt by nothing."""
    known = None if answers is None else frozenset(answers)
    by_answer: dict[str, list[str]] = {}
    unanswered: list[str] = []
    now: dict[str, list[str]] = {"emergency": [], "crisis": []}
    problems: list[Problem] = []
    for path in paths:
        for line, message in _messages(path, problems):
            unknown = [
                i
                for i in message.expect
                if known is not None and not i.startswith(MIX) and i not in known
            ]
            if unknown:
                problems.append(warning(path, line, f"expect: no answer has the id {unknown[0]!r}"))
            answer = message.expect[0] if message.expect and not unknown else ""
            if message.kind in TEACHES and answer and not answer.startswith(MIX):
                by_answer.setdefault(answer, []).append(message.text)
            elif message.kind == "out-of-scope" and not message.expect:
                unanswered.append(message.text)
            elif message.kind in now:
                now[message.kind].append(message.text)
    taught = {answer: tuple(texts) for answer, texts in by_answer.items()}
    overdoses, crises = tuple(now["emergency"]), tuple(now["crisis"])
    return Labelled(taught, tuple(unanswered), overdoses, crises), problems


def forget_files() -> None:
    """Drop the files kept for building more engines (a running bot builds no more)."""
    _read.cache_clear()


def _messages(path: Path, problems: list[Problem]) -> tuple[tuple[int, LabelledMessage], ...]:
    """The file's valid messages with the lines they start on; the rest reported."""
    try:
        stat = path.stat()
        found, file_problems = _read(path, stat.st_mtime_ns, stat.st_size)
    except OSError:
        found, file_problems = _read(path, 0, 0)  # read_text says why it can't be read
    problems.extend(file_problems)
    return found


@functools.lru_cache(maxsize=256)
def _read(
    path: Path, mtime_ns: int, size: int
) -> tuple[tuple[tuple[int, LabelledMessage], ...], tuple[Problem, ...]]:
    """One file read and checked, kept while it is unchanged (its time and size): every
    engine a process builds (the checker's, the tests') reads thousands of the same
    messages, and they are content, never anything a person sent."""
    problems: list[Problem] = []
    try:
        text = read_text(path)
        data = parse_yaml_data(text, path)
    except ContentError as exc:
        return (), (exc.problem,)
    if data is None:
        return (), ()
    if not isinstance(data, list):
        return (), (error(path, 1, "must be a list of messages, each with text and expect"),)
    starts = _item_lines(text, path, len(data))
    found = []
    for index, item in enumerate(data):
        try:
            found.append((starts[index], LabelledMessage.model_validate(item)))
        except ValidationError as exc:
            problems.extend(validation_problems(path, exc, {str(index): starts[index]}, str(index)))
    return tuple(found), tuple(problems)


def _item_lines(text: str, path: Path, count: int) -> list[int]:
    """The line each item starts on: the lines that begin with "-" in a file written the
    usual way, or else every item's line from a full parse (slower, and rare)."""
    starts = [number for number, line in enumerate(text.splitlines(), 1) if line.startswith("-")]
    if len(starts) == count:
        return starts
    lines = parse_yaml(text, path).lines
    return [lines.get(str(index), 1) for index in range(count)]
