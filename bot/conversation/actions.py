"""What a reply asks to be done in the chat before it is shown: delete messages, pin one.

The core decides what to do; the Telegram adapter (handlers/chat_actions.py) does it. Nothing
here is kept: the message ids come with the event and go with the reply.

/forget deletes a bounded range of message ids. In a private chat the ids count up, one per
message on either side, so the last few hundred ids are the recent conversation. Telegram lets a
bot delete messages of a private chat for 48 hours and skips ids it can't find or may not delete
(older, already gone, or not yet sent), so no list of what was sent is needed.
"""

from __future__ import annotations

from dataclasses import dataclass

# How many ids below the message that asked are deleted, and how many above it when the
# request came from a button (the button may be on an older message, with newer ones after it).
FORGET_BACK = 500
FORGET_AHEAD = 100
# deleteMessages takes 1 to 100 ids per call.
BATCH = 100


@dataclass(frozen=True)
class DeleteMessages:
    """Delete the messages with ids `oldest` to `newest` (both included) in this chat."""

    newest: int
    oldest: int

    def batches(self, size: int = BATCH) -> list[list[int]]:
        """The ids in calls of at most `size`, newest first: should a call fail, the most
        recent (most telling) messages are already gone."""
        ids = list(range(self.newest, self.oldest - 1, -1))
        return [ids[i : i + size] for i in range(0, len(ids), size)]


@dataclass(frozen=True)
class PinMessage:
    """Pin the message `message_id` in this chat."""

    message_id: int


ChatAction = DeleteMessages | PinMessage


def forget_range(message_id: int, pressed: bool) -> DeleteMessages:
    """The ids /forget deletes for the message that asked (a button's message if `pressed`):
    that message and the FORGET_BACK - 1 before it, and after a button, FORGET_AHEAD more."""
    newest = message_id + (FORGET_AHEAD if pressed else 0)
    return DeleteMessages(newest=newest, oldest=max(1, message_id - FORGET_BACK + 1))
