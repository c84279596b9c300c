"""`hrbot check` for drug-supply alerts (alerts/*.md) and the service's people (people.yaml).

Reading the files already refuses what can't be shown (a bad date, an expiry before
publishing, no sources, hours that don't parse); these checks need the rest of the content or
the deployment: substances the content doesn't know (a banner would reach no answer), phone
numbers that aren't real numbers in the service's country, and what a reviewer should see
(an expired alert still on disk, a contact with no hours).
"""

from __future__ import annotations

import datetime as dt
import difflib
import re

import phonenumbers

from bot.content.alerts import Alert
from bot.content.people import People
from bot.content.problems import Problem, error, warning
from bot.library import Library

ALERT_BODY_LIMIT = 600
_SHORT_LINE = 6  # digits: 116 123 or 85258 are lines, not numbers phonenumbers places


def known_substances(library: Library) -> set[str]:
    """The substances alerts may name: mixes/substances.yaml ids and drug card ids."""
    known: set[str] = set()
    for language in library.languages.values():
        if language.mixes is not None:
            known |= set(language.mixes.substances)
        known |= {entry.id for entry in language.entries.values() if entry.meta.area == "drugs"}
    return known


def alert_problems(library: Library, now: dt.datetime) -> list[Problem]:
    known = known_substances(library)
    problems: list[Problem] = []
    for alert in library.alerts.alerts:
        problems.extend(_substance_problems(alert, known))
        if alert.published < alert.expires <= now:
            when = alert.local(alert.expires).strftime("%Y-%m-%d %H:%M")
            message = f"expired on {when}: it is no longer shown (delete the file when you like)"
            problems.append(warning(alert.path, alert.line_of("expires"), message))
        if len(alert.body) > ALERT_BODY_LIMIT:
            message = (
                f"the text is {len(alert.body)} characters; keep an alert under "
                f"{ALERT_BODY_LIMIT} so it reads at a glance"
            )
            problems.append(warning(alert.path, alert.body_line, message))
    return problems


def _substance_problems(alert: Alert, known: set[str]) -> list[Problem]:
    problems = []
    for index, name in enumerate(alert.substances):
        if name in known:
            continue
        close = difflib.get_close_matches(name, sorted(known), n=1)
        hint = f"did you mean '{close[0]}'? " if close else ""
        message = (
            f"substances: '{name}' is not a substance the content knows; {hint}use an id "
            "from en/mixes/substances.yaml or a drug card's file name (en/drugs/)"
        )
        problems.append(error(alert.path, alert.line_of(f"substances.{index}"), message))
    return problems


def people_problems(people: People | None, country: str | None) -> list[Problem]:
    if people is None:
        return []
    problems: list[Problem] = []
    for index, person in zip(people.indexes, people.people, strict=True):
        key = f"people.{index}"
        for field in ("phone", "text"):
            value = getattr(person, field)
            trouble = number_trouble(value, country) if value else None
            if trouble:
                line = people.line_of(f"{key}.{field}")
                problems.append(error(people.path, line, f"{key}.{field}: {trouble}"))
        if person.hours is None:
            message = f"{key}: no hours, so /human can't say whether anyone answers now"
            problems.append(warning(people.path, people.line_of(key), message))
    return problems


def number_trouble(value: str, country: str | None) -> str | None:
    """Why `value` is not a number people can call in `country`; None when it is."""
    number = re.split(r"\s+ext\.?\s*", value)[0]
    digits = re.sub(r"\D", "", number)
    if len(digits) <= _SHORT_LINE and not number.startswith("+"):
        return None  # a short line (116 123, 988): phonenumbers doesn't place these
    if country is None and not number.startswith("+"):
        return "write it with its country code (+44 …), or set country in the config"
    try:
        parsed = phonenumbers.parse(number, country)
    except phonenumbers.NumberParseException:
        return f"'{value}' is not a phone number"
    if not phonenumbers.is_valid_number(parsed):
        where = f"a valid {country}" if country and not number.startswith("+") else "a valid"
        return f"'{value}' is not {where} number; check the digits"
    return None
