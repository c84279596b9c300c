"""Loading the whole content folder: answers, lexicons, words, emergency phrases, numbers and
the services directory.

A broken file never stops the rest: it is reported (as `path:line: message`) and left out, and
the bot answers from everything else.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from pydantic import ValidationError

from bot.emergency import EmergencyRules
from bot.entries import read_entry
from bot.lexicon import Lexicon
from bot.messages import Messages
from bot.model import Entry
from bot.numbers import NumberBook, load_numbers
from bot.problems import Problem, error
from bot.routing import FILE_NAME as ROUTING_FILE
from bot.routing import RoutingFile, load_routing
from bot.services import SERVICES_DIR, RegionFile, load_regions
from bot.yamlfile import ContentError, read_yaml, validation_problems

NUMBERS_FILE = "emergency-numbers.yaml"
TEMPLATES_DIR = "templates"


@dataclass
class Language:
    code: str
    folder: Path
    entries: dict[str, Entry]
    lexicon: Lexicon
    messages: Messages
    rules: EmergencyRules
    stopwords: list[str]
    off_topic: tuple[str, ...] = ()
    small_talk: tuple[str, ...] = ()
    routing: RoutingFile | None = None  # finder.yaml: typed place questions → the finder


@dataclass
class Library:
    root: Path
    languages: dict[str, Language]
    numbers: NumberBook
    problems: list[Problem] = field(default_factory=list)
    regions: list[RegionFile] = field(default_factory=list)  # content/services/*.yaml

    @property
    def templates(self) -> Path:
        return self.root / TEMPLATES_DIR


def load_library(root: Path) -> Library:
    """Read everything under `root`; problems are collected, never raised."""
    problems: list[Problem] = []
    if not root.is_dir():
        return Library(root, {}, NumberBook({}), [error(root, 0, "content folder not found")])
    numbers, number_problems = load_numbers(root / NUMBERS_FILE)
    problems.extend(number_problems)
    languages: dict[str, Language] = {}
    for folder in sorted(root.iterdir()):
        if folder.is_dir() and (folder / "messages.yaml").exists():
            language = _load_language(folder, problems)
            if language is not None:
                languages[language.code] = language
    if not languages:
        problems.append(error(root, 0, "no language folder (like en/ with messages.yaml) found"))
    regions, region_problems = load_regions(root / SERVICES_DIR)
    problems.extend(region_problems)
    return Library(root, languages, numbers, problems, regions)


def _load_language(folder: Path, problems: list[Problem]) -> Language | None:
    messages = _load_messages(folder / "messages.yaml", problems)
    rules = _load_rules(folder / "emergency.yaml", problems)
    if messages is None or rules is None:
        return None  # without its words or its emergency phrases a language can't be served
    return Language(
        code=folder.name,
        folder=folder,
        entries=_load_entries(folder, problems),
        lexicon=_load_lexicon(folder / "lexicon.yaml", problems),
        messages=messages,
        rules=rules,
        stopwords=_load_stopwords(folder / "stopwords.txt", problems),
        off_topic=_load_phrases(folder / "off-topic.yaml", problems),
        small_talk=_load_phrases(folder / "small-talk.yaml", problems, key="words"),
        routing=_load_routing(folder / ROUTING_FILE, problems),
    )


def _load_routing(path: Path, problems: list[Problem]) -> RoutingFile | None:
    routing, found = load_routing(path)
    problems.extend(found)
    return routing


def _load_entries(folder: Path, problems: list[Problem]) -> dict[str, Entry]:
    entries: dict[str, Entry] = {}
    for path in sorted(folder.glob("*/*.md")):
        entry, entry_problems = read_entry(path, folder.name)
        problems.extend(entry_problems)
        if entry is None:
            continue
        if entry.id in entries:
            first = entries[entry.id].path
            problems.append(
                error(path, entry.line_of("id"), f"id '{entry.id}' is already used by {first}")
            )
            continue
        entries[entry.id] = entry
    return entries


def _load_messages(path: Path, problems: list[Problem]) -> Messages | None:
    try:
        doc = read_yaml(path)
        return Messages.model_validate(doc.data)
    except ContentError as exc:
        problems.append(exc.problem)
    except ValidationError as exc:
        problems.extend(validation_problems(path, exc, doc.lines))
    return None


def _load_rules(path: Path, problems: list[Problem]) -> EmergencyRules | None:
    if not path.exists():
        problems.append(error(path, 0, "is missing: emergencies could not be recognised"))
        return None
    try:
        doc = read_yaml(path)
    except ContentError as exc:
        problems.append(exc.problem)
        return None
    data = doc.data if isinstance(doc.data, dict) else {}
    found: dict[str, tuple[str, ...]] = {}
    cards: dict[str, str] = {}
    for kind in ("overdose", "crisis"):
        section = data.get(kind)
        if not isinstance(section, dict) or not isinstance(section.get("card"), str):
            problems.append(
                error(path, doc.lines.get(kind, 1), f"{kind}: needs `card` and `phrases`")
            )
            return None
        cards[kind] = section["card"]
        found[kind] = _strings(section.get("phrases"), path, doc.lines, f"{kind}.phrases", problems)
    for kind in ("asking", "now", "overdose_if_now"):
        found[kind] = _strings(data.get(kind, []), path, doc.lines, kind, problems)
    return EmergencyRules(
        overdose_card=cards["overdose"],
        overdose=found["overdose"],
        crisis_card=cards["crisis"],
        crisis=found["crisis"],
        asking=found["asking"],
        now=found["now"],
        overdose_if_now=found["overdose_if_now"],
    )


def _load_phrases(path: Path, problems: list[Problem], key: str = "phrases") -> tuple[str, ...]:
    """An optional file holding one list under `key`; missing means empty."""
    if not path.exists():
        return ()
    try:
        doc = read_yaml(path)
    except ContentError as exc:
        problems.append(exc.problem)
        return ()
    data = doc.data if isinstance(doc.data, dict) else {}
    return _strings(data.get(key), path, doc.lines, key, problems)


def _strings(
    value: object, path: Path, lines: dict[str, int], key: str, problems: list[Problem]
) -> tuple[str, ...]:
    if not isinstance(value, list):
        problems.append(error(path, lines.get(key, 1), f"{key}: must be a list of phrases"))
        return ()
    return tuple(str(item) for item in value if item is not None and str(item).strip())


def _load_lexicon(path: Path, problems: list[Problem]) -> Lexicon:
    if not path.exists():
        return Lexicon({})
    try:
        doc = read_yaml(path)
    except ContentError as exc:
        problems.append(exc.problem)
        return Lexicon({})
    if not isinstance(doc.data, dict):
        problems.append(error(path, 1, "must map canonical words to lists of terms"))
        return Lexicon({})
    pairs: dict[str, str] = {}
    for canonical, terms in doc.data.items():
        line = doc.lines.get(str(canonical), 1)
        if not isinstance(terms, list):
            problems.append(error(path, line, f"{canonical}: must be a list of terms"))
            continue
        for index, term in enumerate(terms):
            text = str(term).strip().casefold()
            if text in pairs and pairs[text] != str(canonical):
                where = doc.lines.get(f"{canonical}.{index}", line)
                problems.append(
                    error(path, where, f"'{text}' maps to both '{pairs[text]}' and '{canonical}'")
                )
                continue
            pairs[text] = str(canonical)
    return Lexicon(pairs)


def _load_stopwords(path: Path, problems: list[Problem]) -> list[str]:
    if not path.exists():
        return []
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        problems.append(error(path, 0, f"cannot be read ({exc})"))
        return []
    return [
        line.strip().casefold()
        for line in text.splitlines()
        if line.strip() and not line.lstrip().startswith("#")
    ]
