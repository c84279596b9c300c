"""The service's own people (`content/people.yaml`): who answers, when, and how to reach them.

`/human` and the "Talk to a person" button show them with whether someone answers now ("open
now · closes 17:00", "closed · opens Tue 10:00"), in the same words and by the same
`opening_hours` rules as the services finder. The file belongs in the service's own folder;
the bundled content has none, and /human then offers the country's lines and the finder.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import Field, ValidationError, field_validator, model_validator

from bot.content.files import YamlDoc, line_for, read_model_doc, validation_problems
from bot.content.kit import Strict, TimeZone
from bot.content.numbers import phone_number
from bot.content.problems import Problem
from bot.services.directory import check_hours

FILE_NAME = "people.yaml"
_USERNAME = re.compile(r"^@?(?P<name>[A-Za-z][A-Za-z0-9_]{3,31})$")
_LINK = re.compile(r"^https://t\.me/(?P<path>[A-Za-z0-9_+/-]{4,64})$")


def telegram_link(value: str) -> str:
    """A Telegram username ("@outreach_team") or t.me link as the https link to open it."""
    username = _USERNAME.match(value)
    if username:
        return f"https://t.me/{username.group('name')}"
    if _LINK.match(value):
        return value
    raise ValueError("must be a Telegram username like @outreach_team or a https://t.me/… link")


class Person(Strict):
    """One way to reach someone from the service: a worker, a team, a peer line."""

    name: str = Field(min_length=1, max_length=80)
    about: str = Field("", max_length=200)  # "peer workers", "ask for the nurse"
    hours: str | None = None  # OpenStreetMap opening_hours, e.g. "Mo-Fr 10:00-17:00; PH off"
    phone: str = ""
    text: str = ""  # a number that takes text messages
    telegram: str = ""  # @username or https://t.me/… link

    @field_validator("phone", "text")
    @classmethod
    def _number(cls, value: str) -> str:
        return phone_number(value) if value else value

    @field_validator("telegram")
    @classmethod
    def _telegram(cls, value: str) -> str:
        if value:
            telegram_link(value)
        return value

    @field_validator("hours")
    @classmethod
    def _hours(cls, value: str | None) -> str | None:
        return check_hours(value) if value is not None else None

    @model_validator(mode="after")
    def _reachable(self) -> Person:
        if not (self.phone or self.text or self.telegram):
            raise ValueError("give at least one way to reach them: phone, text or telegram")
        return self

    @property
    def telegram_url(self) -> str:
        return telegram_link(self.telegram) if self.telegram else ""


class PeopleFile(Strict):
    """The file as a whole; `people` is validated one person at a time, so one mistake
    leaves out that contact, not everyone."""

    timezone: TimeZone  # the hours are read in this zone's wall-clock time
    people: list[Any] = []


@dataclass(frozen=True)
class People:
    """The contacts as loaded, with the file they came from (for `path:line` reports);
    `indexes` are each contact's place in the file's list."""

    file: PeopleFile
    path: Path
    doc: YamlDoc
    people: tuple[Person, ...] = ()
    indexes: tuple[int, ...] = ()

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.file.timezone)

    def line_of(self, key: str) -> int:
        return line_for(self.doc.lines, key)


def load_people(path: Path) -> tuple[People | None, list[Problem]]:
    """The contacts file, or None (with the problems) when there is none or it is broken."""
    if not path.exists():
        return None, []
    found, doc, problems = read_model_doc(path, PeopleFile)
    if found is None or doc is None:
        return None, problems
    people, indexes = [], []
    for index, raw in enumerate(found.people):
        try:
            people.append(Person.model_validate(raw))
        except ValidationError as exc:
            problems.extend(validation_problems(path, exc, doc.lines, prefix=f"people.{index}"))
            continue
        indexes.append(index)
    return People(found, path, doc, tuple(people), tuple(indexes)), problems
