"""`hrbot check`: everything that can be wrong with the content, as `path:line: message`.

Errors are things that would make the bot wrong or silent (a broken file, a dead link between
answers, a reply Telegram would reject). Warnings are things a reviewer should look at (a
review past due, a long body, a stigmatising word, hard reading, a service not verified for
six months).
"""

from __future__ import annotations

import calendar
import datetime as dt
import math
import re
from pathlib import Path

from jinja2 import Environment, TemplateSyntaxError

from bot.config import Config
from bot.content.emergency_rules import FILE_NAME as RULES_FILE
from bot.content.files import ContentError, read_text
from bot.content.layers import Layers
from bot.content.model import Entry, ReviewStatus
from bot.content.problems import Problem, error, warning
from bot.conversation.protocol import fits
from bot.conversation.reply import Reply
from bot.engine import Engine, LanguageEngine
from bot.library import MESSAGES_FILE, NUMBERS_FILE, TEMPLATES_DIR, Library, load_library
from bot.rendering.markdown import UNSUPPORTED, parse
from bot.rendering.telegram_html import MAX_MESSAGE, problems_in, split, telegram_length
from bot.services.directory import RegionFile, long_overnight
from bot.services.finder import PAGE_SIZE
from bot.tools.check_alerts import alert_problems, people_problems
from bot.tools.readability import grade_level
from bot.understanding.reading import Route
from bot.understanding.routing import NeedRule

BODY_LIMIT = 900
MORE_LIMIT = 1500
MIN_EXAMPLES = 8
MAX_GRADE = 8.0
NUMBERS_STALE_DAYS = 365
SERVICE_STALE_MONTHS = 6


def check(config: Config, today: dt.date | None = None) -> list[Problem]:
    today = today or dt.date.today()
    library = load_library(config.content_dir, config.local_content)
    problems = list(library.problems)
    problems.extend(_template_problems(library))
    if not library.languages:
        return problems
    engine = Engine(library, config, prepare=True)  # the next start reads the phrases kept
    for language in engine.languages.values():
        problems.extend(language.problems)
        entries = library.languages[language.code].entries
        avoid = library.languages[language.code].words_to_avoid
        for entry in entries.values():
            problems.extend(_entry_problems(entry, entries, today))
            problems.extend(_word_problems(entry, avoid))
            problems.extend(_rendered_problems(entry, language))
        problems.extend(_example_problems(language))
        problems.extend(_featured_problems(language, library))
        problems.extend(_card_problems(language, library))
        problems.extend(_calming_phrase_problems(language, library))
        problems.extend(_routing_problems(language, library))
        problems.extend(_finder_reply_problems(language, library))
    problems.extend(_number_problems(library, config, today))
    known = {
        kind for language in engine.languages.values() for kind in language.messages.service_types
    }
    for region in library.regions:
        problems.extend(_service_type_problems(region, known))
        problems.extend(_service_date_problems(region, today))
        problems.extend(_service_hours_problems(region))
        problems.extend(_service_place_problems(region))
    problems.extend(_directory_country_problems(library, config))
    problems.extend(_mapping_problems(library, known))
    noon = dt.datetime.combine(today, dt.time(12), dt.UTC)  # alerts: expired by today's noon
    problems.extend(alert_problems(library, noon))
    problems.extend(people_problems(library.people, config.country))
    return sorted(set(problems), key=lambda p: (str(p.path), p.line, p.message))


def local_report(config: Config) -> list[str]:
    """What the service's own folder replaces and adds, one line each, for `hrbot check`."""
    if config.local_content is None:
        return []
    lines = []
    for local in Layers.of(config.content_dir, config.local_content).local_files():
        if local.replaces is not None:
            lines.append(f"{local.path}: replaces the bundled {local.replaces}")
        else:
            lines.append(f"{local.path}: adds to the bundled content")
    if not lines:
        lines.append(f"{config.local_content}: no files of its own yet; the bundled ones are used")
    return lines


