"""Rendering: every reply is HTML Telegram accepts, and nothing a person types is echoed raw."""

from __future__ import annotations

import random
import re
from collections import deque
from collections.abc import Callable
from pathlib import Path

import pytest

from bot.config import BUNDLED_CONTENT, Config
from bot.conversation.reply import Event, EventKind, Reply
from bot.conversation.sharing import is_feedback, shared_answer
from bot.engine import Engine, build_engine
from bot.library import load_library
from bot.rendering.markdown import to_telegram_html
from bot.rendering.telegram_html import MAX_MESSAGE, problems_in, split, telegram_length

BUNDLED_IDS = sorted(load_library(BUNDLED_CONTENT).languages["en"].entries)

HOSTILE = [
    "<script>alert(1)</script>",
    "a & b && c &amp; &lt;",
    "<b>bold</b> <i>unclosed",
    '"quoted" and \'single\' <a href="javascript:alert(1)">x</a>',
    "</b></i></a><pre>",
    "<tg-spoiler>&#0;</tg-spoiler> &nbsp; &",
]


def assert_valid(html: str) -> None:
    assert html.strip(), "empty reply"
    assert problems_in(html) == []
    assert len(html) <= MAX_MESSAGE


@pytest.mark.parametrize("entry_id", BUNDLED_IDS)
def test_every_bundled_answer_is_valid_telegram_html(engine: Engine, entry_id: str) -> None:
    english = engine.language("en")
    reply = english.answer(entry_id)
    assert_valid(reply.html)
    assert english.entries[entry_id].title.split()[0] in reply.html
    if english.entries[entry_id].more:
        assert_valid(english.more(entry_id).html)


def test_there_are_bundled_answers_to_check() -> None:
    assert len(BUNDLED_IDS) >= 6
    assert {"overdose-now", "naloxone-how", "crisis-support", "privacy"} <= set(BUNDLED_IDS)


def leads_on(data: str) -> bool:
    """Whether pressing the button brings a new message: Share is a link, and 👍 / 👎 only
    thank and take themselves away (tests/test_sharing.py)."""
    return shared_answer(data) is None and not is_feedback(data)


def reachable_replies(engine: Engine) -> dict[str, Reply]:
    """Every reply a person can reach by pressing buttons from the commands, by button data."""
    seen: dict[str, Reply] = {}
    queue: deque[Reply] = deque(
        engine.handle(Event(EventKind.COMMAND, name, language="en"))
        for name in ("start", "menu", "help", "emergency", "services", "privacy", "about")
    )
    while queue:
        reply = queue.popleft()
        for button in reply.button_list:
            if leads_on(button.data) and button.data not in seen:
                # as on Telegram, a press says which message the button is on
                event = Event(EventKind.BUTTON, button.data, message_id=1)
                seen[button.data] = engine.handle(event)
                queue.append(seen[button.data])
    return seen


def test_every_reply_reachable_from_the_menu_is_valid(engine: Engine) -> None:
    replies = reachable_replies(engine)
    # every answer can be reached from the menu, and so can its "more" part
    shown = {reply.entry_id for reply in replies.values()}
    assert set(BUNDLED_IDS) <= shown
    for data, reply in replies.items():
        if not reply.html and reply.actions:
            continue  # deletes or pins, and says nothing (/forget's "delete this too", Pin)
        assert_valid(reply.html)
        assert reply.buttons, f"{data} leads to a dead end"
        for button in reply.button_list:
            assert 0 < len(button.data.encode("utf-8")) <= 64, button.data
            assert button.label.strip()


def test_no_match_reply_escapes_what_the_person_typed(content: Callable[..., Path]) -> None:
    # Staff may edit templates; even one that echoes the message must not let HTML through.
    template = "{{ t.no_match }}\n\nYou wrote: {{ text }}\n"
    tree = content(files={"templates/no_match.html.j2": template})
    english = build_engine(Config(content_dir=tree)).language("en")
    for text in ["zzqx <script>alert(1)</script>", "zzqx & <b> \"qq\" 'qq'"]:
        reply = english.text(text)
        assert reply.entry_id is None and not reply.emergency
        assert "You wrote: zzqx" in reply.html
        assert "<script>" not in reply.html and "<b>" not in reply.html
        assert_valid(reply.html)
    reply = english.text("zzqx <script>alert(1)</script>")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in reply.html
    reply = english.text('zzqx & <b> "qq"')
    assert "zzqx &amp; &lt;b&gt;" in reply.html


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_input_never_breaks_a_reply(engine: Engine, text: str) -> None:
    reply = engine.handle(Event(EventKind.TEXT, text, language="en"))
    assert_valid(reply.html)
    assert "<script" not in reply.html and "javascript:" not in reply.html
    assert reply.buttons  # always a way on


