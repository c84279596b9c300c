"""/forget and /card in the core: the id range, the card's words and its image."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

import pytest
from PIL import Image

from bot.config import Config
from bot.conversation import protocol as p
from bot.conversation.actions import DeleteMessages, PinMessage, forget_range
from bot.conversation.reply import Event, EventKind
from bot.engine import Engine, build_engine
from bot.rendering.card_image import CardDrawer, CardImages, plain
from bot.rendering.card_text import CardText, blocks
from bot.tools.checker import check


def test_forget_deletes_the_asking_message_and_the_500_ids_below_in_calls_of_100() -> None:
    action = forget_range(1234, pressed=False)
    batches = action.batches()
    assert [len(batch) for batch in batches] == [100] * 5
    assert batches[0][0] == 1234 and batches[-1][-1] == 735  # newest first
    assert forget_range(7, pressed=False) == DeleteMessages(newest=7, oldest=1)
    # a button may be on an older message: the messages after it go too
    assert forget_range(1234, pressed=True).newest == 1334


def test_the_commands_and_buttons(engine: Engine) -> None:
    en = engine.language("en")
    forget = engine.handle(Event(EventKind.COMMAND, "forget", language="en", message_id=50))
    assert forget.actions == (DeleteMessages(newest=50, oldest=1),)
    assert "Auto-Delete" in forget.html and "Auto-Delete" in forget.if_failed
    assert [b.data for b in forget.button_list] == [p.DELETE_THIS]
    this = engine.handle(Event(EventKind.BUTTON, p.DELETE_THIS, message_id=61))
    assert this.actions == (DeleteMessages(61, 61),) and this.html == ""
    pin = engine.handle(Event(EventKind.BUTTON, p.PIN, message_id=62))
    assert pin.actions == (PinMessage(62),) and pin.html == "" and "Pin" in pin.if_failed
    assert p.FORGET in [b.data for b in en.answer("privacy").button_list]
    assert p.CARD in [b.data for b in en.answer("overdose-now").button_list]
    assert p.CARD not in [b.data for b in en.answer("crisis-support").button_list]


def test_start_deep_links_for_the_finder_and_the_card(engine: Engine) -> None:
    services = engine.handle(Event(EventKind.COMMAND, "start", p.START_SERVICES, "en"))
    assert services == engine.language("en").services.menu()
    card = engine.handle(Event(EventKind.COMMAND, "start", p.START_CARD, "en"))
    assert card.photo is not None and card.entry_id == "overdose-now"


def test_the_card_shows_the_steps_of_the_card_answer_and_the_number() -> None:
    engine = build_engine(Config(country="GB", operator="Example Service"))
    en = engine.language("en")
    card = en.tools.card_text(en.entries["overdose-now"])
    assert card.title == "Someone is overdosing"
    assert card.call == "CALL 999"
    assert len(card.steps) == 6
    assert card.steps[0][0] == ("Call 999", True)  # the bold lead, with the number filled in
    assert card.notes and card.notes[0][0] == ("Don't", True)
    assert card.footer.startswith("Example Service · Facts checked")


def test_steps_are_the_first_numbered_list_and_the_rest_are_notes() -> None:
    steps, notes = blocks("Before.\n\n1. **One** a\n2. Two\n\nAfter *this*.\n\n- a point\n")
    assert steps == ((("One", True), (" a", False)), (("Two", False),))
    assert notes == ((("Before.", False),), (("After this.", False),), (("a point", False),))


def test_the_image_is_a_tall_png_made_again_only_when_what_it_shows_changes() -> None:
    images = CardImages()
    card = CardText("Someone is overdosing", "CALL 999", ((("Call 999", True),),), (), "x")
    png = images.png("en", card)
    image = Image.open(io.BytesIO(png))
    assert image.format == "PNG" and image.width == 1080 and image.height > image.width / 2
    assert images.png("en", card) is png  # kept, not drawn again
    other = images.png("en", CardText(card.title, "CALL 112", card.steps, (), "x"))
    assert other != png


def test_the_number_band_is_red_with_white_letters() -> None:
    card = CardText("Overdose", "CALL 999", ((("Call", False),),), (), "footer")
    image = Image.open(io.BytesIO(CardDrawer().draw(card))).convert("RGB")
    band = image.crop((0, 140, 1080, 260))
    colours = {colour for _, colour in band.getcolors(1_000_000) or []}
    assert (179, 0, 27) in colours and (255, 255, 255) in colours


def test_accents_are_dropped_and_another_script_gets_the_text_card(
    content: Callable[..., Path],
) -> None:
    assert plain("Café – naïve “quote”") == 'Cafe - naive "quote"'
    # a name the image font cannot write, on a small library's overdose card
    cyrillic = Config(content_dir=content(), operator="Служба")
    engine = build_engine(cyrillic)
    reply = engine.handle(Event(EventKind.COMMAND, "card", language="en"))
    assert reply.photo is None and reply.entry_id == "overdose-now" and reply.emergency
    # `hrbot check` says so before anyone asks for the card; with a name it can write, nothing
    said = [p for p in check(cyrillic) if "/card can't draw" in str(p)]
    assert len(said) == 1 and not said[0].is_error
    assert said[0].path.name == "overdose-now.md"
    assert not [p for p in check(Config(operator="Hackney Drop-in")) if "/card" in str(p)]


@pytest.mark.parametrize("data", ["x:1", "p:2:3", "w:old", "k:x"])
def test_tool_buttons_with_more_data_are_someone_elses(engine: Engine, data: str) -> None:
    reply = engine.handle(Event(EventKind.BUTTON, data, message_id=5))
    assert reply.actions == () and reply.photo is None
