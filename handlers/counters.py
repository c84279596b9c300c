"""Aggregate counts: how much the bot is used and what goes wrong, never by whom.

A count has a name and a number, nothing else: no ids, no texts, no times. Counts live in the
memory of one process (each replica has its own) and are shown on `/healthz`, on `/metrics`
and in the log when the bot stops, so a service can see that answers go out and replies don't
get lost.

Some counts have one label, and a label's value only ever comes from the content, never from
the person: the route the reading decided ("none", "suggest" …), an answer's id, an area. So
`hrbot stats` can say which answers a did-you-mean offers most, and which questions the bot
fails on by area, while no message text is kept anywhere.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Mapping

from bot.content.model import Entry
from bot.conversation import protocol as p
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


# Counts by one label: (name, label) → what the label means. Values come from the content.
LABELLED = {
    ("messages", "route"): "typed messages by what the bot made of them",
    ("answers_shown", "answer"): "answers shown, by answer",
    ("suggested", "answer"): "answers offered in a did-you-mean, by answer",
    ("suggested_areas", "area"): "did-you-mean replies, by the area of the answers offered",
    ("cards", "card"): "emergency and crisis cards and the numbers list shown",
}
NUMBERS_CARD = "numbers"


class Counters:
    """Named totals, safe to bump from any thread."""

    def __init__(self) -> None:
        self._counts: Counter[str] = Counter({name: 0 for name in NAMES})
        self._labelled: Counter[tuple[str, str]] = Counter()
        self._lock = threading.Lock()
        self._changed = threading.Condition(self._lock)
        self.started = time.time()  # when counting began: a total means "since then"

    def add_labelled(self, name: str, value: str, amount: int = 1) -> None:
        """Count one event of `name` with its label's value (an answer id, a route, an area)."""
        with self._lock:
            self._labelled[(name, value)] += amount

    def labelled(self) -> dict[tuple[str, str], int]:
        with self._lock:
            return dict(self._labelled)

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

    def count_reply(
        self, event: Event, reply: Reply, entries: Mapping[str, Entry] | None = None
    ) -> None:
        """What kind of reply the engine gave, from the reply alone; `entries` (the language's
        answers) gives the areas of the answers a did-you-mean offers."""
        entries = entries or {}
        if reply.emergency:
            self.add("emergency")
            self.add_labelled("cards", reply.entry_id or NUMBERS_CARD)
        if reply.entry_id is not None:
            self.add("answers")
            if not reply.entry_id.startswith("mix:"):
                self.add_labelled("answers_shown", reply.entry_id)
        elif event.kind is EventKind.TEXT:
            self.add("no_answer")
        if event.kind is EventKind.TEXT and reply.route:
            self.add_labelled("messages", reply.route)
            if reply.route == "suggest":
                self._count_offered(reply, entries)
        if event.kind is EventKind.OTHER:
            self.add("not_text")
        elif event.kind is EventKind.LOCATION:
            self.add("locations")

    def summary(self) -> str:
        """One log line: `name=n` for every count that is not zero."""
        counts = self.snapshot()
        return " ".join(f"{name}={n}" for name, n in counts.items() if n) or "nothing counted"

    def _count_offered(self, reply: Reply, entries: Mapping[str, Entry]) -> None:
        """A did-you-mean: each answer it offers, and (once) each area they belong to."""
        offered = [
            value
            for button in reply.button_list
            for kind, value in [p.parse(button.data)]
            if kind == p.ANSWER and value
        ]
        for entry_id in offered:
            self.add_labelled("suggested", entry_id)
        for area in dict.fromkeys(entries[i].meta.area for i in offered if i in entries):
            self.add_labelled("suggested_areas", area)

    def prometheus(self) -> str:
        """Every count in the Prometheus text format, for `/metrics` and `hrbot stats`."""
        counts, labelled = self.snapshot(), self.labelled()
        lines = [
            "# HELP hrbot_started_seconds When this process began counting (Unix time).",
            "# TYPE hrbot_started_seconds gauge",
            f"hrbot_started_seconds {self.started:.0f}",
        ]
        for name, total in counts.items():
            lines += [f"# TYPE hrbot_{name}_total counter", f"hrbot_{name}_total {total}"]
        for (name, label), meaning in LABELLED.items():
            lines += [f"# HELP hrbot_{name}_total {meaning}.", f"# TYPE hrbot_{name}_total counter"]
            for (family, value), amount in sorted(labelled.items()):
                if family == name:
                    lines.append(f'hrbot_{name}_total{{{label}="{_escape(value)}"}} {amount}')
        return "\n".join(lines) + "\n"


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
