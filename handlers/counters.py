"""Aggregate counts: how much the bot is used and what goes wrong, never by whom.

A count has a name and a number, nothing else: no ids, no texts, no times. Counts live in the
memory of one process (each replica has its own) and are shown on `/healthz` and in the log
when the bot stops, so a service can see that answers go out and replies don't get lost.
"""

from __future__ import annotations

import threading
from collections import Counter

from bot.conversation.reply import Event, EventKind, Reply

# Every name in use, so a dashboard sees zeros instead of missing keys.
NAMES = (
    "updates",  # updates the handlers received
    "answers",  # replies that showed a reviewed answer
    "emergency",  # replies that showed an emergency card or numbers
    "no_answer",  # typed messages without a direct answer (suggestions or the topics)
    "not_text",  # voice notes, photos, stickers …
    "locations",  # shared locations answered with services nearby (the places are not kept)
    "group_pointers",  # group commands answered with "let's talk in private"
    "replies_sent",  # replies delivered to Telegram
    "replies_failed",  # replies that still failed after every retry
    "telegram_retries",  # Bot API calls tried again after a 5xx, a network error or garbage
    "callback_answers_failed",  # button presses whose spinner could not be stopped
    "errors",  # exceptions that reached the error handler
    "updates_unreadable",  # updates from getUpdates the library could not read, skipped
    "webhook_rejected",  # webhook calls with a wrong or missing secret
    "updates_deferred",  # webhook updates answered 503 while the queue was full (sent again)
)


class Counters:
    """Named totals, safe to bump from any thread."""

    def __init__(self) -> None:
        self._counts: Counter[str] = Counter({name: 0 for name in NAMES})
        self._lock = threading.Lock()
        self._changed = threading.Condition(self._lock)

    def add(self, name: str, amount: int = 1) -> None:
        with self._lock:
            self._counts[name] += amount
            self._changed.notify_all()

    def wait_for(self, name: str, at_least: int, timeout: float) -> bool:
        """Block until count `name` reaches `at_least` (False after `timeout` seconds).

        For tests and tools watching a running bot from another thread."""
        with self._changed:
            return self._changed.wait_for(lambda: self._counts[name] >= at_least, timeout)

    def __getitem__(self, name: str) -> int:
        with self._lock:
            return self._counts[name]

    def snapshot(self) -> dict[str, int]:
        with self._lock:
            return dict(self._counts)

    def count_reply(self, event: Event, reply: Reply) -> None:
        """What kind of reply the engine gave, from the reply alone."""
        if reply.emergency:
            self.add("emergency")
        if reply.entry_id is not None:
            self.add("answers")
        elif event.kind is EventKind.TEXT:
            self.add("no_answer")
        if event.kind is EventKind.OTHER:
            self.add("not_text")
        elif event.kind is EventKind.LOCATION:
            self.add("locations")

    def summary(self) -> str:
        """One log line: `name=n` for every count that is not zero."""
        counts = self.snapshot()
        return " ".join(f"{name}={n}" for name, n in counts.items() if n) or "nothing counted"
