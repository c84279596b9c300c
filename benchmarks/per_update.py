"""Per-update cost: `hrbot run` against a bare python-telegram-bot bot, in one run.

Both bots poll the same fake Bot API (tests/telegram/fake_bot_api.py, its own process), get the
same updates (each from its own private chat) and send the same replies: the bare bot looks up
the exact text and inline keyboard hrbot sends for each message (worked out before timing) and
sends it with the same options (HTML, no link preview). So the difference is everything hrbot
does around a reply: reading the message, the engine, the retry and polling wrappers, the rate
limiter, the counters and metrics.

The bots take turns, each in a fresh process, for `--rounds` rounds; each turn warms up, then
times `--updates` updates from the moment they are queued until the fake Bot API has recorded
the last reply. Both run with `concurrent_updates` 16 and no outgoing rate limit (the fake has
none). Everything shares the machine's CPUs, so a busy neighbour moves single turns a lot: the
ratio is of the medians, and each round's own ratio (its two turns ran back to back) and the
CPU seconds each bot process used per update are printed too.

    python benchmarks/per_update.py [--updates 2000] [--rounds 5]

It passes (exit 0) when hrbot's median updates/second is at least 0.8 of the bare bot's.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
FAKE_API = ROOT / "tests" / "telegram" / "fake_bot_api.py"
TOKEN = "123456789:AAHbenchmarkTokenNotARealOne_012345678"
# What people type; each gets one message back (checked before timing).
MESSAGES = [
    "how do i use narcan",
    "my friend wont wake up",
    "what is xylazine",
    "/start",
    "how do fentanyl test strips work",
    "is it safe to mix benzos and opioids",
    "/emergency",
    "can i inject in my neck",
]
TARGET = 0.8
CONCURRENCY = 16
WARM_UP = 300
READY_TIMEOUT = 60.0
ANSWER_TIMEOUT = 300.0
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


# --- the bare bot (run as its own process: `per_update.py --bare-bot URL REPLIES`) ----------


def bare_bot(base_url: str, replies_file: Path) -> None:
    """A python-telegram-bot bot as its own tutorial would write it, sending hrbot's replies."""
    from telegram import InlineKeyboardButton, InlineKeyboardMarkup, LinkPreviewOptions, Update
    from telegram.constants import ParseMode
    from telegram.ext import ApplicationBuilder, ContextTypes, MessageHandler, filters

    replies: dict[str, dict[str, Any]] = json.loads(replies_file.read_text(encoding="utf-8"))
    no_preview = LinkPreviewOptions(is_disabled=True)

    async def reply(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message = update.message
        if message is None or message.text is None:
            return
        sent = replies[message.text]
        markup = InlineKeyboardMarkup(
            [
                [InlineKeyboardButton(b["text"], callback_data=b["callback_data"]) for b in row]
                for row in sent["keyboard"]
            ]
        )
        await context.bot.send_message(
            message.chat_id,
            sent["text"],
            parse_mode=ParseMode.HTML,
            reply_markup=markup,
            link_preview_options=no_preview,
        )

    application = (
        ApplicationBuilder().token(TOKEN).base_url(base_url).concurrent_updates(CONCURRENCY).build()
    )
    application.add_handler(MessageHandler(filters.TEXT, reply))
    application.run_polling(allowed_updates=[Update.MESSAGE], stop_signals=[signal.SIGTERM])


# --- hrbot's replies, worked out once ---------------------------------------------------------


def hrbot_replies() -> dict[str, dict[str, Any]]:
    """The text and inline keyboard hrbot sends for each of MESSAGES."""
    from bot.config import Config
    from bot.conversation.reply import Event, EventKind
    from bot.engine import build_engine
    from handlers.replies import keyboard, messages

    engine = build_engine(Config())
    replies: dict[str, dict[str, Any]] = {}
    for text in MESSAGES:
        if text.startswith("/"):
            event = Event(EventKind.COMMAND, text[1:])
        else:
            event = Event(EventKind.TEXT, text)
        reply = engine.handle(event)
        chunks = messages(reply.html)
        markup = keyboard(reply)
        if len(chunks) != 1 or reply.request_location or markup is None:
            raise SystemExit(f"{text!r}: not one message with buttons; pick another message")
        replies[text] = {"text": chunks[0], "keyboard": markup.to_dict()["inline_keyboard"]}
    return replies


# --- processes ----------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def started(command: list[str], **kwargs: Any) -> Iterator[subprocess.Popen[bytes]]:
    """A process that gets SIGTERM (a graceful stop) when the block ends."""
    process = subprocess.Popen(command, **kwargs)
    try:
        yield process
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def cpu_seconds(pid: int) -> float:
    """User + system CPU of a process, from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return sum(int(value) for value in fields[11:13]) / CLOCK_TICKS


def update(update_id: int, text: str) -> dict[str, Any]:
    chat_id = 10_000_000 + update_id
    user = {"id": chat_id, "is_bot": False, "first_name": "Bench", "language_code": "en"}
    message: dict[str, Any] = {
        "message_id": 1,
        "date": int(time.time()),
        "chat": {"id": chat_id, "type": "private", "first_name": "Bench"},
        "from": user,
        "text": text,
    }
    if text.startswith("/"):
        message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(text)}]
    return {"update_id": update_id, "message": message}


@dataclass
class Api:
    port: int
    client: httpx.Client
    next_update: int = 1

    def count(self, method: str) -> int:
        url = f"http://127.0.0.1:{self.port}/_fake/count"
        return int(self.client.get(url, params={"method": method}).json()["count"])

    def push(self, count: int) -> None:
        first = self.next_update
        self.next_update += count
        batch = [update(first + i, MESSAGES[i % len(MESSAGES)]) for i in range(count)]
        self.client.post(f"http://127.0.0.1:{self.port}/_fake/updates", json=batch)

    def answer(self, count: int, bot: subprocess.Popen[bytes]) -> float:
        """Queue `count` updates; the seconds until every one has its reply."""
        before = self.count("sendMessage")
        start = time.perf_counter()
        self.push(count)
        deadline = time.monotonic() + ANSWER_TIMEOUT
        while self.count("sendMessage") < before + count:
            if bot.poll() is not None:
                raise SystemExit(f"the bot exited with {bot.returncode}")
            if time.monotonic() > deadline:
                raise SystemExit(f"only {self.count('sendMessage') - before}/{count} answered")
            time.sleep(0.05)
        return time.perf_counter() - start

    def wait_polling(self, bot: subprocess.Popen[bytes], before: int) -> None:
        deadline = time.monotonic() + READY_TIMEOUT
        while self.count("getUpdates") <= before:
            if bot.poll() is not None or time.monotonic() > deadline:
                raise SystemExit("the bot did not start polling")
            time.sleep(0.05)


@dataclass
class Turn:
    rate: float
    cpu_ms: float  # bot process CPU per update


def turn(api: Api, command: list[str], env: dict[str, str], cwd: Path, count: int) -> Turn:
    before = api.count("getUpdates")
    with started(command, env=env, cwd=cwd) as bot:
        api.wait_polling(bot, before)
        api.answer(WARM_UP, bot)
        cpu_before = cpu_seconds(bot.pid)
        seconds = api.answer(count, bot)
        cpu = cpu_seconds(bot.pid) - cpu_before
    return Turn(count / seconds, 1000 * cpu / count)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--updates", type=int, default=2000, help="timed updates per turn")
    parser.add_argument("--rounds", type=int, default=5, help="turns per bot")
    parser.add_argument("--bare-bot", nargs=2, metavar=("URL", "REPLIES"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.bare_bot:
        bare_bot(args.bare_bot[0], Path(args.bare_bot[1]))
        return 0

    port = free_port()
    env = {**os.environ, "HRBOT_TELEGRAM_TOKEN": TOKEN}
    results: dict[str, list[Turn]] = {"bare python-telegram-bot": [], "hrbot run": []}
    with tempfile.TemporaryDirectory(prefix="hrbot-per-update-") as temp, ExitStack() as stack:
        folder = Path(temp)
        replies = folder / "replies.json"
        replies.write_text(json.dumps(hrbot_replies()), encoding="utf-8")
        config = folder / "config.yaml"
        config.write_text(
            "log_level: WARNING\n"
            "telegram:\n"
            f"  base_url: http://127.0.0.1:{port}/bot\n"
            "  messages_per_second: 0\n"
            f"  concurrent_updates: {CONCURRENCY}\n",
            encoding="utf-8",
        )
        command = [sys.executable, str(FAKE_API), "--port", str(port), "--token", TOKEN]
        stack.enter_context(started(command, cwd=ROOT))
        api = Api(port, stack.enter_context(httpx.Client(timeout=30)))
        deadline = time.monotonic() + READY_TIMEOUT
        while True:
            try:
                api.count("getMe")
                break
            except httpx.TransportError:
                if time.monotonic() > deadline:
                    raise SystemExit("the fake Bot API did not start") from None
                time.sleep(0.05)
        bots = {
            "bare python-telegram-bot": [
                sys.executable,
                str(Path(__file__).resolve()),
                "--bare-bot",
                f"http://127.0.0.1:{port}/bot",
                str(replies),
            ],
            "hrbot run": [sys.executable, "-m", "handlers.cli", "run", "--config", str(config)],
        }
        for _ in range(args.rounds):
            for name, command in bots.items():
                results[name].append(turn(api, command, env, folder, args.updates))

    print(
        f"{args.updates} updates per turn, {args.rounds} turns each, concurrent_updates "
        f"{CONCURRENCY}, polling one fake Bot API, {os.cpu_count()} CPUs"
    )
    medians: dict[str, float] = {}
    for name, turns in results.items():
        rates = [t.rate for t in turns]
        medians[name] = statistics.median(rates)
        cpu = statistics.median(t.cpu_ms for t in turns)
        print(
            f"  {name:<25} {medians[name]:6.0f} updates/s median "
            f"(turns: {', '.join(f'{r:.0f}' for r in rates)}); {cpu:.2f} ms CPU per update"
        )
    hrbot, bare = results["hrbot run"], results["bare python-telegram-bot"]
    ratio = medians["hrbot run"] / medians["bare python-telegram-bot"]
    rounds = ", ".join(f"{h.rate / b.rate:.2f}" for h, b in zip(hrbot, bare, strict=True))
    cpu_ratio = statistics.median(b.cpu_ms for b in bare) / statistics.median(
        h.cpu_ms for h in hrbot
    )
    verdict = "ok" if ratio >= TARGET else f"below the {TARGET} target"
    print(f"  hrbot / bare: {ratio:.2f}x updates/s ({verdict}); rounds: {rounds}")
    print(f"  CPU per update, bare / hrbot: {cpu_ratio:.2f}x")
    return 0 if ratio >= TARGET else 1


if __name__ == "__main__":
    raise SystemExit(main())
