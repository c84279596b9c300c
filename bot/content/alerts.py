"""Drug-supply alerts (`content/alerts/<id>.md`): a bad batch, a strong cut, a fake pill.

Staff publish one as a file, in the service's own folder: front matter (title, areas, severity,
substances, published, expires, sources) and a short Markdown body. Nobody signs up for them:
while an alert is live (published ≤ now < expires) `/alerts` lists it and the greeting and the
answers about its substances carry a one-line banner; once it expires it is simply not shown.
Whether an alert is live is decided by the clock at each reply, never stored.

The bundled content ships no alert: a made-up bad batch must never reach people.

Times are wall-clock times in the alert's `timezone` (default UTC) unless written with an
offset; a date alone means midnight at the start of that day.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import Field, ValidationError, field_validator

from bot.content.entries import split_front_matter
from bot.content.files import ContentError, line_for, parse_yaml, read_text, validation_problems
from bot.content.kit import ID_PATTERN, Phrases, Strict, TimeZone
from bot.content.model import Source
from bot.content.problems import Problem, error

FOLDER = "alerts"
# An alert's id travels in button data ("al:<id>", 64 bytes at most) and in deep links.
MAX_ID = 48


class Severity(StrEnum):
    """How bad it is, most severe first (the order banners and lists use)."""

    DANGER = "danger"  # deaths or many overdoses: act on it now
    WARNING = "warning"  # something stronger or different is about
    NOTICE = "notice"  # worth knowing

    @property
    def rank(self) -> int:
        return list(Severity).index(self)


def _moment(value: Any) -> Any:
    """A date alone is the start of that day; YAML gives dates and datetimes as objects,
    "2026-11-20 09:00" (no seconds) as text, which pydantic reads."""
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return dt.datetime.combine(value, dt.time())
    if isinstance(value, str):
        try:
            return dt.datetime.fromisoformat(value.strip())
        except ValueError:
            raise ValueError(
                f"'{value}' is not a date; write it like 2026-11-20 or 2026-11-20 09:00"
            ) from None
    return value


class AlertFront(Strict):
    """The front matter of an alert file."""

    title: str = Field(min_length=1, max_length=100)
    areas: Phrases  # where it was seen ("Camden", "North London", "everywhere")
    severity: Severity
    substances: Phrases  # substance ids of mixes/substances.yaml or drug card ids
    published: dt.datetime
    expires: dt.datetime
    timezone: TimeZone = "UTC"
    sources: list[Source] = Field(min_length=1)

    @field_validator("published", "expires", mode="before")
    @classmethod
    def _date_or_time(cls, value: Any) -> Any:
        return _moment(value)


@dataclass(frozen=True)
class Alert:
    """One alert as loaded; `published` and `expires` are aware (UTC) datetimes."""

    id: str
    front: AlertFront
    body: str
    published: dt.datetime
    expires: dt.datetime
    path: Path
    body_line: int
    key_lines: dict[str, int]

    @property
    def title(self) -> str:
        return self.front.title

    @property
    def severity(self) -> Severity:
        return self.front.severity

    @property
    def substances(self) -> tuple[str, ...]:
        return tuple(self.front.substances)

    def is_live(self, now: dt.datetime) -> bool:
        return self.published <= now < self.expires

    def local(self, moment: dt.datetime) -> dt.datetime:
        """`moment` in the alert's own time zone, for showing dates as staff wrote them."""
        return moment.astimezone(ZoneInfo(self.front.timezone))

    def line_of(self, key: str) -> int:
        return line_for(self.key_lines, key)


@dataclass(frozen=True)
class AlertBook:
    """Every alert file that could be read. Which are live is asked with a time, each reply."""

    alerts: tuple[Alert, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.alerts)

    def get(self, alert_id: str) -> Alert | None:
        return next((alert for alert in self.alerts if alert.id == alert_id), None)

    def live(self, now: dt.datetime) -> list[Alert]:
        """The alerts live at `now`, newest first."""
        found = [alert for alert in self.alerts if alert.is_live(now)]
        return sorted(found, key=lambda alert: (alert.published, alert.id), reverse=True)

    def due(self, after: dt.datetime, now: dt.datetime) -> list[Alert]:
        """Live alerts published after `after` (the process's start) and by `now`, oldest
        first: the ones a running bot posts to the service's channel."""
        found = [alert for alert in self.alerts if after < alert.published and alert.is_live(now)]
        return sorted(found, key=lambda alert: (alert.published, alert.id))

    def next_published(self, now: dt.datetime) -> dt.datetime | None:
        """When the next alert not yet published is due, if any."""
        later = [alert.published for alert in self.alerts if alert.published > now]
        return min(later) if later else None


def _aware(moment: dt.datetime, zone: str) -> dt.datetime:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=ZoneInfo(zone))
    return moment.astimezone(dt.UTC)


def read_alert(path: Path) -> tuple[Alert | None, list[Problem]]:
    """One alert file; None (with the problems, each at its line) when it can't be shown."""
    try:
        front, front_line, body, body_line = split_front_matter(read_text(path), path)
        doc = parse_yaml(front, path, first_line=front_line)
    except ContentError as exc:
        return None, [exc.problem]
    if not isinstance(doc.data, dict):
        return None, [error(path, 1, "the front matter must be `key: value` lines")]
    if not re.fullmatch(ID_PATTERN, path.stem) or len(path.stem) > MAX_ID:
        message = (
            f"the file name '{path.stem}' must be a short id: lower-case letters, digits and "
            f"dashes, at most {MAX_ID} characters (like 2026-11-nitazenes-camden.md)"
        )
        return None, [error(path, 1, message)]
    try:
        meta = AlertFront.model_validate(doc.data)
    except ValidationError as exc:
        return None, validation_problems(path, exc, doc.lines)
    published = _aware(meta.published, meta.timezone)
    expires = _aware(meta.expires, meta.timezone)
    if not body.strip():
        message = "has no text under the front matter: say what was found and what to do"
        return None, [error(path, body_line, message)]
    alert = Alert(path.stem, meta, body.strip(), published, expires, path, body_line, doc.lines)
    if expires <= published:  # never live, so never shown; kept for the other checks
        line = line_for(doc.lines, "expires")
        return alert, [error(path, line, "expires: is not after published; check both dates")]
    return alert, []


def load_alerts(paths: list[Path]) -> tuple[AlertBook, list[Problem]]:
    """Every alert that can be shown; each broken one is reported and left out."""
    alerts = []
    problems: list[Problem] = []
    for path in paths:
        alert, found = read_alert(path)
        problems.extend(found)
        if alert is not None:
            alerts.append(alert)
    return AlertBook(tuple(alerts)), problems
