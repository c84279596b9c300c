"""Importing the directory data services really have: a 211 datapackage, HSDS 3 JSON shapes,
and a spreadsheet typed the way an outreach worker types one."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from conftest import ROOT

from bot.config import BUNDLED_CONTENT
from bot.engine import Engine
from bot.services.datapackage import read_datapackage
from bot.services.directory import read_region
from bot.services.finder import Directory, Found, status
from bot.services.hsds import read_hsds
from bot.services.importer import (
    Options,
    Target,
    known_types,
    read_csv,
    verify_written,
    write_region,
)
from bot.services.places import read_centroids
from bot.services.typed_hours import Unreadable, read_typed_hours

KNOWN = known_types(BUNDLED_CONTENT, "en")
PACKAGE = ROOT / "tests/data/hsds-tabular/datapackage.json"
TODAY = dt.date(2026, 11, 27)


def test_a_211_tabular_datapackage_with_the_default_mapping(tmp_path: Path) -> None:
    options = Options(country="US", verified_on=dt.date(2026, 11, 20), today=TODAY)
    found = read_datapackage(PACKAGE, KNOWN, options)
    assert (found.records_in, len(found.services), found.left_out) == (6, 4, 2)
    assert found.reasons == {"no type in the mapping": 1, "areas is missing": 1}
    services = {s["name"]: s for s in found.services}
    methadone = services["BAYSIDE METHADONE PROGRAM"]
    assert methadone["types"] == ["treatment-oat"]
    assert methadone["organisation"] == "BAYSIDE RECOVERY PARTNERS"
    assert methadone["website"] == "https://www.bayside-recovery.example/methadone"
    assert methadone["phone"] == "(305) 555-0134 ext. 204"
    assert methadone["hours"] == "Mo-Fr 05:30-13:00, Sa 06:00-10:00"
    assert methadone["address"] == "100 Example Street, Suite 2, Miami, FL, 33101"
    assert methadone["areas"] == ["Miami"] and methadone["languages"] == ["English", "Spanish"]
    assert "###" not in methadone["notes"] and "\\n" not in methadone["notes"]
    assert methadone["cost"].endswith("…") and len(methadone["cost"]) <= 80
    assert " ".join(methadone["cost"][:-1].split()) in (
        "Sliding fee scale based on household income and size; nobody is turned away because "
        "they cannot pay for treatment"
    )  # cut between words
    clinic = services["SOUTH KEY TESTING AND WOUND CLINIC"]
    assert clinic["types"] == ["hiv-hep-testing", "wound-care"]  # several types, one record
    assert "hours" not in clinic and clinic["hours_text"].startswith("every other Wednesday")
    line = services["HARBOUR CRISIS LINE"]
    assert line["hours"] == "Mo-Fr 07:30-16:00"  # 4:00pm is 16:00, not 04:00
    assert line["phone"] == "(305) 555-0172"  # the extension "OPT2" is no number: said, left out
    assert services["BAYSIDE DETOX INTAKE"]["types"] == ["treatment-oat"]  # the longest code wins
    csv_lines = (PACKAGE.parent / "data/services.csv").read_text().splitlines()
    troop = next(p for p in found.problems if "LITTLE EXPLORERS" in p.message)
    assert troop.is_error and csv_lines[troop.line - 1].startswith("603,")
    assert "PS-9800.9900 Youth Enrichment Programs" in troop.message
    assert found.unmapped_terms == {"PS-9800.9900 Youth Enrichment Programs": 1}  # not ages
    warned = " ".join(p.message for p in found.problems if not p.is_error)
    assert "OPT2" in warned and "call to check" in warned
    # One region with mixed types, which loads and passes the directory's own checks.
    target = Target("south-florida", "US", "America/New_York", tmp_path)
    path = write_region(target, found.services, PACKAGE)
    assert verify_written(path) == []
    region, _ = read_region(path)
    assert region is not None
    assert {kind for x in region.listings for kind in x.service.types} == {
        "treatment-oat", "hiv-hep-testing", "wound-care", "crisis-line",
    }  # fmt: skip


def test_the_summary_counts_records_not_lines() -> None:
    found = read_datapackage(PACKAGE, KNOWN, Options(country="US", verified_on=TODAY, today=TODAY))
    summary = found.summary()
    assert summary[0] == "6 record(s) in, 4 service(s) imported, 2 record(s) left out"
    assert "  left out, no type in the mapping: 1" in summary
    assert any(line.startswith("  fixed, website given https://") for line in summary)


# The staff spreadsheet: each row had one field typed the way people type it.
STAFF = """name,types,areas,phone,website,hours,verified_on
Drop In,Needle exchange,Hackney,020 7946 0018,www.dropin.example,Mon-Fri 9-5,27/11/2026
Night Van,syringe-services,Hackney,,,Fri & Sat 10pm-3am,2026-11-27
Clinic One,treatment-oat,Hackney,,,9am-5pm Mon to Fri (closed 1-2),Nov 2026
Tuesday Group,peer-support,Hackney,,,Tuesdays 10:00-12:00,2026-11-27
Early Desk,naloxone,Hackney,,,7:30am–4:00pm Mon-Fri,2026-11-27
Fortnightly,naloxone,Hackney,,,every other Wednesday,2026-11-27
Hep Clinic,Hep C testing; HIV testing,Hackney,,https://hep.example,24/7,2026-11-27
Van Two,syringe-services,Hackney,,,Mon-Fri 7-11,2026-11-27
"""


def test_the_staff_spreadsheet_imports_every_row(tmp_path: Path) -> None:
    source = tmp_path / "staff.csv"
    source.write_text(STAFF, encoding="utf-8")
    found = read_csv(source, KNOWN, Options(country="GB"))
    assert (found.records_in, len(found.services), found.left_out) == (8, 8, 0)
    rows = {s["name"]: s for s in found.services}
    assert rows["Drop In"]["types"] == ["syringe-services"]
    assert rows["Drop In"]["hours"] == "Mo-Fr 09:00-17:00"
    assert rows["Drop In"]["website"] == "https://www.dropin.example/"
    assert rows["Drop In"]["verified_on"] == dt.date(2026, 11, 27)  # day first in GB
    assert rows["Night Van"]["hours"] == "Fr,Sa 22:00-03:00"
    assert rows["Clinic One"]["hours"] == "Mo-Fr 09:00-13:00,14:00-17:00"
    assert rows["Clinic One"]["verified_on"] == dt.date(2026, 11, 1)
    assert rows["Tuesday Group"]["hours"] == "Tu 10:00-12:00"
    assert rows["Early Desk"]["hours"] == "Mo-Fr 07:30-16:00"
    assert rows["Fortnightly"]["hours_text"] == "every other Wednesday"
    assert rows["Hep Clinic"]["types"] == ["hiv-hep-testing"]
    assert rows["Van Two"]["hours_text"] == "Mon-Fri 7-11"  # morning or evening: not guessed
    warnings = {p.line: p.message for p in found.problems if not p.is_error}
    assert "day first" in warnings[2] or "09:00-17:00" in warnings[2]
    assert "no day" in " ".join(p.message for p in found.problems if p.line == 4)
    assert "call to check" in warnings[7] and "morning or evening" in warnings[9]
    path = write_region(Target("hackney", "GB", "Europe/London", tmp_path), found.services, source)
    assert verify_written(path) == []


@pytest.mark.parametrize(
    ("typed", "hours"),
    [
        ("Mon-Fri 9-5", "Mo-Fr 09:00-17:00"),
        ("4:00pm-6pm Sat", "Sa 16:00-18:00"),
        ("Mon-Fri 9-5, Sun closed", "Mo-Fr 09:00-17:00; Su off"),
        ("weekdays 8:30am to 5pm", "Mo-Fr 08:30-17:00"),
        ("Mon, Wed & Fri 9.30-1", "Mo,We,Fr 09:30-13:00"),
        ("Open 24 hours", "24/7"),
        ("7 days a week noon-midnight", "Mo-Su 12:00-24:00"),
        ("Mon-Fri 8am-8pm (lunch 12-1)", "Mo-Fr 08:00-12:00,13:00-20:00"),
    ],
)
def test_typed_hours(typed: str, hours: str) -> None:
    assert read_typed_hours(typed).hours == hours


@pytest.mark.parametrize(
    "typed", ["every other Wednesday", "by appointment", "9-5", "1st Monday 10-2", "Mon 9am"]
)
def test_hours_that_cannot_be_read_safely_are_not_guessed(typed: str) -> None:
    with pytest.raises(Unreadable):
        read_typed_hours(typed)


def test_hsds3_organisations_with_nested_services_and_a_list_without_locations(
    tmp_path: Path,
) -> None:
    source = tmp_path / "orgs.json"
    orgs = [
        {"name": "Harbour Project", "website": "harbour.example", "services": [
            {"name": "Harbour Needle Exchange", "assured_date": "2026-11-01",
             "attributes": [{"taxonomy_term": {"name": "Needle Exchange"}}],
             "service_areas": [{"name": "Harbourside"}]},
        ]},
    ]  # fmt: skip
    source.write_text(json.dumps(orgs, indent=2), encoding="utf-8")
    found = read_hsds(source, KNOWN)
    [service] = found.services
    assert service["organisation"] == "Harbour Project"
    assert service["website"] == "https://harbour.example/"
    assert service["types"] == ["syringe-services"]
    bare = tmp_path / "bare.json"
    term = {"taxonomy_term": {"name": "naloxone"}}
    bare.write_text(json.dumps([{"name": "A", "assured_date": "2026-11-01", "attributes": [term]}]))
    found = read_hsds(bare, KNOWN)
    assert found.left_out == 1
    assert any("no service has a location" in p.message for p in found.problems)


def test_postcode_centroids_place_services_without_coordinates(tmp_path: Path) -> None:
    table = tmp_path / "postcodes.csv"
    table.write_text("postcode,latitude,longitude\nE8 1HY,51.5455,-0.0553\n", encoding="utf-8")
    centroids, problems = read_centroids(table)
    assert problems == [] and centroids is not None
    source = tmp_path / "s.csv"
    source.write_text(
        "name,types,areas,address,verified_on\n"
        'Mare St,naloxone,Hackney,"1 Mare Street, London E8 1HY",2026-11-27\n'
    )
    found = read_csv(source, KNOWN, Options(country="GB", centroids=centroids))
    assert (found.services[0]["latitude"], found.services[0]["longitude"]) == (51.5455, -0.0553)


def test_hours_kept_as_text_are_shown_as_written_with_call_to_check(
    tmp_path: Path, engine: Engine
) -> None:
    region = tmp_path / "town.yaml"
    region.write_text(
        "region: town\ncountry: GB\ntimezone: Europe/London\nservices:\n"
        "  - id: fortnightly\n    name: Fortnightly\n    types: [naloxone]\n    areas: [Town]\n"
        "    address: 1 High St\n    hours_text: every other Wednesday\n"
        "    verified_on: 2026-11-27\n"
    )
    loaded, problems = read_region(region)
    assert problems == [] and loaded is not None
    [listing] = Directory(loaded.listings).listings
    found = Found(listing, status(listing, dt.datetime(2026, 11, 25, 12, tzinfo=dt.UTC)))
    replies = next(iter(engine.languages.values())).services
    assert replies.status_text(found) == "hours: every other Wednesday · call to check"


def test_import_command_reads_a_datapackage_and_check_warns_about_unplaced_services(
    tmp_path: Path, cli: Callable[..., Any], content: Callable[..., Path]
) -> None:
    out = tmp_path / "out"
    result = cli("services", "import", str(PACKAGE), "--region", "south-florida",
                 "--country", "US", "--timezone", "America/New_York",
                 "--verified-on", "2026-11-20", "--out", str(out))  # fmt: skip
    assert result.returncode == 1, result.stderr
    assert "6 record(s) in, 4 service(s) imported, 2 record(s) left out" in result.stderr
    assert "services.csv:" in result.stdout
    tree = content()
    (tree / "services").mkdir()
    (tree / "services/south-florida.yaml").write_text((out / "south-florida.yaml").read_text())
    checked = cli("check", "--content", str(tree))
    unplaced = [line for line in checked.stdout.splitlines() if "no latitude and longitude" in line]
    assert len(unplaced) == 2, checked.stdout  # the crisis line and the detox intake
