"""The `hrbot` command as installed: bot/tools/cli.py's commands plus the Telegram ones.

`run` and `set-webhook` live here, with the adapter, so that the core never imports Telegram;
they import it only when they are the command being run, so `hrbot chat` starts fast.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence

from bot.config import Config
from bot.tools import cli


def main(argv: Sequence[str] | None = None) -> int:
    return cli.main(argv, extend=_telegram_commands)


def _telegram_commands(sub: cli.Subcommands) -> None:
    sub.add("run", "run the Telegram bot (token from HRBOT_TELEGRAM_TOKEN or a token file)", _run)
    webhook = sub.add(
        "set-webhook", "tell Telegram where the webhook is (once, at deploy time)", _set_webhook
    )
    webhook.add_argument("--delete", action="store_true", help="remove the webhook instead")
    alerts = sub.add("alerts", "list the drug-supply alerts and whether people see them", _alerts)
    actions = cli.Subcommands(alerts.add_subparsers(metavar="ACTION"))
    post = actions.add(
        "post", "post one live alert to the alerts channel (alerts.channel) now", _alerts_post
    )
    post.add_argument("id", metavar="ID", help="the alert's id (its file name without .md)")
    sub.add(
        "health",
        "ask the running bot whether it handles updates (for a container's health check)",
        _health,
    )


def _run(args: argparse.Namespace, config: Config) -> int:
    from handlers.app import run

    code: int = run(config)
    return code


def _health(args: argparse.Namespace, config: Config) -> int:
    from handlers.monitoring import check_health

    code: int = check_health(config)
    return code


def _alerts(args: argparse.Namespace, config: Config) -> int:
    import datetime as dt

    from bot.library import load_library
    from bot.tools.alerts import alert_lines

    library = load_library(config.content_dir, config.local_content)
    for problem in library.problems:
        if "/alerts/" in problem.path.as_posix():
            print(f"skipped: {problem}")
    for line in alert_lines(library.alerts, dt.datetime.now(dt.UTC)):
        print(line)
    return cli.ExitStatus.OK


def _alerts_post(args: argparse.Namespace, config: Config) -> int:
    from handlers.app import post_alert_now

    code: int = post_alert_now(config, args.id)
    return code


def _set_webhook(args: argparse.Namespace, config: Config) -> int:
    from handlers.app import set_webhook

    code: int = set_webhook(config, delete=args.delete)
    return code


if __name__ == "__main__":
    raise SystemExit(main())
