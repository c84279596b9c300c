"""The `hrbot` command: chat, match, check, init, review, preview, stats, qr, services import.

Each command is a small function over the same engine; argparse is all the machinery needed.
The Telegram commands (`run`, `set-webhook`) are added by handlers/cli.py, so nothing here
imports Telegram. Every command returns an `ExitStatus`.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from collections.abc import Callable, Sequence
from enum import IntEnum
from pathlib import Path
from typing import TYPE_CHECKING

from bot import __version__
from bot.config import Config, ConfigError, load_config
from bot.content.model import ReviewStatus

if TYPE_CHECKING:
    from bot.engine import Engine
    from bot.services import importer as importer_types
    from bot.understanding.reading import Reading

Command = Callable[[argparse.Namespace, Config], int]


class ExitStatus(IntEnum):
    OK = 0
    PROBLEMS = 1  # the command ran and found errors (check) or left records out (import)
    USAGE = 2  # the command could not run: a bad argument, config or content folder


def main(
    argv: Sequence[str] | None = None, extend: Callable[[Subcommands], None] | None = None
) -> int:
    """Run one command. `extend` adds commands (handlers/cli.py adds the Telegram ones)."""
    parser, sub = parser_and_subcommands()
    if extend is not None:
        extend(sub)
    args = parser.parse_args(argv)
    if not hasattr(args, "command"):
        parser.print_help()
        return ExitStatus.USAGE
    try:
        config = _config(args)
    except ConfigError as exc:
        print(f"hrbot: {exc}", file=sys.stderr)
        return ExitStatus.USAGE
    result: int = args.command(args, config)
    return result


class Subcommands:
    """Adds a command with the options every command takes."""

    def __init__(self, sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
        self._sub = sub

    def add(self, name: str, help_text: str, command: Command) -> argparse.ArgumentParser:
        parser = self._sub.add_parser(name, help=help_text, description=help_text)
        parser.add_argument("--config", type=Path, help="a config file (default: none)")
        parser.set_defaults(command=command)
        return parser


def parser_and_subcommands() -> tuple[argparse.ArgumentParser, Subcommands]:
    parser = argparse.ArgumentParser(
        prog="hrbot", description="An anonymous harm reduction bot whose answers are files."
    )
    parser.add_argument("--version", action="version", version=f"hrbot {__version__}")
    sub = Subcommands(parser.add_subparsers(metavar="COMMAND"))

    chat = sub.add("chat", "talk to the bot in the terminal (no token, no network)", _chat)
    _content_options(chat)

    match = sub.add(
        "match", "show what the bot makes of messages (one per line from stdin)", _match
    )
    _content_options(match)
    match.add_argument("--json", action="store_true", help="one JSON object per line")
    match.add_argument("text", nargs="*", help="the message; none: read lines from stdin")

    check = sub.add("check", "check every content file; exits non-zero on errors", _check)
    check.add_argument("--content", type=Path, help="the content folder to check")

    init = sub.add(
        "init", "make a folder for your service's own answers, services and config", _init
    )
    init.add_argument("folder", type=Path, help="the folder to make, e.g. /srv/hrbot")
    init.add_argument("--country", help="2-letter country code, e.g. GB")
    init.add_argument("--operator", help="your service's name, shown in the about answer")

    review = sub.add("review", "list answers by review status and due date", _review)
    review.add_argument("--content", type=Path, help="the content folder (default: bundled)")
    review.add_argument("--lang", help="the language (default: from the config)")
    review_sub = Subcommands(review.add_subparsers(metavar="ACTION"))
    signing = review_sub.add(
        "sign", "record a sign-off in answers' files, changing nothing else", _review_sign
    )
    signing.description = (
        "Record reviewed_by, reviewed_on (today) and next_review (in six months) in each "
        "answer's front matter; comments, order and the body stay byte for byte. An answer "
        "from the bundled content is copied into your own folder (local_content) first."
    )
    signing.add_argument("ids", nargs="+", metavar="ID", help="the answers' ids")
    signing.add_argument("--by", required=True, help='who signs, e.g. "Sam Lee (nurse)"')
    signing.add_argument(
        "--status",
        choices=[str(status) for status in ReviewStatus],
        help="also set the status, e.g. reviewed (default: keep it)",
    )
    signing.add_argument("--next", type=_date, help="next_review (default: in six months)")
    signing.add_argument("--on", type=_date, help="reviewed_on (default: today)")
    signing.add_argument("--dry-run", action="store_true", help="show the change, write nothing")
    signing.add_argument("--content", type=Path, help="the content folder (default: bundled)")
    signing.add_argument("--lang", help="the language (default: from the config)")

    preview = sub.add(
        "preview", "make a website of everything the bot says, to open from disk", _preview
    )
    preview.description = (
        "Write a static site into DIR: every answer as a chat bubble with its buttons, "
        "sources and review dates, the emergency and crisis cards of every country, services, "
        "mixes, the labelled test messages that reach or miss each answer, what is due for "
        "review, and every hrbot check problem. Open DIR/index.html in a browser; no server "
        "or internet is needed."
    )
    _content_options(preview)
    preview.add_argument("--out", type=Path, required=True, help="the folder to write")
    preview.add_argument(
        "--messages",
        type=Path,
        action="append",
        help="a labelled set of messages (tests/eval format); default: the repository's "
        "en.yaml and en-unseen.yaml when there",
    )

    stats = sub.add("stats", "what a running bot's counts say (its /metrics page)", _stats)
    stats.description = (
        "Read a running bot's /metrics page (webhook mode: its port; polling mode: "
        "monitoring.port) and print how many messages got no match or a did-you-mean, "
        "which answers were offered most, and the emergency cards shown. No message is kept "
        "by the bot, only these counts."
    )
    stats.add_argument("url", help="the bot's address, e.g. http://127.0.0.1:9100/metrics")
    stats.add_argument("--save", type=Path, help="also keep this reading in FILE")
    stats.add_argument("--since", type=Path, help="only what happened after a saved reading")

    qr = sub.add("qr", "make a QR code for a flyer that opens the bot at an answer", _qr)
    qr.description = (
        "Write a QR code of the Telegram link that opens the bot at TARGET: an answer id "
        "(e.g. naloxone-how), services (the services finder), card (the overdose card image) "
        "or start. Phones' cameras open it in Telegram. Print it at 2 cm across or more."
    )
    qr.add_argument("target", help="an answer id, or services, card or start")
    qr.add_argument("--out", type=Path, help="the file to write (default: qr-TARGET.png)")
    qr.add_argument("--format", choices=["png", "svg"], help="default: from --out, else png")
    qr.add_argument("--bot", help="the bot's username (default: telegram.bot_username)")
    _content_options(qr)

    services = sub.add("services", "the local services directory (services/)", _usage)
    services_sub = Subcommands(services.add_subparsers(metavar="ACTION"))
    importer = services_sub.add(
        "import",
        "turn a CSV spreadsheet or Open Referral HSDS JSON into a region file",
        _services_import,
    )
    importer.description = (
        "Read FILE.csv (the header in docs/content-guide.md) or FILE.json (HSDS), write the "
        "services that pass every check to services/REGION.yaml in your own content folder, "
        "and report each record left out with its line. Exits 1 when any record was left out."
    )
    importer.add_argument(
        "file", type=Path, help="FILE.csv, FILE.json (HSDS 3) or datapackage.json (HSDS tabular)"
    )
    importer.add_argument("--region", required=True, help="the region name, e.g. london-east")
    importer.add_argument(
        "--out", type=Path, help="the folder to write to (default: local_content/services)"
    )
    importer.add_argument("--country", help="2-letter country code (default: the config's)")
    importer.add_argument("--timezone", help="IANA time zone of the hours, e.g. Europe/London")
    importer.add_argument(
        "--type",
        action="append",
        default=[],
        help="a type for records the mapping gives none (the same for all of them)",
    )
    importer.add_argument(
        "--verified-on",
        type=_date,
        help="HSDS: the date you checked services that have no assured_date (YYYY-MM-DD)",
    )
    importer.add_argument(
        "--mapping",
        type=Path,
        help="the taxonomy → type mapping (default: your folder's service-types.yaml, "
        "else the bundled one)",
    )
    importer.add_argument(
        "--postcodes",
        type=Path,
        help="postcode,latitude,longitude CSV to place services without coordinates "
        "(default: your folder's services/postcodes.csv)",
    )
    importer.add_argument("--replace", action="store_true", help="overwrite an existing file")
    services.set_defaults(command=_usage_of(services))
    return parser, sub


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


def _usage(args: argparse.Namespace, config: Config) -> int:
    return ExitStatus.USAGE


def _usage_of(parser: argparse.ArgumentParser) -> Command:
    def show(args: argparse.Namespace, config: Config) -> int:
        parser.print_help()
        return ExitStatus.USAGE

    return show


def _chat(args: argparse.Namespace, config: Config) -> int:
    from bot.tools.chat import run_chat

    engine = _engine(config)
    if engine is None:
        return ExitStatus.USAGE
    return run_chat(engine, sys.stdin, sys.stdout, language=config.default_language)


def _match(args: argparse.Namespace, config: Config) -> int:
    engine = _engine(config)
    if engine is None:
        return ExitStatus.USAGE
    lines = (args.text and [" ".join(args.text)]) or (line.rstrip("\n") for line in sys.stdin)
    for text in lines:
        if not text.strip():
            continue
        record = match_record(text, engine.read(text, config.default_language))
        if args.json:
            print(json.dumps(record, ensure_ascii=False))
        else:
            flag = "EMERGENCY " if record["emergency"] else ""
            others = ", ".join(record["alternatives"]) or "-"  # type: ignore[arg-type]
            entry = record["entry"] or "(no answer)"
            print(f"{flag}{record['route']}: {entry}  score {record['score']}  also: {others}")
            print(f"  {text}")
    return ExitStatus.OK


def match_record(text: str, reading: Reading) -> dict[str, object]:
    """`hrbot match --json`'s object: what the person is shown first, and why."""
    found = reading.match
    entry_id = reading.shown
    ranked = [found.entry_id, *(i for i, _ in found.alternatives)]
    alternatives = [i for i in ranked if i is not None and i != entry_id]
    return {
        "text": text,
        "entry": entry_id,
        "emergency": reading.emergency,
        "score": 100 if reading.emergency else round(found.score),
        "alternatives": alternatives[:3],
        "route": str(reading.route),
        "card": reading.card,
    }


