"""Loading the whole content: answers, lexicons, words, emergency phrases, numbers, services.

Content comes in layers (bot/content/layers.py): the bundled folder, and a service's own folder
on top of it. A broken file never stops the rest: it is reported (as `path:line: message`) and
left out, and the bot answers from everything else. The few files the emergency card can't do
without (bot/content/safety.py: a language's emergency phrases and messages, the emergency
numbers) are replaced by their bundled copy instead, and listed in `fallbacks`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from pydantic import BaseModel

from bot.content.alerts import FOLDER as ALERTS_FOLDER
from bot.content.alerts import AlertBook, load_alerts
from bot.content.commands import FILE_NAME as COMMANDS_FILE
from bot.content.commands import CommandWords
from bot.content.crisis_examples import FILE_NAME as CRISIS_EXAMPLES_FILE
from bot.content.crisis_examples import CrisisExamples
from bot.content.emergency_rules import FILE_NAME as RULES_FILE
from bot.content.emergency_rules import EmergencyRules, load_rules
from bot.content.entries import read_entry
from bot.content.files import ContentError, read_model, read_text, read_yaml
from bot.content.kit import Phrases, Strict
from bot.content.labelled import FOLDER as LABELLED_FOLDER
from bot.content.layers import BUNDLED_CONTENT, Layers, LocalFile
from bot.content.messages import Messages, load_messages
from bot.content.mixes import FOLDER as MIXES_FOLDER
from bot.content.mixes import MixTable, load_mixes
from bot.content.model import Entry
from bot.content.numbers import NumberBook, load_numbers
from bot.content.people import FILE_NAME as PEOPLE_FILE
from bot.content.people import People, load_people
from bot.content.problems import Problem, error
from bot.content.safety import Fallback, bundled_copy
from bot.content.topic_words import FILE_NAME as TOPIC_FILE
from bot.content.topic_words import TopicFile
from bot.services.directory import SERVICES_DIR, RegionFile, read_region
from bot.services.places import FILE_NAME as CENTROIDS_FILE
from bot.services.places import Centroids, read_centroids
from bot.understanding.lexicon import Lexicon
from bot.understanding.routing import FILE_NAME as ROUTING_FILE
from bot.understanding.routing import RoutingFile, load_routing

NUMBERS_FILE = "emergency-numbers.yaml"
TEMPLATES_DIR = "templates"
MESSAGES_FILE = "messages.yaml"
CONTEXTUAL_KEY = "with_context"  # lexicon.yaml: terms that are drugs only near drug words
CONTEXT_WORDS_KEY = "context_words"


_Model = TypeVar("_Model", bound=BaseModel)
_Loaded = TypeVar("_Loaded")


class _OffTopic(Strict):
    phrases: Phrases
    # asking to buy something for safety, not the drug: "which reagent kit should i buy for ket"
    unless: Phrases = []


class _SmallTalk(Strict):
    words: Phrases


@dataclass
class Language:
    code: str
    folder: Path  # the bundled (base) folder of this language
    entries: dict[str, Entry]
    lexicon: Lexicon
    messages: Messages
    rules: EmergencyRules
    stopwords: list[str]
    off_topic: tuple[str, ...] = ()
    off_topic_unless: tuple[str, ...] = ()
    small_talk: tuple[str, ...] = ()
    topic: TopicFile | None = None  # topic-words.yaml: unsure answers need one of these
    routing: RoutingFile | None = None  # finder.yaml: typed place questions → the finder
    commands: CommandWords | None = None  # commands.yaml: Telegram's command menu, groups
    words_to_avoid: dict[str, str] = field(default_factory=dict)
    mixes: MixTable | None = None  # mixes/: answers for one mix of two substances
    crisis_examples: CrisisExamples | None = None  # teaches the crisis recogniser
    labelled_files: tuple[Path, ...] = ()  # labelled/*.yaml: teach the matcher (read by it)
    files: dict[str, Path] = field(default_factory=dict)  # file name → the layer's file used


@dataclass
class Library:
    layers: Layers
    languages: dict[str, Language]
    numbers: NumberBook
    problems: list[Problem] = field(default_factory=list)
    regions: list[RegionFile] = field(default_factory=list)  # services/*.yaml
    fallbacks: list[Fallback] = field(default_factory=list)  # broken safety files replaced
    centroids: Centroids | None = None  # services/postcodes.csv: postcode → its centre
    alerts: AlertBook = field(default_factory=AlertBook)  # alerts/*.md: drug-supply alerts
    people: People | None = None  # people.yaml: the service's people, for /human

    @property
    def root(self) -> Path:
        return self.layers.base

    @property
    def templates(self) -> list[Path]:
        """The template folders, the service's own first (a template there replaces ours)."""
        return self.layers.dirs(TEMPLATES_DIR)

    def file(self, relative: str) -> Path:
        return self.layers.file(relative)

    @property
    def local_files(self) -> list[LocalFile]:
        return self.layers.local_files()