def _template_problems(library: Library) -> list[Problem]:
    problems = []
    env = Environment()
    for path in library.layers.glob(f"{TEMPLATES_DIR}/*.j2"):
        try:
            env.parse(read_text(path))
        except ContentError as exc:
            problems.append(exc.problem)
        except TemplateSyntaxError as exc:
            problems.append(error(path, exc.lineno, f"template: {exc.message}"))
    if not library.templates:
        problems.append(error(library.root / TEMPLATES_DIR, 0, "templates folder not found"))
    return problems


def _entry_problems(entry: Entry, entries: dict[str, Entry], today: dt.date) -> list[Problem]:
    problems = []
    path, meta = entry.path, entry.meta
    for index, related in enumerate(meta.related):
        if related not in entries:
            line = entry.line_of(f"related.{index}")
            problems.append(error(path, line, f"related: no answer has the id '{related}'"))
        elif related == entry.id:
            problems.append(error(path, entry.line_of("related"), "related: links to itself"))
    review = meta.review
    if review.next_review and review.next_review < today:
        line = entry.line_of("review.next_review")
        problems.append(warning(path, line, f"review was due on {review.next_review}"))
    if review.status is not ReviewStatus.DRAFT and review.reviewed_on is None:
        problems.append(warning(path, entry.line_of("review"), "review.reviewed_on is missing"))
    if review.status is ReviewStatus.REVIEWED and not review.reviewed_by:
        problems.append(warning(path, entry.line_of("review"), "reviewed, but by whom?"))
    if len(meta.examples) < MIN_EXAMPLES:
        line = entry.line_of("examples")
        problems.append(
            warning(path, line, f"only {len(meta.examples)} examples; aim for {MIN_EXAMPLES}+")
        )
    if len(entry.body) > BODY_LIMIT:
        problems.append(
            warning(
                path,
                entry.body_line,
                f"body is {len(entry.body)} characters; aim for {BODY_LIMIT} or less "
                "(move details below <!-- more -->)",
            )
        )
    if len(entry.more) > MORE_LIMIT:
        problems.append(warning(path, entry.body_line, f"more part is over {MORE_LIMIT} chars"))
    for text in (entry.body, entry.more):
        for token in parse(text):
            if token.type in UNSUPPORTED:
                line = entry.body_line + (token.map[0] if token.map else 0)
                problems.append(
                    warning(path, line, f"{UNSUPPORTED[token.type]} don't show well in Telegram")
                )
    grade = grade_level(" ".join([meta.summary, entry.body]))
    if grade > MAX_GRADE:
        problems.append(
            warning(
                path,
                entry.body_line,
                f"reads at about grade {grade:.0f}; aim for 6-8 (shorter sentences, "
                "everyday words)",
            )
        )
    return problems


def _word_problems(entry: Entry, avoid: dict[str, str]) -> list[Problem]:
    """Stigmatising words in what the person reads (examples are their words, not ours)."""
    problems = []
    text = entry.path.read_text(encoding="utf-8").splitlines()
    readable_from = entry.line_of("summary")
    for number, line in enumerate(text, start=1):
        if number < readable_from or (number < entry.body_line and _in_front_lists(entry, number)):
            continue
        lowered = line.casefold()
        for word, better in avoid.items():
            if re.search(rf"\b{re.escape(word)}\b", lowered):
                problems.append(
                    warning(entry.path, number, f"'{word}' can stigmatise; try: {better}")
                )
    return problems


def _in_front_lists(entry: Entry, line: int) -> bool:
    """True for front matter lines that aren't read by people (examples, keywords, sources)."""
    starts = sorted(
        (entry.line_of(key), key)
        for key in ("summary", "examples", "keywords", "related", "emergency", "sources", "review")
        if key in entry.key_lines
    )
    current = None
    for start, key in starts:
        if start <= line:
            current = key
    return current not in (None, "summary")


