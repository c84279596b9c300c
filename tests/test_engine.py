"""The conversation core: an event in, a reply out, through the `Bot` test client."""

from __future__ import annotations

from collections.abc import Callable
from html import unescape
from pathlib import Path

import pytest
from conftest import Bot

from bot.config import Config
from bot.content.model import AREAS
from bot.conversation.reply import Event, EventKind
from bot.engine import Engine, build_engine
from bot.understanding.reading import Route


def area_data(reply) -> list[str]:  # type: ignore[no-untyped-def]
    return [b.data for b in reply.button_list if b.data.startswith("t:")]


def served_areas(bot: Bot) -> list[str]:
    """Every area that has at least one answer, in the menu's order."""
    entries = bot.engine.language("en").entries.values()
    return [f"t:{area}" for area in AREAS if any(e.meta.area == area for e in entries)]


def test_start_greets_and_offers_the_areas(bot: Bot) -> None:
    reply = bot.say("/start")
    messages = bot.engine.language("en").messages
    assert messages.greeting in unescape(reply.html)
    assert messages.privacy_line in unescape(reply.html)
    assert area_data(reply) == served_areas(bot)
    assert any(b.data == "e" for b in reply.button_list)  # the emergency card is one tap away
    assert reply.entry_id is None and not reply.emergency


def test_start_with_a_deep_link_opens_the_answer(bot: Bot) -> None:
    reply = bot.say("/start naloxone-how")
    assert reply.entry_id == "naloxone-how"
    assert "How to give naloxone" in reply.html


def test_unknown_deep_link_falls_back_to_the_greeting(bot: Bot) -> None:
    greeting = bot.say("/start")
    for argument in ("no-such-answer", "../../etc/passwd", "x" * 300, "<b>"):
        assert bot.say(f"/start {argument}") == greeting


def test_menu_area_answer_and_back(bot: Bot) -> None:
    menu = bot.say("/menu")
    assert area_data(menu) == served_areas(bot)
    area = bot.press(bot.engine.language("en").messages.areas["overdose"])
    labels = [b.label for b in area.button_list]
    assert "How to give naloxone" in labels and "Someone is overdosing" in labels
    assert "Using fentanyl test strips" not in labels  # another area's answer
    answer = bot.press("How to give naloxone")
    assert answer.entry_id == "naloxone-how"
    assert bot.press("📋 Topics") == menu
    bot.say("/menu")
    bot.press("🧪")
    assert bot.press("⬅️ Back") == menu


def test_answer_shows_summary_body_related_and_sources(bot: Bot) -> None:
    reply = bot.say("/start naloxone-how")
    entry = bot.engine.language("en").entries["naloxone-how"]
    html = reply.html
    assert html.index("How to give naloxone") < html.index("Spray one dose") < html.index("Sources")
    assert "Facts checked" in html or "Reviewed by" in html
    assert "December 2026" in html  # reviewed_on as month and year
    for related in entry.meta.related:
        assert f"a:{related}" in [b.data for b in reply.button_list]
    for source in entry.meta.sources:
        assert str(source.url).split("#")[0].rstrip("/") in html


def test_more_button_shows_the_more_part(bot: Bot) -> None:
    bot.say("/start naloxone-how")
    more = bot.press("➕ More")
    entry = bot.engine.language("en").entries["naloxone-how"]
    assert more.entry_id == "naloxone-how"
    first_line = entry.more.splitlines()[0].lstrip("- ").split(".")[0]
    assert first_line in more.html
    assert not any(b.data.startswith("m:") for b in more.button_list)


def test_a_voice_note_gets_the_not_text_reply(bot: Bot) -> None:
    bot.push_other()
    reply = bot.pop()
    messages = bot.engine.language("en").messages
    assert messages.not_text in unescape(reply.html)
    assert any(b.data == "e" for b in reply.button_list)
    assert bot.press("🆘").entry_id == "overdose-now"


def test_unknown_or_old_button_data_falls_back_to_the_menu(bot: Bot) -> None:
    menu = bot.say("/menu")
    for data in ("", "zz", "a:no-such-answer", "m:gone", "t:nope", "x:1:2", "a:" + "x" * 80):
        bot.push_button(data)
        assert bot.pop() == menu


