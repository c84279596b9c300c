"""The points of the clinical review of 2026-12-01, checked in the answer files themselves.

Each answer is read as plain text (front matter split off with PyYAML), so these tests do not
depend on how the bot's code is organised. Each test names the review point it keeps true.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
import yaml

CONTENT = Path(__file__).resolve().parent.parent / "content"
ANSWERS = CONTENT / "en"
MORE = "<!-- more -->"

REVIEWED = [
    "services/treatment-options",
    "overdose/xylazine",
    "general/withdrawal",
    "injecting/missed-shot-artery",
    "overdose/stimulant-overdose",
    "testing/fentanyl-test-strips",
    "testing/test-strip-limits",
    "general/safer-sex",
    "overdose/naloxone-after",
    "overdose/naloxone-how",
    "overdose/overdose-now",
    "injecting/infection-abscess",
    "general/calming-down",
]


def answer(name: str) -> tuple[dict, str, str]:
    """(front matter, short part, details) of content/en/<name>.md."""
    text = (ANSWERS / f"{name}.md").read_text(encoding="utf-8")
    _, front, body = text.split("---\n", 2)
    meta = yaml.safe_load(front)
    short, _, details = body.partition(MORE)
    return meta, short, details


def flat(text: str) -> str:
    """Lower case, markdown emphasis dropped, runs of space made single."""
    return re.sub(r"\s+", " ", text.replace("**", "").replace("*", "")).lower()


def has_all(text: str, *needles: str) -> list[str]:
    """The needles that are missing from text (compared in lower case)."""
    haystack = flat(text)
    return [needle for needle in needles if needle.lower() not in haystack]


def numbers() -> dict:
    return yaml.safe_load((CONTENT / "emergency-numbers.yaml").read_text(encoding="utf-8"))


def test_treatment_options_naltrexone_and_deaths():
    """Naltrexone started too soon brings on sudden withdrawal, and using on it or after it can
    kill; only methadone and buprenorphine are shown to lower deaths. People choosing treatment
    need this before they choose, so it is in the short part."""
    meta, short, details = answer("services/treatment-options")
    missing = has_all(
        short,
        "naltrexone",
        "7 to 10 days",
        "sudden, severe withdrawal",
        "overdose",
        "after you stop it",
        "tolerance",
        "only methadone and bupe have been shown to lower deaths",
        "from a clinic or a pharmacy",
    )
    assert not missing, missing
    assert "only medicines" in flat(meta["summary"]) and "7 to 10 days" in meta["summary"]
    assert "special clinic" not in flat(short + details)


def test_xylazine_medetomidine_withdrawal():
    """Medetomidine withdrawal can start within hours and be life-threatening; people need the
    signs and the instruction to call for help, not only that it "may need hospital care"."""
    _, short, _ = answer("overdose/xylazine")
    missing = has_all(
        short,
        "medetomidine withdrawal can be dangerous",
        "within hours",
        "call {{ emergency }}",
        "racing heart",
        "very high blood pressure",
        "shaking",
        "vomiting that won't stop",
        "confusion",
    )
    assert not missing, missing


def test_withdrawal_tranq_medetomidine_and_g():
    """Opioid withdrawal is "rarely dangerous" only without tranq or medetomidine, and G
    withdrawal can kill within hours: the short part must not leave people reassured."""
    meta, short, _ = answer("general/withdrawal")
    missing = has_all(
        short,
        "tranq (xylazine) or medetomidine",
        "much worse",
        "medetomidine withdrawal can start within hours",
        "g (ghb/gbl)",
        "within hours of the last dose",
        "can kill",
        "call {{ emergency }} for fits, confusion or seeing things",
    )
    assert not missing, missing
    assert "medetomidine" in meta["summary"] and "G" in meta["summary"]


def test_missed_shot_pressure_time_and_next_day():
    """How long to press (15 minutes, 30 for the groin, no peeking), and that new pain, colour
    change or numbness over the next day is an emergency: artery damage can show up late."""
    meta, short, _ = answer("injecting/missed-shot-artery")
    missing = has_all(
        short,
        "at least 15 minutes",
        "30 minutes for the groin",
        "don't lift it to check",
        "over the next day",
        "new pain",
        "colour change",
        "numbness",
        "emergency care",
    )
    assert not missing, missing
    assert "15 minutes" in meta["summary"] and "30 for the groin" in meta["summary"]


def test_stimulant_overdose_when_to_call():
    """Stroke signs, a sudden severe headache, a fast-rising temperature or pulse and severe
    agitation or confusion all mean calling the emergency number after stimulants."""
    meta, short, details = answer("overdose/stimulant-overdose")
    missing = has_all(
        short,
        "call {{ emergency }} for any of these",
        "face drooping",
        "weakness on one side",
        "slurred speech",
        "sudden, severe headache",
        "getting hotter fast",
        "pulse that keeps speeding up",
        "severe agitation",
        "confusion",
    )
    assert not missing, missing
    assert "stroke" in meta["summary"]
    # water amounts only with a source that gives them
    if re.search(r"\d+ ?ml", details):
        urls = " ".join(source["url"] for source in meta["sources"])
        assert "bluebelly" in urls or "crew.scot" in urls


@pytest.mark.parametrize("name", ["testing/fentanyl-test-strips", "testing/test-strip-limits"])
def test_test_strips_stimulant_false_positives(name):
    """Meth and MDMA both give false positives on fentanyl strips; a positive on a stimulant is
    retested with much more water, and residue can be tested too."""
    _, short, details = answer(name)
    whole = short + details
    missing = has_all(whole, "meth", "mdma", "false positive", "much more water", "residue")
    assert not missing, missing
    assert "50 ml" in flat(whole)


def test_safer_sex_poppers_pep_and_g():
    """Poppers with Viagra or Cialis can drop blood pressure dangerously; PEP works best within
    24 hours (always within 72); G doses stack, so each re-dose is smaller."""
    meta, short, details = answer("general/safer-sex")
    missing = has_all(
        short,
        "poppers with viagra or cialis",
        "blood pressure",
        "ideally within 24 hours",
        "within 72 hours",
    )
    assert not missing, missing
    missing = has_all(details, "doses stack", "a little smaller")
    assert not missing, missing
    assert "24 hours" in meta["summary"] and "Cialis" in meta["summary"]


def test_naloxone_after_leads_with_using_more():
    """The commonest deadly mistake after naloxone is using more to get past it: that comes
    first. If they won't go to hospital, someone stays at least 2 hours, longer after methadone."""
    meta, short, _ = answer("overdose/naloxone-after")
    lead = "using more to get past naloxone can cause an overdose as it wears off"
    assert flat(meta["summary"]).startswith(lead)
    first_bullet = flat(short.strip().splitlines()[0])
    assert lead in first_bullet
    missing = has_all(short, "won't go to hospital", "at least 2 hours", "longer after methadone")
    assert not missing, missing