def _engine(config: Config) -> Engine | None:
    """The engine; None (after one line on stderr) when no language in the content can be used."""
    from bot.engine import build_engine

    try:
        return build_engine(config, report=sys.stderr, prepare=True)
    except ValueError as exc:
        print(f"hrbot: {exc}", file=sys.stderr)
        return None


def _check(args: argparse.Namespace, config: Config) -> int:
    from bot.library import load_library
    from bot.tools.checker import check, local_report
    from bot.tools.review import serving

    for line in local_report(config):
        print(line)
    problems = check(config)
    for problem in problems:
        print(problem)
    for line in serving(load_library(config.content_dir, config.local_content), config):
        print(line, file=sys.stderr)
    errors = sum(problem.is_error for problem in problems)
    warnings = len(problems) - errors
    where = config.content_dir if config.local_content is None else config.local_content
    print(f"{errors} error(s), {warnings} warning(s) in {where}", file=sys.stderr)
    return ExitStatus.PROBLEMS if errors else ExitStatus.OK


def _review(args: argparse.Namespace, config: Config) -> int:
    from bot.library import load_library
    from bot.tools.review import listing

    library = load_library(config.content_dir, config.local_content)
    language = library.languages.get(config.default_language)
    if language is None:
        print(f"hrbot: no language '{config.default_language}' in the content", file=sys.stderr)
        return ExitStatus.USAGE
    for line in listing(language.entries, dt.date.today()):
        print(line)
    return ExitStatus.OK


