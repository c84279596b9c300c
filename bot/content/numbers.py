"""Emergency, crisis and overdose-line numbers by country (`content/emergency-numbers.yaml`)."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path

from pydantic import Field, HttpUrl, ValidationError, field_validator

from bot.content.files import ContentError, read_yaml, validation_problems
from bot.content.kit import Strict
from bot.content.model import Source
from bot.content.problems import Problem, error

_PHONE = re.compile(r"^[+*]?\(?[0-9][0-9 ()\-]*( ext\.? ?[0-9]+)?$")


def phone_number(value: str) -> str:
    """A phone number as written, or a ValueError saying what a number may contain."""
    value = str(value).strip()
    if not _PHONE.match(value):
        raise ValueError("must be a phone number: digits, spaces, dashes, an optional leading +")
    return value


class Line(Strict):
    """A named phone line with the page it was checked against."""

    name: str = Field(min_length=1)
    number: str
    note: str = ""
    text: str = ""  # an SMS number, when the line takes texts
    url: HttpUrl | None = None  # the line's own site, when one could be confirmed

    @field_validator("number", "text")
    @classmethod
    def _check_number(cls, value: str) -> str:
        return phone_number(value) if value else value

    def describe(self) -> str:
        extra = f", {self.note}" if self.note else ""
        return f"{self.number} ({self.name}{extra})"


class Country(Strict):
    name: str = Field(min_length=1)
    emergency: str
    also: list[str] = []
    crisis: Line | None = None
    overdose_line: Line | None = None
    warm_line: Line | None = None  # a listening line for when it is hard, not a crisis
    other_lines: list[Line] = []  # more lines worth knowing (another language, other hours)
    sources: list[Source] = Field(min_length=1)
    checked_on: dt.date

    @field_validator("emergency")
    @classmethod
    def _check_emergency(cls, value: str) -> str:
        return phone_number(value)

    @field_validator("also")
    @classmethod
    def _check_also(cls, value: list[str]) -> list[str]:
        return [phone_number(number) for number in value]


@dataclass(frozen=True)
class NumberBook:
    countries: dict[str, Country]

    def get(self, code: str | None) -> Country | None:
        return self.countries.get(code.upper()) if code else None


def load_numbers(path: Path) -> tuple[NumberBook, list[Problem]]:
    """Load every country that is valid; report the others by line and leave them out."""
    if not path.exists():
        return NumberBook({}), [error(path, 0, "is missing: the emergency card needs it")]
    try:
        doc = read_yaml(path)
    except ContentError as exc:
        return NumberBook({}), [exc.problem]
    if not isinstance(doc.data, dict):
        return NumberBook({}), [error(path, 1, "must map country codes (like GB) to numbers")]
    countries: dict[str, Country] = {}
    problems: list[Problem] = []
    for code, value in doc.data.items():
        code_text = str(code)
        line = doc.lines.get(code_text, 1)
        if not re.fullmatch(r"[A-Z]{2}", code_text):
            problems.append(error(path, line, f"'{code_text}' is not a 2-letter country code"))
            continue
        try:
            countries[code_text] = Country.model_validate(value)
        except ValidationError as exc:
            problems.extend(validation_problems(path, exc, doc.lines, prefix=code_text))
    return NumberBook(countries), problems