def test_naloxone_how_waking_up():
    """People who give naloxone should expect the person may wake up sick, shaking or angry, so
    they stay calm and stay."""
    _, short, _ = answer("overdose/naloxone-how")
    assert "may wake up sick, shaking or angry" in flat(short)


def test_overdose_now_wear_off_and_compressions():
    """The emergency card says exactly how long naloxone lasts, tells someone who can't or won't
    give breaths to do compressions with the call taker, and stays short."""
    meta, short, details = answer("overdose/overdose-now")
    whole = flat(short + details)
    assert "30 to 90 minutes, sometimes sooner" in whole
    for mention in re.findall(r"wear off in [^.]*", whole):
        assert mention.startswith("wear off in 30 to 90 minutes, sometimes sooner"), mention
    assert "minutes" not in whole.replace("30 to 90 minutes", "").replace("2 to 3 minutes", "")
    missing = has_all(short, "can't or won't", "middle of the chest", "call taker")
    assert not missing, missing
    assert meta["emergency"] is True
    assert len(short.strip()) <= 900


def test_infection_abscess_tissue_death():
    """Severe pain, skin going pale then black and loss of feeling can mean flesh is dying:
    that is emergency care, not a wait-and-see abscess."""
    _, short, _ = answer("injecting/infection-abscess")
    missing = has_all(
        short,
        "dying skin is an emergency",
        "call {{ emergency }}",
        "pain much worse",
        "black",
        "loss of feeling",
    )
    assert not missing, missing