def _rendered_problems(entry: Entry, language: LanguageEngine) -> list[Problem]:
    if entry.id not in language.entries:
        return []  # already reported: it could not be rendered
    problems = []
    reply = language.answer(entry.id)
    more = language.more(entry.id).html if entry.more else ""
    for part, html in (("answer", reply.html), ("more part", more)):
        for problem in problems_in(html) if html else []:
            problems.append(error(entry.path, entry.body_line, f"rendered {part}: {problem}"))
    for button in reply.button_list:
        if not fits(button.data):
            problems.append(error(entry.path, 1, f"button data '{button.data}' is over 64 bytes"))
    return problems


def _featured_problems(language: LanguageEngine, library: Library) -> list[Problem]:
    """`sharing.featured` (what inline mode offers before anything is typed) names answers."""
    path = library.languages[language.code].files.get(MESSAGES_FILE)
    if path is None:
        return []
    line = next((n for n, text in _numbered(path) if text.lstrip().startswith("featured:")), 0)
    return [
        warning(path, line, f"sharing.featured: '{entry_id}' is not an answer that is shown")
        for entry_id in language.messages.sharing.featured
        if entry_id not in language.entries
    ]


def _numbered(path: Path) -> list[tuple[int, str]]:
    try:
        return list(enumerate(path.read_text(encoding="utf-8").splitlines(), start=1))
    except (OSError, UnicodeDecodeError):
        return []


def _example_problems(language: LanguageEngine) -> list[Problem]:
    """Each answer's own examples must find it: if they don't, real messages won't either."""
    problems = []
    for entry in language.entries.values():
        for index, example in enumerate(entry.meta.examples):
            line = entry.line_of(f"examples.{index}")
            reading = language.read(example)
            card = reading.card
            if entry.meta.emergency and card == entry.id:
                continue
            if card == language.rules.crisis_card and not entry.meta.emergency:
                # The overdose card before an answer about overdoses is by design ("hes not
                # breathing, how do i give narcan"); the crisis card before a question about
                # sharps bins is the recogniser reading distress into it.
                message = (
                    f"example '{example}' brings up the crisis card: if it is not a crisis, add "
                    "it to not_crisis in crisis-examples.yaml"
                )
                problems.append(warning(entry.path, line, message))
                continue
            if card is not None and card != entry.id and not entry.meta.emergency:
                continue  # shown with the emergency card first; that's by design
            if reading.route is Route.SERVICES:
                continue  # a place asked for: the finder answers, as people get it
            found = reading.match
            ranked = [found.entry_id] if found.entry_id else []
            ranked += [entry_id for entry_id, _ in found.alternatives]
            if entry.id not in ranked[:3]:
                best = ranked[0] if ranked else "nothing"
                problems.append(
                    error(entry.path, line, f"example '{example}' finds {best}, not this answer")
                )
            elif ranked[0] != entry.id:
                problems.append(
                    warning(
                        entry.path, line, f"example '{example}' finds {ranked[0]} first, then this"
                    )
                )
    return problems


def _card_problems(language: LanguageEngine, library: Library) -> list[Problem]:
    path = library.languages[language.code].files[RULES_FILE]
    problems = []
    for card in (language.rules.overdose_card, language.rules.crisis_card):
        if card not in language.entries:
            problems.append(error(path, 1, f"card '{card}' is not an answer that can be shown"))
    for answer in language.rules.overdose.now_answers:
        if answer not in language.entries:
            message = f"overdose now_answers: '{answer}' is not an answer that can be shown"
            problems.append(warning(path, 1, message))
    overdose = language.entries.get(language.rules.overdose_card)
    if overdose is not None and language.tools.card().photo is None:
        message = (
            "/card can't draw this card as an image (see the log line it writes: letters "
            "the built-in font lacks, or steps it can't lay out); people get it as text"
        )
        problems.append(warning(overdose.path, 1, message))
    return problems


