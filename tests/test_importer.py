"""`hrbot services import`: good records are written, each bad one is reported by its line."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from conftest import ROOT

from bot.config import BUNDLED_CONTENT
from bot.services.directory import read_region
from bot.services.hsds import hsds_hours, read_hsds
from bot.services.importer import (
    ImportError_,
    Options,
    Target,
    check_target,
    known_types,
    read_csv,
    verify_written,
    write_region,
)

KNOWN = known_types(BUNDLED_CONTENT, "en")
HOURS, DAY = "Mo-Fr 09:00-17:00", "2026-11-20"
HEADER = "id,name,types,areas,latitude,longitude,phone,hours,walk_in,notes,verified_on,listed"

# Line numbers are the file's: the header is line 1, and the quoted note spans lines 3-4.
SPREADSHEET = f"""{HEADER}
good-one,Good One,syringe-services;naloxone,Camden,51.53,-0.14,020 7946 0018,{HOURS},yes,,{DAY},yes
good-two,Good Two,drug-checking,Camden,,,,24/7,no,"a note
over two lines",2026-11-20,
bad-latitude,Bad Latitude,naloxone,Camden,95.1,-0.14,,,,,2026-11-20,yes
bad-type,Bad Type,needle-exchange,Camden,,,,,,,2026-11-20,yes

