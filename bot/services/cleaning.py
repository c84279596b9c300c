"""Reading one imported field the way the people who typed it meant it.

Directory exports and staff spreadsheets are typed by people: `www.example.org` without a
scheme, `305-573-4200 x57471`, `27/11/2026`, `Nov 2026`, `4:00pm`. Each reader here returns the
value the region file wants, and says when it had to guess, so the import can warn instead of
losing the record or, worse, writing something wrong without a word.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import cache

import phonenumbers
from babel import Locale, UnknownLocaleError
from babel.core import get_global
from dateutil import parser as date_parser

_SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*://", re.IGNORECASE)
_HOST = re.compile(r"^[a-z0-9-]+(\.[a-z0-9-]+)+(:\d+)?([/?#]\S*)?$", re.IGNORECASE)
_EXTENSION = re.compile(r"\s*(?:,|;)?\s*(?:x|ext\.?|extension|ext:)\s*(\S+)\s*$", re.IGNORECASE)
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_SHORT_NUMBER = 6  # digits: 116 123, 85258, 911 are lines, not numbers phonenumbers places


@dataclass(frozen=True)
class Cleaned:
    """A field's value as the region file wants it, and a note when it was guessed or cut."""

    value: str
    note: str = ""


def website(value: str) -> Cleaned:
    """A web address; `www.example.org` gets `https://` (every site a person can use has it)."""
    value = value.strip()
    if not value or _SCHEME.match(value):
        return Cleaned(value)
    if _HOST.match(value):
        return Cleaned(f"https://{value}")
    return Cleaned(value)  # left to the schema, which says what a web address looks like


def phone(value: str, country: str) -> Cleaned:
    """A phone number in the country's own format, with its extension ("ext. 57471").

    Numbers the country's numbering plan does not know (short lines like 116 123, or a typo)
    are kept as written; the schema still checks they are digits.
    """
    value = value.strip()
    if not value:
        return Cleaned(value)
    note = ""
    extension = ""
    match = _EXTENSION.search(value)
    main = value
    if match:
        main = value[: match.start()].strip()
        extension = match.group(1)
        if not extension.isdigit():
            note = f"extension {extension!r} is not digits; left out, add it to the notes"
            extension = ""
    digits = re.sub(r"\D", "", main)
    if len(digits) <= _SHORT_NUMBER and not main.startswith("+"):
        return Cleaned(main + (f" ext. {extension}" if extension else ""), note)
    try:
        parsed = phonenumbers.parse(main, country)
    except phonenumbers.NumberParseException:
        return Cleaned(main + (f" ext. {extension}" if extension else ""), note)
    if not phonenumbers.is_valid_number(parsed):
        kept = main + (f" ext. {extension}" if extension else "")
        return Cleaned(kept, note or f"{value!r} is not a valid {country} number; check it")
    if extension:
        parsed.extension = extension
    national = phonenumbers.region_code_for_number(parsed) == country
    style = phonenumbers.PhoneNumberFormat.NATIONAL if national else _INTERNATIONAL
    return Cleaned(phonenumbers.format_number(parsed, style), note)


_INTERNATIONAL = phonenumbers.PhoneNumberFormat.INTERNATIONAL


def e164(value: str, country: str) -> str:
    """The number as +CCNNN… for a tel: link, or "" for a short line or an unknown number."""
    try:
        parsed = phonenumbers.parse(value, country)
    except phonenumbers.NumberParseException:
        return ""
    if not phonenumbers.is_valid_number(parsed):
        return ""
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


@cache
def day_first(country: str) -> bool:
    """Whether people in the country write the day before the month (CLDR, through Babel)."""
    for language in _languages(country):
        try:
            pattern = Locale(language, country).date_formats["short"].pattern
        except (UnknownLocaleError, ValueError):
            continue
        return bool(pattern.find("d") < pattern.find("M"))
    return True


def _languages(country: str) -> list[str]:
    spoken = get_global("territory_languages").get(country.upper(), {})
    ordered = sorted(spoken, key=lambda code: -float(spoken[code].get("population_percent", 0)))
    return ["en", *ordered] if "en" in spoken else [*ordered, "en"]


def date(value: str, country: str) -> tuple[dt.date, str]:
    """A date as the country writes it; (date, note) where the note says how it was read.

    ISO dates (2026-11-27) are read as they are. Anything else is read day-first or
    month-first as the country writes dates, and a month with no day ("Nov 2026") is its
    first day; each of these says so, so staff can check. A ValueError when it is no date.
    """
    value = value.strip()
    if _ISO_DATE.match(value):
        return dt.date.fromisoformat(value), ""
    first = day_first(country)
    try:
        parsed = date_parser.parse(value, dayfirst=first, default=dt.datetime(2000, 1, 1))
    except (ValueError, OverflowError):
        raise ValueError(f"{value!r} is not a date; write it like 2026-11-27") from None
    if not re.search(r"\d{4}", value):
        raise ValueError(f"{value!r} has no year; write it like 2026-11-27")
    read = parsed.date()
    has_day = bool(re.search(r"(^|\D)\d{1,2}(\D|$)", re.sub(r"\d{4}", " ", value)))
    if not has_day:
        return read, f"{value!r} has no day; read as {read.isoformat()}"
    if re.search(r"[A-Za-z]", value):
        return read, ""  # the month is a word: nothing was guessed
    order = "day first" if first else "month first"
    return read, f"read {value!r} as {read.isoformat()} ({order}, as {country} writes dates)"


def cut_at_word(value: str, limit: int) -> Cleaned:
    """A value of at most `limit` characters, cut between words with "…", and a note."""
    if len(value) <= limit:
        return Cleaned(value)
    value = " ".join(value.split())
    if len(value) <= limit:
        return Cleaned(value)
    cut = value[: limit - 1]
    if " " in cut:
        cut = cut.rsplit(" ", 1)[0]
    cut = cut.rstrip(" ,;:.-") + "…"
    return Cleaned(cut, f"was {len(value)} characters; cut to {len(cut)} at a word")
