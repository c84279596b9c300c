"""The handlers without sockets: a fake request object under the real Application.

Each test feeds updates through `Application.process_update` and looks at the Bot API calls
the bot made, so every rule (which update gets which reply, what is never answered, what a
Telegram fault does) is checked exactly and fast.
"""

from __future__ import annotations

import html
import logging
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from telegram.constants import ParseMode
from telegram_harness import (
    BOT_USERNAME,
    TOKEN,
    FastBot,
    Person,
    data,
    expected,
    group_chat,
    next_update_id,
)

from bot.config import Telegram, load_config
from bot.conversation.protocol import COMMANDS
from bot.conversation.reply import Button, Event, EventKind, Reply
from bot.engine import Engine
from handlers.commands import parse_command, register_commands
from handlers.counters import Counters
from handlers.errors import failed_handler
from handlers.logging import WithholdDetails, redact
from handlers.replies import keyboard, send_reply
from handlers.token import SecretError, read_token
from handlers.webhook import read_webhook_secret
from handlers.words import Words

# The fixtures (fast_bot, polling_bot, webhook_bot …); see telegram_fixtures.py for why.
pytest_plugins = ["telegram_fixtures"]

MakeBot = Callable[..., Awaitable[FastBot]]
sam = Person(user_id=4242)


def data_of(params: dict[str, Any]) -> list[str]:
    markup = params.get("reply_markup") or {}
    rows = markup.get("inline_keyboard", [])
    return [b["callback_data"] for row in rows for b in row if "callback_data" in b]


def urls_of(params: dict[str, Any]) -> list[str]:
    markup = params.get("reply_markup") or {}
    return [b["url"] for row in markup.get("inline_keyboard", []) for b in row if "url" in b]


# --- commands ------------------------------------------------------------------------------


async def test_start_greets_offers_topics_and_is_html_without_previews(
    fast_bot: FastBot, bundled_engine: Engine
) -> None:
    [sent] = await fast_bot.handle(sam.message("/start"))
    assert sent["chat_id"] == sam.user_id
    assert sent["parse_mode"] == ParseMode.HTML
    assert sent["link_preview_options"] == {"is_disabled": True}
    start = expected(bundled_engine, EventKind.COMMAND, "start")
    assert sent["text"] == start.html
    assert data_of(sent) == data(start)


async def test_start_deep_link_opens_that_answer(fast_bot: FastBot, bundled_engine: Engine) -> None:
    [sent] = await fast_bot.handle(sam.message("/start naloxone-how"))
    assert sent["text"] == bundled_engine.language("en").answer("naloxone-how").html


async def test_start_with_unknown_deep_link_greets(
    fast_bot: FastBot, bundled_engine: Engine
) -> None:
    [sent] = await fast_bot.handle(sam.message("/start no-such-answer"))
    assert sent["text"] == expected(bundled_engine, EventKind.COMMAND, "start").html


async def test_emergency_command_shows_the_overdose_card(
    fast_bot: FastBot, bundled_engine: Engine
) -> None:
    [sent] = await fast_bot.handle(sam.message("/emergency"))
    assert sent["text"] == bundled_engine.language("en").answer("overdose-now").html


@pytest.mark.parametrize("command", ["menu", "services", "privacy", "about"])
async def test_commands_get_the_engines_reply(
    fast_bot: FastBot, bundled_engine: Engine, command: str
) -> None:
    [sent] = await fast_bot.handle(sam.message(f"/{command}"))
    reply = expected(bundled_engine, EventKind.COMMAND, command)
    assert sent["text"] == reply.html and data_of(sent) == data(reply)


async def test_help_and_unknown_commands_get_the_help_text(
    fast_bot: FastBot, bundled_engine: Engine
) -> None:
    [helped] = await fast_bot.handle(sam.message("/help"))
    [unknown] = await fast_bot.handle(sam.message("/whatever"))
    assert helped["text"] == expected(bundled_engine, EventKind.COMMAND, "help").html
    assert unknown["text"] == helped["text"]


async def test_command_for_another_bot_is_ignored(fast_bot: FastBot) -> None:
    assert await fast_bot.handle(sam.message("/start@some_other_bot")) == []
    assert await fast_bot.handle(sam.message(f"/start@{BOT_USERNAME}")) != []


# --- menu and buttons ------------------------------------------------------------------------


