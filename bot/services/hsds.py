"""Open Referral HSDS records → the directory's records (`hrbot services import`).

HSDS 3 JSON comes in several shapes: a list of services, an API page (`{"contents": [...]}`),
`{"services": [...]}`, organisations with their services nested, or service_at_location
objects with the service and location inside. Tabular datapackages (HSDS 1.x/2.x) are turned
into the same nested shape by bot/services/datapackage.py, so one function reads them all.

Read: name, organization (name, website, phones), attributes[].taxonomy_term (code and name,
through the type mapping), service_areas[].name (else the address's city), locations'
addresses, latitude and longitude, phones (type "text" as the SMS number; extensions kept),
url, schedules (weekly byday or weekday with opens_at/closes_at, 24-hour or 12-hour),
languages, fees description, description and eligibility (as notes), assured_date (as
verified_on), and status (inactive, defunct and temporarily closed services are skipped).
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import opening_hours

from bot.services.importer import Imported, ImportError_, Options, Records, read_text
from bot.services.typed_hours import DAYS, twelve_hour

HSDS_DAYS = {"MO": 0, "TU": 1, "WE": 2, "TH": 3, "FR": 4, "SA": 5, "SU": 6}
WEEKDAYS = {
    "monday": 0, "tuesday": 1, "wednesday": 2, "thursday": 3, "friday": 4, "saturday": 5,
    "sunday": 6, "mon": 0, "tue": 1, "wed": 2, "thu": 3, "fri": 4, "sat": 5, "sun": 6,
}  # fmt: skip
HSDS_CLOSED = {"inactive", "defunct", "temporarily closed"}


def read_hsds(
    path: Path,
    known: set[str],
    default_types: tuple[str, ...] | list[str] = (),
    verified_on: dt.date | None = None,
    options: Options | None = None,
) -> Imported:
    """An HSDS 3 JSON file, in whichever of its shapes; records are reported by line."""
    options = options or Options()
    if default_types or verified_on:
        options = Options(
            options.country,
            options.mapper,
            tuple(default_types) or options.default_types,
            verified_on or options.verified_on,
            options.centroids,
            options.progress,
            options.today,
        )
    text = read_text(path)
    records = Records(path, known, options)
    total = len(text)
    for line, position, service in _hsds_services(text, path):
        if options.progress is not None:
            options.progress(position, total)
        read_service(records, service, line)
    if options.progress is not None:
        options.progress(total, total)
    no_place_at_all(records)
    return records.result


def read_service(records: Records, service: Any, line: int, path: Path | None = None) -> None:
    """One HSDS service (nested as HSDS 3 nests it) as one record in, N services out."""
    records.begin()
    if not isinstance(service, dict):
        records.leave_out(line, "not a service object", "is not a service object", path)
        records.end()
        return
    state = str(service.get("status") or "").casefold()
    if state in HSDS_CLOSED:
        name = service.get("name", "a service")
        records.skip(line, f"status {state}", f"{name}: skipped, status is {state}", path)
        records.end()
        return
    for record in _hsds_records(service, records, line, path):
        records.add(line, record, path)
    records.end()


def no_place_at_all(records: Records) -> None:
    """One clear line when no record said where it is: the export left the locations out."""
    result = records.result
    if result.records_in and result.reasons.get("areas is missing", 0) == result.left_out == (
        result.records_in
    ):
        records.result.problems.append(
            _file_error(
                records.path,
                "no service has a location or a service area: export the services with their "
                "locations (HSDS 3 service_at_locations, or the whole datapackage)",
            )
        )


def _file_error(path: Path, message: str) -> Any:
    from bot.content.problems import error

    return error(path, 1, message)


# --- the JSON shapes, read in one pass ---------------------------------------------------------


def _hsds_services(text: str, path: Path) -> Iterator[tuple[int, int, Any]]:
    """(line, offset, service) for each service, whichever top-level shape the file has.

    Lines are counted from where the last item ended, so the whole file is read once: a
    10 MB export costs the same per service as a small one.
    """
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ImportError_(f"{path}:{exc.lineno}: not valid JSON ({exc.msg})") from None
    decoder = json.JSONDecoder()
    lines = _Lines(text)
    start = _skip(text, 0)
    if isinstance(data, list):
        items: Iterator[tuple[int, int, Any]] = _array_items(text, start, decoder, lines)
    elif isinstance(data, dict):
        key = next(
            (k for k in ("contents", "services", "service_at_locations", "organizations")
             if isinstance(data.get(k), list)),
            None,
        )  # fmt: skip
        if key is not None:
            items = _array_items(text, _value_of(text, start, key, decoder), decoder, lines)
        elif "name" in data:
            items = iter([(lines.at(start), start, data)])
        else:
            raise ImportError_(
                f"{path}: expected HSDS services: a list, or an object with 'contents', "
                "'services', 'service_at_locations' or 'organizations'"
            )
    else:
        raise ImportError_(f"{path}: expected a list of HSDS services")
    for line, position, item in items:
        yield from ((line, position, service) for service in _services_of(item))


def _services_of(item: Any) -> Iterator[Any]:
    """A service; an organisation's nested services; a service_at_location's service."""
    if not isinstance(item, dict):
        yield item
        return
    if isinstance(item.get("service"), dict) and isinstance(item.get("location"), dict):
        service = dict(item["service"])
        link = {k: v for k, v in item.items() if k != "service"}
        service["service_at_locations"] = [link]
        yield service
        return
    nested = item.get("services")
    if (
        isinstance(nested, list)
        and "organization" not in item
        and "service_at_locations" not in item
    ):
        organisation = {k: v for k, v in item.items() if k != "services"}
        for service in nested:
            if isinstance(service, dict):
                yield {"organization": organisation, **service}
            else:
                yield service
        return
    yield item


class _Lines:
    """Line numbers of offsets that only move forward, counted once."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.position = 0
        self.line = 1

    def at(self, position: int) -> int:
        self.line += self.text.count("\n", self.position, position)
        self.position = position
        return self.line


