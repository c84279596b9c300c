"""Sharing answers and 👍 / 👎 in the core: what inline mode lists, the buttons under answers,
what a press gives back, the links, and `hrbot chat`."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from bot.config import Config
from bot.content.layers import BUNDLED_CONTENT
from bot.conversation.reply import Button, Event, EventKind
from bot.conversation.sharing import deep_link, share_url, vote_of, without_feedback
from bot.engine import Engine
from bot.tools.chat import run_chat
from bot.tools.checker import check
from bot.tools.stats import parse, summary
from bot.understanding.lookup import LIMIT, answers_for

TELEGRAM_ROW_LIMIT = 8  # buttons in one row Telegram draws
TELEGRAM_KEYBOARD_LIMIT = 100  # buttons in one keyboard


def listed(engine: Engine, text: str) -> list[str]:
    return [shared.entry_id for shared in engine.inline(text, "en")]


def test_inline_lists_the_matching_answers_best_first(engine: Engine) -> None:
    found = listed(engine, "naloxone")
    assert set(found[:3]) == {"naloxone-how", "naloxone-get", "naloxone-after"}
    assert "buprenorphine" not in found  # far below the best: not listed
    assert listed(engine, "fent strips")[0] == "fentanyl-test-strips"
    assert listed(engine, "needles")[0] == "new-equipment"


def test_emergency_words_put_the_overdose_card_first(engine: Engine) -> None:
    for text in ("my mate is turning blue narcan", "he wont wake up", "overdose help now"):
        assert listed(engine, text)[0] == "overdose-now", text


def test_nothing_typed_or_a_greeting_offers_the_most_useful_cards(engine: Engine) -> None:
    english = engine.language("en")
    featured = english.messages.sharing.featured
    expected = ["overdose-now", *[i for i in featured if i in english.entries]][:LIMIT]
    assert listed(engine, "") == expected
    assert listed(engine, "   ") == expected
    assert listed(engine, "hi") == expected
    assert answers_for(english.reader, "", ["no-such-answer", "naloxone-how"]) == (
        "overdose-now",
        "naloxone-how",
    )


def test_buying_or_nonsense_lists_nothing(engine: Engine) -> None:
    assert listed(engine, "where can i buy coke") == []
    assert listed(engine, "zzqx qqvv") == []
    assert all(len(listed(engine, t)) <= LIMIT for t in ("drugs", "overdose", "injecting"))


def test_a_listed_answer_carries_its_card_and_a_plain_summary(engine: Engine) -> None:
    [first, *_] = engine.inline("how do i use narcan", "en")
    english = engine.language("en")
    assert first.entry_id == "naloxone-how" and first.title == "How to give naloxone"
    assert first.html == english.answer("naloxone-how").html  # the card as the bot shows it
    assert first.description and "<" not in first.description and "{{" not in first.description
    [card] = [s for s in engine.inline("he wont wake up", "en") if s.entry_id == "overdose-now"]
    assert card.emergency and "{{" not in card.html


def test_every_answer_ends_with_feedback_and_share_in_one_tidy_row(engine: Engine) -> None:
    english = engine.language("en")
    for entry_id, entry in english.entries.items():
        reply = english.answer(entry_id)
        last = reply.buttons[-1]
        shares = [b for b in last if b.data == f"share:{entry_id}"]
        assert len(shares) == 1 and shares[0].share_text == entry.title
        feedback = [b.data for b in last if b.data.startswith("f:")]
        if entry.meta.emergency:  # the cards ask nothing of someone in an overdose
            assert feedback == [], entry_id
        else:
            assert feedback == [f"f:{entry_id}:+", f"f:{entry_id}:-"], entry_id
        assert all(len(row) <= 3 for row in reply.buttons), entry_id  # readable on a phone
        assert max(len(row) for row in reply.buttons) <= TELEGRAM_ROW_LIMIT
        assert len(reply.button_list) <= TELEGRAM_KEYBOARD_LIMIT
        assert all(0 < len(b.data.encode()) <= 64 for b in reply.button_list)


def test_a_vote_is_counted_for_known_answers_only_and_thanked(engine: Engine) -> None:
    thanks = engine.language("en").messages.sharing.thanks
    up = engine.handle(Event(EventKind.BUTTON, "f:naloxone-how:+", language="en"))
    assert up.vote == ("naloxone-how", "up") and up.notice == thanks
    assert up.html == "" and up.entry_id is None and up.buttons == ()
    down = engine.handle(Event(EventKind.BUTTON, "f:naloxone-how:-", language="en"))
    assert down.vote == ("naloxone-how", "down")
    for made_up in ("f:no-such-answer:+", "f:naloxone-how:x", "f:", "f:naloxone-how"):
        reply = engine.handle(Event(EventKind.BUTTON, made_up, language="en"))
        assert reply.vote is None and reply.notice == thanks, made_up
    assert vote_of("a:naloxone-how") is None


def test_taking_the_feedback_off_keeps_every_other_button_in_place(engine: Engine) -> None:
    reply = engine.language("en").answer("naloxone-how")
    kept = without_feedback(reply.buttons, lambda b: b.data)
    assert [b for b in reply.button_list if not b.data.startswith("f:")] == [
        b for row in kept for b in row
    ]
    assert kept[-1] == (Button("📤 Share", "share:naloxone-how", "How to give naloxone"),)
    only_votes = ((Button("👍", "f:x:+"), Button("👎", "f:x:-")),)
    assert without_feedback(only_votes, lambda b: b.data) == ()


def test_share_links_carry_the_deep_link_and_the_title() -> None:
    assert deep_link("hr_bot", "naloxone-how") == "https://t.me/hr_bot?start=naloxone-how"
    url = share_url("hr_bot", "naloxone-how", "How to give naloxone & more?")
    parts = urlsplit(url)
    assert (parts.scheme, parts.netloc, parts.path) == ("https", "t.me", "/share/url")
    query = parse_qs(parts.query)
    assert query == {
        "url": ["https://t.me/hr_bot?start=naloxone-how"],
        "text": ["How to give naloxone & more?"],
    }
    assert " " not in url and "&more" not in url  # everything in it is encoded


def test_a_deep_link_opens_the_shared_answer(engine: Engine) -> None:
    reply = engine.handle(Event(EventKind.COMMAND, "start", "naloxone-how", language="en"))
    assert reply.entry_id == "naloxone-how"


def test_hrbot_chat_shows_share_links_the_thanks_and_the_inline_list(engine: Engine) -> None:
    out = io.StringIO()
    english = engine.language("en")
    labels = [b.label for b in english.answer("naloxone-how").button_list]
    up, share = labels.index("👍") + 1, labels.index("📤 Share") + 1
    script = f"how do i use narcan\n{up}\n{share - 2}\n/inline he wont wake up\n"
    assert run_chat(engine, io.StringIO(script), out) == 0
    text = out.getvalue()
    after_vote = text.split(english.messages.sharing.thanks, 1)[1]
    assert "👍" not in after_vote and "👎" not in after_vote
    assert f"[{share - 2}] 📤 Share" in after_vote  # two numbers up: the votes are gone
    assert "https://t.me/YOUR_BOT?start=naloxone-how" in after_vote
    assert "https://t.me/share/url?url=https%3A%2F%2Ft.me%2FYOUR_BOT%3Fstart%3D" in text
    assert "@YOUR_BOT he wont wake up lists:\n  1. Someone is overdosing" in text


def test_the_checker_warns_about_a_featured_answer_that_is_not_there(
    content: Callable[..., Path],
) -> None:
    messages = (BUNDLED_CONTENT / "en" / "messages.yaml").read_text(encoding="utf-8")
    edited = messages.replace("featured: [naloxone-how,", "featured: [naloxone-hwo,")
    tree = content(files={"en/messages.yaml": edited})
    found = [str(p) for p in check(Config(content_dir=tree)) if "naloxone-hwo" in str(p)]
    line = edited.splitlines().index(next(t for t in edited.splitlines() if "featured:" in t))
    assert found == [f"{tree / 'en' / 'messages.yaml'}:{line + 1}: warning: sharing.featured: "
                     "'naloxone-hwo' is not an answer that is shown"]  # fmt: skip


def test_hrbot_stats_says_which_answers_got_the_most_thumbs_down() -> None:
    page = "\n".join(
        [
            "hrbot_started_seconds 1700000000",
            'hrbot_helpful_total{answer="naloxone-how"} 4.0',
            'hrbot_not_helpful_total{answer="disposal"} 3.0',
            'hrbot_not_helpful_total{answer="naloxone-how"} 1.0',
        ]
    )
    lines = summary(parse(page, 1700086400))
    assert "  feedback: 4 👍, 4 👎; most 👎: disposal (3), naloxone-how (1)" in lines
    assert not any("feedback" in line for line in summary(parse(page.split("\n")[0], 1)))
