"""`hrbot services import`: a spreadsheet (CSV) or Open Referral HSDS data → a region file.

Services usually already keep their list somewhere: a spreadsheet, or a directory system that
exports Open Referral's Human Services Data Specification (HSDS 3 JSON, or an HSDS 1.x/2.x
tabular datapackage; see bot/services/hsds.py and datapackage.py). Retyping it by hand is where
mistakes come from, so this reads it, checks every record with the same rules as `hrbot
check`, writes the good ones to `content/services/<region>.yaml`, and reports each problem by
its line in the input file, so it can be fixed there and imported again.

A bad field loses that field, not the record: a website that is not one, a yes/no that says
"maybe", hours nobody can read safely are left out (or kept as text) with a warning, and the
record is imported. Only a record without what a listing needs (a name, a type, an area, the
date it was checked) is left out, and it is counted under that reason.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import opening_hours
import yaml
from pydantic import ValidationError

from bot.config import BUNDLED_CONTENT
from bot.content.files import ContentError, read_yaml
from bot.content.kit import ID_PATTERN, slug
from bot.content.problems import Problem, error, warning
from bot.services import cleaning
from bot.services.directory import Service, read_region
from bot.services.places import Centroids
from bot.services.taxonomy import FILE_NAME as MAPPING_FILE
from bot.services.taxonomy import Mapper, TypeMapping, read_mapping
from bot.services.typed_hours import Unreadable, read_typed_hours

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
    "hours_text",
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
# Fields a record keeps without: a bad one is left out with a warning, and the record stays.
REQUIRED = ("id", "name", "types", "areas", "verified_on")
MAX_NAME, MAX_COST, MAX_NOTES = 100, 80, 600
# AIRS codes under Y are who a service is for ("YB-8000 Older Adults"), not what it does: they
# are not listed among the terms to map.
_AUDIENCE = re.compile(r"^Y[A-Z]-")
Progress = Callable[[int, int], None]  # (done, total), for a progress bar on a terminal


class ImportError_(Exception):
    """The whole file can't be imported (unreadable, wrong header); one line to act on."""


@dataclass
class Imported:
    """What an import found: the good services, every problem, and the counts per record.

    `records_in` counts the input's records (rows, or HSDS services); `left_out` those of them
    that gave no service, each counted once under its first reason in `reasons`. A service at
    three places is one record in and three services out.
    """

    services: list[dict[str, Any]] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    records_in: int = 0
    reasons: Counter[str] = field(default_factory=Counter)
    unmapped_terms: Counter[str] = field(default_factory=Counter)
    fixed: Counter[str] = field(default_factory=Counter)

    @property
    def left_out(self) -> int:
        return sum(self.reasons.values())

    def summary(self) -> list[str]:
        """The lines the command prints last: in, imported, left out and why."""
        lines = [
            f"{self.records_in} record(s) in, {len(self.services)} service(s) imported, "
            f"{self.left_out} record(s) left out"
        ]
        lines += [f"  left out, {reason}: {count}" for reason, count in self.reasons.most_common()]
        lines += [f"  fixed, {what}: {count}" for what, count in self.fixed.most_common()]
        if self.unmapped_terms:
            top = ", ".join(f"{term} ({n})" for term, n in self.unmapped_terms.most_common(10))
            lines.append(f"  terms no type maps to, most common first: {top}")
        return lines


@dataclass(frozen=True)
class Options:
    """How to read the records: the country's formats, the type mapping and the fallbacks."""

    country: str = ""
    mapper: Mapper | None = None
    default_types: tuple[str, ...] = ()
    verified_on: dt.date | None = None
    centroids: Centroids | None = None
    progress: Progress | None = None
    today: dt.date = field(default_factory=dt.date.today)


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


def mapper_for(known: set[str], mapping: TypeMapping | None = None) -> Mapper:
    """The mapping to use; without one, the bundled `service-types.yaml`."""
    if mapping is None:
        mapping, _problems = read_mapping(BUNDLED_CONTENT / MAPPING_FILE)
    return Mapper.build(mapping or TypeMapping(), frozenset(known))