def _calming_phrase_problems(language: LanguageEngine, library: Library) -> list[Problem]:
    """A `story`, `past` or `things` phrase (they stop the overdose card) that reads as one
    drug's name after lexicon.yaml ("k hole" reads "ketamine") would make every message naming
    that drug a story: nobody naming it would get the card."""
    path = library.languages[language.code].files[RULES_FILE]
    analyser = language.reader.analyser
    mapped = analyser.lexicon.canonical_words
    rules = language.rules
    lines = _numbered(path)
    problems = []
    for phrase in [*rules.story, *rules.past, *rules.things]:
        read = analyser.canonical_words(phrase)
        if len(read) != 1 or read[0] not in mapped or read[0] in phrase.lower().split():
            continue
        line = next((n for n, text in lines if text.strip() == f"- {phrase}"), 1)
        message = (
            f"'{phrase}' reads as '{read[0]}' after lexicon.yaml, so every message naming "
            f"{read[0]} would stop the overdose card; say more words ('{phrase} for ages')"
        )
        problems.append(warning(path, line, message))
    return problems


def _number_problems(library: Library, config: Config, today: dt.date) -> list[Problem]:
    path = library.file(NUMBERS_FILE)
    problems = []
    if config.country and library.numbers.get(config.country) is None:
        problems.append(
            error(path, 0, f"the config's country {config.country} has no numbers here")
        )
    for code, country in library.numbers.countries.items():
        if (today - country.checked_on).days > NUMBERS_STALE_DAYS:
            problems.append(
                warning(path, 0, f"{code}: numbers last checked {country.checked_on}; check again")
            )
    return problems


# --- the services directory -------------------------------------------------------------------


def _service_type_problems(region: RegionFile, known: set[str]) -> list[Problem]:
    """A type no language has a button for can never be picked: say which ones there are."""
    problems = []
    for listing in region.listings:
        for index, kind in enumerate(listing.service.types):
            if kind not in known:
                line = region.lines.get(f"services.{listing.index}.types.{index}", listing.line)
                names = ", ".join(sorted(known))
                problems.append(
                    error(region.path, line, f"types: unknown type '{kind}'; known: {names}")
                )
    return problems


def _service_date_problems(region: RegionFile, today: dt.date) -> list[Problem]:
    problems = []
    stale_before = _months_before(today, SERVICE_STALE_MONTHS)
    for listing in region.listings:
        verified = listing.service.verified_on
        if verified < stale_before:
            line = region.lines.get(f"services.{listing.index}.verified_on", listing.line)
            problems.append(
                warning(
                    region.path,
                    line,
                    f"{listing.id}: last verified {verified}, over {SERVICE_STALE_MONTHS} months "
                    "ago; check the details and update verified_on",
                )
            )
        if verified > today:
            line = region.lines.get(f"services.{listing.index}.verified_on", listing.line)
            problems.append(error(region.path, line, f"verified_on {verified} is in the future"))
    return problems


def _service_hours_problems(region: RegionFile) -> list[Problem]:
    """Hours the parser accepts but had to guess at (e.g. "mo-fr" for "Mo-Fr")."""
    problems = []
    for listing in region.listings:
        if listing.hours is None:
            continue
        line = region.lines.get(f"services.{listing.index}.hours", listing.line)
        for note in listing.hours.warnings:
            problems.append(warning(region.path, line, f"hours: {note}"))
        for span in long_overnight(listing.service.hours or ""):
            message = (
                f"hours: {span} is open past midnight until the next morning; if it closes in "
                "the afternoon, write it in 24-hour time (4:00pm is 16:00)"
            )
            problems.append(warning(region.path, line, message))
    return problems


def _mapping_problems(library: Library, known: set[str]) -> list[Problem]:
    """service-types.yaml must read, and name only types the buttons know."""
    from bot.services.taxonomy import FILE_NAME, read_mapping

    path = library.file(FILE_NAME)
    if not path.exists():
        return []
    mapping, problems = read_mapping(path)
    if mapping is None or not known:
        return problems
    named = [
        *mapping.types,
        *mapping.fallback,
        *(k for ks in mapping.fallback.values() for k in ks),
    ]
    for kind in dict.fromkeys(named):
        if kind not in known:
            message = f"'{kind}' is not in service_types (messages.yaml)"
            problems.append(error(path, 0, message))
    return problems


