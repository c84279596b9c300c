"""An HSDS 1.x/2.x tabular datapackage (`datapackage.json` and its CSV files) → records.

211s and other directories publish HSDS as a Frictionless *tabular data package*: a
`datapackage.json` naming one CSV per table (services, organizations, locations, phones,
physical_addresses, regular_schedules, services_taxonomy, taxonomy, languages, …), joined by
ids. Real exports don't follow their own descriptor to the letter: the CSVs may sit in `data/`
while the descriptor says `services.csv`, carry columns it doesn't list, or list them in
another order. So tables are found by resource name and file name, and columns by header.

Each service is nested the way HSDS 3 nests it and read by bot/services/hsds.py, so both
formats follow one set of rules; problems are reported at the service's line in services.csv.
The standard library's csv module reads each table once, in one pass (the frictionless package
would validate every cell against the schema, which is slower and would reject exports that
are usable as they are).
"""

from __future__ import annotations

import csv
import json
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from bot.services.hsds import no_place_at_all, read_service
from bot.services.importer import Imported, ImportError_, Options, Records

# Resource names as HSDS 1.x, 2.x and 3.0 spell them → the table read here.
TABLES = {
    "service": ("service", "services"),
    "organization": ("organization", "organizations"),
    "location": ("location", "locations"),
    "service_at_location": ("service_at_location", "services_at_location", "service_at_locations"),
    "phone": ("phone", "phones"),
    "physical_address": ("physical_address", "physical_addresses", "address", "addresses"),
    "schedule": ("regular_schedule", "regular_schedules", "schedule", "schedules"),
    "service_taxonomy": (
        "service_taxonomy", "services_taxonomy", "service_attribute", "attribute", "attributes",
    ),
    "taxonomy": ("taxonomy", "taxonomy_term", "taxonomy_terms"),
    "language": ("language", "languages"),
    "service_area": ("service_area", "service_areas"),
    "eligibility": ("eligibility",),
}  # fmt: skip


def is_datapackage(path: Path) -> bool:
    if path.is_dir():
        return (path / "datapackage.json").exists()
    return path.name == "datapackage.json"


def read_datapackage(path: Path, known: set[str], options: Options | None = None) -> Imported:
    """Every service of the datapackage, one record each, reported by services.csv line."""
    descriptor = path / "datapackage.json" if path.is_dir() else path
    tables = _table_paths(descriptor)
    if "service" not in tables:
        raise ImportError_(f"{descriptor}: no services table (services.csv) found")
    rows = {name: list(_rows(table)) for name, table in tables.items() if name != "service"}
    services = list(_rows(tables["service"]))
    records = Records(tables["service"], known, options)
    joined = _Joined(rows)
    total = len(services)
    for done, (line, row) in enumerate(services):
        if records.options.progress is not None and done % 500 == 0:
            records.options.progress(done, total)
        read_service(records, joined.service(row), line, tables["service"])
    if records.options.progress is not None:
        records.options.progress(total, total)
    no_place_at_all(records)
    return records.result


