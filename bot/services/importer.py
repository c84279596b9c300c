"""`hrbot services import`: a spreadsheet (CSV) or Open Referral HSDS JSON → a region file.

Services usually already keep their list somewhere: a spreadsheet, or a directory system that
exports Open Referral's Human Services Data Specification. Retyping it by hand is where
mistakes come from, so this reads it, checks every record with the same rules as `hrbot
check`, writes the good ones to `content/services/<region>.yaml`, and reports each bad one by
its line in the input file, so it can be fixed there and imported again.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import opening_hours
import yaml
from pydantic import ValidationError

from bot.content.files import ContentError, read_yaml
from bot.content.kit import ID_PATTERN, slug
from bot.content.problems import Problem, error, warning
from bot.services.directory import Service, read_region

# The spreadsheet's columns, in the order the region file lists the fields.
COLUMNS = (
    "id",
    "name",
    "organisation",
    "types",
    "areas",
    "address",
    "latitude",
    "longitude",
    "phone",
    "text",
    "website",
    "telegram",
    "hours",
    "languages",
    "cost",
    "walk_in",
    "id_needed",
    "anonymous",
    "notes",
    "source",
    "verified_on",
    "listed",
)
REQUIRED_COLUMNS = ("name", "types", "areas", "verified_on")
LIST_COLUMNS = ("types", "areas", "languages")
YES_NO_COLUMNS = ("walk_in", "id_needed", "anonymous", "listed")
YES = {"yes", "y", "true", "1"}
NO = {"no", "n", "false", "0"}
MAX_ID = 60
HSDS_DAYS = {"MO": "Mo", "TU": "Tu", "WE": "We", "TH": "Th", "FR": "Fr", "SA": "Sa", "SU": "Su"}
HSDS_CLOSED = {"inactive", "defunct", "temporarily closed"}


class ImportError_(Exception):
    """The whole file can't be imported (unreadable, wrong header); one line to act on."""


@dataclass
class Imported:
    """The services that passed every check, and a problem for each record that didn't."""

    services: list[dict[str, Any]] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def left_out(self) -> int:
        return sum(problem.is_error for problem in self.problems)


@dataclass(frozen=True)
class Target:
    """Where and as what the imported services are written."""

    region: str
    country: str
    timezone: str
    folder: Path

    @property
    def path(self) -> Path:
        return self.folder / f"{self.region}.yaml"


def known_types(content_dir: Path, language: str) -> set[str]:
    """The service types the content has buttons for (empty when they can't be read)."""
    try:
        data = read_yaml(content_dir / language / "messages.yaml").data
    except ContentError:
        return set()
    types = data.get("service_types") if isinstance(data, dict) else None
    return set(types) if isinstance(types, dict) else set()


def check_target(region: str, country: str | None, timezone: str | None, folder: Path) -> Target:
    """The target, taking country and time zone from an existing region file when not given."""
    if not re.fullmatch(ID_PATTERN, region):
        raise ImportError_(f"--region {region!r}: use lower case and dashes, like london-east")
    existing = folder / f"{region}.yaml"
    if existing.exists() and (country is None or timezone is None):
        try:
            data = read_yaml(existing).data
        except ContentError:
            data = None
        if isinstance(data, dict):
            country = country or data.get("country")
            timezone = timezone or data.get("timezone")
    if not country or not re.fullmatch(r"[A-Za-z]{2}", str(country)):
        raise ImportError_("give the 2-letter country code with --country (or set country)")
    if not timezone:
        raise ImportError_("give the time zone of the opening hours, e.g. --timezone Europe/London")
    try:
        ZoneInfo(str(timezone))
    except (ZoneInfoNotFoundError, ValueError):
        raise ImportError_(
            f"--timezone {timezone!r} is not a time zone like Europe/London"
        ) from None
    return Target(region, str(country).upper(), str(timezone), folder)


# --- checking one record ----------------------------------------------------------------------