async def test_menu_navigation_edits_in_place_with_back(
    fast_bot: FastBot, bundled_engine: Engine
) -> None:
    [menu] = await fast_bot.handle(sam.message("/menu"))
    assert "t:overdose" in data_of(menu)

    [area] = await fast_bot.handle(sam.callback("t:overdose", message_id=77))
    assert area["message_id"] == 77
    assert area["text"] == expected(bundled_engine, EventKind.BUTTON, "t:overdose").html
    assert "a:naloxone-how" in data_of(area) and data_of(area)[-1] == "t"  # answers, then Back

    [back] = await fast_bot.handle(sam.callback("t", message_id=77))
    assert back["message_id"] == 77
    assert back["text"] == menu["text"] and data_of(back) == data_of(menu)
    methods = fast_bot.request.methods()
    assert methods.count("editMessageText") == 2
    assert methods.count("answerCallbackQuery") == 2


async def test_answer_button_sends_a_new_message(fast_bot: FastBot, bundled_engine: Engine) -> None:
    [sent] = await fast_bot.handle(sam.callback("a:naloxone-how", message_id=77))
    assert "message_id" not in sent
    assert sent["text"] == bundled_engine.language("en").answer("naloxone-how").html
    assert "answerCallbackQuery" in fast_bot.request.methods()


async def test_every_button_press_is_answered_even_an_unknown_one(fast_bot: FastBot) -> None:
    await fast_bot.handle(sam.callback("zz:unknown", message_id=5))
    await fast_bot.handle(sam.callback("e", message_id=5))
    assert fast_bot.request.methods().count("answerCallbackQuery") == 2


async def test_pressing_the_menu_on_the_menu_is_not_an_error(fast_bot: FastBot) -> None:
    fast_bot.request.fail(
        "editMessageText", 400, description="Bad Request: message is not modified"
    )
    await fast_bot.handle(sam.callback("t", message_id=9))
    assert fast_bot.request.sent("sendMessage") == []
    assert fast_bot.counters["replies_failed"] == 0 and fast_bot.counters["errors"] == 0


async def test_a_message_that_cannot_be_edited_is_sent_anew(fast_bot: FastBot) -> None:
    fast_bot.request.fail(
        "editMessageText", 400, description="Bad Request: message can't be edited"
    )
    await fast_bot.handle(sam.callback("t:testing", message_id=9))
    [sent] = fast_bot.request.sent("sendMessage")
    assert "t" in data_of(sent)


async def test_button_data_fits_telegrams_limit(fast_bot: FastBot) -> None:
    for update in (sam.message("/start"), sam.message("/emergency"), sam.callback("t:overdose", 1)):
        for params in await fast_bot.handle(update):
            assert all(0 < len(data.encode()) <= 64 for data in data_of(params))


def test_oversized_button_data_is_left_out() -> None:
    reply = Reply("x", ((Button("ok", "a:x"), Button("too long", "a:" + "x" * 70)),))
    markup = keyboard(reply)
    assert markup is not None
    assert [b.callback_data for b in markup.inline_keyboard[0]] == ["a:x"]


# --- free text and other messages ------------------------------------------------------------


async def test_free_text_gets_the_matching_answer(
    fast_bot: FastBot, bundled_engine: Engine
) -> None:
    [sent] = await fast_bot.handle(sam.message("how do i use narcan"))
    reply = expected(bundled_engine, EventKind.TEXT, "how do i use narcan")
    assert sent["text"] == reply.html and data_of(sent) == data(reply)
    assert fast_bot.counters["answers" if reply.entry_id else "no_answer"] == 1


async def test_emergency_text_gets_the_overdose_card(
    fast_bot: FastBot, bundled_engine: Engine
) -> None:
    [sent] = await fast_bot.handle(sam.message("my friend wont wake up"))
    card = bundled_engine.language("en").answer("overdose-now").html
    assert card in sent["text"]
    assert fast_bot.counters["emergency"] == 1


