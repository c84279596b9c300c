"""The local services directory: `content/services/<region>.yaml`, one file per region.

Modelled on Open Referral's Human Services Data Specification (organisation, service,
location, phone, schedule, languages, cost, eligibility, last verified), flattened to one
record per service at one place, because that is what a person needs on a phone: where, when,
how to reach it. Hours use OpenStreetMap's `opening_hours` syntax, which staff can copy from
OpenStreetMap and which the `opening-hours-py` parser evaluates, public holidays included.

The schema is strict, and every service is validated on its own: one broken service is
reported (as `path:line`) and left out, and the rest of its file still loads.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import opening_hours
from opening_hours import OpeningHours
from pydantic import (
    Field,
    HttpUrl,
    ValidationError,
    field_validator,
    model_validator,
)

from bot.content.files import ContentError, YamlDoc, read_yaml, validation_problems
from bot.content.kit import ID_PATTERN, Id, Phrases, Strict, TimeZone, Words, slug
from bot.content.numbers import phone_number
from bot.content.problems import Problem, error

SERVICES_DIR = "services"
NATIONAL_SUFFIX = "-national"
TELEGRAM_PATTERN = r"^@[A-Za-z][A-Za-z0-9_]{3,31}$"
# Area slugs travel in button data (64 bytes with the type and a page number), so they are cut
# to this length; a cut slug gets a short checksum of the full name so two areas stay apart.
MAX_SLUG = 24
# Raised for a country without a holiday calendar; the type stubs don't declare it.
_UNKNOWN_COUNTRY: type[Exception] = getattr(opening_hours, "UnknownCountryError", LookupError)


def check_hours(value: str) -> str:
    """OpenStreetMap `opening_hours` syntax, or a ValueError worded for the person editing."""
    if not opening_hours.validate(value):
        raise ValueError(
            "is not valid opening_hours syntax; for example "
            '"Mo-Fr 09:00-17:00; Sa 10:00-14:00" or "24/7" (see the content guide)'
        )
    return value


class Service(Strict):
    """One service at one place (or one phone line / website), as staff write it."""

    id: Id
    name: str = Field(min_length=1, max_length=100)
    organisation: str = ""
    types: list[str] = Field(min_length=1)
    areas: Phrases
    address: str = ""
    latitude: float | None = Field(None, ge=-90, le=90)
    longitude: float | None = Field(None, ge=-180, le=180)
    phone: str = ""
    text: str = ""  # an SMS number
    website: HttpUrl | None = None
    telegram: str = ""  # a Telegram username, like @example_bot
    hours: str | None = None
    # Hours as someone typed them when they are not safe to read ("every other Wednesday"):
    # shown as written, with "call to check", and never used for "open now".
    hours_text: str = Field("", max_length=200)
    languages: Words = []
    cost: str = ""
    walk_in: bool | None = None
    id_needed: bool | None = None
    anonymous: bool | None = None
    notes: str = ""
    source: HttpUrl | None = None
    verified_on: dt.date
    listed: bool = True

    @field_validator("types")
    @classmethod
    def _type_ids(cls, value: list[str]) -> list[str]:
        for item in value:
            if not re.fullmatch(ID_PATTERN, str(item)):
                raise ValueError(f"'{item}' is not a type id like syringe-services")
        return value

    @field_validator("phone", "text")
    @classmethod
    def _phone_number(cls, value: str) -> str:
        return phone_number(value) if value else value

    @field_validator("telegram")
    @classmethod
    def _telegram(cls, value: str) -> str:
        if value and not re.fullmatch(TELEGRAM_PATTERN, value):
            raise ValueError("must be a Telegram username like @example_bot")
        return value

    @field_validator("hours")
    @classmethod
    def _hours(cls, value: str | None) -> str | None:
        return check_hours(value) if value is not None else None

    @model_validator(mode="after")
    def _both_coordinates(self) -> Service:
        if (self.latitude is None) != (self.longitude is None):
            raise ValueError("latitude and longitude go together: give both or neither")
        return self


class RegionHeader(Strict):
    """The first lines of a region file; `services` is validated one service at a time."""

    region: Id
    country: str = Field(pattern=r"^[A-Z]{2}$")
    timezone: TimeZone
    services: list[Any]


@dataclass(frozen=True)
class Listing:
    """A loaded service with what the finder needs: its region's clock and its parsed hours."""

    service: Service
    region: str
    country: str
    zone: ZoneInfo
    hours: OpeningHours | None
    path: Path
    line: int
    area_slugs: tuple[str, ...]
    index: int = 0  # its place in the file's `services` list, for `path:line` reports

    @property
    def id(self) -> str:
        return self.service.id

    @property
    def has_point(self) -> bool:
        return self.service.latitude is not None and self.service.longitude is not None


