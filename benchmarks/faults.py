"""What Telegram's faults cost with the bot's default settings: lost and doubled replies,
delays, and log lines.

    python benchmarks/faults.py [--chats 20] [--outages 10,60] [--half-open 1500]

Everything runs in this process, on 127.0.0.1, against the fake Bot API from the tests, and
stops by itself (about two minutes). The bot is built as `hrbot run` builds it, with the
default config: replies retried for `retry_seconds` (120 s), 16 updates at a time, 30
messages a second, a client timeout of 10 s, logging at INFO.

1. Outages of sendMessage, of each length in `--outages` and of three kinds: every call
   answered 503; every connection reset (a TCP proxy in front of the fake Bot API); every
   call answered 200 with an HTML page instead of JSON. `--chats` people each send one
   message, spread over the outage. Printed: replies lost, replies sent twice, and how long
   after the outage ended the last reply arrived. The six outages run at once, each with its
   own bot in webhook mode and its own fake Bot API, so the whole stays within the longest.
2. Each unreadable update shape of tests/telegram/test_faults.py, put in one getUpdates
   batch with an ordinary message after it (polling mode). Printed: the time from the batch
   being queued to the ordinary message's reply, and the log lines the bad update produced
   (counted until the bot has polled past it, so a batch fetched again would show).
3. `--half-open` connections to the webhook that send nothing, half a request head, or a
   head and part of a body. Printed: /healthz answer times while they are open, the time a
   real update takes to be answered meanwhile, and how many the server closed, and when.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import io
import resource
import socket
import statistics
import sys
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests" / "telegram"))  # the fake Bot API and the fault tools

import httpx  # noqa: E402
from fake_bot_api import Call, FakeBotApi  # noqa: E402
from faults import ResettingProxy  # noqa: E402
from telegram_harness import SECRET, TOKEN, Person  # noqa: E402
from test_faults import unreadable_updates  # noqa: E402

from bot.config import Config, Telegram  # noqa: E402
from bot.engine import Engine, build_engine  # noqa: E402
from handlers.app import build_application, run_webhook, serve_polling  # noqa: E402
from handlers.counters import Counters  # noqa: E402
from handlers.logging import setup_logging  # noqa: E402
from handlers.webhook import SECRET_HEADER, webhook_server  # noqa: E402
from handlers.words import Words, load_words  # noqa: E402

# What people type; each is answered with one message.
MESSAGES = [
    "how do i use narcan",
    "my friend wont wake up",
    "where can i get clean needles",
    "what is xylazine",
    "/start",
    "how do fentanyl test strips work",
    "is it safe to mix benzos and opioids",
    "/help",
]
# The shapes `unreadable_updates` returns, in its order.
SHAPE_NAMES = [
    "message without date",
    "`from` is a number",
    "entities not a list",
    "location is a string",
]
KINDS = ("503", "reset", "not JSON")
SETTLE_AFTER = 15.0  # beyond the retry budget, before an unsettled reply counts as lost


class TimedBotApi(FakeBotApi):
    """The fake Bot API, noting when each call was recorded."""

    def __init__(self, token: str) -> None:
        super().__init__(token)
        self.stamps: list[tuple[Call, float]] = []

    def _record(self, call: Call) -> None:
        with self._changed:
            self.stamps.append((call, time.monotonic()))
        super()._record(call)

    def sent(self, chat_id: int) -> list[float]:
        """When the sendMessage calls to `chat_id` that Telegram acted on were made."""
        with self._changed:
            stamps = list(self.stamps)
        return [
            at
            for call, at in stamps
            if call.method == "sendMessage" and call.status == 200 and call.chat_id == chat_id
        ]


class LineCounter(io.StringIO):
    """The log output, which only needs counting."""

    def lines(self) -> list[str]:
        return self.getvalue().splitlines()


@dataclass
class Bot:
    api: TimedBotApi
    counters: Counters
    url: str  # the webhook URL, or "" when polling
    client: httpx.AsyncClient

    async def deliver(self, update: dict[str, Any]) -> int:
        headers = {SECRET_HEADER: SECRET}
        return (await self.client.post(self.url, json=update, headers=headers)).status_code


def listening_socket(backlog: int = 4096) -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    sock.listen(backlog)
    return sock


async def wait(predicate: Any, timeout: float, step: float = 0.02) -> bool:
    """Poll `predicate` until it holds or `timeout` passes (a measurement, not a test)."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() >= deadline:
            return False
        await asyncio.sleep(step)
    return True