def load_library(root: Path, local: Path | None = None) -> Library:
    """Read every layer; problems are collected, never raised."""
    layers = Layers.of(root, local)
    if not root.is_dir():
        return Library(layers, {}, NumberBook({}), [error(root, 0, "content folder not found")])
    problems: list[Problem] = []
    fallbacks: list[Fallback] = []
    if local is not None and not local.is_dir():
        problems.append(error(local, 0, "local_content: this folder is missing"))
    numbers = _load_numbers(layers, problems, fallbacks)
    languages: dict[str, Language] = {}
    for code in _language_codes(layers):
        language = _load_language(layers, code, problems, fallbacks)
        if language is not None:
            languages[code] = language
    if not languages:
        problems.append(error(root, 0, "no language folder (like en/ with messages.yaml) found"))
    regions: list[RegionFile] = []
    for path in layers.glob(f"{SERVICES_DIR}/*.yaml"):
        region, region_problems = read_region(path)
        problems.extend(region_problems)
        if region is not None:
            regions.append(region)
    centroids = _load_centroids(layers, problems)
    alerts, alert_problems = load_alerts(alert_files(layers))
    people, people_problems = load_people(layers.file(PEOPLE_FILE))
    problems.extend(alert_problems + people_problems)
    return Library(
        layers, languages, numbers, problems, regions, fallbacks,
        centroids=centroids, alerts=alerts, people=people,
    )  # fmt: skip


def _load_centroids(layers: Layers, problems: list[Problem]) -> Centroids | None:
    """The service's postcode table, when it has one (none is bundled)."""
    path = layers.file(f"{SERVICES_DIR}/{CENTROIDS_FILE}")
    if not path.is_file():
        return None
    centroids, found = read_centroids(path)
    problems.extend(found)
    return centroids


def alert_files(layers: Layers) -> list[Path]:
    """Every layer's alerts/*.md (a README there is for people, not an alert)."""
    return [p for p in layers.glob(f"{ALERTS_FOLDER}/*.md") if p.name.casefold() != "readme.md"]


def _language_codes(layers: Layers) -> list[str]:
    codes = {
        folder.name
        for base in layers.folders
        if base.is_dir()
        for folder in base.iterdir()
        if folder.is_dir() and folder.name not in (TEMPLATES_DIR, SERVICES_DIR, ALERTS_FOLDER)
    }
    return sorted(
        code
        for code in codes
        if layers.file(f"{code}/{MESSAGES_FILE}").exists()
        or bundled_copy(f"{code}/{MESSAGES_FILE}", layers.file(f"{code}/{MESSAGES_FILE}"))
    )  # a language whose messages.yaml went missing is served with the bundled one


def _load_numbers(layers: Layers, problems: list[Problem], fallbacks: list[Fallback]) -> NumberBook:
    """Every layer's numbers, country by country: a local entry for GB replaces ours.

    When a layer's file is missing or unreadable, the bundled file stands in for it; when some
    of its countries are broken, the bundled entries stand in for those countries."""
    countries = {}
    for folder in layers.folders:
        path = folder / NUMBERS_FILE
        if folder != layers.base and not path.exists():
            continue
        book, found = load_numbers(path)
        problems.extend(found)
        errors = [problem for problem in found if problem.is_error]
        if errors:
            book = _bundled_numbers_for(path, book, errors[0].message, fallbacks)
        countries.update(book.countries)
    return NumberBook(countries)


