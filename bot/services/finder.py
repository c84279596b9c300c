"""Finding services: of a type in an area (open ones first), or nearest to a point (closest
first, each showing whether it is open).

Pure functions over a `Directory` built once at start-up. The clock is a parameter (`now`, an
aware datetime), so what "open now" means is decided by the caller and frozen in tests. A
point is a parameter too and is never stored: the finder answers and forgets it.

Opening hours are evaluated in each region's wall-clock time (naive local datetimes), which is
what a door sign means, and which makes daylight-saving changes come out right.
"""

from __future__ import annotations

import datetime as dt
import heapq
import math
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from enum import IntEnum
from zoneinfo import ZoneInfo

from opening_hours import OpeningHours, State

from bot.services.directory import Listing, RegionFile

PAGE_SIZE = 5
NEAR_KM = 100.0  # "near" stops here: further away is not a walk or a bus ride
EARTH_KM = 6371.0  # mean Earth radius
HORIZON = dt.timedelta(days=8)  # how far ahead "opens Mon 09:00" looks
CELL_DEG = 0.1  # grid cell size for nearest-point search (about 11 km north-south)


class Openness(IntEnum):
    """Whether a service is open, in the order results show them: open ones first."""

    ALWAYS = 0
    OPEN = 1
    UNKNOWN = 2
    CLOSED = 3


@dataclass(frozen=True)
class Status:
    openness: Openness
    change: dt.datetime | None = None  # local time it closes (open) or opens (closed)
    local_now: dt.datetime | None = None  # the region's wall-clock time when asked
    comment: str = ""  # a comment in the hours ("by appointment")

    @property
    def is_open(self) -> bool:
        return self.openness in (Openness.ALWAYS, Openness.OPEN)


@dataclass(frozen=True)
class Point:
    latitude: float
    longitude: float


@dataclass(frozen=True)
class Found:
    listing: Listing
    status: Status
    distance_km: float | None = None


@dataclass(frozen=True)
class Page:
    items: tuple[Found, ...]
    total: int
    page: int  # 0-based

    @property
    def first(self) -> int:
        return self.page * PAGE_SIZE + 1 if self.items else 0

    @property
    def last(self) -> int:
        return self.page * PAGE_SIZE + len(self.items)

    @property
    def has_more(self) -> bool:
        return self.last < self.total


# --- the directory ---------------------------------------------------------------------------


class Directory:
    """The services one deployment shows, indexed for the three look-ups people make.

    `listed: false` services are dropped here, so nothing downstream can show them.
    """

    def __init__(self, listings: Iterable[Listing]) -> None:
        self.listings: tuple[Listing, ...] = tuple(x for x in listings if x.service.listed)
        by_type: dict[str, list[Listing]] = defaultdict(list)
        by_area: dict[tuple[str, str], list[Listing]] = defaultdict(list)
        names: dict[str, str] = {}
        for listing in self.listings:
            for area, area_slug in zip(listing.service.areas, listing.area_slugs, strict=False):
                names.setdefault(area_slug, area)
            for kind in dict.fromkeys(listing.service.types):
                by_type[kind].append(listing)
                for area_slug in listing.area_slugs:
                    by_area[(kind, area_slug)].append(listing)
        self.by_type: dict[str, tuple[Listing, ...]] = {k: tuple(v) for k, v in by_type.items()}
        self._by_area = {key: tuple(value) for key, value in by_area.items()}
        self.area_names = names
        self._grid = _Grid(self.listings)
        self._grids = {kind: _Grid(listings) for kind, listings in self.by_type.items()}

    def __bool__(self) -> bool:
        return bool(self.listings)

    @property
    def types(self) -> list[str]:
        return list(self.by_type)

    def areas(self, kind: str) -> list[tuple[str, str]]:
        """(slug, name) of every area with a service of this type, by name."""
        slugs = {s for listing in self.by_type.get(kind, ()) for s in listing.area_slugs}
        return sorted(((s, self.area_names[s]) for s in slugs), key=lambda a: a[1].casefold())

    def in_area(self, kind: str, area_slug: str) -> tuple[Listing, ...]:
        return self._by_area.get((kind, area_slug), ())

    def has_points(self, kind: str | None = None) -> bool:
        grid = self._grid if kind is None else self._grids.get(kind)
        return grid is not None and bool(grid)

    def nearest(
        self, point: Point, kind: str | None, limit: int, max_km: float
    ) -> list[tuple[float, Listing]]:
        grid = self._grid if kind is None else self._grids.get(kind)
        return grid.nearest(point, limit, max_km) if grid is not None else []