@pytest.mark.parametrize(
    "media",
    [
        {"voice": {"file_id": "v", "file_unique_id": "v", "duration": 3}},
        {"photo": [{"file_id": "p", "file_unique_id": "p", "width": 9, "height": 9}]},
        {
            "sticker": {
                "file_id": "s",
                "file_unique_id": "s",
                "width": 9,
                "height": 9,
                "is_animated": False,
                "is_video": False,
                "type": "regular",
            }
        },
        {"document": {"file_id": "d", "file_unique_id": "d"}},
        {"video": {"file_id": "m", "file_unique_id": "m", "width": 9, "height": 9, "duration": 2}},
        {"video_note": {"file_id": "n", "file_unique_id": "n", "length": 9, "duration": 2}},
        {"audio": {"file_id": "a", "file_unique_id": "a", "duration": 2}},
    ],
)
async def test_what_the_bot_cannot_read_gets_a_kind_reply_and_the_emergency_button(
    fast_bot: FastBot, bundled_engine: Engine, media: dict[str, Any]
) -> None:
    [sent] = await fast_bot.handle(sam.message(**media))
    assert sent["text"] == expected(bundled_engine, EventKind.OTHER).html
    assert {"e", "t"} <= set(data_of(sent))
    assert fast_bot.counters["not_text"] == 1


async def test_a_shared_location_is_answered_with_services_nearby(
    fast_bot: FastBot, bundled_engine: Engine
) -> None:
    place = {"latitude": 51.5072, "longitude": -0.1276}
    [sent] = await fast_bot.handle(sam.message(location=place))
    event = Event(EventKind.LOCATION, language="en", latitude=51.5072, longitude=-0.1276)
    reply = bundled_engine.handle(event)
    assert sent["text"] == reply.html
    assert fast_bot.counters["locations"] == 1


async def test_a_reply_can_offer_the_send_location_button(fast_bot: FastBot) -> None:
    reply = Reply(
        "Where are you?",
        ((Button("Topics", "t"),),),
        request_location=True,
        location_prompt="Share where you are & I'll look nearby",
        location_button="📍 Send my location",
    )
    assert await send_reply(fast_bot.application.bot, sam.user_id, reply, fast_bot.counters)
    answer, prompt = fast_bot.request.sent("sendMessage")
    assert data_of(answer) == ["t"]
    assert prompt["text"] == "Share where you are &amp; I'll look nearby"
    assert prompt["reply_markup"]["keyboard"] == [
        [{"text": "📍 Send my location", "request_location": True}]
    ]
    assert prompt["reply_markup"]["one_time_keyboard"] is True


async def test_edits_channel_posts_and_other_updates_are_ignored(fast_bot: FastBot) -> None:
    edited = sam.message("my friend wont wake up")
    edited["edited_message"] = edited.pop("message")
    edited["edited_message"]["edit_date"] = edited["edited_message"]["date"]
    channel = {
        "update_id": next_update_id(),
        "channel_post": {
            "message_id": 1,
            "date": 1,
            "chat": {"id": -100999, "type": "channel", "title": "News"},
            "text": "/start",
        },
    }
    inline = {
        "update_id": next_update_id(),
        "inline_query": {"id": "1", "from": sam.user(), "query": "naloxone", "offset": ""},
    }
    for update in (edited, channel, inline):
        assert await fast_bot.handle(update) == []
    assert fast_bot.counters["errors"] == 0


# --- groups ---------------------------------------------------------------------------------


async def test_group_command_points_to_a_private_chat(
    fast_bot: FastBot, bot_words: dict[str, Words]
) -> None:
    [sent] = await fast_bot.handle(sam.message(f"/start@{BOT_USERNAME}", chat=group_chat()))
    assert sent["chat_id"] == group_chat()["id"]
    assert urls_of(sent) == [f"https://t.me/{BOT_USERNAME}"]
    assert sent["text"] == html.escape(bot_words["en"].group, quote=False)
    assert fast_bot.counters["group_pointers"] == 1


async def test_group_emergency_links_straight_to_the_card(fast_bot: FastBot) -> None:
    [sent] = await fast_bot.handle(sam.message("/emergency", chat=group_chat()))
    assert urls_of(sent) == [f"https://t.me/{BOT_USERNAME}?start=overdose-now"]


async def test_groups_never_get_answers(fast_bot: FastBot) -> None:
    group = group_chat()
    for update in (
        sam.message("my friend wont wake up", chat=group),
        sam.message("how do i use narcan", chat=group),
        sam.voice(chat=group),
        sam.message("/help@some_other_bot", chat=group),
        sam.message("/unknowncommand", chat=group),
    ):
        assert await fast_bot.handle(update) == []


# --- Telegram faults ------------------------------------------------------------------------