class Records:
    """Checks records one by one against the directory schema, keeping ids unique.

    Each input record is opened with `begin` and closed with `end`; the services `add`ed in
    between count for it, and a record that gave none is counted once, under its first reason.
    """

    def __init__(self, path: Path, known: set[str], options: Options | None = None) -> None:
        self.path = path
        self.known = known
        self.options = options or Options()
        self.mapper = self.options.mapper or mapper_for(known)
        self.result = Imported()
        self._ids: dict[str, int] = {}
        self._kept = 0
        self._reason = ""

    # --- one input record ---------------------------------------------------------------

    def begin(self) -> None:
        self.result.records_in += 1
        self._kept, self._reason = 0, ""

    def end(self) -> None:
        if not self._kept:
            self.result.reasons[self._reason or "no service in it"] += 1

    def leave_out(self, line: int, reason: str, message: str, path: Path | None = None) -> None:
        """The record can't be a listing: one error line, and `reason` for the count."""
        self.result.problems.append(error(path or self.path, line, message))
        self._reason = self._reason or reason

    def skip(self, line: int, reason: str, message: str, path: Path | None = None) -> None:
        """The record is left out on purpose (a closed service): a warning, and the count."""
        self.result.problems.append(warning(path or self.path, line, message))
        self._reason = self._reason or reason

    def note(self, line: int, message: str, path: Path | None = None) -> None:
        self.result.problems.append(warning(path or self.path, line, message))

    def add(self, line: int, record: dict[str, Any], path: Path | None = None) -> bool:
        """Clean, check and keep one service; False (with the reasons) when it can't be."""
        where = path or self.path
        record = {key: value for key, value in record.items() if value not in (None, "", [])}
        label = str(record.get("name") or "a record")
        self._clean(line, record, where, label)
        if not record.get("types"):
            return False
        if "_date_problem" in record:
            message = f"verified_on: {record.pop('_date_problem')}"
            self.leave_out(line, "verified_on is not a date", message, path)
            return False
        if "id" not in record and record.get("name"):
            record["id"] = self.free_id(slug_id(str(record["name"])))
        service = self._validate(line, record, where)
        if service is None:
            return False
        if service.id in self._ids:
            message = f"id '{service.id}' is already used on line {self._ids[service.id]}"
            self.leave_out(line, "id used twice", message, path)
            return False
        self._ids[service.id] = line
        self.result.services.append(_ordered(service, record))
        self._kept += 1
        return True

    def _validate(self, line: int, record: dict[str, Any], where: Path) -> Service | None:
        """The schema's check; a bad optional field is dropped (with a warning) and tried again."""
        for _attempt in range(len(record) + 1):
            try:
                return Service.model_validate(record)
            except ValidationError as exc:
                dropped = False
                for err in exc.errors():
                    name = next((str(p) for p in err["loc"] if not isinstance(p, int)), "")
                    message = _message(err)
                    fields = _fields_of(name, message)
                    if not fields or any(f in REQUIRED for f in fields):
                        field_name = name or "record"
                        self.leave_out(
                            line, f"{field_name} {_short(err)}", f"{field_name}: {message}"
                        )
                        return None
                    for item in fields:
                        value = record.pop(item, None)
                        if value is None:
                            continue
                        said = message if item == name or not name else f"goes with {name}"
                        self.note(
                            line, f"{item}: {said}; {value!r} left out, the rest imported", where
                        )
                    dropped = True
                if not dropped:  # pragma: no cover - every error names a field or is fatal
                    return None
        return None

    def _clean(self, line: int, record: dict[str, Any], where: Path, label: str) -> None:
        """Each field read as people write it; every guess is a warning on the record's line."""
        country = self.options.country

        def note(message: str) -> None:
            self.note(line, f"{label}: {message}", where)

        for key in ("website", "source"):
            if isinstance(record.get(key), str):
                cleaned = cleaning.website(record[key])
                if cleaned.value != record[key]:
                    self.result.fixed["website given https://"] += 1
                record[key] = cleaned.value
        for key in ("phone", "text"):
            if isinstance(record.get(key), str) and country:
                cleaned = cleaning.phone(record[key], country)
                if cleaned.note:
                    note(f"{key}: {cleaned.note}")
                record[key] = cleaned.value
        self._clean_date(record, note)
        self._clean_hours(record, note)
        for key, limit in (("name", MAX_NAME), ("cost", MAX_COST), ("notes", MAX_NOTES)):
            if isinstance(record.get(key), str):
                cleaned = cleaning.cut_at_word(record[key], limit)
                if cleaned.note and key == "notes":  # long descriptions are common: counted
                    self.result.fixed[f"notes cut at a word to {MAX_NOTES} characters"] += 1
                elif cleaned.note:
                    note(f"{key} {cleaned.note}")
                record[key] = cleaned.value
        self._clean_types(line, record, where, label)
        if record.get("latitude") is None and self.options.centroids is not None:
            point = self.options.centroids.find_in(str(record.get("address", "")))
            if point is not None:
                record["latitude"], record["longitude"] = point.latitude, point.longitude
                self.result.fixed["placed at its postcode's centre"] += 1

    def _clean_date(self, record: dict[str, Any], note: Callable[[str], None]) -> None:
        value = record.get("verified_on")
        if isinstance(value, str):
            try:
                record["verified_on"], message = cleaning.date(value, self.options.country or "GB")
            except ValueError as exc:
                record["verified_on"] = value  # left out by the schema, with this reason
                record["_date_problem"] = str(exc)
                return
            if message:
                note(f"verified_on: {message}")
        if record.get("verified_on") is None and self.options.verified_on is not None:
            record["verified_on"] = self.options.verified_on

    def _clean_hours(self, record: dict[str, Any], note: Callable[[str], None]) -> None:
        value = record.get("hours")
        if not isinstance(value, str) or opening_hours.validate(value):
            return
        try:
            reading = read_typed_hours(value)
        except Unreadable as exc:
            record.pop("hours")
            record["hours_text"] = cleaning.cut_at_word(value, 200).value
            note(f"hours {exc}; kept as written and shown with 'call to check'")
            self.result.fixed["hours kept as text"] += 1
            return
        record["hours"] = reading.hours
        self.result.fixed["hours read from text"] += 1
        if reading.guessed:
            note(f"hours: read {value!r} as {reading.hours!r}; check it")

    def _clean_types(self, line: int, record: dict[str, Any], where: Path, label: str) -> None:
        """Type words through the mapping; a record with none is left out and listed."""
        given = record.get("types")
        terms: list[tuple[str, str]] = record.pop("_terms", [])
        if isinstance(given, list):
            terms += [("", str(item)) for item in given]
        kinds = [
            kind for kind in self.mapper.kinds_of(terms) if not self.known or kind in self.known
        ]
        if not kinds and self.options.default_types:
            kinds = list(self.options.default_types)
        if kinds:
            record["types"] = kinds
            return
        record.pop("types", None)
        shown = [f"{code} {name}".strip() for code, name in terms]
        for term in shown:
            if not _AUDIENCE.match(term):
                self.result.unmapped_terms[term] += 1
        words = "; ".join(shown[:6]) + (" …" if len(shown) > 6 else "") if shown else "none"
        self.leave_out(
            line,
            "no type in the mapping",
            f"{label}: no service type for its terms ({words}); add them to service-types.yaml"
            " or give --type",
            where,
        )

    def free_id(self, base: str) -> str:
        candidate, number = base, 2
        while candidate in self._ids:
            candidate = f"{base[: MAX_ID - 4]}-{number}"
            number += 1
        return candidate