@contextlib.asynccontextmanager
async def webhook_bot(
    engine: Engine, words: dict[str, Words], api: TimedBotApi, base_url: str
) -> AsyncIterator[Bot]:
    """The bot in webhook mode with the default config, Telegram being at `base_url`."""
    sock = listening_socket()
    url = f"http://127.0.0.1:{sock.getsockname()[1]}/telegram"
    telegram = Telegram(base_url=base_url, mode="webhook", webhook_url=url)
    counters = Counters()
    application = build_application(Config(telegram=telegram), engine, TOKEN, counters, words)
    server = webhook_server(application, telegram, SECRET, counters)
    task = asyncio.create_task(run_webhook(application, server, words, engine.default, [sock]))
    client = httpx.AsyncClient(timeout=30)
    try:
        menus = len(words) + 1  # serving starts once the command menus are set
        if not await wait(lambda: len(api.answered("setMyCommands")) >= menus or task.done(), 30):
            raise RuntimeError("the webhook bot did not start")
        if task.done():
            task.result()
        yield Bot(api, counters, url, client)
    finally:
        server.should_exit = True
        with contextlib.suppress(Exception):
            await asyncio.wait_for(task, 20)
        await client.aclose()
        sock.close()


# --- 1. outages ------------------------------------------------------------------------------


@dataclass
class OutageResult:
    kind: str
    seconds: float
    chats: int
    lost: int
    twice: int
    last_after: float  # seconds from the outage's end to the last reply
    retries: int
    failed: int
    statuses: set[int]


async def outage(
    engine: Engine, words: dict[str, Words], kind: str, seconds: float, chats: int, first_id: int
) -> OutageResult:
    api = TimedBotApi(TOKEN).start()
    proxy = await ResettingProxy(api.port).start() if kind == "reset" else None
    try:
        base_url = proxy.base_url if proxy is not None else api.base_url
        async with webhook_bot(engine, words, api, base_url) as bot:
            people = [Person(user_id=first_id + n, username=None) for n in range(chats)]
            began = time.monotonic()
            if proxy is not None:
                proxy.outage(seconds)
            else:
                api.outage(
                    seconds, status=503, garbage=kind == "not JSON", methods=("sendMessage",)
                )
            ended = began + seconds
            statuses: set[int] = set()
            for n, person in enumerate(people):  # spread over the outage
                await asyncio.sleep(
                    max(0.0, began + (n + 0.5) * seconds / chats - time.monotonic())
                )
                statuses.add(await bot.deliver(person.message(MESSAGES[n % len(MESSAGES)])))
            settled = lambda: bot.counters["replies_sent"] + bot.counters["replies_failed"] >= chats  # noqa: E731
            budget = Telegram().retry_seconds
            await wait(settled, max(0.0, ended + budget + SETTLE_AFTER - time.monotonic()), 0.1)
            sent = [api.sent(person.user_id) for person in people]
            last = max((max(times) for times in sent if times), default=ended)
            return OutageResult(
                kind,
                seconds,
                chats,
                lost=sum(1 for times in sent if not times),
                twice=sum(max(0, len(times) - 1) for times in sent),
                last_after=last - ended,
                retries=bot.counters["telegram_retries"],
                failed=bot.counters["replies_failed"],
                statuses=statuses,
            )
    finally:
        if proxy is not None:
            await proxy.stop()
        api.stop()