def _bundled_numbers_for(
    path: Path, book: NumberBook, reason: str, fallbacks: list[Fallback]
) -> NumberBook:
    """`book` (from the broken `path`) with the bundled entries of the countries it names
    but couldn't give; every bundled country when the file can't be read at all."""
    copy = bundled_copy(NUMBERS_FILE, path)
    if copy is None:
        return book
    bundled = load_numbers(copy)[0].countries
    try:
        named = read_yaml(path).data
    except ContentError:
        named = None
    wanted = set(named) - set(book.countries) if isinstance(named, dict) else set(bundled)
    filled = {code: bundled[code] for code in sorted(wanted) if code in bundled}
    if not filled:
        return book
    fallbacks.append(Fallback(path, copy, f"has errors ({reason}); for {', '.join(filled)}"))
    return NumberBook({**filled, **book.countries})


def _load_language(
    layers: Layers, code: str, problems: list[Problem], fallbacks: list[Fallback]
) -> Language | None:
    def path(name: str) -> Path:
        return layers.file(f"{code}/{name}")

    messages = _safety_file(f"{code}/{MESSAGES_FILE}", path(MESSAGES_FILE), load_messages,
                            problems, fallbacks)  # fmt: skip
    rules = _safety_file(f"{code}/{RULES_FILE}", path(RULES_FILE), load_rules, problems, fallbacks)
    if messages is None or rules is None:
        return None  # without its words or its emergency phrases a language can't be served
    entries = _load_entries(layers, code, problems)
    rules = _rules_with_cards(code, path(RULES_FILE), rules, entries, problems, fallbacks)
    names = (MESSAGES_FILE, RULES_FILE, "lexicon.yaml", "stopwords.txt", "off-topic.yaml",
             "small-talk.yaml", TOPIC_FILE, ROUTING_FILE, COMMANDS_FILE,
             "words-to-avoid.yaml")  # fmt: skip
    off_topic = _optional(path("off-topic.yaml"), _OffTopic, problems)
    small_talk = _optional(path("small-talk.yaml"), _SmallTalk, problems)
    routing, routing_problems = load_routing(path(ROUTING_FILE))
    problems.extend(routing_problems)
    mixes, mix_problems = load_mixes(layers.glob(f"{code}/{MIXES_FOLDER}/*.yaml"))
    problems.extend(mix_problems)
    return Language(
        code=code,
        folder=layers.base / code,
        entries=entries,
        lexicon=_load_lexicon(path("lexicon.yaml"), problems),
        messages=messages,
        rules=rules,
        stopwords=_load_stopwords(path("stopwords.txt"), problems),
        off_topic=tuple(off_topic.phrases) if off_topic else (),
        off_topic_unless=tuple(off_topic.unless) if off_topic else (),
        small_talk=tuple(small_talk.words) if small_talk else (),
        topic=_optional(path(TOPIC_FILE), TopicFile, problems),
        routing=routing,
        commands=_optional(path(COMMANDS_FILE), CommandWords, problems),
        words_to_avoid=_load_words_to_avoid(path("words-to-avoid.yaml"), problems),
        files={name: path(name) for name in names},
        mixes=mixes,
        crisis_examples=_optional(path(CRISIS_EXAMPLES_FILE), CrisisExamples, problems),
        labelled_files=tuple(layers.glob(f"{code}/{LABELLED_FOLDER}/*.yaml")),
    )


def _safety_file(
    relative: str,
    path: Path,
    load: Callable[[Path], tuple[_Loaded | None, list[Problem]]],
    problems: list[Problem],
    fallbacks: list[Fallback],
) -> _Loaded | None:
    """A file the emergency card needs; its bundled copy when it is missing or broken."""
    loaded, found = load(path)
    problems.extend(found)
    errors = [problem for problem in found if problem.is_error]
    if loaded is not None and not errors:
        return loaded
    copy = bundled_copy(relative, path)
    if copy is None:
        return loaded
    bundled, _ = load(copy)
    if bundled is None:
        return loaded
    why = errors[0].message if errors else "see hrbot check"
    reason = "is missing" if not path.exists() else f"cannot be used ({why})"
    fallbacks.append(Fallback(path, copy, reason))
    return bundled