async def test_a_500_is_retried_and_the_reply_still_sent(fast_bot: FastBot) -> None:
    fast_bot.request.fail("sendMessage", 500, description="Internal Server Error")
    await fast_bot.handle(sam.message("/start"))
    assert fast_bot.request.methods().count("sendMessage") == 2
    assert fast_bot.counters["replies_sent"] == 1 and fast_bot.counters["replies_failed"] == 0


async def test_a_dropped_connection_is_retried(fast_bot: FastBot) -> None:
    fast_bot.request.drop_connection("sendMessage")
    await fast_bot.handle(sam.message("/start"))
    assert fast_bot.counters["replies_sent"] == 1


async def test_a_429_is_waited_out(fast_bot: FastBot) -> None:
    fast_bot.request.fail(
        "sendMessage", 429, description="Too Many Requests", parameters={"retry_after": 1}
    )
    await fast_bot.handle(sam.message("/start"))
    assert fast_bot.request.methods().count("sendMessage") == 2
    assert fast_bot.counters["replies_sent"] == 1


async def test_a_reply_that_finally_fails_is_counted_and_the_bot_goes_on(
    make_fast_bot: MakeBot,
) -> None:
    bot = await make_fast_bot(max_retries=1)
    bot.request.fail("sendMessage", 502, times=2, description="Bad Gateway")
    assert len(await bot.handle(sam.message("/start"))) == 2  # tried twice
    assert bot.counters["replies_failed"] == 1
    await bot.handle(sam.message("/help"))
    assert bot.counters["replies_sent"] == 1


async def test_a_blocked_bot_is_counted_not_raised(fast_bot: FastBot) -> None:
    fast_bot.request.fail("sendMessage", 403, description="Forbidden: bot was blocked by the user")
    await fast_bot.handle(sam.message("/start"))
    assert fast_bot.counters["replies_failed"] == 1 and fast_bot.counters["errors"] == 0


async def test_a_failed_callback_answer_does_not_stop_the_reply(
    fast_bot: FastBot, bundled_engine: Engine
) -> None:
    fast_bot.request.fail("answerCallbackQuery", 400, description="Bad Request: query is too old")
    [sent] = await fast_bot.handle(sam.callback("e", message_id=3))
    assert sent["text"] == bundled_engine.language("en").emergency().html
    assert fast_bot.counters["callback_answers_failed"] == 1


async def test_long_replies_are_split_between_blocks_with_buttons_last(
    fast_bot: FastBot,
) -> None:
    block = "<b>" + "word " * 150 + "</b>"
    reply = Reply("\n\n".join([block] * 12), ((Button("Topics", "t"),),))
    bot = fast_bot.application.bot
    assert await send_reply(bot, sam.user_id, reply, fast_bot.counters)
    sent = fast_bot.request.sent("sendMessage")
    assert len(sent) > 1
    assert all(len(params["text"]) <= 4096 for params in sent)
    assert all(params["text"].count("<b>") == params["text"].count("</b>") for params in sent)
    assert [bool(params.get("reply_markup")) for params in sent] == [False] * (len(sent) - 1) + [
        True
    ]


# --- errors, data kept, commands menu ---------------------------------------------------------


async def test_handler_errors_are_logged_without_the_update(
    fast_bot: FastBot, bundled_engine: Engine, monkeypatch: pytest.MonkeyPatch, caplog: Any
) -> None:
    def broken(event: object) -> None:
        raise RuntimeError("secret words the person typed")

    monkeypatch.setattr(bundled_engine, "handle", broken)
    update = sam.message("secret words the person typed")
    with caplog.at_level(logging.DEBUG):
        await fast_bot.handle(update)
    [record] = [r for r in caplog.records if r.name == "handlers.errors"]
    line = record.getMessage()
    assert str(update["update_id"]) in line
    assert "private_chat.PrivateChat.text" in line and "RuntimeError" in line
    assert "secret words" not in caplog.text
    assert fast_bot.counters["errors"] == 1


