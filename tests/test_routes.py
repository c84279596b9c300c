"""`hrbot match --json` reports the route people get, for the messages people send."""

from __future__ import annotations

import json

import pytest

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


@pytest.mark.parametrize(("text", "route", "entry"), ROUTES, ids=[r[0][:40] for r in ROUTES])
def test_the_route_people_get(hrbot, text: str, route: str, entry: str | None) -> None:  # type: ignore[no-untyped-def]
    code, out, _ = hrbot("match", "--json", text)
    record = json.loads(out)
    assert code == 0 and record["route"] == route, record
    if entry is not None:
        assert record["entry"] == entry
    assert record["emergency"] is (route in ("emergency", "crisis"))