def _skip(text: str, position: int) -> int:
    while position < len(text) and text[position] in " \t\r\n":
        position += 1
    return position


def _value_of(text: str, position: int, wanted: str, decoder: json.JSONDecoder) -> int:
    """Where the value of the top-level key `wanted` starts (the object at `position`)."""
    position = _skip(text, position + 1)  # past "{"
    while position < len(text) and text[position] != "}":
        key, position = decoder.raw_decode(text, position)
        position = _skip(text, _skip(text, position) + 1)  # past ":"
        if key == wanted:
            return position
        _, position = decoder.raw_decode(text, position)
        position = _skip(text, position)
        if text[position] == ",":
            position = _skip(text, position + 1)
    raise ValueError(wanted)


def _array_items(
    text: str, position: int, decoder: json.JSONDecoder, lines: _Lines
) -> Iterator[tuple[int, int, Any]]:
    position = _skip(text, position + 1)  # past "["
    while position < len(text) and text[position] != "]":
        item, end = decoder.raw_decode(text, position)
        yield lines.at(position), position, item
        position = _skip(text, end)
        if position < len(text) and text[position] == ",":
            position = _skip(text, position + 1)


# --- one service → records -----------------------------------------------------------------------


def _hsds_records(
    service: dict[str, Any], records: Records, line: int, path: Path | None
) -> Iterator[dict[str, Any]]:
    name = _text(service.get("name"))
    organisation = _dict(service.get("organization"))
    terms = [
        (_text(term.get("code")), _text(term.get("name")))
        for term in (
            _dict(attribute.get("taxonomy_term")) for attribute in _dicts(service.get("attributes"))
        )
    ]
    base: dict[str, Any] = {
        "name": name,
        "organisation": _text(organisation.get("name")),
        "_terms": terms,
        "types": [],
        "website": _text(
            service.get("url") or organisation.get("website") or organisation.get("url")
        ),
        "languages": list(
            dict.fromkeys(
                _language(item) for item in _dicts(service.get("languages")) if _language(item)
            )
        ),
        "cost": _text(service.get("fees_description") or service.get("fees")),
        "notes": " ".join(
            part
            for part in (
                _plain(service.get("description")),
                _plain(service.get("eligibility_description")),
            )
            if part
        ),
        "verified_on": _text(service.get("assured_date") or service.get("last_modified"))[:10],
    }
    areas = [
        _text(item.get("name") or item.get("service_area"))
        for item in _dicts(service.get("service_areas"))
    ]
    links = _dicts(service.get("service_at_locations"))
    places = [_dict(link.get("location")) | {"_link": link} for link in links] or [{}]
    for place in places:
        link = _dict(place.get("_link"))
        address = _address(_dicts(place.get("addresses")) + _dicts(place.get("physical_addresses")))
        record = dict(base)
        record["_terms"] = list(terms)
        if len(places) > 1 and place.get("name"):
            record["name"] = f"{name} ({_text(place.get('name'))})"
            record["id"] = records.free_id(_slug(f"{name} {_text(place.get('name'))}"))
        record["areas"] = [a for a in areas if a] or ([address[1]] if address[1] else [])
        record["address"] = address[0]
        record["latitude"] = _number(place.get("latitude"))
        record["longitude"] = _number(place.get("longitude"))
        phones = (
            _dicts(link.get("phones"))
            + _dicts(place.get("phones"))
            + _dicts(service.get("phones"))
            + _dicts(organisation.get("phones"))
        )
        record["phone"] = next(
            (_phone(p) for p in phones if _text(p.get("type")) in ("", "voice")), ""
        )
        record["text"] = next((_phone(p) for p in phones if _text(p.get("type")) == "text"), "")
        schedules = (
            _dicts(link.get("schedules"))
            or _dicts(place.get("schedules"))
            or _dicts(service.get("schedules"))
        )
        hours, unread = hsds_hours(schedules, records.options.today)
        typed = _typed(schedules)
        if hours is None and typed:
            hours, unread = typed, ""  # read (or kept as text) like a typed spreadsheet cell
        if unread:
            records.note(line, f"{record['name']}: {unread}", path)
        record["hours"] = hours
        yield record