def test_language_picks_en_for_en_gb_and_the_default_for_others(engine: Engine) -> None:
    en = engine.handle(Event(EventKind.TEXT, "narcan how", language="en"))
    for language in ("en-GB", "EN-us", "xx", "fr", None, ""):
        reply = engine.handle(Event(EventKind.TEXT, "narcan how", language=language))
        assert reply == en
    assert engine.language("en-GB").code == "en"
    assert engine.language("zz").code == engine.default


def test_emergency_command_shows_the_overdose_card(bot: Bot) -> None:
    reply = bot.say("/emergency")
    assert reply.entry_id == "overdose-now"
    assert reply.emergency
    assert reply.html.startswith("🆘")
    numbers = bot.press("🌍")
    assert numbers.emergency
    assert "United Kingdom" in numbers.html and "999" in numbers.html


def test_commands_open_their_answers(bot: Bot) -> None:
    assert bot.say("/privacy").entry_id == "privacy"
    assert bot.say("/about").entry_id == "about"
    assert bot.say("/menu@HarmReductionBot") == bot.say("/menu")
    help_reply = bot.say("/help")
    assert "/emergency" in help_reply.html
    assert bot.say("/nonsense") == help_reply


def test_country_fills_the_emergency_number(content: Callable[..., Path]) -> None:
    tree = content()
    gb = Bot(build_engine(Config(content_dir=tree, country="GB")))
    card = gb.say("/emergency")
    assert "999" in card.html
    assert "your local emergency number" not in card.html
    anywhere = Bot(build_engine(Config(content_dir=tree)))
    card = anywhere.say("/emergency")
    assert "your local emergency number" in card.html
    assert "999" not in card.html


def test_drafts_are_not_served_by_default(content: Callable[..., Path]) -> None:
    from conftest import MINIMAL, answer_text

    draft = answer_text(**{**MINIMAL["testing/fentanyl-test-strips.md"], "status": "draft"})
    tree = content({"testing/fentanyl-test-strips.md": draft})
    served = build_engine(Config(content_dir=tree)).language("en")
    assert "fentanyl-test-strips" not in served.entries
    assert served.text("how do fentanyl test strips work").entry_id != "fentanyl-test-strips"
    everything = build_engine(Config(content_dir=tree, min_review_status="draft"))
    assert "fentanyl-test-strips" in everything.language("en").entries


def test_an_empty_message_does_not_crash(bot: Bot) -> None:
    for text in ("", "   ", "???", "🙂", "\u200b"):
        reply = bot.say(text)
        assert reply.html and reply.buttons


@pytest.mark.parametrize("text", ["hi", "Thanks!!", "ok cool", "good morning", "hey how are u"])
def test_small_talk_gets_the_greeting_not_a_guess(engine: Engine, text: str) -> None:
    reply = engine.handle(Event(EventKind.TEXT, text))
    greeting = engine.handle(Event(EventKind.COMMAND, "start"))
    assert reply.entry_id is None
    assert reply.html == greeting.html


def test_a_greeting_with_a_question_is_answered(engine: Engine) -> None:
    reply = engine.handle(Event(EventKind.TEXT, "hi how do i use narcan"))
    assert reply.entry_id == "naloxone-how"


def test_numbers_show_warm_lines_next_to_crisis_lines(bot: Bot) -> None:
    """A listening line for when it is hard but not a crisis, where a country has one."""
    bot.say("/emergency")
    text = unescape(bot.press("🌍").html)
    line = next(row for row in text.splitlines() if row.startswith("<b>United Kingdom</b>"))
    assert "crisis line 116 123" in line and "someone to talk to" in line
    japan = next(row for row in text.splitlines() if row.startswith("<b>Japan</b>"))
    assert "0120-279-338" in japan  # the 24/7 Japanese-language line


def test_every_answer_keeps_the_overdose_card_one_tap_away(bot: Bot) -> None:
    """A question about a past overdose, or anything else, still shows how to get help now."""
    for text in ("how do i look after my veins", "what is ketamine like"):
        reply = bot.say(text)
        assert any(b.data == "e" for b in reply.button_list), text


@pytest.mark.parametrize(
    ("text", "route"),
    [
        ("where can i buy ket round here", Route.OFF_TOPIC),
        ("which reagent kit should i buy for ket, i know marquis is for mdma", Route.ANSWER),
        ("where can i buy test strips for my coke", Route.ANSWER),
    ],
)
def test_buying_drugs_is_declined_but_buying_safety_kit_is_answered(
    engine: Engine, text: str, route: Route
) -> None:
    """off-topic.yaml's `unless` words cancel its phrases: the kit, not the drug."""
    assert engine.read(text).route is route
