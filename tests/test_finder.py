"""The finder's pure functions: opening hours with a frozen clock, distances, ordering, paging.

Distances are checked against values worked out by hand: on a sphere of radius 6371 km one
degree of latitude is 6371 × π / 180 = 111.195 km, so a point 0.01° due north is 1.112 km
away, 0.05° is 5.560 km, 0.2° is 22.239 km.
"""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path

import pytest
from services_data import FRIDAY_NOON, LONDON, directory_of, north_of, service

from bot.config import Config
from bot.library import load_library
from bot.rendering.render import Renderer
from bot.services.directory import Listing
from bot.services.directory import area_slug as slug
from bot.services.finder import (
    NEAR_KM,
    PAGE_SIZE,
    Directory,
    Openness,
    Point,
    haversine_km,
    in_area,
    nearest,
    nearest_by_type,
    nearest_of_every_type,
    status,
)
from bot.services.replies import ServiceReplies

UTC = dt.UTC


def utc(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=UTC)


@pytest.fixture(scope="module")
def words() -> ServiceReplies:
    """The bundled English words, to turn a status into the text people read."""
    library = load_library(Config().content_dir)
    messages = library.languages["en"].messages
    renderer = Renderer(library.templates, messages, {})
    return ServiceReplies(Directory(()), Directory(()), messages, renderer, {}, {}, False)


def one(
    tmp_path: Path, hours: str | None, timezone: str = "Europe/London", **fields: object
) -> Listing:
    directory = directory_of(tmp_path, [service("s1", hours=hours, **fields)], timezone=timezone)
    return directory.listings[0]


def said(words: ServiceReplies, listing: Listing, now: dt.datetime) -> str:
    from bot.services.finder import Found

    return words.status_text(Found(listing, status(listing, now)))


# --- opening hours -------------------------------------------------------------------------------


def test_open_now_and_closed_with_a_frozen_clock(tmp_path: Path, words: ServiceReplies) -> None:
    listing = one(tmp_path, "Mo-Fr 09:00-17:00")
    assert said(words, listing, utc(2026, 11, 27, 10, 0)) == "open now · closes 17:00"  # Fri
    assert said(words, listing, utc(2026, 11, 27, 8, 59)) == "closed · opens 09:00"
    assert said(words, listing, utc(2026, 11, 27, 17, 0)) == "closed · opens Mon 09:00"
    assert said(words, listing, utc(2026, 11, 28, 12, 0)) == "closed · opens Mon 09:00"  # Sat
    assert status(listing, utc(2026, 11, 27, 16, 59)).is_open
    assert not status(listing, utc(2026, 11, 27, 17, 0)).is_open


def test_hours_across_midnight(tmp_path: Path, words: ServiceReplies) -> None:
    listing = one(tmp_path, "Fr,Sa 22:00-03:00")
    assert said(words, listing, utc(2026, 11, 27, 21, 0)) == "closed · opens 22:00"  # Fri
    assert said(words, listing, utc(2026, 11, 27, 23, 30)) == "open now · closes 03:00"
    assert said(words, listing, utc(2026, 11, 28, 1, 30)) == "open now · closes 03:00"  # Sat
    assert said(words, listing, utc(2026, 11, 28, 3, 0)) == "closed · opens 22:00"
    assert said(words, listing, utc(2026, 11, 29, 2, 0)) == "open now · closes 03:00"  # Sun
    assert said(words, listing, utc(2026, 11, 29, 4, 0)) == "closed · opens Fri 22:00"


def test_hours_follow_the_clock_change_in_spring(tmp_path: Path) -> None:
    """London goes from GMT to BST at 01:00 UTC on 29 March 2026: 09:00 opens at 08:00 UTC."""
    listing = one(tmp_path, "Mo-Fr 09:00-17:00")
    monday_after = utc(2026, 3, 30, 8, 30)  # 09:30 BST: open (it would be 08:30 in GMT)
    assert status(listing, monday_after).openness is Openness.OPEN
    assert status(listing, utc(2026, 3, 30, 16, 30)).openness is Openness.CLOSED  # 17:30 BST
    friday_before = utc(2026, 3, 27, 8, 30)  # 08:30 GMT: not yet
    assert status(listing, friday_before).openness is Openness.CLOSED


def test_hours_across_midnight_on_the_night_the_clocks_change(
    tmp_path: Path, words: ServiceReplies
) -> None:
    """Open Saturday 22:00 to 04:00 on the night of 28-29 March 2026, which is an hour short."""
    listing = one(tmp_path, "Sa 22:00-04:00")
    assert said(words, listing, utc(2026, 3, 29, 0, 30)) == "open now · closes 04:00"  # 00:30 GMT
    assert said(words, listing, utc(2026, 3, 29, 2, 30)) == "open now · closes 04:00"  # 03:30 BST
    assert status(listing, utc(2026, 3, 29, 3, 10)).openness is Openness.CLOSED  # 04:10 BST
    closed = status(listing, utc(2026, 3, 29, 3, 10))
    assert closed.change == dt.datetime(2026, 4, 4, 22, 0)  # next Saturday, local time


