"""The services finder as a conversation: type buttons → area buttons or a location → results.

Everything a step needs travels in its button data, so nothing is kept between messages:
  s                          the service types
  s:<type>                   the areas that have that type (and the location request)
  s:<type>:<area>[:<page>]   one page of that type's services in that area
A shared location is a parameter of one call (`near`) and is dropped when it returns.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from bot.content.messages import Messages, ServiceWords
from bot.content.model import Entry
from bot.conversation.reply import Button, Reply
from bot.rendering.render import Renderer
from bot.services.directory import Listing
from bot.services.finder import (
    NEAR_KM,
    PAGE_SIZE,
    Directory,
    Found,
    Openness,
    Point,
    Status,
    in_area,
    nearest,
    nearest_by_type,
    nearest_of_every_type,
    status,
)
from bot.services.local_formats import LocalFormats
from bot.services.places import Place
from bot.understanding.routing import Need

TEMPLATE = "services.html.j2"
OVERVIEW_ANSWER = "find-services"
Rows = tuple[tuple[Button, ...], ...]


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@dataclass(frozen=True)
class _Item:
    """One service as the template shows it: plain strings, escaped by the template."""

    name: str
    organisation: str
    status: str
    open: bool
    closed: bool
    place: str
    distance: str
    map_url: str
    phone: str
    text: str
    website: str
    website_label: str
    telegram: str
    flags: str
    notes: str
    checked: str


class ServiceReplies:
    """Builds the finder's replies for one language over the deployment's directory."""

    def __init__(
        self,
        directory: Directory,
        national: Directory,
        messages: Messages,
        renderer: Renderer,
        entries: Mapping[str, Entry],
        answers: Mapping[str, str],
        has_country: bool,
        clock: Callable[[], dt.datetime] = utc_now,
        fallback: Mapping[str, tuple[str, ...]] | None = None,
        formats: LocalFormats | None = None,
    ) -> None:
        self.directory = directory
        self.national = national
        self.messages = messages
        self.words = messages.services
        self.renderer = renderer
        self.entries = entries
        self.answers = dict(answers)  # service type → the answer about that need
        self.has_country = has_country
        self.clock = clock
        self.fallback = dict(fallback or {})  # need → the national line types that serve it
        self.formats = formats or LocalFormats("en", None)  # 24-hour clock and km
        order = list(messages.service_types)
        self._order = {kind: index for index, kind in enumerate(order)}

    # --- entry points ----------------------------------------------------------------------

    def menu(self) -> Reply:
        """`/services`: the types the directory has."""
        if not self.directory:
            return self._nothing_listed(None)
        kinds = sorted(self.directory.types, key=self._type_rank)
        buttons = [Button(self.type_label(kind), f"s:{kind}") for kind in kinds]
        rows = [*_pairs(buttons), *self._answer_row(OVERVIEW_ANSWER)]
        heading = self._title(OVERVIEW_ANSWER, self.words.title)
        return self._reply(
            heading, self.words.pick_type, (), tuple(rows), location=self.directory.has_points()
        )

    def for_need(self, need: Need, place: Place | None = None) -> Reply:
        """A typed place question, with the type picked from its words, and the place when it
        names one: a listed postcode gets the nearest services to it, an area its list."""
        if place is not None and place.centre is not None:
            point = Point(place.centre.latitude, place.centre.longitude)
            return self.near_place(point, need.kind, place.label, need.answer)
        if (
            place is not None
            and place.area is not None
            and need.kind is not None
            and place.area in {slug for slug, _ in self.directory.areas(need.kind)}
        ):
            return self.results(need.kind, place.area, 0, answer=need.answer)
        if need.kind is None:
            return self.menu()
        return self.kind(need.kind, answer=need.answer)

    def button(self, value: str) -> Reply:
        """The `s:…` buttons; an old or unknown one leads back to the types."""
        parts = value.split(":") if value else []
        if not parts:
            return self.menu()
        kind = parts[0]
        if len(parts) == 1:
            return self.kind(kind)
        page = int(parts[2]) if len(parts) > 2 and parts[2].isdigit() else 0
        return self.results(kind, parts[1], page)

    def kind(self, kind: str, answer: str | None = None) -> Reply:
        """One type: its areas to pick from (or its results, when there is one area)."""
        answer = answer or self.answers.get(kind)
        if kind not in self.directory.by_type:
            if kind in self.messages.service_types or answer:
                return self._nothing_listed(kind, answer)
            return self.menu()
        areas = self.directory.areas(kind)
        has_points = self.directory.has_points(kind)
        if len(areas) == 1:
            return self.results(kind, areas[0][0], 0, answer=answer, location=has_points)
        prompt = self.words.pick_area_or_location if has_points else self.words.pick_area
        buttons = [Button(name, f"s:{kind}:{area}") for area, name in areas]
        rows = [*_pairs(buttons), *self._answer_row(answer), (self._other_services(),)]
        return self._reply(
            self.type_label(kind), prompt, (), tuple(rows), answer, location=has_points
        )

    def results(
        self, kind: str, area: str, page: int, answer: str | None = None, location: bool = False
    ) -> Reply:
        answer = answer or self.answers.get(kind)
        found = in_area(self.directory, kind, area, self.clock(), page)
        if not found.items:
            return self.kind(kind, answer) if len(self.directory.areas(kind)) != 1 else self.menu()
        name = self.directory.area_names.get(area, area)
        heading = f"{self.type_label(kind)} · {name}"
        count = ""
        if found.total > PAGE_SIZE:
            count = self.words.page.format(first=found.first, last=found.last, total=found.total)
        rows: list[tuple[Button, ...]] = []
        if found.has_more:
            rows.append((Button(self.messages.buttons.more, f"s:{kind}:{area}:{found.page + 1}"),))
        if len(self.directory.areas(kind)) > 1:
            rows.append((Button(self.messages.buttons.back, f"s:{kind}"),))
        rows.extend(self._answer_row(answer))
        rows.append((self._other_services(),))
        items = [self._item(item) for item in found.items]
        return self._reply(heading, "", items, tuple(rows), answer, count, location)

    def near(self, point: Point) -> Reply:
        """A shared location: the nearest service of every type, then it is forgotten."""
        if not _on_earth(point):
            return self.menu()
        found = nearest_of_every_type(self.directory, point, self.clock())
        if not found:
            note = f"{self._none_near()} {self.words.location_used}"
            return self._fallback(self.words.nearest, note, None)
        buttons = [
            Button(self.type_label(kind), f"s:{kind}:{listing.area_slugs[0]}")
            for kind, listing in sorted(
                nearest_by_type(self.directory, point).items(),
                key=lambda pair: self._type_rank(pair[0]),
            )
        ]
        rows = (*_pairs(buttons), (self._other_services(),))
        items = [self._item(item) for item in found]
        return self._reply(self.words.nearest, self.words.location_used, items, rows)

    def near_place(
        self, point: Point, kind: str | None, place: str, answer: str | None = None
    ) -> Reply:
        """A postcode typed in a message: the nearest services of the type asked for (every
        type when none was named), closest first, under "Near E8 1HY"."""
        if not _on_earth(point):
            return self.menu()
        now = self.clock()
        if kind is None:
            found = nearest_of_every_type(self.directory, point, now)
        else:
            found = nearest(self.directory, point, now, kind)
        heading = self.words.near_place.format(place=place)
        if not found:
            return self._fallback(heading, self._none_near(), answer, kind)
        rows: Rows = (*self._answer_row(answer), (self._other_services(),))
        return self._reply(heading, "", [self._item(item) for item in found], rows, answer)

    def _none_near(self) -> str:
        distance = self.formats.distance(NEAR_KM)
        return self.words.none_near.format(km=round(NEAR_KM), distance=distance)

    # --- replies ---------------------------------------------------------------------------

    def _nothing_listed(self, kind: str | None, answer: str | None = None) -> Reply:
        """Said honestly: no local service for this; the national lines, when there are some."""
        if kind is None:
            return self._fallback(self.words.title, self.words.none_at_all, OVERVIEW_ANSWER)
        answer = answer or self.answers.get(kind)
        return self._fallback(self.type_label(kind), self.words.none_for_type, answer, kind)

    def _fallback(
        self, heading: str, note: str, answer: str | None, kind: str | None = None
    ) -> Reply:
        """The national lines for the need, short: its own type first, then those that fit it.

        The order within a type is the file's (staff put the most useful first). With no need
        (services in general) every national line is offered.
        """
        now = self.clock()
        national = [Found(x, status(x, now)) for x in self._national_for(kind)]
        rows: list[tuple[Button, ...]] = [*self._answer_row(answer)]
        if national:
            note = f"{note}\n{self.words.national}"
        else:
            note = f"{note}\n{self.words.no_country}"
            rows.append((Button(self.messages.buttons.numbers, "n"),))
        if self.directory:
            rows.append((self._other_services(),))
        rows.append((Button(self.messages.buttons.topics, "t"),))
        items = [self._item(item, brief=True) for item in national]
        return self._reply(heading, note, items, tuple(rows), answer)

    def _national_for(self, kind: str | None) -> list[Listing]:
        if kind is None:
            return list(self.national.listings)
        chosen: dict[int, Listing] = {}
        for fitting in self.fallback.get(kind, (kind,)):
            for listing in self.national.by_type.get(fitting, ()):
                chosen.setdefault(id(listing), listing)
        return list(chosen.values())

    def _reply(
        self,
        heading: str,
        note: str,
        items: Any,
        rows: Rows,
        answer: str | None = None,
        count: str = "",
        location: bool = False,
    ) -> Reply:
        html = self.renderer.render(TEMPLATE, heading=heading, note=note, count=count, items=items)
        return Reply(
            html,
            rows,
            entry_id=answer if answer in self.entries else None,
            request_location=location,
            location_prompt=self.words.location_prompt if location else "",
            location_button=self.words.location_button if location else "",
        )

    def _item(self, found: Found, brief: bool = False) -> _Item:
        """A service for the template; `brief` leaves out the notes (for lists of lines)."""
        service = found.listing.service
        physical = bool(service.address) or found.listing.has_point
        flags = []
        if service.walk_in:
            flags.append(self.words.walk_in)
        elif service.walk_in is False and physical:
            flags.append(self.words.appointment)
        if service.id_needed is not None:
            flags.append(self.words.id_needed if service.id_needed else self.words.no_id)
        if service.anonymous:
            flags.append(self.words.anonymous)
        if service.cost:
            flags.append(service.cost)
        website = str(service.website) if service.website else ""
        host = service.website.host if service.website and service.website.host else ""
        checked = self.words.checked.format(date=self.renderer.month_year(service.verified_on))
        return _Item(
            name=service.name,
            organisation=service.organisation,
            status=self.status_text(found),
            open=found.status.is_open,
            closed=found.status.openness is Openness.CLOSED,
            place=service.address,
            distance=self._distance(found.distance_km),
            map_url=_map_url(service.latitude, service.longitude, service.address),
            phone=service.phone,
            text=service.text,
            website=website,
            website_label=host.removeprefix("www."),
            telegram=service.telegram,
            flags=" · ".join(flags),
            notes="" if brief else service.notes,
            checked=checked,
        )

    def status_text(self, found: Found) -> str:
        """ "open now · closes 17:00", "closed · opens Mon 09:00", "open 24/7" …"""
        current = found.status
        physical = bool(found.listing.service.address) or found.listing.has_point
        words = self.words
        known = opening_text(current, words, self.formats)
        if known is not None:
            text = known
        elif found.listing.hours is None and found.listing.service.hours_text:
            text = words.hours_as_written.format(hours=found.listing.service.hours_text)
        elif found.listing.hours is not None or physical:
            text = words.hours_unknown
        else:
            return ""  # a phone line or website with no hours given: nothing to say
        return f"{text} · {current.comment}" if current.comment else text

    def _distance(self, km: float | None) -> str:
        if km is None:
            return ""
        shown = f"{km:.1f}" if km < 10 else f"{km:.0f}"
        return self.words.distance.format(km=shown, distance=self.formats.distance(km))

    # --- buttons ---------------------------------------------------------------------------

    def type_label(self, kind: str) -> str:
        return self.messages.service_types.get(kind, kind)

    def _type_rank(self, kind: str) -> int:
        return self._order.get(kind, len(self._order))

    def _title(self, entry_id: str, fallback: str) -> str:
        entry = self.entries.get(entry_id)
        return entry.title if entry is not None else fallback

    def _answer_row(self, answer: str | None) -> list[tuple[Button, ...]]:
        if answer is None or answer not in self.entries:
            return []
        label = self.messages.buttons.answer.format(title=self.entries[answer].title)
        return [(Button(label, f"a:{answer}"),)]

    def _other_services(self) -> Button:
        return Button(self.messages.buttons.other_services, "s")


def opening_text(current: Status, words: ServiceWords, formats: LocalFormats) -> str | None:
    """ "open now · closes 17:00", "closed · opens Tue 10:00", "open 24/7", "closed"; None when
    the hours don't say (the caller knows what to say then). Times as `formats` writes them."""
    if current.openness is Openness.ALWAYS:
        return words.open_always
    if current.openness is Openness.OPEN and current.change is not None:
        when = _when(current.change, current.local_now, words, formats, closing=True)
        return words.open_until.format(when=when)
    if current.openness is Openness.CLOSED and current.change is not None:
        when = _when(current.change, current.local_now, words, formats)
        return words.closed_until.format(when=when)
    if current.openness is Openness.CLOSED:
        return words.closed
    return None


