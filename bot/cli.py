"""The `hrbot` command: chat, match, check, services import, run, set-webhook.

Each command is a small function over the same engine; argparse is all the machinery needed.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from bot.config import Config, ConfigError, load_config

if TYPE_CHECKING:
    from bot.engine import Engine


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

    services = add("services", "the local services directory (content/services/)")
    services_sub = services.add_subparsers(metavar="ACTION")
    importer = services_sub.add_parser(
        "import",
        help="turn a CSV spreadsheet or Open Referral HSDS JSON into a region file",
        description="Read FILE.csv (the header in docs/content-guide.md) or FILE.json (HSDS), "
        "write the services that pass every check to content/services/REGION.yaml, and report "
        "each record left out with its line. Exits 1 when any record was left out.",
    )
    importer.add_argument("--config", type=Path, help="a config file (default: none)")
    importer.add_argument("file", type=Path, help="FILE.csv or FILE.json")
    importer.add_argument("--region", required=True, help="the region name, e.g. london-east")
    importer.add_argument("--out", type=Path, help="the folder to write to (default: services/)")
    importer.add_argument("--country", help="2-letter country code (default: the config's)")
    importer.add_argument("--timezone", help="IANA time zone of the hours, e.g. Europe/London")
    importer.add_argument(
        "--type", action="append", default=[], help="HSDS: a type for services without one"
    )
    importer.add_argument(
        "--verified-on",
        type=_date,
        help="HSDS: the date you checked services that have no assured_date (YYYY-MM-DD)",
    )
    importer.add_argument("--replace", action="store_true", help="overwrite an existing file")
    importer.set_defaults(command=_services_import)
    services.set_defaults(command=_services_help(services))

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

    engine = _engine(config)
    if engine is None:
        return 2
    return run_chat(engine, sys.stdin, sys.stdout, language=config.default_language)


def _match(args: argparse.Namespace, config: Config) -> int:
    engine = _engine(config)
    if engine is None:
        return 2
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


def _engine(config: Config) -> Engine | None:
    """The engine; None (after one line on stderr) when no language in the content can be used."""
    from bot.setup import build_engine

    try:
        return build_engine(config, report=sys.stderr)
    except ValueError as exc:
        print(f"hrbot: {exc}", file=sys.stderr)
        return None


def _check(args: argparse.Namespace, config: Config) -> int:
    from bot.checker import check

    problems = check(config)
    for problem in problems:
        print(problem)
    errors = sum(problem.is_error for problem in problems)
    warnings = len(problems) - errors
    print(f"{errors} error(s), {warnings} warning(s) in {config.content_dir}", file=sys.stderr)
    return 1 if errors else 0


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a date like 2026-11-27") from None


def _services_help(parser: argparse.ArgumentParser) -> Callable[[argparse.Namespace, Config], int]:
    def show(args: argparse.Namespace, config: Config) -> int:
        parser.print_help()
        return 2

    return show


def _services_import(args: argparse.Namespace, config: Config) -> int:
    from bot import importer

    folder = args.out or config.content_dir / "services"
    try:
        target = importer.check_target(
            args.region, args.country or config.country, args.timezone, folder
        )
        if target.path.exists() and not args.replace:
            raise importer.ImportError_(
                f"{target.path} exists; add --replace to overwrite it with this import"
            )
        known = importer.known_types(config.content_dir, config.default_language)
        if args.file.suffix.casefold() == ".json":
            found = importer.read_hsds(args.file, known, args.type, args.verified_on)
        else:
            found = importer.read_csv(args.file, known)
    except importer.ImportError_ as exc:
        print(f"hrbot: {exc}", file=sys.stderr)
        return 2
    for problem in found.problems:
        print(problem)
    if not found.services:
        print(f"nothing imported: no record in {args.file} passed the checks", file=sys.stderr)
        return 1
    path = importer.write_region(target, found.services, args.file)
    for problem in importer.verify_written(path):
        print(problem)
    print(
        f"imported {len(found.services)} service(s) to {path}; {found.left_out} record(s) left out",
        file=sys.stderr,
    )
    return 1 if found.left_out else 0


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
