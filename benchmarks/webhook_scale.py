"""Webhook replicas behind nginx: is every update answered exactly once, and how fast?

Starts, all on 127.0.0.1 and all stopped again at the end:
  * the fake Bot API server from the tests (it records every sendMessage),
  * two `hrbot run` processes in webhook mode (the real command, config and secret),
  * nginx from the system packages, with a config generated in a temporary folder: one port
    balancing over the first replica only, another over both (round robin).
Through each nginx port it then POSTs 1,000 updates, each from its own private chat, with the
secret header Telegram sends. The time runs from the first POST until the fake Bot API has
recorded the last reply. A run passes only if every chat got exactly one message, every POST
got 200, no reply failed, and the replicas' own counts add up to the updates sent.

    python benchmarks/webhook_scale.py [--updates 1000] [--rounds 3]

Needs nginx (`apt-get install -y nginx`). The fake Bot API has no rate limit, so the replicas
run with `messages_per_second: 0`; against Telegram the whole bot is limited to about 30
messages a second whatever the number of replicas (see docs/telegram.md). Everything runs on
one machine, so the load generator, nginx and the fake Bot API share its CPUs with the
replicas: the CPU time each used is printed to show where the time went.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
FAKE_API = ROOT / "tests" / "telegram" / "fake_bot_api.py"
TOKEN = "123456789:AAHbenchmarkTokenNotARealOne_012345678"
SECRET = "benchmark-webhook-secret-0123456789"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
# What people type; each reply is one message, so one update = one sendMessage.
MESSAGES = [
    "how do i use narcan",
    "my friend wont wake up",
    "where can i get clean needles",
    "what is xylazine",
    "/start",
    "how do fentanyl test strips work",
    "is it safe to mix benzos and opioids",
    "/emergency",
]
READY_TIMEOUT = 60.0
ANSWER_TIMEOUT = 180.0
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


# --- processes -----------------------------------------------------------------------------


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
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def wait_until_listening(port: int, process: subprocess.Popen[bytes], what: str) -> None:
    deadline = time.monotonic() + READY_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"{what} exited with {process.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.05)
    raise SystemExit(f"{what} did not start listening on port {port}")


def cpu_seconds(pid: int) -> float:
    """User + system CPU of a process and of the children it waited for, from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return sum(int(value) for value in fields[11:15]) / CLOCK_TICKS


def with_children(pid: int) -> list[int]:
    """nginx's master and its worker processes."""
    children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    return [pid, *(int(child) for child in children)]


# --- configs -------------------------------------------------------------------------------


def replica_config(folder: Path, api_port: int, port: int, concurrency: int) -> Path:
    path = folder / f"replica-{port}.yaml"
    path.write_text(
        "log_level: WARNING\n"
        "telegram:\n"
        "  mode: webhook\n"
        f"  base_url: http://127.0.0.1:{api_port}/bot\n"
        "  listen: 127.0.0.1\n"
        f"  port: {port}\n"
        "  messages_per_second: 0\n"
        f"  concurrent_updates: {concurrency}\n",
        encoding="utf-8",
    )
    return path


def nginx_config(folder: Path, replicas: list[int], one_port: int, two_port: int) -> Path:
    """nginx in the foreground, everything it writes inside `folder`.

    Round robin over the replicas with keep-alive connections to them. nginx never retries a
    POST on another replica (its default since 1.9.13), so no update can be handled twice.
    """
    temp = {name: folder / name for name in ("body", "proxy", "fastcgi", "uwsgi", "scgi")}
    for path in temp.values():
        path.mkdir(exist_ok=True)
    proxy = 'proxy_http_version 1.1; proxy_set_header Connection "";'
    servers = " ".join(f"server 127.0.0.1:{port};" for port in replicas)
    path = folder / "nginx.conf"
    path.write_text(
        f"""
worker_processes 1;
daemon off;
pid {folder}/nginx.pid;
error_log {folder}/error.log warn;
events {{ worker_connections 2048; }}
http {{
    access_log off;
    client_body_temp_path {temp["body"]};
    proxy_temp_path {temp["proxy"]};
    fastcgi_temp_path {temp["fastcgi"]};
    uwsgi_temp_path {temp["uwsgi"]};
    scgi_temp_path {temp["scgi"]};
    upstream one_replica {{ server 127.0.0.1:{replicas[0]}; keepalive 64; }}
    upstream all_replicas {{ {servers} keepalive 64; }}
    server {{
        listen 127.0.0.1:{one_port};
        location /telegram {{ proxy_pass http://one_replica; {proxy} }}
    }}
    server {{
        listen 127.0.0.1:{two_port};
        location /telegram {{ proxy_pass http://all_replicas; {proxy} }}
    }}
}}
""",
        encoding="utf-8",
    )
    return path


# --- load ----------------------------------------------------------------------------------


def update(update_id: int, chat_id: int, text: str) -> dict[str, Any]:
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


async def post_all(port: int, updates: list[dict[str, Any]], concurrency: int) -> Counter[int]:
    """POST every update over `concurrency` keep-alive connections; the HTTP statuses counted.

    A few lines of raw HTTP/1.1 rather than httpx: httpx's connection pool costs grow with the
    number of connections and would make the load generator, not the bot, the bottleneck.
    """
    statuses: Counter[int] = Counter()
    queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
    for item in updates:
        queue.put_nowait(item)

    async def connection() -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            while not queue.empty():
                body = json.dumps(queue.get_nowait()).encode()
                head = (
                    f"POST /telegram HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                    f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n"
                    f"{SECRET_HEADER}: {SECRET}\r\n\r\n"
                )
                writer.write(head.encode() + body)
                response = await reader.readuntil(b"\r\n\r\n")
                lines = response.decode("latin-1").split("\r\n")
                statuses[int(lines[0].split()[1])] += 1
                headers = dict(line.lower().split(": ", 1) for line in lines[1:] if ": " in line)
                await reader.readexactly(int(headers.get("content-length", "0")))
        finally:
            writer.close()
            await writer.wait_closed()

    await asyncio.gather(*(connection() for _ in range(concurrency)))
    return statuses


# --- one run -------------------------------------------------------------------------------


@dataclass
class Result:
    label: str
    updates: int
    seconds: float
    per_replica: list[int]
    cpu: dict[str, float]

    @property
    def rate(self) -> float:
        return self.updates / self.seconds


@dataclass
class Rig:
    """The running processes and how to ask them what happened."""

    api_port: int
    replica_ports: list[int]
    pids: dict[str, list[int]] = field(default_factory=dict)
    client: httpx.Client = field(default_factory=lambda: httpx.Client(timeout=30))
    next_chat: int = 10_000_000

    def sent(self) -> int:
        url = f"http://127.0.0.1:{self.api_port}/_fake/count"
        return int(self.client.get(url, params={"method": "sendMessage"}).json()["count"])

    def sent_per_chat(self) -> Counter[int]:
        url = f"http://127.0.0.1:{self.api_port}/_fake/calls"
        calls = self.client.get(url, params={"method": "sendMessage"}).json()
        return Counter(int(call["params"]["chat_id"]) for call in calls if call["status"] == 200)

    def counts(self) -> list[dict[str, int]]:
        return [
            self.client.get(f"http://127.0.0.1:{port}/healthz").json()["counts"]
            for port in self.replica_ports
        ]

    def cpu(self) -> dict[str, float]:
        used = {name: sum(cpu_seconds(pid) for pid in pids) for name, pids in self.pids.items()}
        own = resource.getrusage(resource.RUSAGE_SELF)
        used["load generator"] = own.ru_utime + own.ru_stime
        return used

    def run(self, label: str, nginx_port: int, count: int, concurrency: int) -> Result:
        first = self.next_chat
        self.next_chat += count
        updates = [update(first + i, first + i, MESSAGES[i % len(MESSAGES)]) for i in range(count)]
        sent_before, counts_before, cpu_before = self.sent(), self.counts(), self.cpu()

        start = time.perf_counter()
        statuses = asyncio.run(post_all(nginx_port, updates, concurrency))
        deadline = time.monotonic() + ANSWER_TIMEOUT
        while self.sent() < sent_before + count:
            if time.monotonic() > deadline:
                raise SystemExit(f"{label}: only {self.sent() - sent_before}/{count} answered")
            time.sleep(0.02)
        seconds = time.perf_counter() - start
        cpu = {name: used - cpu_before[name] for name, used in self.cpu().items()}

        # Let every replica finish what it accepted, then check nothing was done twice.
        def replies(counts: list[dict[str, int]]) -> int:
            return sum(c["replies_sent"] + c["replies_failed"] for c in counts)

        expected = replies(counts_before) + count
        while replies(counts := self.counts()) < expected and time.monotonic() < deadline:
            time.sleep(0.05)
        pairs = list(zip(counts, counts_before, strict=True))
        failed = sum(after["replies_failed"] - before["replies_failed"] for after, before in pairs)
        per_chat = self.sent_per_chat()
        wrong = [chat for chat in range(first, first + count) if per_chat[chat] != 1]
        if statuses != Counter({200: count}) or wrong or replies(counts) != expected or failed:
            raise SystemExit(
                f"{label}: NOT exactly once: HTTP statuses {dict(statuses)}, "
                f"{len(wrong)} chats without exactly one reply, {failed} failed replies, "
                f"{replies(counts) - replies(counts_before)} replies for {count} updates"
            )
        per_replica = [after["updates"] - before["updates"] for after, before in pairs]
        return Result(label, count, seconds, per_replica, cpu)


# --- main ----------------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--updates", type=int, default=1000, help="updates per run")
    parser.add_argument("--rounds", type=int, default=5, help="runs per setup")
    parser.add_argument("--concurrency", type=int, default=64, help="POSTs in flight")
    parser.add_argument(
        "--bot-concurrency", type=int, default=16, help="telegram.concurrent_updates per replica"
    )
    args = parser.parse_args()

    nginx = shutil.which("nginx") or next(
        (p for p in ("/usr/sbin/nginx", "/usr/local/sbin/nginx") if Path(p).exists()), None
    )
    if nginx is None:
        print("nginx is not installed; install it with: apt-get install -y nginx", file=sys.stderr)
        return 2

    rig = Rig(free_port(), [free_port(), free_port()])
    one_port, two_port = free_port(), free_port()
    env = {**os.environ, "HRBOT_TELEGRAM_TOKEN": TOKEN, "HRBOT_WEBHOOK_SECRET": SECRET}
    results: dict[str, list[Result]] = {"1 replica": [], "2 replicas": []}
    with tempfile.TemporaryDirectory(prefix="hrbot-bench-") as temp, ExitStack() as stack:
        folder = Path(temp)
        stack.callback(rig.client.close)
        command = [sys.executable, str(FAKE_API), "--port", str(rig.api_port), "--token", TOKEN]
        api = stack.enter_context(started(command, cwd=ROOT))
        wait_until_listening(rig.api_port, api, "the fake Bot API")
        rig.pids["fake Bot API"] = [api.pid]
        for number, port in enumerate(rig.replica_ports, 1):
            config = replica_config(folder, rig.api_port, port, args.bot_concurrency)
            command = [sys.executable, "-m", "handlers.cli", "run", "--config", str(config)]
            replica = stack.enter_context(started(command, env=env, cwd=folder))
            wait_until_listening(port, replica, f"replica {number}")
            rig.pids[f"replica {number}"] = [replica.pid]
        conf = nginx_config(folder, rig.replica_ports, one_port, two_port)
        command = [nginx, "-p", str(folder), "-c", str(conf), "-e", str(folder / "error.log")]
        balancer = stack.enter_context(started(command))
        wait_until_listening(one_port, balancer, "nginx")
        wait_until_listening(two_port, balancer, "nginx")
        rig.pids["nginx"] = with_children(balancer.pid)

        rig.run("warm-up", two_port, 200, 16)
        for _ in range(args.rounds):
            for label, port in (("1 replica", one_port), ("2 replicas", two_port)):
                results[label].append(rig.run(label, port, args.updates, args.concurrency))

    runs = args.rounds * 2
    print(
        f"{args.updates} updates per run, {runs} runs, {args.concurrency} POSTs in flight, "
        f"concurrent_updates {args.bot_concurrency} per replica, {os.cpu_count()} CPUs"
    )
    print(
        f"exactly once: yes, in every run ({runs * args.updates} updates: one sendMessage per "
        "chat, all POSTs 200, no failed replies, replica counts match)"
    )
    for label, rounds in results.items():
        rates = sorted(result.rate for result in rounds)
        median = statistics.median(rates)
        middle = min(rounds, key=lambda result: abs(result.rate - median))
        spread = " + ".join(str(n) for n in middle.per_replica)
        cpu = ", ".join(f"{name} {seconds:.1f}s" for name, seconds in middle.cpu.items())
        print(
            f"  {label:<10} {median:6.0f} updates/s median, {rates[-1]:.0f} best "
            f"(runs: {', '.join(f'{rate:.0f}' for rate in rates)})"
        )
        print(f"             updates per replica: {spread}; CPU used: {cpu}")
    one, two = results["1 replica"], results["2 replicas"]
    median = statistics.median(r.rate for r in two) / statistics.median(r.rate for r in one)
    best = max(r.rate for r in two) / max(r.rate for r in one)
    print(f"  2 replicas / 1 replica: {median:.2f}x (medians), {best:.2f}x (best runs)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
