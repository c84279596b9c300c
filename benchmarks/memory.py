"""Does the bot's memory stay flat under hostile traffic, ordinary traffic and an unpaced burst?

    python benchmarks/memory.py [--hostile 10000] [--ordinary 20000] [--burst 20000]

Runs the real Application over a fake request object (the fast layer: no sockets), with the
bundled content, country GB, and the cache folder prepared in a process of its own as the
install script's `hrbot check` prepares it (so the classifier is loaded, not trained here), and
prints the process's resident memory (RSS):

1. after warming up (every kind of update once): the start;
2. after `--hostile` hostile updates: 4,096-character messages of words never seen twice,
   names and usernames of Telegram's maximum length, unique callback data, out-of-range and
   non-numeric locations, unreadable shapes (skipped as polling skips them), commands with long
   arguments, group commands. Target: within 10% of the start, 0 handler exceptions;
3. after `--ordinary` ordinary messages from as many people. Target: still within 10%;
4. after an unpaced burst of `--burst` updates put on the update queue as fast as it takes
   them (polling's path, with the bounded queue): the peak while it ran and the memory
   afterwards. Target: afterwards within 20% of the start. `--max-pending 100000` shows the
   same burst as good as unbounded.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import os
import random
import string
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests" / "telegram"))  # the fast layer's fake request object

from telegram import Update  # noqa: E402
from telegram_harness import BOT_USERNAME, TOKEN, FakeRequest  # noqa: E402

from bot.config import Config, Telegram  # noqa: E402
from bot.engine import build_engine  # noqa: E402
from bot.understanding.learning import settle  # noqa: E402
from handlers.app import build_application  # noqa: E402
from handlers.counters import Counters  # noqa: E402
from handlers.ptb import AnyApplication  # noqa: E402
from handlers.words import load_words  # noqa: E402

ORDINARY = [
    "how do i use narcan",
    "my friend wont wake up",
    "where can i get clean needles",
    "what is xylazine",
    "/start",
    "is it safe to mix benzos and opioids",
    "/help",
    "thanks",
]


class Forgetful(FakeRequest):
    """The fake request object, without its record of every call: that record is the test's
    memory, not the bot's, and 20,000 replies in it would be most of what is measured."""

    async def do_request(self, *args: Any, **kwargs: Any) -> tuple[int, bytes]:
        answer = await super().do_request(*args, **kwargs)
        self.calls.clear()
        return answer


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


class Updates:
    """Raw updates, built one at a time and never kept."""

    def __init__(self, seed: int) -> None:
        self.rnd = random.Random(seed)
        self.number = 0

    def _next_id(self) -> int:
        self.number += 1
        return self.number

    def word(self, size: int) -> str:
        return "".join(self.rnd.choices(string.ascii_lowercase, k=size))

    def person(self, hostile: bool) -> dict[str, Any]:
        user_id = 7_000_000_000 + self._next_id()
        name = self.word(64) if hostile else "Sam"
        user = {"id": user_id, "is_bot": False, "first_name": name, "language_code": "en"}
        if hostile:
            user["username"] = self.word(32)
            user["last_name"] = "😵" * 64
        return user

    def message(self, user: dict[str, Any], text: str | None, **extra: Any) -> dict[str, Any]:
        chat = extra.pop("chat", None) or {"id": user["id"], "type": "private", "first_name": "x"}
        message = {"message_id": self._next_id(), "date": 1_760_000_000, "chat": chat}
        message |= {"from": user, **extra}
        if text is not None:
            message["text"] = text
            if text.startswith("/"):
                length = len(text.split(" ")[0])
                message["entities"] = [{"type": "bot_command", "offset": 0, "length": length}]
        return {"update_id": self._next_id(), "message": message}

    def hostile(self) -> dict[str, Any]:
        user = self.person(True)
        kind = self.number % 8
        if kind == 0:
            words = (self.word(self.rnd.randint(3, 14)) for _ in range(600))
            return self.message(user, " ".join(words)[:4096])
        if kind == 1:
            data = self.word(self.rnd.randint(1, 64))
            query = {"id": self.word(20), "from": user, "chat_instance": self.word(30)}
            query["data"] = data
            if self.number % 16 == 1:
                query["inline_message_id"] = self.word(30)  # no message: an inline button
            else:
                query["message"] = self.message(user, "…")["message"]
            return {"update_id": self._next_id(), "callback_query": query}
        if kind == 2:
            place = {
                "latitude": self.rnd.uniform(-900, 900),
                "longitude": self.rnd.uniform(-900, 900),
            }
            return self.message(user, None, location=place)
        if kind == 3:
            return self.message(user, None, location={"latitude": "north", "longitude": None})
        if kind == 4:
            return {"update_id": self._next_id(), "message": {"text": self.word(4000)}}  # no date
        if kind == 5:
            return self.message(user, f"/start {self.word(4000)}")
        if kind == 6:
            group = {"id": -1_000_000_000_000 - self._next_id(), "type": "supergroup", "title": "g"}
            return self.message(user, f"/help@{BOT_USERNAME} {self.word(200)}", chat=group)
        return self.message(user, "".join(self.rnd.choices("абвгд😵🍄 \u200b", k=4096)))

    def ordinary(self) -> dict[str, Any]:
        return self.message(self.person(False), ORDINARY[self.number % len(ORDINARY)])

    def stream(self, count: int, hostile: bool) -> Iterator[dict[str, Any]]:
        for _ in range(count):
            yield self.hostile() if hostile else self.ordinary()