def test_numbers_rechecked_japan_south_africa_ukraine():
    """Japan, South Africa and Ukraine were re-checked: TELL is not 24/7 so a 24/7 Japanese line
    is listed, SADAG's current 24-hour number is used, Ukraine says where 7333 is confirmed and
    lists 112; each carries the date it was checked."""
    book = numbers()
    checked = dt.date(2026, 12, 1)
    jp, za, ua = book["JP"], book["ZA"], book["UA"]
    assert "9:00" not in jp["crisis"]["note"] and "24/7" in jp["crisis"]["note"]
    assert any("24/7" in line["note"] and "Japanese" in line["note"] for line in jp["other_lines"])
    assert za["crisis"]["number"] == "0800 456 789" and "24/7" in za["crisis"]["note"]
    assert "Vodafone" in ua["crisis"]["note"]
    assert any(line["number"] == "112" for line in ua["other_lines"])
    for country in (jp, za, ua):
        assert country["checked_on"] >= checked


LINE_KEYS = {"name", "number", "note", "text", "url"}


def test_warm_lines_where_confirmed():
    """A non-crisis listening line sits next to the crisis line where one was confirmed (US, GB,
    AU), in the same shape as crisis:, with its source in the country's sources."""
    book = numbers()
    for code in ("US", "GB", "AU"):
        line = book[code]["warm_line"]
        assert set(line) <= LINE_KEYS and line["name"] and line["number"], code
        hosts = " ".join(source["url"] for source in book[code]["sources"])
        word = {"US": "nami.org", "GB": "sane.org.uk", "AU": "beyond"}[code]
        assert (
            word in hosts.lower()
            or word in " ".join(s["title"] for s in book[code]["sources"]).lower()
        )
    for code, country in book.items():
        for line in country.get("other_lines", []) + (
            [country["warm_line"]] if "warm_line" in country else []
        ):
            assert set(line) <= LINE_KEYS and line["name"] and line["number"], code


STIGMA = re.compile(
    r"\b(addicts?|abuse|abuser|abusers|substance abuse|drug abuse)\b", re.IGNORECASE
)


def test_source_titles_not_stigmatising():
    """People see source titles under every answer; they must not label people or use "abuse"
    (the address is kept, only the shown title is neutral)."""
    bad = []
    for path in sorted(ANSWERS.glob("*/*.md")):
        meta, _, _ = answer(f"{path.parent.name}/{path.stem}")
        bad += [
            f"{path.name}: {s['title']}"
            for s in meta.get("sources", [])
            if STIGMA.search(s["title"])
        ]
    assert not bad, bad


def test_calming_down_answer():
    """A short answer for panic and bad trips: breathing and grounding, a calm safe place with
    someone, and the signs that make it an emergency instead, in people's own words."""
    meta, short, _ = answer("general/calming-down")
    assert meta["id"] == "calming-down" and meta["area"] == "general"
    assert len(meta["examples"]) >= 10
    examples = " | ".join(meta["examples"])
    for phrase in ("im panicking", "bad trip", "anxiety", "freaking out after a pill"):
        assert phrase in examples, phrase
    assert {"stimulant-overdose", "overdose-now"} <= set(meta["related"])
    missing = has_all(
        short,
        "breathe",
        "feet on the floor",
        "quiet",
        "someone you trust",
        "call {{ emergency }}",
        "chest pain",
        "fit",
        "very hot",
        "confusion",
        "fainting",
    )
    assert not missing, missing
    assert len(short.strip()) <= 900


@pytest.mark.parametrize("name", REVIEWED)
def test_review_status_and_dates(name):
    """An answer is `sourced` only with sources and the date its facts were checked; the
    answers changed in this review carry the review's date."""
    meta, _, _ = answer(name)
    review = meta["review"]
    assert review["status"] in ("sourced", "draft")
    if review["status"] == "sourced":
        assert meta["sources"]
        assert review["reviewed_on"] == dt.date(2026, 12, 1)
        assert review["next_review"] == dt.date(2027, 6, 1)