def test_hours_follow_the_clock_change_in_autumn_and_in_new_york(tmp_path: Path) -> None:
    london = one(tmp_path, "Mo-Fr 09:00-17:00")
    # London back to GMT on 25 October 2026: on Monday 26th 09:00 is 09:00 UTC again.
    assert status(london, utc(2026, 10, 23, 8, 30)).is_open  # Fri, 09:30 BST
    assert not status(london, utc(2026, 10, 26, 8, 30)).is_open  # Mon, 08:30 GMT
    new_york = one(tmp_path / "ny", "Mo-Fr 09:00-17:00", timezone="America/New_York")
    # New York to EDT (UTC-4) on 8 March 2026.
    assert not status(new_york, utc(2026, 3, 6, 13, 30)).is_open  # Fri, 08:30 EST
    assert status(new_york, utc(2026, 3, 9, 13, 30)).is_open  # Mon, 09:30 EDT


def test_always_open_unknown_and_public_holidays(tmp_path: Path, words: ServiceReplies) -> None:
    assert said(words, one(tmp_path / "a", "24/7"), FRIDAY_NOON) == "open 24/7"
    place = one(tmp_path / "b", None, address="1 High Street")
    assert said(words, place, FRIDAY_NOON) == "hours unknown, call first"
    line = one(tmp_path / "c", None, phone="0300 123 6600")
    assert said(words, line, FRIDAY_NOON) == ""  # a phone line with no hours: nothing to say
    holidays = one(tmp_path / "d", "Mo-Fr 09:00-17:00; PH off")
    christmas = utc(2026, 12, 25, 12, 0)  # a Friday, and a bank holiday in the UK
    assert status(holidays, christmas).openness is Openness.CLOSED
    assert said(words, one(tmp_path / "e", 'Mo-Fr 09:00-17:00 "call first"'), FRIDAY_NOON) == (
        "open now · closes 17:00 · call first"
    )


# --- distances and nearest first -----------------------------------------------------------------


def test_haversine_against_hand_computed_distances() -> None:
    origin = Point(*LONDON)
    assert haversine_km(origin, Point(*north_of(LONDON, 0.01))) == pytest.approx(1.112, abs=0.001)
    assert haversine_km(origin, Point(*north_of(LONDON, 0.05))) == pytest.approx(5.560, abs=0.001)
    assert haversine_km(origin, Point(*north_of(LONDON, 0.2))) == pytest.approx(22.239, abs=0.001)
    # one degree of longitude on the equator is one degree of arc too
    assert haversine_km(Point(0, 0), Point(0, 1)) == pytest.approx(111.195, abs=0.001)
    # 60°N: a degree of longitude is about half: 2·R·asin(cos 60° · sin 0.5°) = 55.596 km
    assert haversine_km(Point(60, 0), Point(60, 1)) == pytest.approx(55.596, abs=0.002)


def test_nearest_first_with_hand_computed_distances(tmp_path: Path) -> None:
    spots = {"far": 0.2, "near": 0.01, "middle": 0.05, "too-far": 2.0}  # degrees north
    services = [
        service(name, hours="24/7", latitude=north_of(LONDON, d)[0], longitude=LONDON[1])
        for name, d in spots.items()
    ]
    directory = directory_of(tmp_path, services)
    found = nearest(directory, Point(*LONDON), FRIDAY_NOON)
    assert [f.listing.id for f in found] == ["near", "middle", "far"]  # 222 km is not near
    expected_km = [1.112, 5.560, 22.239]
    for item, km in zip(found, expected_km, strict=True):
        assert item.distance_km == pytest.approx(km, abs=0.001)
    assert NEAR_KM < 2.0 * 111.195


def test_nearest_means_closest_first_whatever_the_hours(tmp_path: Path) -> None:
    services = [
        service(
            "closed-near",
            hours="Mo-Fr 06:00-07:00",
            latitude=north_of(LONDON, 0.01)[0],
            longitude=LONDON[1],
        ),
        service("open-far", hours="24/7", latitude=north_of(LONDON, 0.2)[0], longitude=LONDON[1]),
        service(
            "open-middle",
            hours="Mo-Fr 09:00-17:00",
            latitude=north_of(LONDON, 0.05)[0],
            longitude=LONDON[1],
        ),
        service("unknown-near", latitude=north_of(LONDON, 0.02)[0], longitude=LONDON[1]),
    ]
    directory = directory_of(tmp_path, services)
    found = nearest(directory, Point(*LONDON), FRIDAY_NOON)
    assert [f.listing.id for f in found] == [
        "closed-near",
        "unknown-near",
        "open-middle",
        "open-far",
    ]
    assert [f.status.is_open for f in found] == [False, False, True, True]  # shown on each


