"""Building services directories for tests, in tmp_path (never in content/).

`region_text` writes one field per line, so a test can find the line of any field with
`conftest.line_of` and assert the checker points at it.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from bot.config import BUNDLED_CONTENT, Config
from bot.engine import Engine
from bot.library import load_library
from bot.services.directory import read_region
from bot.services.finder import Directory

LONDON = (51.5072, -0.1276)
FRIDAY_NOON = dt.datetime(2026, 11, 27, 12, 0, tzinfo=dt.UTC)  # GMT: London time = UTC
VERIFIED = "2026-11-01"


def service(id: str, **fields: Any) -> dict[str, Any]:
    """A valid service; `fields` override or add (None removes a field)."""
    base: dict[str, Any] = {
        "id": id,
        "name": id.replace("-", " ").title(),
        "types": ["syringe-services"],
        "areas": ["Camden"],
        "verified_on": VERIFIED,
    }
    base.update(fields)
    return {key: value for key, value in base.items() if value is not None}


def region_text(
    services: Iterable[Mapping[str, Any]],
    region: str = "test-region",
    country: str = "GB",
    timezone: str = "Europe/London",
) -> str:
    lines = [f"region: {region}", f"country: {country}", f"timezone: {timezone}", "services:"]
    for item in services:
        first = True
        for key, value in item.items():
            prefix = "  - " if first else "    "
            lines.append(f"{prefix}{key}: {json.dumps(value, ensure_ascii=False)}")
            first = False
    return "\n".join(lines) + "\n"


def write_region(folder: Path, services: Iterable[Mapping[str, Any]], **header: Any) -> Path:
    region = header.get("region", "test-region")
    path = folder / f"{region}.yaml"
    folder.mkdir(parents=True, exist_ok=True)
    path.write_text(region_text(services, **header), encoding="utf-8")
    return path


def directory_of(tmp_path: Path, services: Iterable[Mapping[str, Any]], **header: Any) -> Directory:
    """A Directory straight from a region file; fails on any problem in it."""
    path = write_region(tmp_path / "services", services, **header)
    region, problems = read_region(path)
    assert problems == [], [str(p) for p in problems]
    assert region is not None
    return Directory(region.listings)


def north_of(point: tuple[float, float], degrees: float) -> tuple[float, float]:
    """A point `degrees` of latitude due north: exactly 111.19 km per degree on our sphere."""
    return round(point[0] + degrees, 6), point[1]


def camden(i: int, **fields: Any) -> dict[str, Any]:
    """A needle exchange in Camden, i × 0.01° north of central London."""
    lat, lon = north_of(LONDON, 0.01 * (i + 1))
    defaults = {"hours": "Mo-Fr 09:00-17:00", "latitude": lat, "longitude": lon,
                "address": f"{i} Camden High Street", "phone": "020 7946 0018"}  # fmt: skip
    return service(f"camden-{i:02}", **{**defaults, **fields})


DIRECTORY = [
    *(camden(i) for i in range(7)),
    camden(7, hours="Sa 10:00-12:00"),  # closed on Friday
    service("hackney-ssp", areas=["Hackney"], hours="24/7", latitude=51.545, longitude=-0.055),
    service("hidden", types=["syringe-services", "naloxone"], listed=False, hours="24/7",
            latitude=LONDON[0], longitude=LONDON[1], name="Secret Place"),
    service("checking", types=["drug-checking"], areas=["Camden"], hours="We 16:00-19:00",
            latitude=north_of(LONDON, 0.05)[0], longitude=LONDON[1]),
]  # fmt: skip


def engine_for(
    tmp_path: Path,
    services: list[dict[str, Any]],
    country: str | None = "GB",
    national: bool = True,
    now: dt.datetime = FRIDAY_NOON,
    **header: Any,
) -> Engine:
    """The bundled content with only this directory (and GB's national lines), at `now`;
    `header` sets the region's timezone (its country is the deployment's)."""
    tree = tmp_path / "content"
    shutil.copytree(BUNDLED_CONTENT, tree)
    shutil.rmtree(tree / "services")
    if services:
        write_region(tree / "services", services, **{"country": country or "GB", **header})
    if national:
        (tree / "services").mkdir(exist_ok=True)
        shutil.copy(BUNDLED_CONTENT / "services/gb-national.yaml", tree / "services")
    config = Config(content_dir=tree, country=country)
    return Engine(load_library(tree), config, clock=lambda: now)
