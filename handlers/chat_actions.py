"""Doing what a reply asks in the chat (delete messages, pin one), then showing the reply.

/forget deletes with deleteMessages, up to 100 ids a call, newest first; Telegram skips the
ids it can't delete (older than 48 hours, already gone, not sent yet), so a call for a range
succeeds even when most of it is empty. A call that fails after the request layer's retries is
counted and logged by type only (never with the chat or the ids), the reply's `if_failed`
text is shown instead, and the rest of the reply goes on: a failed delete must never leave the
person without an answer. /card's image is sent with sendPhoto, its caption in HTML.
"""

from __future__ import annotations

import logging
from dataclasses import replace

from telegram import Bot, InputFile
from telegram.constants import ParseMode
from telegram.error import TelegramError

from bot.conversation.actions import ChatAction, DeleteMessages, PinMessage
from bot.conversation.reply import Reply
from handlers.counters import Counters
from handlers.replies import keyboard, send_reply

log = logging.getLogger(__name__)

CARD_FILE_NAME = "overdose-card.png"


async def deliver(bot: Bot, chat_id: int, reply: Reply, counters: Counters) -> bool:
    """Do the reply's actions, then show it (a photo, text, or nothing); True when all of it
    arrived."""
    done = await perform(bot, chat_id, reply.actions, counters)
    if not done and reply.if_failed:
        reply = replace(reply, html=reply.if_failed, photo=None)
    if reply.photo is not None:
        return await send_photo(bot, chat_id, reply, counters)
    if not reply.html:
        return done
    return await send_reply(bot, chat_id, reply, counters)


async def perform(
    bot: Bot, chat_id: int, actions: tuple[ChatAction, ...], counters: Counters
) -> bool:
    """Every action, each tried even when one before it failed; True when all succeeded."""
    done = True
    for action in actions:
        if isinstance(action, DeleteMessages):
            done = await _delete(bot, chat_id, action, counters) and done
        elif isinstance(action, PinMessage):
            done = await _pin(bot, chat_id, action, counters) and done
    return done


async def _delete(bot: Bot, chat_id: int, action: DeleteMessages, counters: Counters) -> bool:
    done = True
    for ids in action.batches():
        try:
            await bot.delete_messages(chat_id, ids)
        except TelegramError as exc:
            done = False
            _failed(counters, "deleting messages", exc)
    if done and action.newest > action.oldest:
        counters.add("chats_cleared")
    return done


async def _pin(bot: Bot, chat_id: int, action: PinMessage, counters: Counters) -> bool:
    try:
        await bot.pin_chat_message(chat_id, action.message_id, disable_notification=True)
    except TelegramError as exc:
        _failed(counters, "pinning a message", exc)
        return False
    counters.add("cards_pinned")
    return True


async def send_photo(bot: Bot, chat_id: int, reply: Reply, counters: Counters) -> bool:
    """The reply's image with its text as the caption and its buttons under it."""
    assert reply.photo is not None
    try:
        await bot.send_photo(
            chat_id,
            InputFile(reply.photo, filename=CARD_FILE_NAME),
            caption=reply.html,
            parse_mode=ParseMode.HTML,
            reply_markup=keyboard(reply),
        )
    except TelegramError as exc:
        counters.add("replies_failed")
        log.warning("an image could not be delivered (%s)", type(exc).__name__)
        return False
    counters.add("replies_sent")
    return True


def _failed(counters: Counters, what: str, exc: TelegramError) -> None:
    counters.add("chat_actions_failed")
    log.warning("%s failed (%s)", what, type(exc).__name__)