def _when(
    change: dt.datetime,
    local_now: dt.datetime | None,
    words: ServiceWords,
    formats: LocalFormats,
    closing: bool = False,
) -> str:
    """A time today (or in the small hours, for a closing time), else a weekday and time."""
    time = formats.time(change)
    if local_now is not None and (
        change.date() == local_now.date()
        or (closing and change - local_now < dt.timedelta(hours=12))
    ):
        return words.at_time.format(time=time)
    return words.at_day_time.format(day=words.weekdays[change.weekday()], time=time)


def _on_earth(point: Point) -> bool:
    return -90 <= point.latitude <= 90 and -180 <= point.longitude <= 180


def _pairs(buttons: list[Button]) -> list[tuple[Button, ...]]:
    return [tuple(buttons[i : i + 2]) for i in range(0, len(buttons), 2)]


def _map_url(latitude: float | None, longitude: float | None, address: str) -> str:
    """An OpenStreetMap link: the pin when there are coordinates, else an address search."""
    if latitude is not None and longitude is not None:
        return (
            f"https://www.openstreetmap.org/?mlat={latitude:.5f}&mlon={longitude:.5f}"
            f"#map=17/{latitude:.5f}/{longitude:.5f}"
        )
    if address:
        return f"https://www.openstreetmap.org/search?query={quote(address)}"
    return ""