def _table_paths(descriptor: Path) -> dict[str, Path]:
    try:
        data = json.loads(descriptor.read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ImportError_(f"{descriptor}: cannot be read as a datapackage ({exc})") from None
    resources = data.get("resources") if isinstance(data, dict) else None
    if not isinstance(resources, list):
        raise ImportError_(f"{descriptor}: has no resources list; is it a datapackage.json?")
    folder = descriptor.parent
    found: dict[str, Path] = {}
    for resource in resources:
        if not isinstance(resource, dict):
            continue
        name = str(resource.get("name", "")).casefold()
        table = next((t for t, names in TABLES.items() if name in names), None)
        where = _find(folder, str(resource.get("path") or f"{name}.csv"))
        if table is not None and where is not None:
            found.setdefault(table, where)
    for table, names in TABLES.items():  # files the descriptor forgot to list
        for name in names:
            where = _find(folder, f"{name}.csv")
            if where is not None:
                found.setdefault(table, where)
    return found


def _find(folder: Path, relative: str) -> Path | None:
    """The resource's file: where the descriptor says, else in data/ beside it."""
    for candidate in (folder / relative, folder / "data" / Path(relative).name):
        if candidate.is_file():
            return candidate
    return None


def _rows(path: Path) -> Iterator[tuple[int, dict[str, str]]]:
    """(line, row) for each row, with the header's column names, trimmed."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        text = path.read_text(encoding="cp1252", errors="replace")
    reader = csv.reader(text.splitlines(keepends=True))
    header = [name.strip().casefold() for name in next(reader, [])]
    line = reader.line_num + 1
    for row in reader:
        start, line = line, reader.line_num + 1
        if any(cell.strip() for cell in row):
            yield start, {name: cell.strip() for name, cell in zip(header, row, strict=False)}


class _Joined:
    """The tables indexed by the ids they join on, built once: each look-up is a dict read."""

    def __init__(self, rows: dict[str, list[tuple[int, dict[str, str]]]]) -> None:
        def by(table: str, column: str) -> dict[str, list[dict[str, str]]]:
            index: dict[str, list[dict[str, str]]] = defaultdict(list)
            for _line, row in rows.get(table, []):
                if row.get(column):
                    index[row[column]].append(row)
            return index

        self.organisations = {
            row["id"]: row for _l, row in rows.get("organization", []) if row.get("id")
        }
        self.locations = {row["id"]: row for _l, row in rows.get("location", []) if row.get("id")}
        self.terms = {row["id"]: row for _l, row in rows.get("taxonomy", []) if row.get("id")}
        self.links = by("service_at_location", "service_id")
        self.addresses = by("physical_address", "location_id")
        self.service_phones = by("phone", "service_id")
        self.location_phones = by("phone", "location_id")
        self.organisation_phones = by("phone", "organization_id")
        self.link_phones = by("phone", "service_at_location_id")
        self.service_schedules = by("schedule", "service_id")
        self.location_schedules = by("schedule", "location_id")
        self.link_schedules = by("schedule", "service_at_location_id")
        self.taxonomy = by("service_taxonomy", "service_id")
        self.languages = by("language", "service_id")
        self.areas = by("service_area", "service_id")
        self.eligibility = by("eligibility", "service_id")

    def service(self, row: dict[str, str]) -> dict[str, Any]:
        """One services.csv row nested as an HSDS 3 service."""
        key = row.get("id", "")
        organisation: dict[str, Any] = dict(
            self.organisations.get(row.get("organization_id", ""), {})
        )
        if organisation:
            organisation["phones"] = self.organisation_phones.get(organisation.get("id", ""), [])
        terms = []
        for link in self.taxonomy.get(key, []):
            code = link.get("taxonomy_id") or link.get("taxonomy_term_id") or ""
            term = self.terms.get(code, {})
            terms.append(
                {"taxonomy_term": {"code": term.get("code") or code, "name": term.get("name", "")}}
            )
        eligibility = " ".join(e.get("eligibility", "") for e in self.eligibility.get(key, []))
        service: dict[str, Any] = {
            **row,
            "organization": organisation,
            "attributes": terms,
            "phones": [p for p in self.service_phones.get(key, []) if not p.get("location_id")],
            "schedules": [
                s for s in self.service_schedules.get(key, []) if not s.get("location_id")
            ],
            "languages": [
                {"name": lang.get("language", "")} for lang in self.languages.get(key, [])
            ],
            "service_areas": [{"name": a.get("service_area", "")} for a in self.areas.get(key, [])],
            "eligibility_description": eligibility,
            "fees_description": row.get("fees_description") or row.get("fees", ""),
            "service_at_locations": [self._link(link) for link in self.links.get(key, [])],
        }
        return service

    def _link(self, link: dict[str, str]) -> dict[str, Any]:
        location_id = link.get("location_id", "")
        location: dict[str, Any] = dict(self.locations.get(location_id, {}))
        location["addresses"] = self.addresses.get(location_id, [])
        location["phones"] = self.location_phones.get(location_id, [])
        location["schedules"] = self.location_schedules.get(location_id, [])
        return {
            **link,
            "location": location,
            "phones": self.link_phones.get(link.get("id", ""), []),
            "schedules": self.link_schedules.get(link.get("id", ""), []),
        }
