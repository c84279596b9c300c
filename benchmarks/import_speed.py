"""How long `hrbot services import` takes on big inputs (the target: a 10 MB HSDS file in ≤ 3 s).

    python benchmarks/import_speed.py [--megabytes 10] [--services 20000]

Generates, in a temporary folder, an HSDS 3 JSON file of about --megabytes (pretty-printed,
as exports are) and an HSDS 1.1 tabular datapackage of --services services shaped like a 211
export (tests/data/hsds-tabular), then times reading each, with the bundled type mapping.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import random
import tempfile
import time
from pathlib import Path

from bot.config import BUNDLED_CONTENT
from bot.services.datapackage import read_datapackage
from bot.services.hsds import read_hsds
from bot.services.importer import Imported, Options, known_types

CODES = [
    ("RX-8450.5000-510", "Methadone Clinics"),
    ("LF-4900.2400", "HIV Testing"),
    ("PS-9800.9900", "Youth Enrichment Programs"),
    ("BD-5000.8300", "Soup Kitchens"),
    ("TJ-3000.8000", "Specialized Information and Referral"),
]


def hsds_json(path: Path, megabytes: float) -> int:
    rng = random.Random(1)
    services = []
    size = 0
    while size < megabytes * 1_000_000:
        n = len(services)
        code, name = rng.choice(CODES)
        service = {
            "id": str(n),
            "name": f"Service {n}",
            "url": f"www.service{n}.example",
            "description": "A generated service description. " * 8,
            "assured_date": "2026-11-01",
            "organization": {"name": f"Organisation {n // 3}"},
            "attributes": [{"taxonomy_term": {"code": code, "name": name}}],
            "phones": [{"number": f"305-555-01{n % 100:02d} x{n % 900 + 100}"}],
            "service_at_locations": [
                {
                    "location": {
                        "name": "Main",
                        "latitude": 25.7 + rng.random() / 5,
                        "longitude": -80.3 + rng.random() / 5,
                        "addresses": [{"address_1": f"{n} Example St", "city": "Miami",
                                       "state_province": "FL", "postal_code": "33101"}],
                    },
                    "schedules": [{"freq": "WEEKLY", "byday": "MO,TU,WE,TH,FR",
                                   "opens_at": "9:00am", "closes_at": "5:00pm"}],
                }
            ],
        }  # fmt: skip
        services.append(service)
        size += len(json.dumps(service, indent=2)) + 4
    path.write_text(json.dumps({"contents": services}, indent=2), encoding="utf-8")
    return len(services)


def datapackage(folder: Path, count: int) -> Path:
    source = Path(__file__).resolve().parents[1] / "tests/data/hsds-tabular"
    (folder / "data").mkdir(parents=True)
    (folder / "datapackage.json").write_text((source / "datapackage.json").read_text())

    def table(name: str, header: list[str], rows: list[list[str]]) -> None:
        with (folder / "data" / name).open("w", newline="", encoding="utf-8") as out:
            writer = csv.writer(out)
            writer.writerow(header)
            writer.writerows(rows)

    ids = [str(n) for n in range(count)]
    table(
        "organizations.csv",
        ["id", "name", "url"],
        [[i, f"Org {i}", f"www.o{i}.example"] for i in ids],
    )
    text = "Generated.\\n\\n###MON###"
    table("services.csv", ["id", "organization_id", "name", "description", "url", "fees"],
          [[i, i, f"Service {i}", text, f"www.s{i}.example", "Free"] for i in ids])  # fmt: skip
    table("services_at_location.csv", ["id", "service_id", "location_id"], [[i, i, i] for i in ids])
    table("locations.csv", ["id", "organization_id", "name", "latitude", "longitude"],
          [[i, i, f"Place {i}", "25.78", "-80.21"] for i in ids])  # fmt: skip
    address = ["id", "location_id", "address_1", "city", "state_province", "postal_code"]
    table("physical_addresses.csv", address,
          [[i, i, f"{i} Example St", "Miami", "FL ", "33101"] for i in ids])  # fmt: skip
    table("phones.csv", ["id", "location_id", "service_id", "number"],
          [[i, i, i, f"305-555-01{int(i) % 100:02d} x{i}"] for i in ids])  # fmt: skip
    days = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"]
    table("regular_schedules.csv", ["id", "service_id", "weekday", "opens_at", "closes_at"],
          [["", i, day, "8:00am", "5:00pm"] for i in ids for day in days])  # fmt: skip
    table("services_taxonomy.csv", ["id", "service_id", "taxonomy_id"],
          [[i, i, CODES[int(i) % len(CODES)][0]] for i in ids])  # fmt: skip
    table("taxonomy.csv", ["id", "name"], [list(pair) for pair in CODES])
    return folder / "datapackage.json"


def counts(found: Imported) -> str:
    return f"{found.records_in} in, {len(found.services)} imported, {found.left_out} left out"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--megabytes", type=float, default=10.0)
    parser.add_argument("--services", type=int, default=20_000)
    args = parser.parse_args()
    known = known_types(BUNDLED_CONTENT, "en")
    options = Options(country="US", verified_on=dt.date(2026, 11, 1))
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "hsds.json"
        count = hsds_json(path, args.megabytes)
        start = time.perf_counter()
        found = read_hsds(path, known, options=options)
        seconds = time.perf_counter() - start
        size = path.stat().st_size / 1_000_000
        print(f"HSDS 3 JSON: {size:.1f} MB, {count} services: {seconds:.2f} s ({counts(found)})")
        package = datapackage(Path(folder) / "package", args.services)
        start = time.perf_counter()
        found = read_datapackage(package, known, options)
        seconds = time.perf_counter() - start
        print(f"HSDS 1.1 datapackage: {args.services} services: {seconds:.2f} s ({counts(found)})")


if __name__ == "__main__":
    main()