def directory_for(regions: Iterable[RegionFile], country: str | None) -> Directory:
    """The deployment's directory: every region file of its country.

    With no country set, every local (not national) file: one country's national lines must not
    be offered as if they were local to someone in another.
    """
    return Directory(
        listing
        for region in regions
        if (region.country == country.upper() if country else not region.national)
        for listing in region.listings
    )


def national_for(regions: Iterable[RegionFile], country: str | None) -> Directory:
    """The national lines of one country (`<cc>-national.yaml`); empty without a country."""
    if country is None:
        return Directory(())
    return Directory(
        listing
        for region in regions
        if region.national and region.country == country.upper()
        for listing in region.listings
    )


# --- opening hours ---------------------------------------------------------------------------


def status(listing: Listing, now: dt.datetime) -> Status:
    """Open or closed at `now`, and when that changes, in the service's own wall-clock time."""
    return hours_status(listing.hours, listing.zone, now)


def hours_status(hours: OpeningHours | None, zone: ZoneInfo, now: dt.datetime) -> Status:
    """Open or closed at `now` by `hours` read in `zone`'s wall-clock time (the services and
    the service's own people, /human, share this)."""
    if hours is None:
        return Status(Openness.UNKNOWN)
    aware = now if now.tzinfo is not None else now.replace(tzinfo=dt.UTC)
    local = aware.astimezone(zone).replace(tzinfo=None)
    state, comment = hours.state(local)
    change = None
    for start, _end, later, _comment in hours.intervals(local, local + HORIZON):
        if later != state:
            change = start
            break
    if state == State.OPEN:
        openness = Openness.OPEN if change is not None else Openness.ALWAYS
    elif state == State.CLOSED:
        openness = Openness.CLOSED
    else:
        openness = Openness.UNKNOWN
    return Status(openness, change, local, comment)


def closest_first(found: Iterable[Found]) -> list[Found]:
    """Nearest first, whatever the hours: each result shows open or closed itself.

    Someone who shared a location needs the service round the corner, and "closed · opens
    09:00" on it tells them to wait; putting an open one 3 km away above it hides it.
    """
    return sorted(
        found,
        key=lambda item: (
            item.distance_km if item.distance_km is not None else math.inf,
            item.listing.service.name.casefold(),
        ),
    )


def ranked(found: Iterable[Found]) -> list[Found]:
    """Open ones first; then nearest (with a point) or by name."""

    def key(item: Found) -> tuple[int, float, str]:
        distance = item.distance_km if item.distance_km is not None else 0.0
        return (item.status.openness.value, distance, item.listing.service.name.casefold())

    return sorted(found, key=key)


# --- look-ups --------------------------------------------------------------------------------