def _typed(schedules: list[dict[str, Any]]) -> str:
    """The schedules' own words ("9:00am-5:00pm, Mon-Fri"), when an export keeps them."""
    texts = [_plain(item.get("original_text") or item.get("description")) for item in schedules]
    return "; ".join(dict.fromkeys(text for text in texts if text))


def _slug(text: str) -> str:
    from bot.services.importer import slug_id

    return slug_id(text)


def _phone(phone: dict[str, Any]) -> str:
    number = _text(phone.get("number"))
    extension = _text(phone.get("extension"))
    return f"{number} x{extension}" if number and extension else number


def _language(item: dict[str, Any]) -> str:
    return _text(item.get("code") or item.get("name") or item.get("language"))


def _address(addresses: list[dict[str, Any]]) -> tuple[str, str]:
    """(one-line street address, city) of the first physical address."""
    for item in addresses:
        if _text(item.get("address_type")) in ("postal", "virtual"):
            continue
        parts = [
            _text(item.get(key))
            for key in ("address_1", "address_2", "city", "state_province", "postal_code")
        ]
        return ", ".join(part for part in parts if part), _text(item.get("city")).title()
    return "", ""


def hsds_hours(
    schedules: list[dict[str, Any]], today: dt.date | None = None
) -> tuple[str | None, str]:
    """Weekly HSDS schedules as opening_hours ("Mo-Fr 09:00-17:00, Sa 10:00-12:00").

    Returns (hours or None, what to tell staff). Times may be 24-hour ("16:00:00") or 12-hour
    ("4:00pm", as 211 exports write them). Days with the same times are joined into ranges;
    rules are joined with ", " (OSM's "additional" separator) so two sessions on one day both
    count. A schedule whose valid_to is past is left out, and said.
    """
    today = today or dt.date.today()
    by_day: dict[int, list[str]] = {}
    ended = 0
    for schedule in schedules:
        valid_to = _text(schedule.get("valid_to") or schedule.get("end_date"))[:10]
        if valid_to and valid_to < today.isoformat():
            ended += 1
            continue
        freq = _text(schedule.get("freq")).upper()
        opens, closes = _hhmm(schedule.get("opens_at")), _hhmm(schedule.get("closes_at"))
        if freq not in ("", "WEEKLY") or not opens or not closes:
            return None, "a schedule that is not weekly with opens_at and closes_at; hours left out"
        days = _days(schedule)
        if days is None:
            given = schedule.get("byday") or schedule.get("weekday")
            return None, f"a schedule with days {given!r}; hours left out"
        closes = "24:00" if closes == "23:59" else closes
        for day in days:
            by_day.setdefault(day, []).append(f"{opens}-{closes}")
    note = f"{ended} schedule(s) ended before today; left out" if ended else ""
    if not by_day:
        return None, note
    hours = _rules(by_day)
    if not opening_hours.validate(hours):
        return None, f"schedules that make {hours!r}; hours left out"
    return hours, note