def _service_place_problems(region: RegionFile) -> list[Problem]:
    """A service with an address but no coordinates never shows in "nearest to you"."""
    problems = []
    for listing in region.listings:
        if listing.service.address and not listing.has_point and listing.service.listed:
            line = region.lines.get(f"services.{listing.index}.address", listing.line)
            message = (
                "has an address but no latitude and longitude, so it never shows in 'nearest "
                "to you'; add them, or import with a postcode table (services/postcodes.csv)"
            )
            problems.append(warning(region.path, line, message))
    return problems


def _directory_country_problems(library: Library, config: Config) -> list[Problem]:
    if config.country is None or not library.regions:
        return []
    if any(region.country == config.country for region in library.regions):
        return []
    folder = library.root / "services"
    return [
        warning(
            folder,
            0,
            f"no services file has country {config.country}: /services will say nothing is "
            "listed and offer the numbers by country",
        )
    ]


def _routing_problems(language: LanguageEngine, library: Library) -> list[Problem]:
    """finder.yaml must name service types and answers that exist."""
    routing = library.languages[language.code].routing
    if routing is None:
        return []
    problems = []
    rules: list[tuple[str, str | None, NeedRule]] = [
        (f"types.{name}", rule.kind or name, rule) for name, rule in routing.rules.types.items()
    ]
    if routing.rules.general is not None:
        rules.append(("general", None, routing.rules.general))
    for key, kind, rule in rules:
        line = routing.lines.get(key, 1)
        if kind is not None and kind not in language.messages.service_types:
            problems.append(
                error(routing.path, line, f"'{kind}' is not in service_types (messages.yaml)")
            )
        if rule.answer not in language.entries:
            line = routing.lines.get(f"{key}.answer", line)
            problems.append(
                error(routing.path, line, f"answer: no answer has the id '{rule.answer}'")
            )
    return problems


def _finder_reply_problems(language: LanguageEngine, library: Library) -> list[Problem]:
    """Every finder reply a person can reach (types, areas, every page, the national lines when
    nothing is listed) is valid Telegram HTML; each problem names the list it is in.

    A reply over Telegram's length is sent in parts, so that is a warning, not an error.
    """
    template = library.file(f"{TEMPLATES_DIR}/services.html.j2")
    services = language.services
    directory = services.directory
    files = {region.region: region.path for region in library.regions}
    replies: list[tuple[str, Path, Reply]] = [
        ("the list of service types", template, services.menu())
    ]
    for kind in directory.types:
        label = services.type_label(kind)
        replies.append((label, template, services.kind(kind)))
        for area, name in directory.areas(kind):
            listed = directory.in_area(kind, area)
            path = files.get(listed[0].region, template) if listed else template
            pages = max(1, math.ceil(len(listed) / PAGE_SIZE))
            for page in range(pages):
                where = f"{label} · {name}" + (f", page {page + 1}" if pages > 1 else "")
                replies.append((where, path, services.results(kind, area, page)))
    for kind in language.messages.service_types:
        if kind not in directory.by_type:
            label = f"{services.type_label(kind)} (nothing local: the national lines)"
            replies.append((label, template, services.kind(kind)))
    problems = []
    for where, path, reply in replies:
        for problem in problems_in(reply.html):
            if "Telegram counts" not in problem:
                problems.append(error(template, 0, f"services reply for {where}: {problem}"))
        length = telegram_length(reply.html)
        if length > MAX_MESSAGE:
            parts = len(split(reply.html))
            message = (
                f"services reply for {where} is {length} characters as Telegram counts them "
                f"(limit {MAX_MESSAGE}); it is sent in {parts} messages: shorten its notes"
            )
            problems.append(warning(path, 0, message))
        for button in reply.button_list:
            if not fits(button.data):
                problems.append(error(template, 0, f"button data '{button.data}' is over 64 bytes"))
    return problems


def _months_before(day: dt.date, months: int) -> dt.date:
    """The same day `months` calendar months earlier (the month's last day if it is shorter)."""
    year, month = divmod(day.year * 12 + day.month - 1 - months, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return dt.date(year, month + 1, min(day.day, last))
