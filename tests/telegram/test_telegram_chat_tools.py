"""/forget and /card end to end: the running bot (polling and webhook) against the fake Bot API.

/forget must delete before it explains, over the documented range, in calls of at most 100 ids,
and still explain when Telegram refuses; /card must send a PNG that can be pinned by its button.
"""

from __future__ import annotations

from html import unescape
from typing import Any

import pytest
from fake_bot_api import Call
from telegram_harness import BOT_USERNAME, Chat, Person, RunningBot, group_chat

from bot.conversation import protocol as p
from bot.conversation.actions import FORGET_AHEAD, FORGET_BACK
from bot.engine import Engine

pytest_plugins = ["telegram_fixtures"]

robin = Person(user_id=52525, first_name="Robin", username=None)


@pytest.fixture(params=["polling", "webhook"])
def running_bot(request: pytest.FixtureRequest) -> RunningBot:
    bot: RunningBot = request.getfixturevalue(f"{request.param}_bot")
    return bot


async def send_as(chat: Chat, text: str, message_id: int) -> None:
    """A message with a chosen id (ids in a real chat run into the thousands)."""
    update = chat.person.message(text, chat=chat.chat)
    update["message"]["message_id"] = message_id
    await chat._deliver(update)


def deleted(bot: RunningBot, chat: Chat) -> list[list[int]]:
    return [call.params["message_ids"] for call in bot.api.answered("deleteMessages", chat.chat_id)]


def order(bot: RunningBot, chat: Chat) -> list[str]:
    return [c.method for c in bot.api.calls(chat_id=chat.chat_id) if c.method != "getUpdates"]


async def test_forget_deletes_the_last_messages_then_explains(
    running_bot: RunningBot, bundled_engine: Engine
) -> None:
    chat = running_bot.chat(robin)
    await send_as(chat, "/forget", 4321)
    explanation = await chat.reply()
    batches = deleted(running_bot, chat)
    assert all(1 <= len(ids) <= 100 for ids in batches)
    ids = [i for batch in batches for i in batch]
    assert ids == list(range(4321, 4321 - FORGET_BACK, -1))  # newest first, /forget included
    assert order(running_bot, chat) == ["deleteMessages"] * len(batches) + ["sendMessage"]
    words = bundled_engine.language("en").messages.forget
    assert (
        words.done.split(".")[0] in unescape(explanation.text) and "Auto-Delete" in explanation.text
    )
    assert explanation.button_data == [p.DELETE_THIS]
    assert running_bot.counters["chats_cleared"] == 1

    await chat.press_data(p.DELETE_THIS)  # the explanation itself, and nothing said after
    await running_bot.api.until(lambda: len(deleted(running_bot, chat)) > len(batches))
    assert deleted(running_bot, chat)[-1] == [chat.last_message_id]
    await chat.send("/help")
    assert "/menu" in (await chat.reply()).text  # the next message is the help, not another


async def test_the_privacy_answer_offers_to_clear_the_chat(running_bot: RunningBot) -> None:
    chat = running_bot.chat(robin)
    await chat.send("/privacy")
    privacy = await chat.reply()
    assert p.FORGET in privacy.button_data
    await chat.press_data(p.FORGET)
    await chat.reply()
    ids = [i for batch in deleted(running_bot, chat) for i in batch]
    pressed_on = privacy.result["message_id"]
    # messages after the one the button is on go too (they may exist: the chat went on)
    assert max(ids) == pressed_on + FORGET_AHEAD and pressed_on in ids
    assert min(ids) == max(1, pressed_on - FORGET_BACK + 1)


async def test_a_refused_delete_still_explains(
    running_bot: RunningBot, bundled_engine: Engine
) -> None:
    running_bot.api.fail("deleteMessages", times=1, status=400)
    chat = running_bot.chat(robin)
    await send_as(chat, "/forget", 900)
    explanation = await chat.reply()
    words = bundled_engine.language("en").messages.forget
    assert (
        words.failed.split(".")[0] in unescape(explanation.text)
        and "Auto-Delete" in explanation.text
    )
    assert running_bot.counters["chat_actions_failed"] == 1
    calls = running_bot.api.calls("deleteMessages", chat.chat_id)
    assert [c.status for c in calls] == [400, 200, 200, 200, 200], "the others still go"
    assert running_bot.counters["errors"] == 0


def photo_of(call: Call) -> bytes:
    photo: Any = call.params["photo"]
    assert isinstance(photo, bytes)
    return photo


async def test_card_sends_an_image_that_its_button_pins(
    running_bot: RunningBot, bundled_engine: Engine
) -> None:
    chat = running_bot.chat(robin)
    await chat.send("/card")
    card = await chat.reply()
    assert card.method == "sendPhoto"
    assert photo_of(card).startswith(b"\x89PNG\r\n\x1a\n")
    assert "Pin it" in card.params["caption"] and card.params["parse_mode"] == "HTML"
    assert card.button_data[0] == p.PIN
    photo_id = card.result["message_id"]

    await chat.press_data(p.PIN, photo_id)
    await running_bot.api.until(lambda: bool(running_bot.api.answered("pinChatMessage")))
    [pin] = running_bot.api.answered("pinChatMessage")
    assert pin.params["message_id"] == photo_id and pin.chat_id == chat.chat_id
    await chat.send("/help")
    assert "/menu" in (await chat.reply()).text  # nothing was said about the pin


async def test_a_refused_pin_says_how_to_pin_by_hand(
    running_bot: RunningBot, bundled_engine: Engine
) -> None:
    running_bot.api.fail("pinChatMessage", status=400)
    chat = running_bot.chat(robin)
    await chat.press_data(p.PIN, 777)
    said = await chat.reply()
    assert "press and hold" in said.text
    assert running_bot.counters["chat_actions_failed"] == 1


async def test_the_emergency_card_comes_first_and_offers_the_image(
    running_bot: RunningBot, bundled_engine: Engine
) -> None:
    chat = running_bot.chat(robin)
    await chat.send("my friend wont wake up")
    card = await chat.reply()
    assert card.method == "sendMessage"  # the text card, not an image to download first
    assert bundled_engine.language("en").answer("overdose-now").html in card.text
    assert p.CARD in card.button_data
    await chat.press_data(p.CARD)
    image = await chat.reply()
    assert image.method == "sendPhoto" and photo_of(image).startswith(b"\x89PNG")


async def test_nothing_is_deleted_or_pinned_in_a_group(running_bot: RunningBot) -> None:
    group = running_bot.chat(robin, group_chat())
    await group.press_data(p.FORGET, 500)
    await group.press_data(p.PIN, 501)
    await group.send(f"/forget@{BOT_USERNAME}")
    pointer = await group.reply()  # the way to a private chat, and nothing else
    assert pointer.buttons[0]["url"].startswith(f"https://t.me/{BOT_USERNAME}")
    assert not running_bot.api.calls("deleteMessages") and not running_bot.api.calls(
        "pinChatMessage"
    )
