"""The conversation core: an `Event` in, a `Reply` out, and nothing kept in between.

Everything a reply needs travels in the event (the text, or a button's self-contained data,
and the app language), so any process can answer any message and nothing about the person is
held after the call returns.

Button data is short and prefixed:
  a:<id>    show an answer           m:<id>   show an answer's "more" part
  t         the topic menu           t:<area> the answers of one area
  e         the overdose card        n        emergency numbers in other countries
  s…        the services finder (see bot/service_replies.py)
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from jinja2 import TemplateError

from bot.config import Config
from bot.emergency import EmergencyDetector
from bot.finder import Directory, Point, directory_for, national_for
from bot.library import Language, Library
from bot.matcher import Analyser, Match, Matcher, MatchSettings
from bot.model import AREAS, Entry
from bot.normalise import plain, words
from bot.numbers import NumberBook
from bot.phrases import PhraseSet
from bot.problems import Problem, error
from bot.render import Renderer, fill_placeholders
from bot.reply import Button, Event, EventKind, Reply
from bot.routing import Router
from bot.service_replies import ServiceReplies, utc_now

MAX_CALLBACK_BYTES = 64
COMMANDS = ("start", "help", "menu", "emergency", "services", "privacy", "about")


@dataclass(frozen=True)
class _Rendered:
    answer: str
    more: str


class LanguageEngine:
    """Everything one language needs, built once at start-up."""

    def __init__(
        self,
        language: Language,
        library: Library,
        config: Config,
        directory: Directory | None = None,
        clock: Callable[[], dt.datetime] = utc_now,
    ) -> None:
        self.code = language.code
        self.messages = language.messages
        self.rules = language.rules
        self.entries: dict[str, Entry] = {
            entry_id: entry
            for entry_id, entry in language.entries.items()
            if entry.meta.review.status.rank >= config.min_review_status.rank
        }
        analyser = Analyser(language.code, language.lexicon, language.stopwords)
        settings = MatchSettings(
            answer=config.matching.answer_threshold, suggest=config.matching.suggest_threshold
        )
        self.matcher = Matcher(list(self.entries.values()), analyser, settings)
        analyser.learn(language.rules.all_phrases + language.off_topic)
        self.detector = EmergencyDetector(language.rules, analyser)
        self.off_topic = PhraseSet(language.off_topic, analyser.canonical_words)
        self.small_talk = frozenset(plain(w) for term in language.small_talk for w in words(term))
        self.numbers = library.numbers
        self.renderer = Renderer(
            library.templates, language.messages, _variables(language, library.numbers, config)
        )
        self.problems: list[Problem] = []
        self._rendered = self._render_all()
        self._services_setup(language, library, config, directory, clock)

    def _render_all(self) -> dict[str, _Rendered]:
        """Render every answer once, at start-up; one that can't be rendered is left out.

        Rendering here, not per message, keeps the per-message path to a dictionary look-up
        and means a broken placeholder is found before anyone asks that question.
        """
        rendered: dict[str, _Rendered] = {}
        for entry_id, entry in list(self.entries.items()):
            try:
                more = self.renderer.more(entry) if entry.more else ""
                rendered[entry_id] = _Rendered(self.renderer.answer(entry), more)
            except TemplateError as exc:
                line = self._placeholder_line(entry)
                self.problems.append(error(entry.path, line, f"cannot be shown: {exc}"))
                del self.entries[entry_id]
        return rendered

    def _placeholder_line(self, entry: Entry) -> int:
        """The file line whose placeholder can't be filled: the summary's, or the first line of
        the body or more part that fails on its own; the body's first line if none does."""
        try:
            fill_placeholders(entry.meta.summary, self.renderer.variables)
        except TemplateError:
            return entry.line_of("summary")
        try:
            lines = entry.path.read_text(encoding="utf-8").splitlines()
        except (OSError, UnicodeDecodeError):
            return entry.body_line
        for number in range(entry.body_line, len(lines) + 1):
            try:
                fill_placeholders(lines[number - 1], self.renderer.variables)
            except TemplateError:
                return number
        return entry.body_line

    # --- events --------------------------------------------------------------------------

    def handle(self, event: Event) -> Reply:
        if event.kind is EventKind.TEXT:
            return self.text(event.text)
        if event.kind is EventKind.BUTTON:
            return self.button(event.text)
        if event.kind is EventKind.COMMAND:
            return self.command(event.text, event.argument)
        if event.kind is EventKind.LOCATION:
            return self.location(event.latitude, event.longitude)
        return self.message(self.messages.not_text, self._home_buttons())

    def text(self, text: str) -> Reply:
        # Typo correction and the lexicon run once; every check below reads the same words.
        canonical = self.matcher.analyser.canonical_words(text)
        card = self.detector.detect_words(canonical)
        found = self.matcher.match_words(canonical)
        if card is not None and card in self.entries:
            # The answer the message asked about, or its close runner-up when that is the card.
            matched = [found.entry_id, *(i for i, _ in found.alternatives)]
            also = next((i for i in matched if i != card), None) if found.confident else None
            return self.answer(card, also=also)
        if self.is_off_topic_words(canonical):
            return self.no_match(text, self.messages.off_topic)
        if self.is_small_talk(text):
            return self.start()
        need = self.router.need_in_words(self.matcher.analyser.stem_all(canonical))
        if need is not None:
            return self.services.for_need(need)
        if found.entry_id is not None:
            return self.answer(found.entry_id, alternatives=found.alternatives)
        if found.alternatives:
            return self.suggest(found)
        return self.no_match(text)

    def is_small_talk(self, text: str) -> bool:
        """Only greetings, thanks and the like ("hi", "ok cool"): greet back, don't search.

        One word from outside the list and the message is searched as usual, so
        "hi how do i use narcan" is answered.
        """
        said = [plain(word) for word in words(text)]
        return bool(said) and all(word in self.small_talk for word in said)

    def is_off_topic(self, text: str) -> bool:
        """Buying, selling or making drugs: declined kindly rather than half-answered."""
        return self.is_off_topic_words(self.matcher.analyser.canonical_words(text))

    def is_off_topic_words(self, canonical: list[str]) -> bool:
        return bool(self.off_topic) and self.off_topic.found_in(canonical)

    def button(self, data: str) -> Reply:
        kind, _, value = data.partition(":")
        if kind == "a" and value in self.entries:
            return self.answer(value)
        if kind == "m" and value in self.entries:
            return self.more(value)
        if kind == "t":
            return self.area(value) if value in AREAS else self.menu()
        if kind == "e":
            return self.emergency()
        if kind == "n":
            return self.numbers_list()
        if kind == "s":
            return self.services.button(value)
        return self.menu()  # an old or unknown button: show the way back in

    def command(self, name: str, argument: str = "") -> Reply:
        name = name.lstrip("/").split("@")[0].casefold()
        if name == "start":
            if argument in self.entries:
                return self.answer(argument)
            return self.start()
        if name == "menu":
            return self.menu()
        if name == "emergency":
            return self.emergency()
        if name == "services":
            return self.services.menu()
        for command, entry_id in (("privacy", "privacy"), ("about", "about")):
            if name == command and entry_id in self.entries:
                return self.answer(entry_id)
        return self.message(self.messages.help, self._home_buttons())

    # --- replies -------------------------------------------------------------------------

    def answer(
        self,
        entry_id: str,
        also: str | None = None,
        alternatives: tuple[tuple[str, float], ...] = (),
    ) -> Reply:
        entry = self.entries[entry_id]
        buttons = self.buttons_for(entry, also=also, alternatives=alternatives)
        return Reply(
            self._rendered[entry_id].answer,
            buttons,
            emergency=entry.meta.emergency,
            entry_id=entry_id,
        )

    def buttons_for(
        self,
        entry: Entry,
        also: str | None = None,
        alternatives: tuple[tuple[str, float], ...] = (),
    ) -> tuple[tuple[Button, ...], ...]:
        b = self.messages.buttons
        rows: list[tuple[Button, ...]] = []
        if also is not None:
            title = self.entries[also].title
            rows.append((Button(b.also.format(title=title), f"a:{also}"),))
        if entry.more:
            rows.append((Button(b.more, f"m:{entry.id}"),))
        if entry.meta.emergency:
            rows.append((Button(b.numbers, "n"),))
        offered = [entry_id for entry_id, _ in alternatives] + entry.meta.related
        rows.extend(self._entry_rows(offered, skip={entry.id, also}))
        home: list[Button] = []
        if entry.meta.area == "overdose" and not entry.meta.emergency:
            home.append(Button(b.emergency, "e"))
        home.append(Button(b.topics, "t"))
        rows.append(tuple(home))
        return tuple(rows)

    def _entry_rows(self, ids: list[str], skip: set[str | None]) -> list[tuple[Button, ...]]:
        """One button per answer, two to a row, each answer once."""
        seen: list[str] = []
        for entry_id in ids:
            if entry_id in self.entries and entry_id not in skip and entry_id not in seen:
                seen.append(entry_id)
        buttons = [Button(self.entries[i].title, f"a:{i}") for i in seen]
        return [tuple(buttons[i : i + 2]) for i in range(0, len(buttons), 2)]

    def more(self, entry_id: str) -> Reply:
        entry = self.entries[entry_id]
        rows = [*self._entry_rows(entry.meta.related, skip={entry_id})]
        rows.append((Button(self.messages.buttons.topics, "t"),))
        return Reply(self._rendered[entry_id].more, tuple(rows), entry_id=entry_id)

    def emergency(self) -> Reply:
        card = self.rules.overdose_card
        if card in self.entries:
            return self.answer(card)
        return self.numbers_list()

    def suggest(self, found: Match) -> Reply:
        ids = [entry_id for entry_id, _ in found.alternatives]
        rows = [*self._entry_rows(ids, skip=set())]
        rows.append(self._home_row())
        return Reply(self.renderer.render("suggest.html.j2"), tuple(rows))

    def no_match(self, text: str, message: str | None = None) -> Reply:
        html = self.renderer.render(
            "no_match.html.j2", text=text[:80], message=message or self.messages.no_match
        )
        return Reply(html, (*self._area_rows(), self._home_row()))

    def start(self) -> Reply:
        html = self.renderer.render("start.html.j2")
        return Reply(html, (*self._area_rows(), self._home_row(topics=False)))

    def menu(self) -> Reply:
        rows = (*self._area_rows(), (Button(self.messages.buttons.emergency, "e"),))
        return self.message(self.messages.menu_prompt, rows)

    def area(self, area: str) -> Reply:
        ids = [entry.id for entry in self.entries.values() if entry.meta.area == area]
        rows = [*self._entry_rows(ids, skip=set())]
        rows.append((Button(self.messages.buttons.back, "t"),))
        label = self.messages.areas.get(area, area)
        return self.message(self.messages.area_prompt.format(area=label), tuple(rows))

    def numbers_list(self) -> Reply:
        countries = sorted(self.numbers.countries.items(), key=lambda item: item[1].name)
        html = self.renderer.render("numbers.html.j2", countries=countries)
        return Reply(html, (self._home_row(),), emergency=True)

    def message(self, text: str, buttons: tuple[tuple[Button, ...], ...] = ()) -> Reply:
        return Reply(self.renderer.render("message.html.j2", message=text), buttons)

    def _area_rows(self) -> tuple[tuple[Button, ...], ...]:
        areas = [area for area in AREAS if any(e.meta.area == area for e in self.entries.values())]
        buttons = [Button(self.messages.areas.get(area, area), f"t:{area}") for area in areas]
        return tuple(tuple(buttons[i : i + 2]) for i in range(0, len(buttons), 2))

    def _home_row(self, topics: bool = True) -> tuple[Button, ...]:
        row = [Button(self.messages.buttons.emergency, "e")]
        if topics:
            row.append(Button(self.messages.buttons.topics, "t"))
        return tuple(row)

    def _home_buttons(self) -> tuple[tuple[Button, ...], ...]:
        return (self._home_row(),)

    # --- the services finder (bot/finder.py, bot/service_replies.py) -------------------------

    def _services_setup(
        self,
        language: Language,
        library: Library,
        config: Config,
        directory: Directory | None,
        clock: Callable[[], dt.datetime],
    ) -> None:
        """The directory's replies and the typed-place-question router for this language."""
        rules = language.routing.rules if language.routing else None
        analyser = self.matcher.analyser
        self.router = Router(rules, lambda text: analyser.stem_all(analyser.canonical_words(text)))
        answers = {kind: rule.answer for kind, rule in rules.types.items()} if rules else {}
        self.services = ServiceReplies(
            directory if directory is not None else directory_for(library.regions, config.country),
            national_for(library.regions, config.country),
            language.messages,
            self.renderer,
            self.entries,
            answers,
            has_country=config.country is not None,
            clock=clock,
        )

    def location(self, latitude: float | None, longitude: float | None) -> Reply:
        """A shared location: the nearest services. The point lives only in this call."""
        if latitude is None or longitude is None:
            return self.services.menu()
        return self.services.near(Point(latitude, longitude))