def parsed(raw: dict[str, Any], application: AnyApplication) -> Update | None:
    try:
        return Update.de_json(raw, application.bot)
    except Exception:
        return None  # polling skips these one by one (handlers/polling.py)


async def through(application: AnyApplication, updates: Iterator[dict[str, Any]]) -> int:
    unreadable = 0
    for raw in updates:
        update = parsed(raw, application)
        if update is None:
            unreadable += 1
            continue
        await application.process_update(update)
    return unreadable


async def burst(application: AnyApplication, updates: Iterator[dict[str, Any]]) -> float:
    """Put every update on the queue as fast as it takes them; the peak RSS seen meanwhile."""
    peak = rss_mb()
    for number, raw in enumerate(updates):
        update = parsed(raw, application)
        if update is not None:
            await application.update_queue.put(update)
        if number % 500 == 0:
            peak = max(peak, rss_mb())
    await application.update_queue.join()
    return max(peak, rss_mb())


# The cache folder written as `hrbot check` writes it, in a process of its own.
PREPARE = """
from bot.config import Config
from bot.engine import build_engine
build_engine(Config(), prepare=True)
"""


def settled() -> float:
    gc.collect()
    return rss_mb()


async def main(args: argparse.Namespace) -> int:
    telegram = Telegram(
        concurrent_updates=16, messages_per_second=0, max_pending_updates=args.max_pending
    )
    cache = Path(tempfile.mkdtemp(prefix="hrbot-memory-"))
    env = {**os.environ, "HRBOT_CACHE_DIR": str(cache)}
    subprocess.run([sys.executable, "-c", PREPARE], env=env, check=True)
    config = Config(country="GB", telegram=telegram, cache_dir=cache)
    engine = build_engine(config)
    settle()  # as a running bot does once it has learnt (bot/understanding/learning.py)
    request = Forgetful()
    counters = Counters()
    application = build_application(
        config, engine, TOKEN, counters, load_words(engine), request, FakeRequest()
    )
    updates = Updates(seed=11)
    await application.initialize()
    await application.start()
    ok = True
    try:
        await through(application, updates.stream(400, hostile=True))
        await through(application, updates.stream(400, hostile=False))
        start = settled()
        print(f"start (after warming up):            {start:7.1f} MB")

        unreadable = await through(application, updates.stream(args.hostile, hostile=True))
        after_hostile = settled()
        errors = counters["errors"]
        grew = after_hostile / start - 1
        ok &= grew <= 0.10 and errors == 0
        print(
            f"after {args.hostile:,} hostile updates:       {after_hostile:7.1f} MB "
            f"({grew:+.1%}; {errors} handler exceptions, {unreadable} unreadable skipped)"
        )

        await through(application, updates.stream(args.ordinary, hostile=False))
        after_ordinary = settled()
        grew = after_ordinary / start - 1
        ok &= grew <= 0.10
        print(
            f"after {args.ordinary:,} ordinary messages:     {after_ordinary:7.1f} MB ({grew:+.1%})"
        )

        peak = await burst(application, updates.stream(args.burst, hostile=False))
        after_burst = settled()
        grew = after_burst / start - 1
        ok &= grew <= 0.20
        print(
            f"an unpaced burst of {args.burst:,}: peak {peak:7.1f} MB, afterwards "
            f"{after_burst:7.1f} MB ({grew:+.1%})"
        )
        print(f"counts: {counters.summary()}")
    finally:
        await application.stop()
        await application.shutdown()
    print("targets (hostile and ordinary within 10%, burst within 20%, no exceptions):",
          "met" if ok else "MISSED")  # fmt: skip
    return 0 if ok else 1


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hostile", type=int, default=10_000)
    parser.add_argument("--ordinary", type=int, default=20_000)
    parser.add_argument("--burst", type=int, default=20_000)
    parser.add_argument(
        "--max-pending", type=int, default=256, help="the queue's bound (100000: as if none)"
    )
    raise SystemExit(asyncio.run(main(parser.parse_args())))