async def outages(
    engine: Engine, words: dict[str, Words], lengths: list[float], chats: int
) -> None:
    print(f"1. sendMessage outages, {chats} chats each sending once during the outage")
    runs = [
        outage(engine, words, kind, seconds, chats, 900_000 + 1000 * n)
        for n, (seconds, kind) in enumerate((s, k) for s in lengths for k in KINDS)
    ]
    print(
        f"   {'outage':>8}  {'kind':<9} {'lost':>4} {'twice':>5} {'last reply after end':>21}"
        f" {'retries':>7}"
    )
    for result in await asyncio.gather(*runs):
        print(
            f"   {result.seconds:>7.0f}s  {result.kind:<9} {result.lost:>4} {result.twice:>5}"
            f" {result.last_after:>20.1f}s {result.retries:>7}"
            + (f"  (webhook answers {sorted(result.statuses)})" if result.statuses != {200} else "")
            + (f"  replies_failed={result.failed}" if result.failed else "")
        )


# --- 2. unreadable updates -----------------------------------------------------------------


async def poison(engine: Engine, words: dict[str, Words], log: LineCounter) -> None:
    print("2. an unreadable update, then an ordinary message, in one getUpdates batch (polling)")
    api = TimedBotApi(TOKEN).start()
    counters = Counters()
    telegram = Telegram(base_url=api.base_url)
    application = build_application(Config(telegram=telegram), engine, TOKEN, counters, words)
    stop = asyncio.Event()
    task = asyncio.create_task(serve_polling(application, words, engine.default, stop))
    client = httpx.AsyncClient(timeout=10)
    try:
        if not await wait(lambda: bool(api.calls("getUpdates")) or task.done(), 30):
            raise RuntimeError("the polling bot did not start")
        if task.done():
            task.result()
        print(f"   {'bad update':<24} {'answered after':>14} {'log lines':>9}  the line")
        shapes = len(unreadable_updates(Person(user_id=800_001)))
        names = ["none (ordinary only)"]
        names += [
            SHAPE_NAMES[n] if n < len(SHAPE_NAMES) else f"shape {n + 1}" for n in range(shapes)
        ]
        for n, name in enumerate(names):
            person = Person(user_id=800_100 + n, username=None)
            # Built now, so its update id comes after those already polled.
            bad = unreadable_updates(person)[n - 1] if n else None
            ordinary = person.message("/help")
            batch = [bad, ordinary] if bad is not None else [ordinary]
            before = len(log.lines())
            began = time.monotonic()
            await client.post(f"http://127.0.0.1:{api.port}/_fake/updates", json=batch)
            if not await wait(lambda: bool(api.sent(person.user_id)), 30, 0.005):  # noqa: B023
                print(f"   {name:<24} {'not answered':>14}")
                continue
            answered = api.sent(person.user_id)[0] - began
            last = ordinary["update_id"]
            await wait(  # polled past the batch: a batch fetched again would have logged again
                lambda: any(
                    int(c.params.get("offset") or 0) > last  # noqa: B023
                    for c in api.calls("getUpdates")
                ),
                15,
            )
            lines = log.lines()[before:]
            shown = lines[0].split(": ", 1)[-1] if lines else ""
            print(f"   {name:<24} {answered * 1000:>11.0f} ms {len(lines):>9}  {shown}")
        print(f"   updates_unreadable={counters['updates_unreadable']} errors={counters['errors']}")
    finally:
        stop.set()
        with contextlib.suppress(Exception):
            await asyncio.wait_for(task, 20)
        await client.aclose()
        api.stop()


# --- 3. half-open connections --------------------------------------------------------------


