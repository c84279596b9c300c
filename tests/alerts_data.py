"""Alerts and people files for tests, written in tmp_path (the bundled content has neither).

One field per line, so a test can find the line of any field with `conftest.line_of`.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

from conftest import answer_text, make_content

from bot.config import Config
from bot.engine import Engine
from bot.library import load_library

FRIDAY_NOON = dt.datetime(2026, 11, 27, 12, 0, tzinfo=dt.UTC)  # GMT: London time = UTC
SATURDAY_NOON = FRIDAY_NOON + dt.timedelta(days=1)


def alert_text(
    *,
    title: str = "Strong fentanyl in heroin",
    areas: Iterable[str] = ("Camden",),
    severity: str = "danger",
    substances: Iterable[str] = ("fentanyl",),
    published: str = "2026-11-20 09:00",
    expires: str = "2026-12-04",
    timezone: str | None = None,
    sources: Iterable[tuple[str, str]] = (("Drug checking", "https://example.org/alert"),),
    body: str = "Several overdoses this week. **Carry naloxone** and go slow.",
) -> str:
    def q(value: str) -> str:
        return json.dumps(value, ensure_ascii=False)

    lines = ["---", f"title: {q(title)}", "areas:", *(f"  - {q(a)}" for a in areas)]
    lines += [f"severity: {severity}", "substances:", *(f"  - {s}" for s in substances)]
    lines += [f"published: {published}", f"expires: {expires}"]
    lines += [f"timezone: {timezone}"] if timezone else []
    sources = list(sources)
    lines += ["sources:"] if sources else ["sources: []"]
    for source_title, url in sources:
        lines += [f"  - title: {q(source_title)}", f"    url: {url}"]
    lines += ["---", body]
    return "\n".join(lines) + "\n"


def people_text(people: Iterable[Mapping[str, Any]], timezone: str = "Europe/London") -> str:
    lines = [f"timezone: {timezone}", "people:"]
    for person in people:
        for number, (key, value) in enumerate(person.items()):
            prefix = "  - " if number == 0 else "    "
            lines.append(f"{prefix}{key}: {json.dumps(value, ensure_ascii=False)}")
    return "\n".join(lines) + "\n"


OUTREACH = {
    "name": "Outreach team",
    "about": "peer workers",
    "hours": "Mo-Fr 10:00-17:00",
    "phone": "020 7946 0018",
    "telegram": "@outreach_example",
}
EVENINGS = {"name": "Evening line", "hours": "Mo-Fr 18:00-22:00", "phone": "020 7946 0019"}

# A drug card the alerts in these tests name, beside the minimal set of answers.
FENTANYL_CARD = answer_text(
    "fentanyl", "drugs", title="Fentanyl", examples=["what is fentanyl", "is fent strong"]
)


def content_with(
    root: Path, alerts: Mapping[str, str] | None = None, people: str | None = None
) -> Path:
    """The minimal content with the fentanyl card, `alerts` (file name → text) and people."""
    files = {f"alerts/{name}": text for name, text in (alerts or {}).items()}
    if people is not None:
        files["people.yaml"] = people
    return make_content(root, {"drugs/fentanyl.md": FENTANYL_CARD}, files=files)


def engine_at(
    tree: Path, clock: Callable[[], dt.datetime], country: str | None = "GB", **config: Any
) -> Engine:
    settings = Config(content_dir=tree, country=country, operator="Test Service", **config)
    return Engine(load_library(tree), settings, clock=clock)