@dataclass(frozen=True)
class RegionFile:
    path: Path
    region: str
    country: str
    timezone: str
    listings: tuple[Listing, ...]
    lines: dict[str, int] = field(default_factory=dict)

    @property
    def national(self) -> bool:
        return self.region.endswith(NATIONAL_SUFFIX)


def area_slug(name: str) -> str:
    """An area name as it travels in button data ("Tower Hamlets" → "tower-hamlets")."""
    return slug(name, MAX_SLUG) or "area"


def parse_hours(hours: str, country: str) -> OpeningHours:
    """Parsed hours with the country's public holidays, so "PH off" means something.

    No coordinates and no guessing of the time zone: the finder evaluates hours in the
    region's wall-clock time, which is what the file says and what the door sign says.
    """
    try:
        return OpeningHours(hours, country=country, auto_country=False, auto_timezone=False)
    except _UNKNOWN_COUNTRY:
        return OpeningHours(hours, auto_country=False, auto_timezone=False)


_RANGE = re.compile(r"\b([0-2]?[0-9]):([0-5][0-9])\s*-\s*([0-2]?[0-9]):([0-5][0-9])\b")
LONG_OVERNIGHT_HOURS = 14


def long_overnight(hours: str) -> list[str]:
    """Time ranges that run past midnight and stay open a long time ("07:30-04:00").

    A night shelter open 22:00-03:00 is real; a clinic open from 07:30 until 04:00 the next
    day is nearly always "4:00pm" read as 04:00. Both are valid hours, so only a person can
    tell: `hrbot check` asks them to look.
    """
    found = []
    for match in _RANGE.finditer(hours):
        start_h, start_m, end_h, end_m = (int(part) for part in match.groups())
        start, end = start_h * 60 + start_m, end_h * 60 + end_m
        if end < start and (end + 24 * 60 - start) >= LONG_OVERNIGHT_HOURS * 60:
            found.append(match.group())
    return found


def read_region(path: Path) -> tuple[RegionFile | None, list[Problem]]:
    try:
        doc = read_yaml(path)
    except ContentError as exc:
        return None, [exc.problem]
    if not isinstance(doc.data, dict):
        return None, [error(path, 1, "must have region, country, timezone and services")]
    try:
        header = RegionHeader.model_validate(doc.data)
    except ValidationError as exc:
        return None, validation_problems(path, exc, doc.lines)
    problems: list[Problem] = []
    if header.region != path.stem:
        line = doc.lines.get("region", 1)
        problems.append(error(path, line, f"region '{header.region}' must match the file name"))
    listings = _listings(path, doc, header, problems)
    region = RegionFile(
        path, header.region, header.country, header.timezone, tuple(listings), doc.lines
    )
    return region, problems


def _listings(
    path: Path, doc: YamlDoc, header: RegionHeader, problems: list[Problem]
) -> list[Listing]:
    zone = ZoneInfo(header.timezone)
    listings: list[Listing] = []
    seen: dict[str, int] = {}
    for index, raw in enumerate(header.services):
        key = f"services.{index}"
        line = doc.lines.get(key, 1)
        try:
            service = Service.model_validate(raw)
        except ValidationError as exc:
            problems.extend(validation_problems(path, exc, doc.lines, prefix=key))
            continue
        if service.id in seen:
            id_line = doc.lines.get(f"{key}.id", line)
            message = f"id '{service.id}' is already used on line {seen[service.id]}"
            problems.append(error(path, id_line, message))
            continue
        seen[service.id] = doc.lines.get(f"{key}.id", line)
        hours = parse_hours(service.hours, header.country) if service.hours else None
        slugs = tuple(dict.fromkeys(area_slug(area) for area in service.areas))
        listings.append(
            Listing(service, header.region, header.country, zone, hours, path, line, slugs, index)
        )
    return listings
