"""Each fact of the accuracy checklist is stated in the answer where it belongs.

The checklist is the one at the end of the project's harm reduction fact sheet; the key words
below must appear (case-insensitively) in the entry's summary, body or "more" part.
"""

from __future__ import annotations

import re

import pytest

from bot.config import Config
from bot.library import load_library

# (checklist number, entry id, phrases that must all appear)
FACTS = [
    (1, "overdose-now", ["call", "even if you have naloxone"]),
    (1, "naloxone-after", ["call"]),
    (2, "overdose-now", ["give naloxone", "harmless", "tranq", "benzos"]),
    (3, "overdose-now", ["rescue breaths", "cpr", "breathing isn't normal"]),
    (3, "rescue-breathing", ["rescue breath", "cpr"]),
    (4, "naloxone-how", ["2 to 3 minutes", "another dose", "several doses"]),
    (5, "naloxone-after", ["30 to 90 minutes", "sometimes sooner", "stay"]),
    (6, "recovery-position", ["side", "alone"]),
    (6, "overdose-now", ["recovery position", "stay with them"]),
    (
        7,
        "xylazine",
        [
            "does not reverse",
            "xylazine",
            "medetomidine",
            "benzos",
            "alcohol",
            "stimulants",
            "still give it",
        ],
    ),
    (8, "stimulant-overdose", ["no antidote", "chest pain", "seizure", "overheating", "cool"]),
    (9, "overdose-now", ["slap", "cold bath", "inject anything", "vomit"]),
    (10, "new-equipment", ["new", "sterile", "every time"]),
    (10, "no-sharing", ["water", "filters", "cookers", "tourniquets", "straws", "pipes"]),
    (11, "injection-sites", ["neck", "groin"]),
    (11, "missed-shot-artery", ["artery", "bright red", "press"]),
    (11, "infection-abscess", ["abscess", "endocarditis", "same day"]),
    (12, "tolerance", ["tolerance drops within days", "start low", "test", "alone"]),
    (12, "start-low", ["start low", "test"]),
    (13, "test-strip-limits", ["negative", "nitazenes", "analogues", "unevenly", "teaspoon"]),
    (14, "reagent-tests", ["suggest what", "purity", "dose"]),
    (15, "mixing-risks", ["most common", "fatal", "mdma", "antidepressants", "tramadol"]),
    (16, "good-samaritan", ["in many places", "varies"]),
    (17, "wound-care", ["anywhere", "moist", "covered"]),
]


@pytest.fixture(scope="module")
def texts() -> dict[str, str]:
    library = load_library(Config().content_dir)
    entries = library.languages["en"].entries
    return {
        entry_id: " ".join([e.meta.summary, e.body, e.more]).casefold().replace("’", "'")
        for entry_id, e in entries.items()
    }


@pytest.mark.parametrize(("number", "entry_id", "phrases"), FACTS)
def test_checklist_fact_is_stated(
    texts: dict[str, str], number: int, entry_id: str, phrases: list[str]
) -> None:
    text = re.sub(r"\s+", " ", texts[entry_id])
    missing = [phrase for phrase in phrases if phrase.casefold() not in text]
    assert not missing, f"fact {number} in {entry_id}: missing {missing}"


def test_every_checklist_fact_has_a_test() -> None:
    assert {number for number, _, _ in FACTS} == set(range(1, 18))