class _Records:
    """Checks records one by one against the directory schema, keeping ids unique."""

    def __init__(self, path: Path, known: set[str]) -> None:
        self.path = path
        self.known = known
        self.result = Imported()
        self._ids: dict[str, int] = {}

    def add(self, line: int, record: dict[str, Any]) -> None:
        record = {key: value for key, value in record.items() if value not in (None, "", [])}
        given_id = "id" in record
        if not given_id and record.get("name"):
            record["id"] = self.free_id(slug_id(str(record["name"])))
        try:
            service = Service.model_validate(record)
        except ValidationError as exc:
            for err in exc.errors():
                where = ".".join(str(part) for part in err["loc"] if not isinstance(part, int))
                message = "is missing" if err["type"] == "missing" else err["msg"]
                message = message.removeprefix("Value error, ")
                label = f"{where}: " if where else ""
                self.result.problems.append(error(self.path, line, f"{label}{message}"))
            return
        unknown = [kind for kind in service.types if self.known and kind not in self.known]
        if unknown:
            names = ", ".join(sorted(self.known))
            self.result.problems.append(
                error(self.path, line, f"types: unknown {', '.join(unknown)}; known: {names}")
            )
            return
        if service.id in self._ids:
            self.result.problems.append(
                error(
                    self.path,
                    line,
                    f"id '{service.id}' is already used on line {self._ids[service.id]}",
                )
            )
            return
        self._ids[service.id] = line
        self.result.services.append(_ordered(service, record))

    def note(self, line: int, message: str) -> None:
        self.result.problems.append(warning(self.path, line, message))

    def free_id(self, base: str) -> str:
        candidate, number = base, 2
        while candidate in self._ids:
            candidate = f"{base[: MAX_ID - 4]}-{number}"
            number += 1
        return candidate


def slug_id(name: str) -> str:
    """A service id from its name: "St Mungo's Drop-in" → "st-mungo-s-drop-in"."""
    return slug(name, MAX_ID) or "service"


def _ordered(service: Service, record: Mapping[str, Any]) -> dict[str, Any]:
    """The fields as the region file lists them; only those the input gave (and `listed`)."""
    values = service.model_dump(mode="python")
    out: dict[str, Any] = {}
    for name in COLUMNS:
        if name in record or name == "listed":
            value = values[name]
            out[name] = str(value) if name in ("website", "source") and value else value
    return out


# --- CSV -----------------------------------------------------------------------------------------


def read_csv(path: Path, known: set[str]) -> Imported:
    """A spreadsheet saved as CSV with the documented header (first line)."""
    text = _read_text(path)
    dialect = _dialect(text)
    reader = csv.reader(io.StringIO(text), dialect)
    header = next(reader, None)
    if header is None:
        raise ImportError_(f"{path}: is empty")
    columns = [name.strip().casefold().replace(" ", "_") for name in header]
    unknown = [name for name in columns if name and name not in COLUMNS]
    if unknown:
        raise ImportError_(
            f"{path}:1: unknown column(s) {', '.join(unknown)}; the columns are: "
            + ",".join(COLUMNS)
        )
    missing = [name for name in REQUIRED_COLUMNS if name not in columns]
    if missing:
        raise ImportError_(f"{path}:1: missing column(s) {', '.join(missing)}")
    records = _Records(path, known)
    line = reader.line_num + 1
    for row in reader:
        start, line = line, reader.line_num + 1
        if not any(cell.strip() for cell in row):
            continue
        if len(row) > len(columns):
            records.result.problems.append(
                error(path, start, f"has {len(row)} cells but the header has {len(columns)}")
            )
            continue
        cells = dict(zip(columns, (cell.strip() for cell in row), strict=False))
        try:
            record = _csv_record(cells)
        except ValueError as exc:
            records.result.problems.append(error(path, start, str(exc)))
            continue
        records.add(start, record)
    return records.result


def _dialect(text: str) -> type[csv.Dialect] | csv.Dialect:
    """Comma, semicolon (spreadsheets in many locales) or tab, from the header line."""
    first = text.split("\n", 1)[0]
    try:
        return csv.Sniffer().sniff(first, delimiters=",;\t")
    except csv.Error:
        return csv.excel


def _csv_record(cells: Mapping[str, str]) -> dict[str, Any]:
    record: dict[str, Any] = {}
    for name, value in cells.items():
        if not name or not value:
            continue
        if name in LIST_COLUMNS:
            record[name] = [item.strip() for item in value.split(";") if item.strip()]
        elif name in YES_NO_COLUMNS:
            record[name] = _yes_no(name, value)
        else:
            record[name] = value
    return record


def _yes_no(name: str, value: str) -> bool:
    folded = value.casefold()
    if folded in YES:
        return True
    if folded in NO:
        return False
    raise ValueError(f"{name}: write yes or no, not {value!r}")


def _read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise ImportError_(f"{path}: is not UTF-8 text; save it as CSV UTF-8") from None
    except OSError as exc:
        raise ImportError_(f"{path}: cannot be read ({exc.strerror})") from None


# --- Open Referral HSDS JSON ----------------------------------------------------------------------


