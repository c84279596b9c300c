"""/human: the service's people with who answers now (a frozen clock decides), the lines that
answer at any hour when nobody does, the button on unsure replies, and the file's checks."""

from __future__ import annotations

from pathlib import Path

from alerts_data import (
    EVENINGS,
    FRIDAY_NOON,
    OUTREACH,
    SATURDAY_NOON,
    content_with,
    engine_at,
    people_text,
)
from conftest import line_of

from bot.config import Config
from bot.conversation.reply import Event, EventKind, Reply
from bot.engine import Engine
from bot.tools.checker import check

HUMAN = Event(EventKind.COMMAND, "human")


def human(engine: Engine) -> Reply:
    return engine.handle(HUMAN)


def test_open_contacts_come_first_with_when_they_close(tmp_path: Path) -> None:
    tree = content_with(tmp_path, people=people_text([EVENINGS, OUTREACH]))
    reply = human(engine_at(tree, lambda: FRIDAY_NOON))
    html = reply.html
    assert "People from Test Service you can call" in html
    assert html.index("Outreach team") < html.index("Evening line")  # open first
    assert "🟢 <b>Outreach team</b> · peer workers\nopen now · closes 17:00" in html
    assert "🔴 <b>Evening line</b>\nclosed · opens 18:00" in html
    assert '<a href="https://t.me/outreach_example">@outreach_example</a>' in html
    assert "🚨 In danger now: call 999" in html
    assert "Crisis line" not in html  # someone from the service is answering


def test_when_nobody_answers_the_lines_open_at_any_hour_come_first(tmp_path: Path) -> None:
    tree = content_with(tmp_path, people=people_text([OUTREACH, EVENINGS]))
    html = human(engine_at(tree, lambda: SATURDAY_NOON)).html
    assert "Nobody from Test Service is answering right now" in html
    assert html.index("☎️ Crisis line: 116 123") < html.index("Outreach team")
    assert "🚨 In danger now: call 999" in html
    assert "closed · opens Mon 10:00" in html and "closed · opens Mon 18:00" in html


def test_with_no_contacts_human_still_helps(tmp_path: Path) -> None:
    tree = content_with(tmp_path)
    reply = human(engine_at(tree, lambda: FRIDAY_NOON))
    assert "These lines have a person on them" in reply.html
    assert "call 999" in reply.html and "116 123" in reply.html
    assert "e" in [button.data for button in reply.button_list]
    no_country = human(engine_at(tree, lambda: FRIDAY_NOON, country=None))
    assert "numbers by country" in no_country.html
    assert "n" in [button.data for button in no_country.button_list]


def test_talk_to_a_person_sits_below_the_crisis_card_and_on_unsure_replies(
    tmp_path: Path,
) -> None:
    tree = content_with(tmp_path)
    engine = engine_at(tree, lambda: FRIDAY_NOON)
    en = engine.language("en")

    def has_person(reply: Reply) -> bool:
        return "h" in [button.data for button in reply.button_list]

    crisis = engine.handle(Event(EventKind.TEXT, "i want to die"))
    assert crisis.entry_id == "crisis-support" and has_person(crisis)
    assert crisis.html == en.renderer.answer(en.entries["crisis-support"])  # no longer
    rows = [[b.data for b in row] for row in crisis.buttons]
    assert rows.index(["h"]) == rows.index(["t"]) - 1  # below the card, just above home
    assert has_person(engine.handle(Event(EventKind.TEXT, "zzz qqq vvv")))  # no match
    assert has_person(en.suggest(en.read("naloxone").match))  # did you mean
    assert not has_person(engine.handle(Event(EventKind.TEXT, "my friend wont wake up")))
    assert "Talk to a person" in human(engine).html  # the button's reply
    assert engine.handle(Event(EventKind.BUTTON, "h")).html == human(engine).html


def test_check_reports_numbers_and_hours_at_their_lines(tmp_path: Path) -> None:
    people = [
        OUTREACH,
        {"name": "Bad hours", "hours": "Mo-Fr 25:00-17:00", "phone": "020 7946 0018"},
        {"name": "Bad phone", "hours": "24/7", "phone": "020 7946 00"},
        {"name": "No hours", "phone": "0800 123 4567"},
        {"name": "Nothing to call"},
    ]
    tree = content_with(tmp_path, people=people_text(people))
    path = tree / "people.yaml"
    found = {str(p) for p in check(Config(content_dir=tree, country="GB"))}
    short = '"020 7946 00"'
    expected = [
        f"{path}:{line_of(path, '25:00')}: people.1.hours: is not valid opening_hours syntax",
        f"{path}:{line_of(path, short)}: people.2.phone: '020 7946 00' is not a valid GB number",
        f"{path}:{line_of(path, 'No hours')}: warning: people.3: no hours",
        f"{path}:{line_of(path, 'Nothing to call')}: people.4: give at least one way to reach",
    ]
    for start in expected:
        assert any(problem.startswith(start) for problem in found), (start, sorted(found))
    # one broken contact leaves out that contact only
    html = human(engine_at(tree, lambda: FRIDAY_NOON)).html
    assert "Outreach team" in html and "Bad phone" in html and "Bad hours" not in html