def _message(err: Any) -> str:
    message = "is missing" if err["type"] == "missing" else str(err["msg"])
    return message.removeprefix("Value error, ")


def _short(err: Any) -> str:
    """A reason as counted in the summary ("verified_on is missing")."""
    if err["type"] == "missing":
        return "is missing"
    return "is not valid"


def _fields_of(name: str, message: str) -> tuple[str, ...]:
    """The fields an error is about; a record-level error about coordinates means both."""
    if name in ("latitude", "longitude") or "latitude and longitude" in message:
        return ("latitude", "longitude")  # one without the other is no place
    return (name,) if name else ()


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


def read_csv(path: Path, known: set[str], options: Options | None = None) -> Imported:
    """A spreadsheet saved as CSV with the documented header (first line)."""
    text = read_text(path)
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
    records = Records(path, known, options)
    line = reader.line_num + 1
    for row in reader:
        start, line = line, reader.line_num + 1
        if not any(cell.strip() for cell in row):
            continue
        records.begin()
        if len(row) > len(columns):
            message = f"has {len(row)} cells but the header has {len(columns)}"
            records.leave_out(start, "too many cells", message)
            records.end()
            continue
        cells = dict(zip(columns, (cell.strip() for cell in row), strict=False))
        records.add(start, _csv_record(cells, partial(records.note, start)))
        records.end()
    return records.result


def _dialect(text: str) -> type[csv.Dialect] | csv.Dialect:
    """Comma, semicolon (spreadsheets in many locales) or tab, from the header line."""
    first = text.split("\n", 1)[0]
    try:
        return csv.Sniffer().sniff(first, delimiters=",;\t")
    except csv.Error:
        return csv.excel


def _csv_record(cells: Mapping[str, str], note: Callable[[str], None]) -> dict[str, Any]:
    record: dict[str, Any] = {}
    for name, value in cells.items():
        if not name or not value:
            continue
        if name in LIST_COLUMNS:
            separators = r"[;,]" if name == "types" else r";"
            record[name] = [item.strip() for item in re.split(separators, value) if item.strip()]
        elif name in YES_NO_COLUMNS:
            answer = _yes_no(value)
            if answer is None:
                note(f"{name}: write yes or no, not {value!r}; left out, the rest imported")
            else:
                record[name] = answer
        else:
            record[name] = value
    return record


def _yes_no(value: str) -> bool | None:
    folded = value.casefold()
    if folded in YES:
        return True
    if folded in NO:
        return False
    return None


def read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise ImportError_(f"{path}: is not UTF-8 text; save it as CSV UTF-8") from None
    except OSError as exc:
        raise ImportError_(f"{path}: cannot be read ({exc.strerror})") from None


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