def _rules_with_cards(
    code: str,
    path: Path,
    rules: EmergencyRules,
    entries: dict[str, Entry],
    problems: list[Problem],
    fallbacks: list[Fallback],
) -> EmergencyRules:
    """`rules`, unless a card they name is neither an answer here nor a bundled answer (a
    typo in `card:`): then the bundled rules, whose cards the bundled answers have."""
    unknown = [
        card
        for card in (rules.overdose_card, rules.crisis_card)
        if card not in entries and not any(BUNDLED_CONTENT.glob(f"{code}/*/{card}.md"))
    ]
    if not unknown:
        return rules
    line = 1
    problems.append(error(path, line, f"card '{unknown[0]}': no answer has this id"))
    copy = bundled_copy(f"{code}/{RULES_FILE}", path)
    bundled = load_rules(copy)[0] if copy else None
    if copy is None or bundled is None:
        return rules
    fallbacks.append(Fallback(path, copy, f"names a card no answer has ('{unknown[0]}')"))
    return bundled


def _load_entries(layers: Layers, code: str, problems: list[Problem]) -> dict[str, Entry]:
    """Answers by id. Within a layer an id is used once; a higher layer's answer replaces a
    lower one's with the same id, wherever its file sits."""
    entries: dict[str, Entry] = {}
    origin: dict[str, Path] = {}
    for path in layers.glob(f"{code}/*/*.md"):
        entry, entry_problems = read_entry(path, code)
        problems.extend(entry_problems)
        if entry is None:
            continue
        layer = _layer_of(layers, path)
        if entry.id in entries and origin[entry.id] == layer:
            first = entries[entry.id].path
            problems.append(
                error(path, entry.line_of("id"), f"id '{entry.id}' is already used by {first}")
            )
            continue
        if entry.id in entries and layers.folders.index(origin[entry.id]) > layers.folders.index(
            layer
        ):
            continue  # the service's own answer with this id stays
        entries[entry.id] = entry
        origin[entry.id] = layer
    return entries


def _layer_of(layers: Layers, path: Path) -> Path:
    return next(folder for folder in reversed(layers.folders) if path.is_relative_to(folder))


def _optional(path: Path, model: type[_Model], problems: list[Problem]) -> _Model | None:
    """As `read_model`, for a file a language may leave out."""
    return read_model(path, model, problems) if path.exists() else None


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
    data = dict(doc.data)
    contextual = _contextual_terms(data.pop(CONTEXTUAL_KEY, None), path, doc.lines, problems)
    context_words = data.pop(CONTEXT_WORDS_KEY, None) or []
    if not isinstance(context_words, list):
        problems.append(error(path, doc.lines.get(CONTEXT_WORDS_KEY, 1), "must be a list"))
        context_words = []
    pairs: dict[str, str] = {}
    for canonical, terms in data.items():
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
    return Lexicon(pairs, contextual, [str(word) for word in context_words])


def _contextual_terms(
    value: object, path: Path, lines: dict[str, int], problems: list[Problem]
) -> dict[str, str]:
    """`with_context:` in lexicon.yaml: canonical word → everyday words that map only near a
    drug or using word."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        problems.append(error(path, lines.get(CONTEXTUAL_KEY, 1), "must map words to lists"))
        return {}
    found: dict[str, str] = {}
    for canonical, terms in value.items():
        if not isinstance(terms, list):
            line = lines.get(f"{CONTEXTUAL_KEY}.{canonical}", 1)
            problems.append(error(path, line, f"{canonical}: must be a list of terms"))
            continue
        for term in terms:
            found[str(term).strip().casefold()] = str(canonical)
    return found


def _load_words_to_avoid(path: Path, problems: list[Problem]) -> dict[str, str]:
    if not path.exists():
        return {}
    try:
        doc = read_yaml(path)
    except ContentError as exc:
        problems.append(exc.problem)
        return {}
    if not isinstance(doc.data, dict):
        problems.append(error(path, 1, "must map each word to what to say instead"))
        return {}
    avoid = {}
    for word, better in doc.data.items():
        if not isinstance(better, str) or not better.strip():
            line = doc.lines.get(str(word), 1)
            problems.append(error(path, line, f"{word}: needs what to say instead"))
            continue
        avoid[str(word).casefold()] = better.strip()
    return avoid


def _load_stopwords(path: Path, problems: list[Problem]) -> list[str]:
    if not path.exists():
        return []
    try:
        text = read_text(path)
    except ContentError as exc:
        problems.append(exc.problem)
        return []
    return [
        line.strip().casefold()
        for line in text.splitlines()
        if line.strip() and not line.lstrip().startswith("#")
    ]
