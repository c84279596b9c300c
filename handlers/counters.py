"""Aggregate counts: how much the bot is used and what goes wrong, never by whom.

A count has a name and a number, nothing else: no ids, no texts, no times. Counts live in the
memory of one process (each replica has its own) and are shown on `/healthz`, on `/metrics`
(handlers/metrics.py) and in the log when the bot stops, so a service can see that answers go
out and replies don't get lost.

Some counts are split by a label, and every label value comes from the bot's own fixed sets,
never from a message: the kind of update (bot/conversation/reply.py EventKind), what reading a
typed message decided (bot/understanding/reading.py Route), the id of the answer shown, the
answers a did-you-mean offered and their areas, the emergency card shown, and the answers a
👍 or 👎 was pressed under (content ids and areas). So `hrbot stats` can say which answers a
did-you-mean offers most, and what the bot fails on by area, while no message text is kept
anywhere. How long replies take is kept as a
histogram: counts per time bucket, no single time is kept.
"""

from __future__ import annotations

import bisect
import threading
import time
from collections import Counter
from collections.abc import Mapping

from bot.content.model import Entry
from bot.conversation import protocol as p
from bot.conversation.reply import Event, EventKind, Reply
from bot.understanding.reading import Route

# Every name in use, with what it counts, so a dashboard sees zeros instead of missing keys.
NAMES = {
    "updates": "updates the handlers received",
    "answers": "replies that showed a reviewed answer",
    "emergency": "replies that showed an emergency card or numbers",
    "no_answer": "typed messages without a direct answer (suggestions or the topics)",
    "not_text": "voice notes, photos, stickers and other messages the bot cannot read",
    "locations": "shared locations answered with services nearby (the places are not kept)",
    "group_pointers": "group commands answered with a pointer to a private chat",
    "replies_sent": "replies delivered to Telegram",
    "replies_failed": "replies that still failed after every retry",
    "telegram_retries": "Bot API calls tried again after a 5xx, a network error or garbage",
    "callback_answers_failed": "button presses whose spinner could not be stopped",
    "errors": "exceptions that reached the error handler",
    "updates_unreadable": "updates from getUpdates the library could not read, skipped",
    "webhook_rejected": "webhook calls with a wrong or missing secret",
    "updates_deferred": "webhook updates answered 503 while the queue was full (sent again)",
    # /forget and /card (docs/privacy-tools.md)
    "chats_cleared": "/forget requests whose deletions all went through",
    "cards_pinned": "overdose card images pinned",
    "chat_actions_failed": "deletions and pins that Telegram refused or that failed",
    "inline_queries": "inline queries answered (@bot and words in any chat; never what was typed)",
    "feedback": "👍 and 👎 presses under answers",
    "alerts_posted": "drug-supply alerts posted to the service's alerts channel",
    "alert_posts_failed": "alert posts to the channel that failed (tried again a minute later)",
}
# Upper bounds (seconds) of the reply-time buckets: from the engine alone (milliseconds) to a
# reply that waited out Telegram's faults (handlers/retry.py retries for up to two minutes).
LATENCY_BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 120.0)
KINDS = tuple(kind.value for kind in EventKind)
ROUTES = tuple(route.value for route in Route)
# Counts by one content label, beside kinds, routes and answers shown: name → (label, meaning).
OFFERS = {
    "suggested": ("answer", "Answers offered in a did-you-mean, by answer"),
    "suggested_areas": ("area", "Did-you-mean replies, by the area of the answers offered"),
    "cards": ("card", "Emergency and crisis cards and the numbers list shown, by card"),
    "helpful": ("answer", "👍 presses under answers, by answer"),
    "not_helpful": ("answer", "👎 presses under answers, by answer"),
}
VOTE_COUNTS = {"up": "helpful", "down": "not_helpful"}  # a Reply's vote → its OFFERS name
NUMBERS_CARD = "numbers"  # the card label of an emergency reply that is the numbers list


class Latency:
    """A histogram of reply times: counts per bucket, their sum, never a single time."""

    def __init__(self, buckets: tuple[float, ...] = LATENCY_BUCKETS) -> None:
        self.buckets = buckets
        self.counts = [0] * (len(buckets) + 1)  # the last one is "over the largest bound"
        self.sum = 0.0

    def observe(self, seconds: float) -> None:
        self.counts[bisect.bisect_left(self.buckets, seconds)] += 1
        self.sum += seconds

    def copy(self) -> Latency:
        other = Latency(self.buckets)
        other.counts, other.sum = list(self.counts), self.sum
        return other


class Counters:
    """Named totals, safe to bump from any thread."""

    def __init__(self) -> None:
        self._counts: Counter[str] = Counter({name: 0 for name in NAMES})
        self._kinds: Counter[str] = Counter({kind: 0 for kind in KINDS})
        self._routes: Counter[str] = Counter({route: 0 for route in ROUTES})
        self._answers: Counter[str] = Counter()
        self._offers: dict[str, Counter[str]] = {name: Counter() for name in OFFERS}
        self._latency = Latency()
        self._lock = threading.Lock()
        self._changed = threading.Condition(self._lock)
        self.started = time.time()  # when counting began: a total means "since then"

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

    def labelled(self) -> tuple[dict[str, int], dict[str, int], dict[str, int]]:
        """Updates by kind, typed messages by route, answers shown by answer id."""
        with self._lock:
            return dict(self._kinds), dict(self._routes), dict(self._answers)

    def offers(self) -> dict[str, dict[str, int]]:
        """Did-you-mean answers and areas, and cards shown, each by its content label."""
        with self._lock:
            return {name: dict(counts) for name, counts in self._offers.items()}

    def add_offer(self, name: str, value: str, amount: int = 1) -> None:
        """Count one `name` (a key of OFFERS) for a content label's value (an id, an area)."""
        with self._lock:
            self._offers[name][value] += amount

    def latency(self) -> Latency:
        with self._lock:
            return self._latency.copy()

    def replied_in(self, seconds: float) -> None:
        """One reply took `seconds`, from the update reaching its handler to the reply sent."""
        with self._lock:
            self._latency.observe(seconds)

    def count_reply(
        self, event: Event, reply: Reply, entries: Mapping[str, Entry] | None = None
    ) -> None:
        """What kind of reply the engine gave, from the event's kind and the reply alone;
        `entries` (the language's answers) gives the areas of the answers a did-you-mean
        offers."""
        with self._lock:
            self._kinds[event.kind.value] += 1
            if reply.route is not None:
                self._routes[reply.route] += 1
            if reply.entry_id is not None:
                self._answers[reply.entry_id] += 1
            if reply.emergency:
                self._offers["cards"][reply.entry_id or NUMBERS_CARD] += 1
        if reply.route == "suggest":
            self._count_offered(reply, entries or {})
        if reply.vote is not None:  # the engine only gives votes for its own answer ids
            entry_id, vote = reply.vote
            self.add_offer(VOTE_COUNTS[vote], entry_id)
            self.add("feedback")
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

    def _count_offered(self, reply: Reply, entries: Mapping[str, Entry]) -> None:
        """A did-you-mean: each answer it offers, and (once) each area they belong to."""
        offered = [
            value
            for button in reply.button_list
            for kind, value in [p.parse(button.data)]
            if kind == p.ANSWER and value
        ]
        for entry_id in offered:
            self.add_offer("suggested", entry_id)
        for area in dict.fromkeys(entries[i].meta.area for i in offered if i in entries):
            self.add_offer("suggested_areas", area)