def _review_sign(args: argparse.Namespace, config: Config) -> int:
    from bot.library import load_library
    from bot.tools.review import ReviewError, sign

    library = load_library(config.content_dir, config.local_content)
    status = ReviewStatus(args.status) if args.status else None
    today = args.on or dt.date.today()
    failed = 0
    for entry_id in dict.fromkeys(args.ids):
        try:
            signed = sign(
                library,
                config.default_language,
                entry_id,
                args.by,
                today,
                status=status,
                next_review=args.next,
                write=not args.dry_run,
            )
        except (ReviewError, OSError) as exc:
            print(f"hrbot: {exc}", file=sys.stderr)
            failed += 1
            continue
        if args.dry_run:
            print(signed.diff, end="")
            continue
        if signed.copied_from is not None:
            print(f"copied {signed.copied_from} to your folder")
        print(f"signed {entry_id}: {signed.path}")
    if not args.dry_run and failed < len(args.ids):
        print("next: hrbot check", file=sys.stderr)
    return ExitStatus.PROBLEMS if failed else ExitStatus.OK


def _preview(args: argparse.Namespace, config: Config) -> int:
    from bot.tools.preview import PreviewError, build

    try:
        index = build(config, args.out, sets=args.messages)
    except (PreviewError, OSError, ValueError) as exc:
        print(f"hrbot: {exc}", file=sys.stderr)
        return ExitStatus.USAGE
    print(f"made {index}; open it in a browser (no server or internet needed)")
    return ExitStatus.OK


def _stats(args: argparse.Namespace, config: Config) -> int:
    import time

    from bot.tools.stats import StatsError, fetch, load_saved, parse, summary

    try:
        reading = parse(fetch(args.url), time.time())
        shown = reading.minus(load_saved(args.since)) if args.since else reading
        if args.save:
            args.save.write_text(reading.to_json(), encoding="utf-8")
    except (StatsError, OSError) as exc:
        print(f"hrbot: {exc}", file=sys.stderr)
        return ExitStatus.USAGE
    for line in summary(shown, since_saved=shown is not reading):
        print(line)
    return ExitStatus.OK