def in_area(
    directory: Directory, kind: str, area_slug: str, now: dt.datetime, page: int = 0
) -> Page:
    """One page of the services of `kind` in an area, open ones first."""
    found = ranked(Found(x, status(x, now)) for x in directory.in_area(kind, area_slug))
    page = max(0, min(page, (len(found) - 1) // PAGE_SIZE if found else 0))
    start = page * PAGE_SIZE
    return Page(tuple(found[start : start + PAGE_SIZE]), len(found), page)


def nearest(
    directory: Directory,
    point: Point,
    now: dt.datetime,
    kind: str | None = None,
    limit: int = PAGE_SIZE,
    max_km: float = NEAR_KM,
) -> list[Found]:
    """The `limit` nearest services (of one type, or any) within `max_km`, closest first."""
    pairs = directory.nearest(point, kind, limit, max_km)
    return closest_first(Found(x, status(x, now), d) for d, x in pairs)


def nearest_of_every_type(
    directory: Directory,
    point: Point,
    now: dt.datetime,
    limit: int = PAGE_SIZE,
    max_km: float = NEAR_KM,
) -> list[Found]:
    """The nearest service of each type, topped up with the nearest of any type.

    What a shared location gets: every kind of help near there, not five needle exchanges.
    Each service appears once, closest first; at most `limit`.
    """
    chosen: dict[str, tuple[float, Listing]] = {}
    for kind in directory.types:
        for distance, listing in directory.nearest(point, kind, 1, max_km):
            chosen.setdefault(listing.id + "@" + listing.region, (distance, listing))
    for distance, listing in directory.nearest(point, None, limit, max_km):
        if len(chosen) >= limit:
            break
        chosen.setdefault(listing.id + "@" + listing.region, (distance, listing))
    found = closest_first(Found(x, status(x, now), d) for d, x in chosen.values())
    return found[:limit]


def nearest_by_type(
    directory: Directory, point: Point, max_km: float = NEAR_KM
) -> dict[str, Listing]:
    """For each type, its nearest service within `max_km` (for "more of this type" buttons)."""
    nearest_ones: dict[str, Listing] = {}
    for kind in directory.types:
        for _distance, listing in directory.nearest(point, kind, 1, max_km):
            nearest_ones[kind] = listing
    return nearest_ones


# --- distance --------------------------------------------------------------------------------


def haversine_km(a: Point, b: Point) -> float:
    """Great-circle distance on a sphere of the Earth's mean radius."""
    phi1, phi2 = math.radians(a.latitude), math.radians(b.latitude)
    dphi = phi2 - phi1
    dlambda = math.radians(b.longitude - a.longitude)
    h = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlambda / 2) ** 2
    return 2 * EARTH_KM * math.asin(min(1.0, math.sqrt(h)))


class _Grid:
    """Services with coordinates in cells of CELL_DEG degrees, searched ring by ring outwards.

    A search stops as soon as nothing in the next ring can be nearer than what it has found,
    or than `max_km`, so a look-up reads a few cells, not the whole directory. (Services
    across the 180° meridian from the point are not treated as near: no directory is there.)
    """

    def __init__(self, listings: Iterable[Listing]) -> None:
        cells: dict[tuple[int, int], list[tuple[Point, Listing]]] = defaultdict(list)
        for listing in listings:
            lat, lon = listing.service.latitude, listing.service.longitude
            if lat is None or lon is None:
                continue
            point = Point(lat, lon)
            cells[_cell(point)].append((point, listing))
        self._cells = dict(cells)
        points = [p for items in cells.values() for p, _ in items]
        worst = max((abs(p.latitude) for p in points), default=0.0)
        self._min_cos = max(math.cos(math.radians(worst)), 1e-6)
        rows = [i for i, _ in cells] or [0]
        columns = [j for _, j in cells] or [0]
        self._box = (min(rows), max(rows), min(columns), max(columns))

    def __bool__(self) -> bool:
        return bool(self._cells)

    def nearest(self, point: Point, limit: int, max_km: float) -> list[tuple[float, Listing]]:
        if not self._cells or limit <= 0:
            return []
        row, column = _cell(point)
        found: list[tuple[float, int, Listing]] = []  # a max-heap of the best, by -distance
        ring = 0
        while True:
            for cell in _ring(row, column, ring):
                for other, listing in self._cells.get(cell, ()):
                    distance = haversine_km(point, other)
                    if distance > max_km:
                        continue
                    item = (-distance, id(listing), listing)
                    if len(found) < limit:
                        heapq.heappush(found, item)
                    elif distance < -found[0][0]:
                        heapq.heapreplace(found, item)
            beyond = self._lower_bound(point, ring)
            if beyond > max_km or self._covered(row, column, ring):
                break
            if len(found) >= limit and -found[0][0] <= beyond:
                break
            ring += 1
        return sorted(((-d, listing) for d, _, listing in found), key=lambda pair: pair[0])

    def _lower_bound(self, point: Point, ring: int) -> float:
        """No service outside the first `ring` rings is nearer than this (km)."""
        step = math.radians(ring * CELL_DEG)
        north_south = EARTH_KM * step
        cos_here = max(math.cos(math.radians(point.latitude)), 0.0)
        east_west = (
            2
            * EARTH_KM
            * math.asin(
                min(1.0, math.sqrt(cos_here * self._min_cos) * math.sin(min(step, math.pi) / 2))
            )
        )
        return min(north_south, east_west)

    def _covered(self, row: int, column: int, ring: int) -> bool:
        low_row, high_row, low_column, high_column = self._box
        return (
            row - ring <= low_row
            and row + ring >= high_row
            and column - ring <= low_column
            and column + ring >= high_column
        )


def _cell(point: Point) -> tuple[int, int]:
    return math.floor(point.latitude / CELL_DEG), math.floor(point.longitude / CELL_DEG)


def _ring(row: int, column: int, ring: int) -> Iterator[tuple[int, int]]:
    """The cells exactly `ring` steps from (row, column), in Chebyshev distance."""
    if ring == 0:
        yield row, column
        return
    for i in range(row - ring, row + ring + 1):
        if i in (row - ring, row + ring):
            for j in range(column - ring, column + ring + 1):
                yield i, j
        else:
            yield i, column - ring
            yield i, column + ring
