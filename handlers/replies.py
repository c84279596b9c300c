"""Showing an engine `Reply` on Telegram: HTML, split between blocks, buttons on the last part.

Every send goes through here so the rules hold everywhere: HTML parse mode (the engine renders
Telegram HTML), no link previews (a preview card would push an emergency answer off screen),
callback data checked against Telegram's 64-byte limit, and a reply that still fails after the
request layer's retries is counted and logged by type, never silently dropped.
"""

from __future__ import annotations

import html
import logging

from telegram import (
    Bot,
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    LinkPreviewOptions,
    Message,
    ReplyKeyboardMarkup,
)
from telegram.constants import ParseMode
from telegram.error import BadRequest, TelegramError

from bot.conversation.protocol import fits as callback_data_fits
from bot.conversation.reply import Reply
from bot.conversation.sharing import MAX_START_PARAMETER, share_url, shared_answer
from bot.rendering.telegram_html import MAX_MESSAGE, split, telegram_length
from handlers.counters import Counters

log = logging.getLogger(__name__)

NO_PREVIEW = LinkPreviewOptions(is_disabled=True)
MAX_NOTICE = 200  # characters of a button's answer Telegram shows


def messages(html: str) -> list[str]:
    """The texts to send: nearly every reply fits one message and skips the splitter."""
    return [html] if telegram_length(html) <= MAX_MESSAGE else split(html)


def keyboard(reply: Reply, bot_username: str | None = None) -> InlineKeyboardMarkup | None:
    """The reply's buttons as an inline keyboard; a button whose data is too long is left out.

    A share button becomes a link to Telegram's share sheet with the answer's deep link, which
    needs the bot's username (left out without one)."""
    rows = []
    for row in reply.buttons:
        buttons = []
        for button in row:
            shared = shared_answer(button.data)
            if shared is not None:
                if bot_username and len(shared) <= MAX_START_PARAMETER:
                    url = share_url(bot_username, shared, button.share_text)
                    buttons.append(InlineKeyboardButton(button.label, url=url))
            elif callback_data_fits(button.data):
                buttons.append(InlineKeyboardButton(button.label, callback_data=button.data))
            else:
                log.warning("button data over 64 bytes left out: %s", button.data[:20])
        if buttons:
            rows.append(buttons)
    return InlineKeyboardMarkup(rows) if rows else None


def username_of(bot: Bot) -> str | None:
    """The bot's username, known once the bot has started (getMe); None before."""
    try:
        return bot.username
    except RuntimeError:
        return None


async def send_reply(
    bot: Bot, chat_id: int, reply: Reply, counters: Counters, thread_id: int | None = None
) -> bool:
    """Send `reply` as one or more messages; True when all of it arrived."""
    chunks = messages(reply.html)
    markup = keyboard(reply, username_of(bot))
    for index, chunk in enumerate(chunks):
        last = index == len(chunks) - 1
        if not await _send(bot, chat_id, chunk, markup if last else None, counters, thread_id):
            return False
    counters.add("replies_sent")
    return await _offer_location(bot, chat_id, reply, counters, thread_id)


async def _send(
    bot: Bot,
    chat_id: int,
    text: str,
    markup: InlineKeyboardMarkup | ReplyKeyboardMarkup | None,
    counters: Counters,
    thread_id: int | None,
) -> bool:
    """One message, the same way every time; a final failure is counted, not raised."""
    try:
        await bot.send_message(
            chat_id,
            text,
            parse_mode=ParseMode.HTML,
            reply_markup=markup,
            link_preview_options=NO_PREVIEW,
            message_thread_id=thread_id,
        )
    except TelegramError as exc:
        _failed(counters, exc)
        return False
    return True


async def _offer_location(
    bot: Bot, chat_id: int, reply: Reply, counters: Counters, thread_id: int | None = None
) -> bool:
    """The app's one-time "send my location" button, when the reply asks for it.

    A message has one keyboard only, and the reply's is inline, so the button comes as a short
    message of its own. The location it sends is answered and dropped (see the engine).
    """
    if not (reply.request_location and reply.location_prompt and reply.location_button):
        return True
    button = KeyboardButton(reply.location_button, request_location=True)
    markup = ReplyKeyboardMarkup([[button]], resize_keyboard=True, one_time_keyboard=True)
    prompt = html.escape(reply.location_prompt, quote=False)
    return await _send(bot, chat_id, prompt, markup, counters, thread_id)


async def edit_reply(bot: Bot, message: Message, reply: Reply, counters: Counters) -> bool:
    """Replace `message` with `reply` (menu navigation); send it anew when that can't be done.

    Telegram refuses to edit a message into itself ("not modified", e.g. pressing Topics on the
    topic menu): the person already sees the reply, so that counts as delivered.
    """
    chunks = messages(reply.html)
    if len(chunks) == 1:
        try:
            await bot.edit_message_text(
                chunks[0],
                chat_id=message.chat.id,
                message_id=message.message_id,
                parse_mode=ParseMode.HTML,
                reply_markup=keyboard(reply, username_of(bot)),
                link_preview_options=NO_PREVIEW,
            )
        except BadRequest as exc:
            if "not modified" in str(exc).lower():
                counters.add("replies_sent")
                return True
            # Too old, deleted, or not ours to edit: fall through and send a new message.
        except TelegramError as exc:
            _failed(counters, exc)
            return False
        else:
            counters.add("replies_sent")
            return await _offer_location(bot, message.chat.id, reply, counters)
    return await send_reply(bot, message.chat.id, reply, counters)


async def answer_query(query: CallbackQuery, counters: Counters, text: str = "") -> None:
    """Stop the button's spinner, showing `text` over the chat for a moment when there is one
    (Telegram shows at most 200 characters). A failure here must not stop the reply itself."""
    try:
        await query.answer(text[:MAX_NOTICE] or None)
    except TelegramError as exc:
        counters.add("callback_answers_failed")
        log.warning("a button press could not be acknowledged (%s)", type(exc).__name__)


def _failed(counters: Counters, exc: TelegramError) -> None:
    counters.add("replies_failed")
    log.warning("a reply could not be delivered (%s)", type(exc).__name__)


async def send_link(
    bot: Bot,
    chat_id: int,
    text: str,
    label: str,
    url: str,
    counters: Counters,
    thread_id: int | None = None,
) -> bool:
    """A plain-text message with one link button (the group chat's way to a private chat)."""
    markup = InlineKeyboardMarkup([[InlineKeyboardButton(label, url=url)]])
    sent = await _send(bot, chat_id, html.escape(text, quote=False), markup, counters, thread_id)
    if sent:
        counters.add("replies_sent")
    return sent