bad-hours,Bad Hours,naloxone,Camden,,,,9am till 5,,,2026-11-20,yes
,No Id Given,naloxone,Hackney,,,,,maybe,,2026-11-20,yes
,Hidden,naloxone,Hackney,,,,,,,2026-11-20,no
good-one,Good One Again,naloxone,Camden,,,,,,,2026-11-20,yes
bad-date,Bad Date,naloxone,Camden,,,,,,,yesterday,yes
"""


def test_csv_bad_fields_lose_the_field_and_bad_records_are_counted_by_reason(
    tmp_path: Path,
) -> None:
    source = tmp_path / "services.csv"
    source.write_text(SPREADSHEET, encoding="utf-8")
    found = read_csv(source, KNOWN, Options(country="GB"))
    assert [s["id"] for s in found.services] == [
        "good-one", "good-two", "bad-latitude", "bad-type", "bad-hours", "no-id-given", "hidden",
    ]  # fmt: skip
    bad = {p.line: p.message for p in found.problems if p.is_error}
    assert set(bad) == {11, 12}
    assert "already used on line 2" in bad[11]
    assert "verified_on" in bad[12]
    warned = {p.line: p.message for p in found.problems if not p.is_error}
    assert "latitude" in warned[5] and "left out, the rest imported" in warned[5]
    assert "call to check" in warned[8]
    assert "walk_in: write yes or no" in warned[9]
    assert all(str(p).startswith(f"{source}:{p.line}: ") for p in found.problems)
    assert (found.records_in, len(found.services), found.left_out) == (9, 7, 2)
    assert found.reasons == {"id used twice": 1, "verified_on is not a date": 1}
    services = {s["id"]: s for s in found.services}
    assert (
        "latitude" not in services["bad-latitude"] and "longitude" not in services["bad-latitude"]
    )
    assert services["bad-type"]["types"] == ["syringe-services"]  # "needle-exchange" is its words
    assert "hours" not in services["bad-hours"]
    assert services["bad-hours"]["hours_text"] == "9am till 5"

    target = Target("test-town", "GB", "Europe/London", tmp_path / "services")
    path = write_region(target, found.services, source)
    assert verify_written(path) == []
    region, problems = read_region(path)
    assert problems == [] and region is not None
    listings = {x.id: x.service for x in region.listings}
    assert listings["good-one"].types == ["syringe-services", "naloxone"]
    assert listings["good-one"].latitude == 51.53 and listings["good-one"].walk_in is True
    assert listings["good-two"].notes == "a note\nover two lines"
    assert listings["hidden"].listed is False  # kept in the file, never shown
    assert listings["good-one"].verified_on == dt.date(2026, 11, 20)
    text = path.read_text(encoding="utf-8")
    assert text.startswith("# Imported from services.csv")
    assert "types: [syringe-services, naloxone]" in text


def test_the_header_must_use_the_documented_columns(tmp_path: Path) -> None:
    source = tmp_path / "services.csv"
    source.write_text("name,types,areas,verified_on,opening times\n", encoding="utf-8")
    with pytest.raises(ImportError_, match="unknown column"):
        read_csv(source, KNOWN)
    source.write_text("name,types,verified_on\n", encoding="utf-8")
    with pytest.raises(ImportError_, match=r"missing column.*areas"):
        read_csv(source, KNOWN)


def test_semicolon_separated_spreadsheets_and_excel_bom(tmp_path: Path) -> None:
    source = tmp_path / "services.csv"
    rows = "name;types;areas;verified_on\nDrop In;syringe-services;Camden;2026-11-20\n"
    source.write_text("\ufeff" + rows, encoding="utf-8")
    found = read_csv(source, KNOWN)
    assert found.problems == []
    assert found.services[0]["id"] == "drop-in" and found.services[0]["areas"] == ["Camden"]


def test_the_documented_example_imports_cleanly(tmp_path: Path) -> None:
    example = ROOT / "docs/examples/services.csv"
    found = read_csv(example, KNOWN)
    assert found.problems == []
    assert len(found.services) >= 3
    path = write_region(Target("example", "GB", "Europe/London", tmp_path), found.services, example)
    assert verify_written(path) == []
    assert not (BUNDLED_CONTENT / "services" / "example.yaml").exists()


HSDS: list[dict[str, Any]] = [
    {
        "id": "1",
        "name": "Harbour Needle Exchange",
        "status": "active",
        "url": "https://example.org/harbour",
        "description": "Needles, naloxone and advice.",
        "assured_date": "2026-11-01",
        "organization": {"name": "Harbour Project"},
        "attributes": [{"taxonomy_term": {"code": "syringe-services", "name": "Syringe services"}}],
        "service_areas": [{"name": "Harbourside"}],
        "phones": [{"number": "020 7946 0021"}, {"number": "07700 900123", "type": "text"}],
        "service_at_locations": [
            {
                "location": {
                    "name": "Quay",
                    "latitude": 50.72,
                    "longitude": -1.88,
                    "addresses": [
                        {"address_1": "4 Quay Road", "city": "Harbourside", "postal_code": "HB1"}
                    ],
                },
                "schedules": [
                    {"freq": "WEEKLY", "byday": "MO,WE", "opens_at": "09:00:00",
                     "closes_at": "17:00:00"},
                    {"freq": "WEEKLY", "byday": "FR", "opens_at": "10:00", "closes_at": "12:00"},
                ],
            }
        ],
    },
    {"id": "2", "name": "Closed Place", "status": "defunct"},
    {"id": "3", "name": "No Type Here", "status": "active", "service_areas": [{"name": "X"}]},
]  # fmt: skip


def test_hsds_json_services_with_line_numbers(tmp_path: Path) -> None:
    source = tmp_path / "hsds.json"
    source.write_text(json.dumps({"total_items": 3, "contents": HSDS}, indent=2), encoding="utf-8")
    found = read_hsds(source, KNOWN, options=Options(country="GB"))
    [service] = found.services
    assert service["name"] == "Harbour Needle Exchange"
    assert service["organisation"] == "Harbour Project"
    assert service["types"] == ["syringe-services"]
    assert service["areas"] == ["Harbourside"]
    assert service["address"] == "4 Quay Road, Harbourside, HB1"
    assert (service["latitude"], service["longitude"]) == (50.72, -1.88)
    assert service["phone"] == "020 7946 0021" and service["text"] == "07700 900123"
    assert service["hours"] == "Mo,We 09:00-17:00, Fr 10:00-12:00"
    assert str(service["verified_on"]) == "2026-11-01"
    lines = source.read_text().splitlines()
    by_line = {p.line: p for p in found.problems}
    closed_line = next(i for i, text in enumerate(lines, 1) if '"Closed Place"' in text) - 2
    missing_line = next(i for i, text in enumerate(lines, 1) if '"No Type Here"' in text) - 2
    assert lines[closed_line - 1].strip() == "{" and lines[missing_line - 1].strip() == "{"
    assert not by_line[closed_line].is_error and "defunct" in by_line[closed_line].message
    assert by_line[missing_line].is_error and "no service type" in by_line[missing_line].message
    assert (found.records_in, found.left_out) == (3, 2)
    assert found.reasons == {"status defunct": 1, "no type in the mapping": 1}
    # --type gives services without a known type one
    found = read_hsds(source, KNOWN, ["peer-support"], verified_on=dt.date(2026, 11, 27))
    assert [s["name"] for s in found.services] == ["Harbour Needle Exchange", "No Type Here"]


def test_hsds_schedules_become_opening_hours() -> None:
    assert hsds_hours([{"byday": "SA,SU", "opens_at": "00:00", "closes_at": "23:59"}]) == (
        "Sa,Su 00:00-24:00",
        "",
    )
    assert hsds_hours([{"opens_at": "08:00Z", "closes_at": "16:30Z"}])[0] == "Mo-Su 08:00-16:30"
    hours, why = hsds_hours([{"freq": "MONTHLY", "byday": "2MO", "opens_at": "9:00",
                              "closes_at": "12:00"}])  # fmt: skip
    assert hours is None and "weekly" in why


def test_target_needs_a_country_and_a_time_zone(tmp_path: Path) -> None:
    with pytest.raises(ImportError_, match="--region"):
        check_target("Not A Region", "GB", "Europe/London", tmp_path)
    with pytest.raises(ImportError_, match="--timezone"):
        check_target("town", "GB", None, tmp_path)
    with pytest.raises(ImportError_, match="not a time zone"):
        check_target("town", "GB", "Mars/Olympus", tmp_path)
    (tmp_path / "town.yaml").write_text("region: town\ncountry: IE\ntimezone: Europe/Dublin\n")
    assert check_target("town", None, None, tmp_path) == Target(
        "town", "IE", "Europe/Dublin", tmp_path
    )


def test_hrbot_services_import_command(
    tmp_path: Path, cli: Callable[..., Any], content: Callable[..., Path]
) -> None:
    source = tmp_path / "services.csv"
    source.write_text(SPREADSHEET, encoding="utf-8")
    out = tmp_path / "out"
    args = ("services", "import", str(source), "--region", "test-town", "--country", "GB",
            "--timezone", "Europe/London", "--out", str(out))  # fmt: skip
    result = cli(*args)
    assert result.returncode == 1  # some rows were left out
    assert f"{source}:5: " in result.stdout and f"{source}:12: " in result.stdout
    assert "9 record(s) in, 7 service(s) imported, 2 record(s) left out" in result.stderr
    assert (out / "test-town.yaml").exists()
    again = cli(*args)
    assert again.returncode == 2 and "--replace" in again.stderr
    assert cli(*args, "--replace").returncode == 1
    # Added to a content folder, the imported file passes `hrbot check` and shows in the chat.
    tree = content()
    (tree / "services").mkdir()
    (tree / "services/test-town.yaml").write_text((out / "test-town.yaml").read_text())
    checked = cli("check", "--content", str(tree))
    assert "test-town.yaml" not in checked.stdout, checked.stdout
    chat = cli("chat", "--content", str(tree), input="/services\n1\n")
    assert "Good One" in chat.stdout and "Hidden" not in chat.stdout