async def test_if_the_engine_fails_the_person_still_gets_the_menu(
    fast_bot: FastBot, bundled_engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(event: object) -> None:
        raise RuntimeError("a bug")

    monkeypatch.setattr(bundled_engine, "handle", broken)
    [sent] = await fast_bot.handle(sam.message("my friend wont wake up"))
    assert sent["text"] == bundled_engine.language("en").menu().html
    assert "e" in data_of(sent)  # the emergency button
    assert fast_bot.counters["errors"] == 1


def test_failed_handler_without_a_traceback() -> None:
    assert failed_handler(None) == "-"
    assert failed_handler(ValueError()) == "-"


async def test_nothing_is_kept_about_anyone(fast_bot: FastBot) -> None:
    for update in (
        sam.message("/start"),
        sam.callback("t:overdose", 4),
        sam.message("how do i use narcan"),
        sam.voice(),
    ):
        await fast_bot.handle(update)
    app = fast_bot.application
    assert app.persistence is None
    assert len(app.user_data) == 0 and len(app.chat_data) == 0
    assert app.bot.callback_data_cache is None


async def test_commands_are_registered_per_language_and_by_default(
    fast_bot: FastBot, bot_words: dict[str, Words], bundled_engine: Engine
) -> None:
    await register_commands(fast_bot.application.bot, bot_words, bundled_engine.default)
    calls = fast_bot.request.sent("setMyCommands")
    assert {call.get("language_code") for call in calls} == {*bundled_engine.languages, None}
    for call in calls:
        assert [c["command"] for c in call["commands"]] == list(COMMANDS)
        assert all(1 <= len(c["description"]) <= 256 for c in call["commands"])


def test_parse_command() -> None:
    assert parse_command("/start naloxone-how", "bot") == ("start", "naloxone-how")
    assert parse_command("/Help@Bot", "bot") == ("help", "")
    assert parse_command("/help@other", "bot") is None


# --- secrets and logs -------------------------------------------------------------------------


def test_token_comes_from_the_environment_first(tmp_path: Path) -> None:
    path = tmp_path / "token"
    path.write_text("111:" + "b" * 35 + "\n")
    telegram = Telegram(token_file=path)
    assert read_token(telegram, {"HRBOT_TELEGRAM_TOKEN": TOKEN}) == TOKEN
    assert read_token(telegram, {}) == "111:" + "b" * 35


@pytest.mark.parametrize(
    ("environ", "file_text", "says"),
    [
        ({}, None, "no Telegram token"),
        ({"HRBOT_TELEGRAM_TOKEN": "not a token"}, None, "does not look like a bot token"),
        ({}, "", "no Telegram token"),
        ({}, "'123:abc'", "does not look like"),
    ],
)
def test_token_problems_are_one_line(
    tmp_path: Path, environ: dict[str, str], file_text: str | None, says: str
) -> None:
    path = tmp_path / "token"
    if file_text is not None:
        path.write_text(file_text)
    with pytest.raises(SecretError) as raised:
        read_token(Telegram(token_file=path if file_text is not None else None), environ)
    assert says in str(raised.value) and "\n" not in str(raised.value)
    assert "not a token" not in str(raised.value)  # the secret itself is never echoed


def test_unreadable_token_file(tmp_path: Path) -> None:
    with pytest.raises(SecretError, match="cannot be read"):
        read_token(Telegram(token_file=tmp_path / "missing"), {})


def test_webhook_secret_must_be_long_enough() -> None:
    assert read_webhook_secret(Telegram(), {"HRBOT_WEBHOOK_SECRET": "a" * 32}) == "a" * 32
    with pytest.raises(SecretError, match="16-256"):
        read_webhook_secret(Telegram(), {"HRBOT_WEBHOOK_SECRET": "short"})
    with pytest.raises(SecretError, match="needs a secret"):
        read_webhook_secret(Telegram(), {})


def test_tokens_are_masked_and_library_details_withheld() -> None:
    assert TOKEN not in redact(f"POST https://api.telegram.org/bot{TOKEN}/getMe")
    record = logging.LogRecord(
        "telegram.ext.Application", logging.DEBUG, "x", 1, "Processing update %s", ("Sam",), None
    )
    WithholdDetails().filter(record)
    assert record.getMessage() == "Processing update …"


def test_counters_summary() -> None:
    counters = Counters()
    assert counters.summary() == "nothing counted"
    counters.add("answers", 2)
    assert counters.summary() == "answers=2"


def test_config_example_documents_the_telegram_defaults() -> None:
    example = Path(__file__).resolve().parents[2] / "config.example.yaml"
    assert load_config(example).telegram == Telegram()


def test_every_command_has_an_english_description(bot_words: dict[str, Words]) -> None:
    assert set(bot_words["en"].commands) == set(COMMANDS)
