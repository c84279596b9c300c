"""`hrbot stats URL`: what a running bot's counts say, as a few lines for a staff meeting.

It reads the bot's `/metrics` page (handlers/metrics.py): totals and content ids, never a
message. From them it says how many messages got no answer or a did-you-mean, which answers
the did-you-means offered most and from which areas (answers to improve, or to write), and how
many emergency and crisis cards were shown, and which answers got the most 👎. Counts run
from when the bot started; `--save` keeps a reading in a file and `--since` that file shows
only what happened after it (the week between two meetings).
"""

from __future__ import annotations

import datetime as dt
import json
import re
import urllib.error
import urllib.request
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

_SAMPLE = re.compile(
    r'^(?P<name>[a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(?P<label>[a-z_]+)="(?P<value>(?:[^"\\]|\\.)*)"\})?'
    r"\s+(?P<number>[-+0-9.eE]+)\s*$"
)
TOP = 5


class StatsError(Exception):
    """The counts can't be read; the message says what to check."""


@dataclass
class Reading:
    """One reading of the counts: plain totals and counts by one label."""

    started: float = 0.0
    taken: float = 0.0
    totals: Counter[str] = field(default_factory=Counter)
    labelled: dict[str, Counter[str]] = field(default_factory=dict)

    def by(self, name: str) -> Counter[str]:
        return self.labelled.get(name, Counter())

    def minus(self, earlier: Reading) -> Reading:
        """What happened between `earlier` and this reading (all of it after a restart)."""
        if earlier.started != self.started:
            return self
        labelled = {name: self.by(name) - earlier.by(name) for name in self.labelled}
        return Reading(earlier.taken, self.taken, self.totals - earlier.totals, labelled)

    def to_json(self) -> str:
        data = {
            "started": self.started,
            "taken": self.taken,
            "totals": dict(self.totals),
            "labelled": {name: dict(counts) for name, counts in self.labelled.items()},
        }
        return json.dumps(data, indent=1, sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> Reading:
        data = json.loads(text)
        return cls(
            float(data["started"]),
            float(data["taken"]),
            Counter(data["totals"]),
            {name: Counter(counts) for name, counts in data["labelled"].items()},
        )


def metrics_url(url: str) -> str:
    """The /metrics page of a bot's address ("http://127.0.0.1:9100" is enough)."""
    if not re.match(r"^https?://", url):
        raise StatsError(f"{url}: give the bot's address, like http://127.0.0.1:9100/metrics")
    return url if url.rstrip("/").endswith("/metrics") else url.rstrip("/") + "/metrics"


def fetch(url: str, timeout: float = 10.0) -> str:
    try:
        with urllib.request.urlopen(metrics_url(url), timeout=timeout) as response:
            body: bytes = response.read(5_000_000)
    except urllib.error.HTTPError as exc:
        raise StatsError(f"{url}: the bot answered {exc.code}; is this its /metrics?") from None
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise StatsError(f"{url}: cannot reach the bot ({reason})") from None
    return body.decode("utf-8", errors="replace")


def parse(text: str, taken: float) -> Reading:
    """The counts in Prometheus text (only hrbot's own lines are read)."""
    reading = Reading(taken=taken)
    for line in text.splitlines():
        found = _SAMPLE.match(line.strip())
        if not found or not found["name"].startswith("hrbot_"):
            continue
        name = found["name"].removeprefix("hrbot_").removesuffix("_total")
        number = float(found["number"])
        if name == "started_seconds":
            reading.started = number
        elif found["label"]:
            value = re.sub(r"\\(.)", r"\1", found["value"])
            reading.labelled.setdefault(name, Counter())[value] += int(number)
        else:
            reading.totals[name] += int(number)
    if not reading.started and not reading.totals:
        raise StatsError("no hrbot counts on that page; is it the bot's /metrics?")
    return reading


def summary(reading: Reading, since_saved: bool = False) -> list[str]:
    """The lines `hrbot stats` prints."""
    routes = reading.by("messages_by_route")
    typed = sum(routes.values())
    start = dt.datetime.fromtimestamp(reading.started, dt.UTC)
    days = max(0.0, (reading.taken - reading.started) / 86400)
    when = "since the saved reading" if since_saved else "since the bot started"
    lines = [
        f"{when} ({start:%Y-%m-%d %H:%M} UTC, {days:.1f} days): {typed} typed message(s), "
        f"{reading.totals['updates']} update(s) in all",
        f"  {routes['none']} no match; {routes['suggest']} did-you-mean; "
        f"{routes['answer']} answered; {routes['off-topic']} off-topic; "
        f"{routes['services']} to the services finder; {routes['greeting']} greetings",
    ]
    offered = reading.by("suggested")
    if offered:
        lines.append(f"  did-you-mean most often offered: {_top(offered)}")
        lines.append(f"  did-you-mean by area: {_top(reading.by('suggested_areas'), 10)}")
    cards = reading.by("cards")
    emergencies = routes["emergency"] + routes["crisis"]
    lines.append(
        f"  emergencies: {emergencies} typed ({routes['emergency']} overdose, "
        f"{routes['crisis']} crisis); cards shown: {_top(cards, 10) or 'none'}"
    )
    shown = reading.by("answers_by_id")
    if shown:
        lines.append(f"  answers shown most: {_top(shown)}")
    helpful, not_helpful = reading.by("helpful"), reading.by("not_helpful")
    if helpful or not_helpful:
        lines.append(
            f"  feedback: {sum(helpful.values())} 👍, {sum(not_helpful.values())} 👎; "
            f"most 👎: {_top(not_helpful) or 'none'}"
        )
    lines.append(
        f"  delivery: {reading.totals['replies_sent']} sent, "
        f"{reading.totals['replies_failed']} failed, {reading.totals['errors']} error(s)"
    )
    if routes["none"] or offered:
        lines.append(
            "  next: no-match and did-you-mean messages are not kept; ask people what they "
            "asked, add examples to the answers offered, or write the answer that is missing"
        )
    return lines


def _top(counts: Counter[str], n: int = TOP) -> str:
    return ", ".join(f"{name} ({count})" for name, count in counts.most_common(n) if count)


def load_saved(path: Path) -> Reading:
    try:
        return Reading.from_json(path.read_text(encoding="utf-8"))
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise StatsError(f"{path}: not a reading saved with --save ({exc})") from None