def test_nearest_matches_a_full_scan(tmp_path: Path) -> None:
    """The grid search gives what checking every service would, for many random points."""
    rng = random.Random(5)
    services = [
        service(
            f"s{i}",
            hours="24/7",
            latitude=round(rng.uniform(50.0, 53.0), 5),
            longitude=round(rng.uniform(-3.0, 1.0), 5),
            types=[rng.choice(["syringe-services", "naloxone", "drug-checking"])],
        )
        for i in range(600)
    ]
    directory = directory_of(tmp_path, services)
    for _ in range(40):
        point = Point(rng.uniform(49.5, 53.5), rng.uniform(-3.5, 1.5))
        for kind in (None, "naloxone"):
            got = [
                round(f.distance_km or 0, 6) for f in nearest(directory, point, FRIDAY_NOON, kind)
            ]
            pool = [x for x in directory.listings if kind is None or kind in x.service.types]
            every = sorted(
                haversine_km(point, Point(x.service.latitude or 0, x.service.longitude or 0))
                for x in pool
            )
            want = [round(d, 6) for d in every if d <= NEAR_KM][:PAGE_SIZE]
            assert sorted(got) == want


def test_a_location_gets_the_nearest_of_every_type(tmp_path: Path) -> None:
    near = north_of(LONDON, 0.01)
    services = [
        *(service(f"ssp-{i}", latitude=near[0] + i * 0.001, longitude=near[1]) for i in range(6)),
        service(
            "naloxone-far",
            types=["naloxone"],
            latitude=north_of(LONDON, 0.3)[0],
            longitude=LONDON[1],
        ),
        service(
            "checking",
            types=["drug-checking"],
            latitude=north_of(LONDON, 0.1)[0],
            longitude=LONDON[1],
        ),
    ]
    directory = directory_of(tmp_path, services)
    found = nearest_of_every_type(directory, Point(*LONDON), FRIDAY_NOON)
    ids = [f.listing.id for f in found]
    assert len(ids) == PAGE_SIZE
    assert {"naloxone-far", "checking", "ssp-0"} <= set(ids)
    assert {kind for kind in nearest_by_type(directory, Point(*LONDON))} == {
        "syringe-services",
        "naloxone",
        "drug-checking",
    }


# --- areas, paging and unlisted services ----------------------------------------------------------


def test_area_pages_of_five_open_first(tmp_path: Path) -> None:
    services = [
        service(f"place-{i:02}", hours="24/7" if i % 3 else "Mo 06:00-07:00") for i in range(12)
    ]
    directory = directory_of(tmp_path, services)
    pages = [
        in_area(directory, "syringe-services", "camden", FRIDAY_NOON, page) for page in range(3)
    ]
    assert [len(p.items) for p in pages] == [5, 5, 2]
    assert [p.has_more for p in pages] == [True, True, False]
    assert (pages[1].first, pages[1].last, pages[1].total) == (6, 10, 12)
    shown = [f for p in pages for f in p.items]
    assert len({f.listing.id for f in shown}) == 12
    opens = [f.status.is_open for f in shown]
    assert opens == sorted(opens, reverse=True)  # every open one before every closed one


def test_unlisted_services_are_never_shown(tmp_path: Path) -> None:
    here = {"latitude": LONDON[0], "longitude": LONDON[1], "hours": "24/7"}
    directory = directory_of(
        tmp_path,
        [
            service("public", **here),
            service("private", listed=False, **here),
            service("private-only-type", types=["naloxone"], listed=False, **here),
        ],
    )
    point = Point(*LONDON)
    everything = [
        *in_area(directory, "syringe-services", "camden", FRIDAY_NOON).items,
        *nearest(directory, point, FRIDAY_NOON),
        *nearest(directory, point, FRIDAY_NOON, "naloxone"),
        *nearest_of_every_type(directory, point, FRIDAY_NOON),
    ]
    assert {f.listing.id for f in everything} == {"public"}
    assert directory.types == ["syringe-services"]  # a type only an unlisted service has: gone
    assert all(x.service.listed for x in directory.listings)


def test_area_slugs_fit_in_button_data() -> None:
    long_name = "Royal Borough of Kensington and Chelsea (North)"
    short = slug(long_name)
    assert len(short) <= 24 and short.startswith("royal-borough")
    assert slug("Kensington and Chelsea (North)") != slug("Kensington and Chelsea (South)")
    assert slug("Dún Laoghaire") == "dun-laoghaire"
    data = f"s:supervised-consumption:{short}:999"
    assert len(data.encode()) <= 64


def test_an_empty_directory_finds_nothing() -> None:
    empty = Directory(())
    assert not empty and empty.types == []
    assert nearest(empty, Point(*LONDON), FRIDAY_NOON) == []
    assert in_area(empty, "naloxone", "camden", FRIDAY_NOON).items == ()


def test_without_a_country_no_national_lines_pose_as_local_services() -> None:
    """The bundled national files are for their own country only; unset country, none shown."""
    from bot.config import Config
    from bot.conversation.reply import Event, EventKind
    from bot.engine import build_engine

    reply = build_engine(Config()).handle(Event(EventKind.COMMAND, "services"))
    assert "United States" not in reply.html
    assert not any(button.data.startswith("s:") for button in reply.button_list)