def test_markdown_lists_bold_and_links() -> None:
    assert to_telegram_html("- one\n- two") == "• one\n• two"
    assert to_telegram_html("1. first\n2. second") == "1. first\n2. second"
    assert to_telegram_html("3. third\n4. fourth") == "3. third\n4. fourth"
    assert to_telegram_html("**bold** and *italic*") == "<b>bold</b> and <i>italic</i>"
    assert to_telegram_html("- a\n  - b\n- c") == "• a\n   • b\n• c"
    assert to_telegram_html("para one\n\npara two") == "para one\n\npara two"
    assert to_telegram_html("`code`") == "<code>code</code>"
    assert to_telegram_html("[site](https://example.org/?a=1&b=2)") == (
        '<a href="https://example.org/?a=1&amp;b=2">site</a>'
    )
    assert to_telegram_html("## Heading\n\ntext") == "<b>Heading</b>\n\ntext"


def test_markdown_never_passes_html_through() -> None:
    html = to_telegram_html('Text <script>alert(1)</script> & <b onclick="x">b</b>\n\n<div>x</div>')
    assert "<script>" not in html and "<div>" not in html and "<b " not in html
    assert "&amp;" in html
    assert problems_in(html) == []


# --- splitting long replies ---------------------------------------------------------------------


def test_length_is_counted_as_telegram_counts_it() -> None:
    # Tags and link targets cost nothing, an entity is one character, an emoji two (UTF-16).
    assert telegram_length('<b>Open</b> <a href="https://example.org/long/path">here</a>') == 9
    assert telegram_length("a &amp; b") == 5
    assert telegram_length("🆘 help") == 7
    many_links = "\n".join(
        f'<a href="https://example.org/{i:04}">Service {i}</a>' for i in range(130)
    )
    assert len(many_links) > MAX_MESSAGE  # what a raw count would reject
    assert problems_in(many_links) == []  # what Telegram accepts


def test_split_counts_emoji_as_two() -> None:
    html = " ".join("🆘" * 10 for _ in range(100))  # 1,000 characters, 2,099 UTF-16 units
    chunks = split(html, 1000)
    assert all(telegram_length(chunk) <= 1000 for chunk in chunks)
    assert len(chunks) == 3
    assert " ".join(chunks) == html
    assert problems_in("🆘" * 2100) == [
        "is 4200 characters as Telegram counts them; its limit is 4096"
    ]


def test_split_keeps_a_short_reply_whole() -> None:
    html = "<b>Title</b>\n\nSome text &amp; more."
    assert split(html) == [html]
    assert split("") == []


def test_split_cuts_between_blocks() -> None:
    blocks = [f"<b>Block {i}</b>\n{'word ' * 30}".strip() for i in range(40)]
    html = "\n\n".join(blocks)
    chunks = split(html, 1000)
    assert len(chunks) > 1
    assert all(telegram_length(chunk) <= 1000 for chunk in chunks)
    assert "\n\n".join(chunks) == html  # nothing lost, cut only at blank lines
    assert all(problems_in(chunk) == [] for chunk in chunks)


def test_split_a_tag_that_spans_blocks_is_closed_and_reopened() -> None:
    html = "<i>" + "a" * 60 + "\n\n" + "b" * 60 + "</i>"
    chunks = split(html, 100)
    assert chunks == ["<i>" + "a" * 60 + "</i>", "<i>" + "b" * 60 + "</i>"]


def test_split_a_single_long_line_loses_nothing() -> None:
    html = " ".join(
        f'<b>w{i}</b> <a href="https://example.org/{i}">link&amp;{i}</a>' for i in range(300)
    )
    chunks = split(html, 500)
    assert len(chunks) > 1
    for chunk in chunks:
        assert telegram_length(chunk) <= 500
        assert problems_in(chunk) == []
    assert " ".join(chunks) == html  # cut only at the spaces between elements


def _visible(html: str) -> str:
    return re.sub(r"\s+", "", re.sub(r"<[^>]+>", "", html))


def test_split_never_cuts_inside_a_tag_or_entity() -> None:
    rnd = random.Random(20261127)
    parts = [
        "help",
        "naloxone",
        "&amp;",
        "&lt;b&gt;",
        "x" * 70,
        "<b>bold text</b>",
        '<a href="https://example.org/?a=1&amp;b=2">a link</a>',
        "\n",
        "\n\n",
        "<i>italic\n\nacross blocks</i>",
        "<pre>code\nblock</pre>",
        "<b><i>nested</i> tags</b>",
        "<blockquote>quoted\ntext</blockquote>",
    ]
    for _ in range(400):
        html = " ".join(rnd.choice(parts) for _ in range(rnd.randint(1, 150)))
        limit = rnd.choice([64, 100, 257, 1000, MAX_MESSAGE])
        chunks = split(html, limit)
        for chunk in chunks:
            assert telegram_length(chunk) <= limit
            assert problems_in(chunk) == [], (chunk, limit)
        assert _visible("".join(chunks)) == _visible(html)