def _days(schedule: dict[str, Any]) -> list[int] | None:
    byday = _text(schedule.get("byday")).upper()
    weekday = _text(schedule.get("weekday")).casefold()
    if byday:
        days = [day.strip() for day in byday.split(",") if day.strip()]
        return [HSDS_DAYS[d] for d in days] if all(d in HSDS_DAYS for d in days) else None
    if weekday:
        return [WEEKDAYS[weekday]] if weekday in WEEKDAYS else None
    return list(range(7))


def _rules(by_day: dict[int, list[str]]) -> str:
    """Days with the same times joined: Mo-Fr 09:00-17:00, Sa 10:00-12:00."""
    groups: dict[str, list[int]] = {}
    for day in sorted(by_day):
        groups.setdefault(",".join(sorted(set(by_day[day]))), []).append(day)
    rules = []
    for times, days in groups.items():
        rules.append(f"{_day_ranges(days)} {times}")
    return ", ".join(rules)


def _day_ranges(days: list[int]) -> str:
    if len(days) == 7:
        return "Mo-Su"
    runs: list[list[int]] = []
    for day in days:
        if runs and day == runs[-1][-1] + 1:
            runs[-1].append(day)
        else:
            runs.append([day])
    parts = []
    for run in runs:
        parts.append(
            f"{DAYS[run[0]]}-{DAYS[run[-1]]}" if len(run) > 2 else ",".join(DAYS[d] for d in run)
        )
    return ",".join(parts)


def _hhmm(value: Any) -> str:
    """opens_at/closes_at as HH:MM: "09:00:00", "08:00Z", "4:00pm" (16:00), "noon"."""
    text = re.sub(r"(?<=\d)(:\d{2})(:\d{2})?(Z|[+-]\d{2}:?\d{2})?$", r"\1", _text(value))
    return twelve_hour(text)


def _plain(value: Any) -> str:
    """A description without the export's literal "\\n" escapes and ###MARKERS###."""
    text = _text(value).replace("\\n", " ")
    text = re.sub(r"#{2,}[A-Z]+#{2,}", " ", text)
    return " ".join(text.split())


def _number(value: Any) -> float | None:
    if value in (None, ""):
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _text(value: Any) -> str:
    return str(value).strip() if value is not None else ""


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _dicts(value: Any) -> list[dict[str, Any]]:
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []
