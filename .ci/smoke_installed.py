"""The installed package, used as a service's IT volunteer would: from another folder.

Run by .ci/run after `pip install` of the built wheel into a fresh venv (not editable), with
that venv's `hrbot` and the wheel as arguments. Checks: --version, the content's phrases the
install prepared (deploy/install.sh), check, chat and match on
the bundled content; init + check + chat on a service's own folder, which survives a
reinstall, then preview and review sign there; `hrbot run` answering through the tests'
fake Bot API on 127.0.0.1, `hrbot health` (the container's health check) asking it over its
monitoring port, and `hrbot stats` reading that port's /metrics.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests" / "telegram"))

from fake_bot_api import FakeBotApi  # noqa: E402
from telegram_harness import TOKEN, Person  # noqa: E402

LOCAL_ANSWER = """---
id: local-hours
title: Our drop-in hours
area: services
summary: The drop-in is open every weekday morning.
examples: [when is the drop in open, drop in hours, what time does the drop-in open]
keywords: [drop-in, hours]
sources:
  - title: Our service's own timetable
    url: https://example.org/timetable
review: {status: sourced, reviewed_on: 2026-12-01, next_review: 2027-06-01}
---
Come by any weekday morning.
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def main(hrbot: str, wheel: str) -> int:
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)

        def run(*args: str, stdin: str = "", env: dict[str, str] | None = None) -> str:
            result = subprocess.run(
                [hrbot, *args], input=stdin, capture_output=True, text=True, cwd=work,
                env=env, timeout=120, check=False,
            )  # fmt: skip
            assert result.returncode == 0, f"hrbot {' '.join(args)}: {result.stderr}"
            return result.stdout

        assert run("--version").startswith("hrbot "), "hrbot --version"
        prepared = Path(hrbot).parent.parent / "cache"  # deploy/install.sh ran `hrbot check`
        assert list(prepared.glob("content-words-en-*.txt")), f"no prepared phrases in {prepared}"
        run("check")
        assert "Someone is overdosing" in run("chat", stdin="my friend wont wake up\n")
        record = json.loads(run("match", "--json", "needle exchange near me"))
        assert record["route"] == "services", record
        assert "[image: " in run("chat", stdin="/card\n")  # drawn in Pillow's own font
        qr = work / "flyer.svg"
        run("qr", "naloxone-how", "--bot", "hr_test_bot", "--format", "svg", "--out", str(qr))
        assert qr.read_text(encoding="utf-8").lstrip().startswith("<?xml"), "hrbot qr"
        assert "no alerts" in run("alerts")

        run("init", "svc", "--country", "GB", "--operator", "Test Service")
        config = str(work / "svc" / "config.yaml")
        answer = work / "svc" / "content" / "en" / "services" / "local-hours.md"
        answer.parent.mkdir(parents=True)
        answer.write_text(LOCAL_ANSWER, encoding="utf-8")
        assert "local-hours.md: adds" in run("check", "--config", config)
        subprocess.run(
            [str(Path(hrbot).parent / "pip"), "install", "-q", "--force-reinstall", "--no-deps",
             wheel], check=True, timeout=300,
        )  # fmt: skip
        assert "Our drop-in hours" in run("chat", "--config", config, stdin="drop in hours\n")
        run("preview", "--config", config, "--out", str(work / "site"))
        page = (work / "site" / "answers" / "local-hours.html").read_text(encoding="utf-8")
        assert "Our drop-in hours" in page and (work / "site" / "style.css").exists()
        run("review", "sign", "local-hours", "--by", "Sam (nurse)", "--config", config)
        assert 'reviewed_by: "Sam (nurse)"' in answer.read_text(encoding="utf-8")
        run("check", "--config", config)

        api = FakeBotApi(TOKEN).start()
        try:
            telegram = work / "telegram.yaml"
            monitor = free_port()
            telegram.write_text(
                f"log_level: ERROR\ntelegram:\n  base_url: {api.base_url}\n"
                f"monitoring:\n  port: {monitor}\n"
            )
            env = {**os.environ, "HRBOT_TELEGRAM_TOKEN": TOKEN}
            bot = subprocess.Popen([hrbot, "run", "--config", str(telegram)], cwd=work, env=env)
            try:
                assert api.wait_for(lambda: bool(api.calls("getUpdates")), 60), "no polling"
                api.push_update(Person(777).message("my friend wont wake up"))
                assert api.wait_for(lambda: bool(api.answered("sendMessage")), 30), "no reply"
                assert "Someone is overdosing" in api.answered("sendMessage")[0].text
                assert run("health", "--config", str(telegram)).strip() == "ok", "hrbot health"
                stats = run("stats", f"http://127.0.0.1:{monitor}")
                assert "1 typed message(s)" in stats and "overdose-now (1)" in stats, stats
            finally:
                bot.terminate()
                code = bot.wait(timeout=30)
            assert code == 0, f"hrbot run exited {code} on SIGTERM"
        finally:
            api.stop()
    print(
        "installed package: --version, check, chat, match, card, qr, alerts, init, reinstall,"
        " preview, review, run, health, stats: ok"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1], sys.argv[2]))
