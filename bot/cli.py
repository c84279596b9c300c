"""The `hrbot` command: chat, match, check, run, set-webhook.

Each command is a small function over the same engine; argparse is all the machinery needed.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from bot.config import Config, ConfigError, load_config


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if not hasattr(args, "command"):
        parser.print_help()
        return 2
    try:
        config = _config(args)
    except ConfigError as exc:
        print(f"hrbot: {exc}", file=sys.stderr)
        return 2
    result: int = args.command(args, config)
    return result


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="hrbot", description="An anonymous harm reduction bot whose answers are files."
    )
    sub = parser.add_subparsers(metavar="COMMAND")

    def add(name: str, help_text: str) -> argparse.ArgumentParser:
        command = sub.add_parser(name, help=help_text, description=help_text)
        command.add_argument("--config", type=Path, help="a config file (default: none)")
        return command

    chat = add("chat", "talk to the bot in the terminal (no token, no network)")
    _content_options(chat)
    chat.set_defaults(command=_chat)

    match = add("match", "show what the bot makes of messages (one per line from stdin)")
    _content_options(match)
    match.add_argument("--json", action="store_true", help="one JSON object per line")
    match.add_argument("text", nargs="*", help="the message; none: read lines from stdin")
    match.set_defaults(command=_match)

    check = add("check", "check every content file; exits non-zero on errors")
    check.add_argument("--content", type=Path, help="the content folder to check")
    check.set_defaults(command=_check)

    run = add("run", "run the Telegram bot (token from HRBOT_TELEGRAM_TOKEN or a token file)")
    run.set_defaults(command=_run)

    webhook = add("set-webhook", "tell Telegram where the webhook is (once, at deploy time)")
    webhook.add_argument("--delete", action="store_true", help="remove the webhook instead")
    webhook.set_defaults(command=_set_webhook)
    return parser


def _content_options(command: argparse.ArgumentParser) -> None:
    command.add_argument("--lang", help="answer in this language (default: from the config)")
    command.add_argument("--content", type=Path, help="the content folder (default: bundled)")


def _config(args: argparse.Namespace) -> Config:
    config = load_config(args.config)
    updates: dict[str, object] = {}
    if getattr(args, "content", None):
        updates["content_dir"] = args.content
    if getattr(args, "lang", None):
        updates["default_language"] = args.lang
    return config.model_copy(update=updates) if updates else config


def _chat(args: argparse.Namespace, config: Config) -> int:
    from bot.chat import run_chat
    from bot.setup import build_engine

    engine = build_engine(config, report=sys.stderr)
    return run_chat(engine, sys.stdin, sys.stdout, language=config.default_language)


def _match(args: argparse.Namespace, config: Config) -> int:
    from bot.setup import build_engine

    engine = build_engine(config, report=sys.stderr)
    lines = (args.text and [" ".join(args.text)]) or (line.rstrip("\n") for line in sys.stdin)
    for text in lines:
        if not text.strip():
            continue
        found, card = engine.match(text, config.default_language)
        entry_id = card or found.entry_id
        alternatives = [i for i, _ in found.alternatives if i != entry_id]
        if card and found.entry_id and found.entry_id != card:
            alternatives.insert(0, found.entry_id)
        record = {
            "text": text,
            "entry": entry_id,
            "emergency": card is not None,
            "score": round(found.score) if not card else 100,
            "alternatives": alternatives[:3],
        }
        if args.json:
            print(json.dumps(record, ensure_ascii=False))
        else:
            flag = "EMERGENCY " if card else ""
            others = ", ".join(alternatives[:3]) or "-"
            print(f"{flag}{entry_id or '(no match)'}  score {record['score']}  also: {others}")
            print(f"  {text}")
    return 0


def _check(args: argparse.Namespace, config: Config) -> int:
    from bot.checker import check

    problems = check(config)
    for problem in problems:
        print(problem)
    errors = sum(problem.is_error for problem in problems)
    warnings = len(problems) - errors
    print(f"{errors} error(s), {warnings} warning(s) in {config.content_dir}", file=sys.stderr)
    return 1 if errors else 0


def _run(args: argparse.Namespace, config: Config) -> int:
    from handlers.app import run

    code: int = run(config)
    return code


def _set_webhook(args: argparse.Namespace, config: Config) -> int:
    from handlers.app import set_webhook

    code: int = set_webhook(config, delete=args.delete)
    return code


if __name__ == "__main__":
    raise SystemExit(main())