class Engine:
    """Picks the person's language (or the default) and hands the event to it."""

    def __init__(
        self, library: Library, config: Config, clock: Callable[[], dt.datetime] = utc_now
    ) -> None:
        self.config = config
        self.library = library
        directory = directory_for(library.regions, config.country)  # shared by every language
        self.languages = {
            code: LanguageEngine(language, library, config, directory, clock)
            for code, language in library.languages.items()
        }
        if not self.languages:
            raise ValueError(f"no usable language in {library.root}; run `hrbot check`")
        self.default = (
            config.default_language
            if config.default_language in self.languages
            else next(iter(self.languages))
        )

    def language(self, code: str | None) -> LanguageEngine:
        """The language for an app language code like "en-GB"; the default when not offered."""
        if code:
            base = code.split("-")[0].casefold()
            if base in self.languages:
                return self.languages[base]
        return self.languages[self.default]

    def handle(self, event: Event) -> Reply:
        return self.language(event.language).handle(event)

    def match(self, text: str, language: str | None = None) -> tuple[Match, str | None]:
        """What the matcher and the emergency detector make of a text (for `hrbot match`).

        Off-topic requests and small talk come back as no match, as the person would see them.
        """
        engine = self.language(language)
        canonical = engine.matcher.analyser.canonical_words(text)
        card = engine.detector.detect_words(canonical)
        if card is None and (engine.is_off_topic_words(canonical) or engine.is_small_talk(text)):
            return Match(None, 0.0, ()), None
        return engine.matcher.match_words(canonical), card


def _variables(language: Language, numbers: NumberBook, config: Config) -> dict[str, str]:
    """The values of the placeholders answers may use ({{ emergency }} …)."""
    messages = language.messages
    country = numbers.get(config.country)
    emergency = country.emergency if country else messages.local_emergency_fallback
    crisis = country.crisis.describe() if country and country.crisis else None
    return {
        "emergency": emergency,
        "crisis_line": crisis or messages.crisis_line_fallback,
        "operator": config.operator or messages.operator_fallback,
    }


def callback_data_fits(data: str) -> bool:
    return 0 < len(data.encode("utf-8")) <= MAX_CALLBACK_BYTES