def allow_files(needed: int) -> int:
    """Raise this process's open-file limit to `needed` if it is lower (up to the hard cap)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < needed:
        target = needed if hard == resource.RLIM_INFINITY else min(needed, hard)
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


async def half_open(engine: Engine, words: dict[str, Words], count: int) -> None:
    limit = allow_files(2 * count + 500)  # both ends of each connection are in this process
    print(f"3. {count} half-open connections to the webhook (open-file limit {limit})")
    api = TimedBotApi(TOKEN).start()
    try:
        async with webhook_bot(engine, words, api, api.base_url) as bot:
            port = int(bot.url.split(":")[2].split("/")[0])
            head = (
                f"POST /telegram HTTP/1.1\r\nHost: x\r\n{SECRET_HEADER}: {SECRET}\r\n"
                "Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n"
            ).encode()
            openers = (
                b"",  # connects and says nothing
                b"POST /telegram HTTP/1.1\r\nHost: x\r\n",  # half a request head
                head + b'{"update_id": ',  # a whole head, a tenth of the body
            )

            async def connect(n: int) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
                reader, writer = await asyncio.open_connection("127.0.0.1", port)
                writer.write(openers[n % len(openers)])
                await writer.drain()
                return reader, writer

            began = time.monotonic()
            clients: list[tuple[asyncio.StreamReader, asyncio.StreamWriter]] = []
            for start in range(0, count, 250):
                batch = range(start, min(count, start + 250))
                clients += await asyncio.gather(*(connect(n) for n in batch))
            opened = time.monotonic()
            print(f"   opened in {opened - began:.2f} s")

            closed_at: list[float] = []

            async def closed_by_server(reader: asyncio.StreamReader) -> bytes:
                with contextlib.suppress(OSError):
                    answer = await reader.read()
                    closed_at.append(time.monotonic())
                    return answer
                closed_at.append(time.monotonic())
                return b""

            watching = asyncio.gather(*(closed_by_server(reader) for reader, _ in clients))
            healthz = bot.url.replace("/telegram", "/healthz")
            times: list[float] = []
            async with httpx.AsyncClient(timeout=5) as client:
                for _ in range(10):  # over the first two seconds, all connections open
                    sent = time.monotonic()
                    response = await client.get(healthz)
                    times.append(time.monotonic() - sent)
                    if response.status_code != 200:
                        print(f"   /healthz answered {response.status_code}")
                    await asyncio.sleep(0.2)
            still_open = count - len(closed_at)
            median = statistics.median(times) * 1000
            print(
                f"   /healthz while {still_open} are open: median {median:.1f} ms,"
                f" max {max(times) * 1000:.1f} ms ({len(times)} requests)"
            )
            person = Person(user_id=700_001, username=None)
            sent = time.monotonic()
            status = await bot.deliver(person.message("how do i use narcan"))
            answered = await wait(lambda: bool(api.sent(person.user_id)), 10, 0.005)
            open_now = count - len(closed_at)
            if answered:
                took = api.sent(person.user_id)[0] - sent
                print(
                    f"   a real update while {open_now} are open: webhook {status}, answered in"
                    f" {took * 1000:.0f} ms"
                )
            else:
                print(f"   a real update while {open_now} are open: webhook {status}, NOT answered")
            client_timeout = Telegram().client_timeout
            with contextlib.suppress(TimeoutError):
                answers = await asyncio.wait_for(watching, client_timeout + 10)
                slow_bodies = answers[2 :: len(openers)]
                got_408 = sum(1 for answer in slow_bodies if answer.startswith(b"HTTP/1.1 408"))
                on_time = sum(1 for at in closed_at if at - opened <= client_timeout + 1)
                print(
                    f"   closed by the server: {len(closed_at)}/{count}, {on_time} within"
                    f" {client_timeout + 1:.0f} s, the last"
                    f" {max(closed_at) - opened:.1f} s after opening (client timeout"
                    f" {client_timeout:.0f} s); {got_408}/{len(slow_bodies)} part-bodies got 408"
                )
            if len(closed_at) < count:
                print(f"   still open after {client_timeout + 10:.0f} s: {count - len(closed_at)}")
            for _, writer in clients:
                writer.transport.abort()
    finally:
        api.stop()


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--chats", type=int, default=20)
    parser.add_argument("--outages", default="10,60", help="outage lengths in seconds")
    parser.add_argument("--half-open", type=int, default=1500)
    args = parser.parse_args()
    log = LineCounter()
    setup_logging("INFO", log)  # as `hrbot run` does by default; counted, not shown
    engine = build_engine(Config())
    words = load_words(engine)
    began = time.monotonic()
    await outages(engine, words, [float(s) for s in args.outages.split(",")], args.chats)
    await poison(engine, words, log)
    await half_open(engine, words, args.half_open)
    print(f"({time.monotonic() - began:.0f} s in all)")


if __name__ == "__main__":
    asyncio.run(main())