def read_hsds(
    path: Path,
    known: set[str],
    default_types: Iterable[str] = (),
    verified_on: dt.date | None = None,
) -> Imported:
    """HSDS 3 services (a list, an API page with `contents`, or `{"services": [...]}`).

    Each service at each of its locations becomes one record. Read: name, organization.name,
    attributes[].taxonomy_term (code or name equal to a type id), service_areas[].name (else
    the address's city), locations' addresses, latitude and longitude, phones (type "text" as
    the SMS number), url, schedules (weekly byday/opens_at/closes_at), languages, fees
    description, description and eligibility (as notes), assured_date (as verified_on), and
    status (inactive, defunct and temporarily closed services are skipped).
    """
    text = _read_text(path)
    records = _Records(path, known)
    for line, service in _hsds_services(text, path):
        if not isinstance(service, dict):
            records.result.problems.append(error(path, line, "is not a service object"))
            continue
        state = str(service.get("status") or "").casefold()
        if state in HSDS_CLOSED:
            records.note(line, f"{service.get('name', 'a service')}: skipped, status is {state}")
            continue
        for record in _hsds_records(
            service, known, list(default_types), verified_on, records, line
        ):
            records.add(line, record)
    return records.result


def _hsds_services(text: str, path: Path) -> Iterator[tuple[int, Any]]:
    """Each service with the line it starts on, whichever top-level shape the file has."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ImportError_(f"{path}:{exc.lineno}: not valid JSON ({exc.msg})") from None
    decoder = json.JSONDecoder()
    start = _skip(text, 0)
    if isinstance(data, list):
        yield from _array_items(text, start, decoder)
        return
    if isinstance(data, dict):
        for key in ("contents", "services"):
            if isinstance(data.get(key), list):
                yield from _array_items(text, _value_of(text, start, key, decoder), decoder)
                return
        if "name" in data:
            yield text.count("\n", 0, start) + 1, data
            return
    raise ImportError_(f"{path}: expected a list of HSDS services (or an object with 'contents')")


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


def _array_items(text: str, position: int, decoder: json.JSONDecoder) -> Iterator[tuple[int, Any]]:
    position = _skip(text, position + 1)  # past "["
    while position < len(text) and text[position] != "]":
        item, end = decoder.raw_decode(text, position)
        yield text.count("\n", 0, position) + 1, item
        position = _skip(text, end)
        if position < len(text) and text[position] == ",":
            position = _skip(text, position + 1)


def _hsds_records(
    service: dict[str, Any],
    known: set[str],
    default_types: list[str],
    verified_on: dt.date | None,
    records: _Records,
    line: int,
) -> Iterator[dict[str, Any]]:
    name = _text(service.get("name"))
    organisation = _dict(service.get("organization"))
    types = _hsds_types(service, known) or default_types
    base: dict[str, Any] = {
        "name": name,
        "organisation": _text(organisation.get("name")),
        "types": types,
        "website": _text(service.get("url") or organisation.get("website")),
        "languages": [
            _text(item.get("code") or item.get("name")) for item in _dicts(service.get("languages"))
        ],
        "cost": _text(service.get("fees_description"))[:80],
        "notes": " ".join(
            part
            for part in (
                _text(service.get("description")),
                _text(service.get("eligibility_description")),
            )
            if part
        ),
        "verified_on": _text(service.get("assured_date")) or verified_on,
    }
    if not types:
        records.result.problems.append(
            error(
                records.path,
                line,
                f"{name or 'a service'}: no known type in its taxonomy terms; "
                "add one, or give --type",
            )
        )
        return
    areas = [_text(item.get("name")) for item in _dicts(service.get("service_areas"))]
    links = _dicts(service.get("service_at_locations"))
    places = [_dict(link.get("location")) | {"_link": link} for link in links] or [{}]
    for place in places:
        link = _dict(place.get("_link"))
        address = _address(_dicts(place.get("addresses")))
        record = dict(base)
        if len(places) > 1 and place.get("name"):
            record["name"] = f"{name} ({_text(place.get('name'))})"
            record["id"] = records.free_id(slug_id(f"{name} {_text(place.get('name'))}"))
        record["areas"] = [a for a in areas if a] or ([address[1]] if address[1] else [])
        record["address"] = address[0]
        record["latitude"] = place.get("latitude")
        record["longitude"] = place.get("longitude")
        phones = (
            _dicts(link.get("phones"))
            + _dicts(place.get("phones"))
            + _dicts(service.get("phones"))
            + _dicts(organisation.get("phones"))
        )
        record["phone"] = next(
            (_text(p.get("number")) for p in phones if _text(p.get("type")) in ("", "voice")), ""
        )
        record["text"] = next(
            (_text(p.get("number")) for p in phones if _text(p.get("type")) == "text"), ""
        )
        schedules = (
            _dicts(link.get("schedules"))
            or _dicts(place.get("schedules"))
            or _dicts(service.get("schedules"))
        )
        hours, unread = hsds_hours(schedules)
        if unread:
            records.note(line, f"{record['name']}: {unread}; hours left out, add them by hand")
        record["hours"] = hours
        yield record


def _hsds_types(service: dict[str, Any], known: set[str]) -> list[str]:
    found: list[str] = []
    for attribute in _dicts(service.get("attributes")):
        term = _dict(attribute.get("taxonomy_term"))
        for candidate in (_text(term.get("code")), _text(term.get("name"))):
            kind = slug(candidate) if candidate else ""
            if kind and kind in known and kind not in found:
                found.append(kind)
    return found


def _address(addresses: list[dict[str, Any]]) -> tuple[str, str]:
    """(one-line street address, city) of the first physical address."""
    for item in addresses:
        if _text(item.get("address_type")) in ("postal", "virtual"):
            continue
        parts = [
            _text(item.get(key))
            for key in ("address_1", "address_2", "city", "state_province", "postal_code")
        ]
        return ", ".join(part for part in parts if part), _text(item.get("city"))
    return "", ""


def hsds_hours(schedules: list[dict[str, Any]]) -> tuple[str | None, str]:
    """Weekly HSDS schedules as opening_hours ("Mo,We 09:00-17:00, Fr 10:00-12:00").

    Returns (hours or None, why some could not be read). Rules are joined with ", " (OSM's
    "additional" separator) so two sessions on one day both count.
    """
    rules: list[str] = []
    today = dt.date.today().isoformat()
    for schedule in schedules:
        valid_to = _text(schedule.get("valid_to"))
        if valid_to and valid_to < today:
            continue
        freq = _text(schedule.get("freq")).upper()
        opens, closes = _hhmm(schedule.get("opens_at")), _hhmm(schedule.get("closes_at"))
        if freq not in ("", "WEEKLY") or not opens or not closes:
            return None, "a schedule that is not a weekly opens_at/closes_at"
        days = [day.strip().upper() for day in _text(schedule.get("byday")).split(",") if day]
        if any(day not in HSDS_DAYS for day in days):
            return None, f"a schedule with byday {','.join(days)}"
        closes = "24:00" if closes == "23:59" else closes
        selector = ",".join(HSDS_DAYS[day] for day in days) if days else "Mo-Su"
        rules.append(f"{selector} {opens}-{closes}")
    if not rules:
        return None, ""
    hours = ", ".join(rules)
    if not opening_hours.validate(hours):
        return None, f"schedules that make {hours!r}"
    return hours, ""


def _hhmm(value: Any) -> str:
    match = re.match(r"^(\d{1,2}):(\d{2})", _text(value))
    return f"{int(match.group(1)):02d}:{match.group(2)}" if match else ""


def _text(value: Any) -> str:
    return str(value).strip() if value is not None else ""


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _dicts(value: Any) -> list[dict[str, Any]]:
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


# --- writing -------------------------------------------------------------------------------------


class _Flow(list[Any]):
    """A short list written on one line: types: [syringe-services, naloxone]."""


class _Dumper(yaml.SafeDumper):
    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        super().increase_indent(flow, False)  # list items indented under their key


_Dumper.add_representer(
    _Flow,
    lambda dumper, data: dumper.represent_sequence("tag:yaml.org,2002:seq", data, flow_style=True),
)


def write_region(target: Target, services: list[dict[str, Any]], source: Path) -> Path:
    """The region file, in the documented format, with a comment saying where it came from."""
    for service in services:
        for key in LIST_COLUMNS:
            if key in service:
                service[key] = _Flow(service[key])
    document = {
        "region": target.region,
        "country": target.country,
        "timezone": target.timezone,
        "services": services,
    }
    body = yaml.dump(
        document, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100
    ).replace("\n  - id:", "\n\n  - id:")
    body = body.replace("services:\n\n", "services:\n", 1)
    header = (
        f"# Imported from {source.name} on {dt.date.today().isoformat()} with "
        "`hrbot services import`.\n# Check it with `hrbot check`; edit it by hand from here on, "
        "or import again.\n"
    )
    target.folder.mkdir(parents=True, exist_ok=True)
    target.path.write_text(header + body, encoding="utf-8")
    return target.path


def verify_written(path: Path) -> list[Problem]:
    """Read the written file back with the loader: what is written must load."""
    _region, problems = read_region(path)
    return problems
