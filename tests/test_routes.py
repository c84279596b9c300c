"""`hrbot match --json` reports the route people get, for the messages people send."""

from __future__ import annotations

import contextlib
import io
import json
import sys
from unittest import mock

import pytest

from handlers.cli import main

ROUTES = [
    ("been on the gear 10 years, tried cold turkey loads of times … gp mentioned subs but idk "
     "if id have to go to a clinic every day", "answer", "treatment-options"),
    ("sitting on the edge of the bridge rn", "crisis", "crisis-support"),
    ("tonight's the night", "crisis", "crisis-support"),
    ("i have a shot big enough", "crisis", "crisis-support"),
    ("whats the point of anything", "answer", "crisis-support"),  # support, not the card
    ("my friend use heroin and now he not wake, face very white, breath very slow",
     "emergency", "overdose-now"),
    ("i think my roommate is od", "emergency", "overdose-now"),
    ("she's od", "emergency", "overdose-now"),
    ("how do i use rivive", "answer", "naloxone-how"),
    ("needle exchange near me", "services", "new-equipment"),
    ("my mate stopped breathing last month, what should i have done", "answer", None),
    ("if someone ods at the festival next week what do i do", "answer", None),
    ("apache helicopter", "none", None),
]  # fmt: skip


@pytest.fixture(scope="module")
def routed() -> dict[str, dict[str, object]]:
    """Every message through one `hrbot match --json` run (stdin, a line each), by its text:
    one engine for all of them, as a person checking a list would run it."""
    lines = "".join(f"{text}\n" for text, _, _ in ROUTES)
    out = io.StringIO()
    with (
        mock.patch.object(sys, "stdin", io.StringIO(lines)),
        contextlib.redirect_stdout(out),
    ):
        code = main(["match", "--json"])
    assert code == 0
    records = [json.loads(line) for line in out.getvalue().splitlines()]
    assert [record["text"] for record in records] == [text for text, _, _ in ROUTES]
    return {str(record["text"]): record for record in records}


@pytest.mark.parametrize(("text", "route", "entry"), ROUTES, ids=[r[0][:40] for r in ROUTES])
def test_the_route_people_get(
    routed: dict[str, dict[str, object]], text: str, route: str, entry: str | None
) -> None:
    record = routed[text]
    assert record["route"] == route, record
    if entry is not None:
        assert record["entry"] == entry
    assert record["emergency"] is (route in ("emergency", "crisis"))
