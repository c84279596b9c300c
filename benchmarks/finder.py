"""Print how fast the services finder answers on a 10,000-service directory.

    python benchmarks/finder.py [--services 10000] [--queries 2000] [--seed 7]

A synthetic directory (services spread over Great Britain in 200 areas, one to three types
each, a mix of opening hours, all with coordinates) is written to a temporary folder as a
region file and read by the real loader. Then, with random points and areas:

- area look-up: one page of a type's services in an area, open ones first (`in_area`);
- nearest to a point: the nearest of every type, what a shared location gets
  (`nearest_of_every_type`), and the nearest of one type (`nearest`);
- the whole location reply, rendered (`ServiceReplies.near`), and an area reply.

Target: p99 <= 5 ms for the look-ups.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import random
import statistics
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import yaml

from bot.config import BUNDLED_CONTENT
from bot.library import load_library
from bot.rendering.render import Renderer
from bot.services.directory import read_region
from bot.services.finder import Directory, Point, in_area, nearest, nearest_of_every_type
from bot.services.replies import ServiceReplies

TARGET_P99_MS = 5.0
TYPES = [
    "syringe-services", "naloxone", "drug-checking", "supervised-consumption", "treatment-oat",
    "hiv-hep-testing", "wound-care", "crisis-line", "overdose-line", "helpline", "basic-needs",
    "peer-support", "treatment-finder",
]  # fmt: skip
HOURS = [
    "Mo-Fr 09:00-17:00",
    "Mo-Fr 10:00-16:00; Sa 10:00-13:00; PH off",
    "24/7",
    "Fr,Sa 22:00-03:00",
    "Mo,We,Fr 12:00-15:00",
    "Tu-Th 09:30-12:30,13:30-17:00",
    None,
]
SOUTH, NORTH, WEST, EAST = 50.0, 58.5, -6.0, 1.8  # roughly Great Britain
GRID = (20, 10)  # 200 areas, each a box of the country


def synthetic_region(count: int, rng: random.Random) -> dict[str, object]:
    services = []
    for i in range(count):
        lat, lon = rng.uniform(SOUTH, NORTH), rng.uniform(WEST, EAST)
        row = min(GRID[0] - 1, int((lat - SOUTH) / (NORTH - SOUTH) * GRID[0]))
        column = min(GRID[1] - 1, int((lon - WEST) / (EAST - WEST) * GRID[1]))
        service: dict[str, object] = {
            "id": f"service-{i:05}",
            "name": f"Service {i}",
            "types": rng.sample(TYPES, rng.randint(1, 3)),
            "areas": [f"Area {row:02}-{column:02}"],
            "address": f"{i} High Street",
            "latitude": round(lat, 5),
            "longitude": round(lon, 5),
            "phone": f"020 7946 {i % 1000:04}",
            "verified_on": dt.date(2026, 11, 1),
        }
        hours = rng.choice(HOURS)
        if hours:
            service["hours"] = hours
        services.append(service)
    return {
        "region": "synthetic",
        "country": "GB",
        "timezone": "Europe/London",
        "services": services,
    }


def percentile(values: Sequence[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


def timed(calls: Sequence[Callable[[], object]]) -> list[float]:
    """Milliseconds per call, after one warm-up pass; the garbage collector kept out of it."""
    for call in calls[:50]:
        call()
    gc.collect()
    gc.disable()
    try:
        samples = []
        for call in calls:
            started = time.perf_counter()
            call()
            samples.append((time.perf_counter() - started) * 1000)
    finally:
        gc.enable()
    return samples


def report(name: str, samples: list[float], target: float | None = TARGET_P99_MS) -> bool:
    p50, p99 = percentile(samples, 0.50), percentile(samples, 0.99)
    verdict = "" if target is None else ("  ok" if p99 <= target else f"  OVER {target} ms")
    print(f"{name:48} p50 {p50:6.3f} ms   p99 {p99:6.3f} ms   mean "
          f"{statistics.fmean(samples):6.3f} ms{verdict}")  # fmt: skip
    return target is None or p99 <= target


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--services", type=int, default=10_000)
    parser.add_argument("--queries", type=int, default=2_000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    rng = random.Random(args.seed)

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "synthetic.yaml"
        path.write_text(yaml.safe_dump(synthetic_region(args.services, rng), sort_keys=False))
        started = time.perf_counter()
        region, problems = read_region(path)
        loaded = time.perf_counter() - started
    assert region is not None and not problems, problems[:3]
    started = time.perf_counter()
    directory = Directory(region.listings)
    indexed = time.perf_counter() - started
    print(f"{len(directory.listings)} services in {len(directory.area_names)} areas, "
          f"{len(directory.types)} types: loaded in {loaded:.2f} s, indexed in "
          f"{indexed * 1000:.0f} ms")  # fmt: skip

    now = dt.datetime(2026, 11, 27, 12, 0, tzinfo=dt.UTC)
    points = [
        Point(rng.uniform(SOUTH, NORTH), rng.uniform(WEST, EAST)) for _ in range(args.queries)
    ]
    pairs = [(kind, area) for kind in directory.types for area, _ in directory.areas(kind)]
    asks = [rng.choice(pairs) for _ in range(args.queries)]
    kinds = [rng.choice(TYPES) for _ in range(args.queries)]

    library = load_library(BUNDLED_CONTENT)
    messages = library.languages["en"].messages
    replies = ServiceReplies(
        directory, Directory(()), messages, Renderer(library.templates, messages, {}),
        {}, {}, True, clock=lambda: now,
    )  # fmt: skip

    ok = report(
        "area look-up (in_area, one page)",
        timed([lambda a=a: in_area(directory, a[0], a[1], now) for a in asks]),
    )
    ok &= report(
        "nearest of every type (a shared location)",
        timed([lambda p=p: nearest_of_every_type(directory, p, now) for p in points]),
    )
    ok &= report(
        "nearest of one type",
        timed(
            [
                lambda p=p, k=k: nearest(directory, p, now, k)
                for p, k in zip(points, kinds, strict=True)
            ]
        ),
    )
    report(
        "location reply, rendered (ServiceReplies.near)",
        timed([lambda p=p: replies.near(p) for p in points]),
        target=None,
    )
    report(
        "area reply, rendered (ServiceReplies.results)",
        timed([lambda a=a: replies.results(a[0], a[1], 0) for a in asks]),
        target=None,
    )
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
