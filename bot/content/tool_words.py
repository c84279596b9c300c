"""The words of /forget and /card (`forget:` and `card:` in `content/<lang>/messages.yaml`).

Each has an English default, so a service's own messages.yaml written before these commands
existed still loads; a translation replaces them. Plain text: the bot escapes it.
"""

from __future__ import annotations

from bot.content.kit import Strict

_HOW = """To leave no trace on this phone:
• Auto-delete: in this chat, open the menu (⋮ at the top, or tap the bot's name on an \
iPhone) and look for Auto-Delete. Pick a time, and new messages here disappear by themselves.
• Delete the chat: in your chat list, press and hold this chat (swipe it left on an iPhone) \
and choose Delete. That removes older messages too."""


class ForgetWords(Strict):
    """/forget: what was deleted, and how to leave no trace with Telegram's own tools."""

    button: str = "🧹 Clear this chat"
    done: str = (
        "🧹 Done. I deleted our messages from the last 48 hours, yours and mine. "
        "Telegram doesn't let me delete older ones."
    )
    failed: str = (
        "I couldn't delete all of our messages just now. Try /forget again in a minute, "
        "or delete the chat as below."
    )
    how: str = _HOW
    delete_this: str = "🗑 Delete this message too"


class CardWords(Strict):
    """/card: the overdose card as an image to keep. {emergency} is the deployment's number."""

    button: str = "🖼 Keep this card"
    caption: str = (
        "Your overdose card. Pin it to keep it at the top of this chat. Once it has loaded, "
        "it opens without signal."
    )
    pin: str = "📌 Pin it"
    pin_failed: str = (
        "I couldn't pin the card. To pin it yourself, press and hold it and choose Pin."
    )
    call: str = "CALL {emergency}"
