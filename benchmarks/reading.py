"""How long one message of Telegram's maximum length (4,096 characters) takes to read and answer,
and how much it delays an emergency sent at the same moment in another chat.

    python benchmarks/reading.py [--rounds 30]

Reading runs on the event loop, like every handler, so while one message is read no other chat
is answered: a long message must be cheap. Two measurements:

- `LanguageEngine.text()` (reading plus building the reply) for messages of 4,096 characters of
  several shapes: gibberish, real questions run together, the same typos over and over, one
  emergency phrase over and over, digits, emoji, another script, links. Target: max <= 5 ms.
- Through the fast layer (the real Application, a fake request object, no sockets): "my friend
  wont wake up" from one chat while a 4,096-character message from another is being handled.
  The emergency's extra wait over its time alone is the delay. Target: max <= 10 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import string
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests" / "telegram"))  # the fast layer's fake request object

from telegram import Update  # noqa: E402
from telegram_harness import TOKEN, FakeRequest, Person  # noqa: E402

from bot.config import Config, Telegram  # noqa: E402
from bot.engine import LanguageEngine, build_engine  # noqa: E402
from bot.understanding.learning import settle  # noqa: E402
from handlers.app import build_application  # noqa: E402
from handlers.counters import Counters  # noqa: E402
from handlers.words import load_words  # noqa: E402

LIMIT = 4096
TARGET_READ_MS = 5.0
TARGET_DELAY_MS = 10.0
EMERGENCY = "my friend wont wake up"


def fill(pieces: Sequence[str], rnd: random.Random) -> str:
    """Pieces joined by spaces in a random order up to exactly LIMIT characters."""
    out: list[str] = []
    size = 0
    while size < LIMIT:
        piece = rnd.choice(pieces)
        out.append(piece)
        size += len(piece) + 1
    return " ".join(out)[:LIMIT]


def shapes(engine: LanguageEngine) -> dict[str, str]:
    rnd = random.Random(7)
    letters = string.ascii_lowercase
    gibberish = ["".join(rnd.choices(letters, k=rnd.randint(3, 12))) for _ in range(2000)]
    questions = [example for entry in engine.entries.values() for example in entry.meta.examples]
    return {
        "gibberish": fill(gibberish, rnd),
        "real questions": fill(questions, rnd),
        "typos, repeated": fill(["heelp", "wont", "wakee", "overdosin", "narcn"], rnd),
        "an emergency, repeated": fill([EMERGENCY], rnd),
        "digits": fill([str(rnd.randint(0, 10**6)) for _ in range(500)], rnd),
        "emoji": "😵" * LIMIT,
        "one letter": "a" * LIMIT,
        "cyrillic": fill(["".join(rnd.choices("абвгдежзиклмноп", k=7)) for _ in range(500)], rnd),
        "links": fill([f"https://example.org/{rnd.randint(0, 10**9)}" for _ in range(200)], rnd),
    }


def read_times(engine: LanguageEngine, text: str, rounds: int) -> list[float]:
    engine.text(text)  # first-call costs
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        engine.text(text)
        times.append((time.perf_counter() - start) * 1000)
    return sorted(times)


async def emergency_delays(long_texts: Sequence[str], rounds: int) -> tuple[list[float], float]:
    """(extra milliseconds the emergency waited with a long message beside it, each round;
    the emergency's own median time)."""
    config = Config(country="GB", telegram=Telegram(concurrent_updates=16, messages_per_second=0))
    engine = build_engine(config)
    settle()  # as a running bot does once it has learnt (bot/understanding/learning.py)
    request = FakeRequest()
    application = build_application(
        config, engine, TOKEN, Counters(), load_words(engine), request, FakeRequest()
    )
    sender, other = Person(7_000_001), Person(7_000_002)

    async def handle(raw: dict[str, Any]) -> float:
        start = time.perf_counter()
        await application.process_update(Update.de_json(raw, application.bot))
        return (time.perf_counter() - start) * 1000

    await application.initialize()
    try:
        alone = sorted([await handle(other.message(EMERGENCY)) for _ in range(rounds)])
        own = statistics.median(alone)
        delays = []
        for index in range(rounds):
            # Both arrive together, the long one first: the emergency waits for its reading.
            arrived = time.perf_counter()
            text = long_texts[index % len(long_texts)]
            long = asyncio.ensure_future(handle(sender.message(text)))
            await asyncio.ensure_future(handle(other.message(EMERGENCY)))
            took = (time.perf_counter() - arrived) * 1000
            await long
            delays.append(max(0.0, took - own))
        replies = [p["text"] for p in request.sent() if int(p["chat_id"]) == other.user_id]
        assert replies and all("999" in text for text in replies), "the card lost its number"
    finally:
        await application.shutdown()
    return sorted(delays), own


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=30)
    args = parser.parse_args()
    engine = build_engine(Config(country="GB")).language("en")
    settle()  # as a running bot does once it has learnt (bot/understanding/learning.py)
    ok = True
    print(f"reading and answering one {LIMIT}-character message ({args.rounds} rounds each):")
    texts = shapes(engine)
    for name, text in texts.items():
        times = read_times(engine, text, args.rounds)
        worst = times[-1]
        ok &= worst <= TARGET_READ_MS
        print(
            f"  {name:24} p50 {statistics.median(times):5.2f} ms  max {worst:5.2f} ms"
            f"  {'ok' if worst <= TARGET_READ_MS else 'MISSED'}"
        )
    delays, own = asyncio.run(emergency_delays(list(texts.values()), args.rounds))
    worst = delays[-1]
    ok &= worst <= TARGET_DELAY_MS
    print(
        f"an emergency beside a long message (fast layer): alone {own:.2f} ms, extra wait "
        f"p50 {statistics.median(delays):.2f} ms, max {worst:.2f} ms "
        f"(target <= {TARGET_DELAY_MS:g} ms: {'ok' if worst <= TARGET_DELAY_MS else 'MISSED'})"
    )
    print(f"targets: read max <= {TARGET_READ_MS:g} ms; {'all met' if ok else 'MISSED'}")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