def _qr(args: argparse.Namespace, config: Config) -> int:
    from bot.tools import qr

    try:
        bot = qr.username(config.telegram.bot_username, args.bot)
        path, fmt = qr.out_and_format(args.target, args.out, args.format)
        answers: list[str] = []
        if args.target not in qr.SPECIAL:
            engine = _engine(config)
            if engine is None:
                return ExitStatus.USAGE
            answers = list(engine.language(config.default_language).entries)
        made = qr.make(qr.link(args.target, bot, answers), path, fmt)
    except qr.QrError as exc:
        print(f"hrbot: {exc}", file=sys.stderr)
        return ExitStatus.USAGE
    print(f"wrote {made.path}: {made.url} ({made.modules}×{made.modules} modules)")
    return ExitStatus.OK


def _init(args: argparse.Namespace, config: Config) -> int:
    from bot.tools.init import InitError, make_folder

    try:
        made = make_folder(args.folder, country=args.country, operator=args.operator)
    except InitError as exc:
        print(f"hrbot: {exc}", file=sys.stderr)
        return ExitStatus.USAGE
    print(f"made {made}; next: hrbot check --config {made / 'config.yaml'}")
    return ExitStatus.OK


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a date like 2026-11-27") from None


def _services_import(args: argparse.Namespace, config: Config) -> int:
    from bot.services import importer

    folder = args.out or (config.local_content / "services" if config.local_content else None)
    if folder is None:
        print(
            "hrbot: say where to write: --out FOLDER, or local_content in your config "
            "(make one with `hrbot init`)",
            file=sys.stderr,
        )
        return ExitStatus.USAGE
    try:
        target = importer.check_target(
            args.region, args.country or config.country, args.timezone, folder
        )
        if target.path.exists() and not args.replace:
            raise importer.ImportError_(
                f"{target.path} exists; add --replace to overwrite it with this import"
            )
        found = _import_records(args, config, target)
    except importer.ImportError_ as exc:
        print(f"hrbot: {exc}", file=sys.stderr)
        return ExitStatus.USAGE
    for problem in found.problems:
        print(problem)
    for line in found.summary():
        print(line, file=sys.stderr)
    if not found.services:
        print(f"nothing imported: no record in {args.file} passed the checks", file=sys.stderr)
        return ExitStatus.PROBLEMS
    path = importer.write_region(target, found.services, args.file)
    for problem in importer.verify_written(path):
        print(problem)
    print(f"wrote {len(found.services)} service(s) to {path}", file=sys.stderr)
    return ExitStatus.PROBLEMS if found.left_out else ExitStatus.OK


def _import_records(
    args: argparse.Namespace, config: Config, target: importer_types.Target
) -> importer_types.Imported:
    """Read the input with the mapping, postcodes and country formats the deployment uses."""
    from bot.services import importer
    from bot.services.datapackage import is_datapackage, read_datapackage
    from bot.services.hsds import read_hsds
    from bot.services.places import FILE_NAME, read_centroids
    from bot.services.taxonomy import FILE_NAME as MAPPING
    from bot.services.taxonomy import read_mapping

    known = importer.known_types(config.content_dir, config.default_language)
    local = config.local_content
    mapping_path = args.mapping or config.content_dir / MAPPING
    if args.mapping is None and local is not None and (local / MAPPING).exists():
        mapping_path = local / MAPPING  # the service's own copy replaces the bundled one
    mapping, problems = read_mapping(mapping_path)
    if mapping is None:
        raise importer.ImportError_(
            "; ".join(str(p) for p in problems) or f"{mapping_path}: unreadable"
        )
    postcodes = args.postcodes or (local / "services" / FILE_NAME if local else None)
    centroids = None
    if postcodes is not None and (args.postcodes or postcodes.exists()):
        centroids, problems = read_centroids(postcodes)
        if centroids is None:
            raise importer.ImportError_("; ".join(str(p) for p in problems))
    options = importer.Options(
        country=target.country,
        mapper=importer.mapper_for(known, mapping),
        default_types=tuple(args.type),
        verified_on=args.verified_on,
        centroids=centroids,
        progress=_progress_bar() if sys.stderr.isatty() else None,
    )
    if is_datapackage(args.file):
        return read_datapackage(args.file, known, options)
    if args.file.suffix.casefold() == ".json":
        return read_hsds(args.file, known, options=options)
    return importer.read_csv(args.file, known, options)


def _progress_bar() -> Callable[[int, int], None]:
    """A one-line bar on the terminal for big inputs; nothing for small ones."""
    shown = [-1]

    def show(done: int, total: int) -> None:
        if total < 1_000_000 and shown[0] < 0 and done < total:
            return
        percent = 100 * done // max(total, 1)
        if percent == shown[0]:
            return
        shown[0] = percent
        filled = percent * 30 // 100
        end = "\n" if done >= total else ""
        print(
            f"\rreading [{'#' * filled}{'.' * (30 - filled)}] {percent:3d}%",
            end=end,
            file=sys.stderr,
            flush=True,
        )

    return show


if __name__ == "__main__":
    raise SystemExit(main())
