"""`/human` and the "Talk to a person" button: the service's people, and who answers now.

Each contact in content/people.yaml is shown with whether someone answers now, in the
services finder's words and by its rules ("open now · closes 17:00", "closed · opens Tue
10:00"), open ones first. When nobody is answering, or the service lists nobody, the lines
that answer at any hour come first: the emergency number and the country's crisis, overdose
and listening lines (content/emergency-numbers.yaml). The clock is asked at each reply.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from opening_hours import OpeningHours

from bot.content.messages import Messages
from bot.content.numbers import Country
from bot.content.people import People, Person
from bot.conversation.reply import Button, Reply
from bot.rendering.render import Renderer
from bot.services.directory import parse_hours
from bot.services.finder import Openness, Status, hours_status
from bot.services.local_formats import LocalFormats
from bot.services.replies import opening_text

TEMPLATE = "people.html.j2"
Rows = tuple[tuple[Button, ...], ...]
_LATER = dt.datetime.max.replace(tzinfo=dt.UTC)


@dataclass(frozen=True)
class _Item:
    """One contact as the template shows it: plain strings, escaped by the template."""

    name: str
    about: str
    status: str
    open: bool
    closed: bool
    phone: str
    text: str
    telegram: str
    telegram_url: str


class PeopleReplies:
    """Builds the /human reply for one language."""

    def __init__(
        self,
        people: People | None,
        country_code: str | None,
        country: Country | None,
        messages: Messages,
        renderer: Renderer,
        operator: str,
        clock: Callable[[], dt.datetime],
        formats: LocalFormats,
    ) -> None:
        self.people = people
        self.formats = formats
        self.country = country
        self.messages = messages
        self.words = messages.people
        self.renderer = renderer
        self.operator = operator
        self.clock = clock
        self._hours: list[OpeningHours | None] = [
            _parse(person.hours, country_code) for person in (people.people if people else [])
        ]

    def reply(self, rows: Rows) -> Reply:
        """The contacts (open ones first) or, when none is answering, the lines that are."""
        found = self._statuses()
        any_open = any(status.is_open for _, status in found)
        if any_open:
            note = self.words.intro.format(operator=self.operator)
            lines: list[str] = []
        elif found:
            note = self.words.none_open.format(operator=self.operator)
            lines = self.lines()
        else:
            note = self.words.none_listed
            lines = self.lines()
        html = self.renderer.render(
            TEMPLATE,
            heading=self.words.title,
            note=note,
            lines=lines,
            later=self.words.later if found and not any_open else "",
            people=[self._item(person, status) for person, status in found],
            safety_net=self._emergency_line() if any_open else "",
        )
        return Reply(html, rows)

    def lines(self) -> list[str]:
        """The lines that answer at any hour, for this deployment's country."""
        country = self.country
        if country is None:
            return [self.words.no_country]
        found = [self._emergency_line()]
        if country.crisis is not None:
            found.append(self.words.crisis.format(line=country.crisis.describe()))
        if country.overdose_line is not None:
            found.append(self.words.overdose_line.format(line=country.overdose_line.describe()))
        if country.warm_line is not None:
            found.append(self.words.warm_line.format(line=country.warm_line.describe()))
        return found

    def _emergency_line(self) -> str:
        if self.country is None:
            return self.words.no_country
        return self.words.emergency.format(number=self.country.emergency)

    def _statuses(self) -> list[tuple[Person, Status]]:
        """Every contact with its status now, open first, then by when each opens."""
        if self.people is None:
            return []
        now, zone = self.clock(), self.people.zone
        found = [
            (person, hours_status(hours, zone, now))
            for person, hours in zip(self.people.people, self._hours, strict=True)
        ]

        def order(item: tuple[Person, Status]) -> tuple[int, dt.datetime]:
            status = item[1]
            change = status.change.replace(tzinfo=dt.UTC) if status.change else _LATER
            return (0 if status.is_open else 1 + int(status.openness), change)

        return sorted(found, key=order)

    def _item(self, person: Person, status: Status) -> _Item:
        text = opening_text(status, self.messages.services, self.formats)
        if text is None:
            text = self.words.hours_unknown
        elif status.comment:
            text = f"{text} · {status.comment}"
        return _Item(
            name=person.name,
            about=person.about,
            status=text,
            open=status.is_open,
            closed=status.openness is Openness.CLOSED,
            phone=person.phone,
            text=person.text,
            telegram=person.telegram,
            telegram_url=person.telegram_url,
        )


def _parse(hours: str | None, country: str | None) -> OpeningHours | None:
    """The contact's hours with the country's public holidays (none known: without them)."""
    if hours is None:
        return None
    if country:
        return parse_hours(hours, country)
    return OpeningHours(hours, auto_country=False, auto_timezone=False)
