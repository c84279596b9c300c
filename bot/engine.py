"""The conversation core: an `Event` in, a `Reply` out, and nothing kept in between.

Everything a reply needs travels in the event (the text, or a button's self-contained data,
and the app language), so any process can answer any message and nothing about the person is
held after the call returns. What a typed message needs is decided in one place,
bot/understanding/reading.py; this module turns that decision into a reply. The button and
command protocol is bot/conversation/protocol.py.

The overdose and crisis cards can't go missing: when the card an emergency.yaml names can't be
shown (its file is broken, missing, or not an emergency answer), the bundled card is used and
the broken file is listed in `fallbacks` (bot/content/safety.py), as are the templates and
numbers the bundled copies stand in for.
"""

from __future__ import annotations

import datetime as dt
import html
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import TextIO

from bot.chat_tools import ChatTools
from bot.config import Config
from bot.content.emergency_rules import FILE_NAME as RULES_FILE
from bot.content.entries import read_entry
from bot.content.labelled import Labelled
from bot.content.layers import BUNDLED_CONTENT
from bot.content.messages import Messages
from bot.content.mixes import GENERAL_ANSWER, Mix
from bot.content.model import AREAS, Entry
from bot.content.numbers import NumberBook, load_numbers
from bot.content.problems import Problem, error
from bot.content.safety import Fallback, bundled_copy
from bot.conversation import protocol as p
from bot.conversation.alerts import AlertReplies, Banner, Channel
from bot.conversation.people import PeopleReplies
from bot.conversation.reply import Button, Event, EventKind, Reply
from bot.conversation.sharing import Shared, vote_of
from bot.library import NUMBERS_FILE, TEMPLATES_DIR, Language, Library, load_library
from bot.rendering.card_image import CardImages
from bot.rendering.render import Renderer, fill_placeholders
from bot.services.finder import Directory, Point, directory_for, national_for
from bot.services.local_formats import LocalFormats
from bot.services.places import PlaceFinder
from bot.services.replies import ServiceReplies, utc_now
from bot.understanding.crisis_model import CrisisModel
from bot.understanding.emergency import CrisisRecogniser, EmergencyDetector
from bot.understanding.learning import Learning
from bot.understanding.lookup import answers_for
from bot.understanding.matcher import Analyser, Match, Matcher, MatchSettings
from bot.understanding.mixes import MixFinder
from bot.understanding.normalise import plain, words
from bot.understanding.phrases import PhrasesUnless
from bot.understanding.reading import Reader, Reading, Route
from bot.understanding.routing import Router
from bot.understanding.scorers import FALLBACK_METHOD
from bot.understanding.topic import TopicWords, answer_words

log = logging.getLogger(__name__)
_TAG = re.compile(r"<[^>]+>")
# The answers' examples of up to this many words teach the crisis recogniser "not a crisis".
NOT_CRISIS_MAX_WORDS = 14
Rows = tuple[tuple[Button, ...], ...]


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
        numbers: NumberBook | None = None,
        learn_later: bool = False,
        prepare: bool = False,
    ) -> None:
        """`numbers`: the book to use when it isn't the library's (a country filled in from
        the bundled file). `learn_later`: learn the labelled messages in a thread, after
        start-up (bot/understanding/learning.py). `prepare`: write the content's phrases, as
        read, to the cache folder for the next start (bot/understanding/content_words.py)."""
        self.code = language.code
        self.messages = language.messages
        self.rules = language.rules
        self.entries: dict[str, Entry] = {
            entry_id: entry
            for entry_id, entry in language.entries.items()
            if entry.meta.review.status.rank >= config.min_review_status.rank
        }
        self.numbers = numbers or library.numbers
        self._operator = config.operator
        self.renderer = Renderer(
            library.templates,
            language.messages,
            _variables(language.messages, self.numbers, config.country, config.operator),
        )
        self.has_country = self.numbers.get(config.country) is not None
        # /forget and /card; the card image is drawn on first use (bot/chat_tools.py)
        self.tools = ChatTools(
            self.code,
            self.messages,
            self.renderer,
            self.entries,
            self.rules.overdose_card,
            CardImages(),
        )
        self.safety_net = self._safety_net_line()
        self.problems: list[Problem] = list(self.renderer.problems)
        self.fallbacks: list[Fallback] = list(self.renderer.fallbacks)
        if not library.templates:
            folder = library.root / TEMPLATES_DIR
            self.fallbacks.append(Fallback(folder, BUNDLED_CONTENT / TEMPLATES_DIR, "is missing"))
            self.problems.append(error(folder, 0, "templates folder not found"))
        self._rendered = self._render_all()  # an answer that can't be shown is left out here,
        self._ensure_cards(language, library)  # (a card is replaced by the bundled one)
        self._services_setup(language, library, config, directory, clock)
        places = PlaceFinder(library.centroids, self.services.directory.area_names)
        self.learning = Learning(language.labelled_files, language.entries)
        self.reader = self._reader(
            language, config, places, learn_later, prepare
        )  # (never offers it)
        self._alerts_and_people_setup(language, library, config, clock)
        if learn_later:  # last, so the thread doesn't slow the rest of start-up
            self.learning.start(self.reader.matcher)

    def _safety_net_line(self) -> str:
        """The line that keeps every unsure reply from being a dead end."""
        variables = self.renderer.variables
        if not self.has_country:
            return self.messages.safety_net_no_country
        return self.messages.safety_net.format(
            emergency=variables["emergency"], crisis_line=variables["crisis_line"]
        )

    def _reader(
        self,
        language: Language,
        config: Config,
        places: PlaceFinder,
        learn_later: bool,
        prepare: bool,
    ) -> Reader:
        analyser = Analyser(
            language.code, language.lexicon, language.stopwords, config.cache_dir, prepare
        )
        settings = MatchSettings(
            method=config.matching.method,
            answer=config.matching.answer_threshold,
            suggest=config.matching.suggest_threshold,
        )
        # Every word the content uses is learnt before anything is stemmed with it, so the
        # labelled messages read the same whether they are learnt at once or later.
        analyser.learn(language.rules.all_phrases + language.off_topic + language.off_topic_unless)
        labelled = Labelled() if learn_later else self.learning.read()
        # learning later, it answers by "stems" until the configured method is trained
        start_with = FALLBACK_METHOD if learn_later else None
        matcher = Matcher(list(self.entries.values()), analyser, settings, labelled, start_with)
        if not learn_later:
            self.problems.extend(self.learning.problems)
            self.learning.done()
        rules = language.routing.rules if language.routing else None
        off_topic = PhrasesUnless(
            language.off_topic, language.off_topic_unless, analyser.content_words
        )
        recogniser = self._crisis_model(language, analyser)
        reader = Reader(
            matcher,
            EmergencyDetector(language.rules, analyser, recogniser, off_topic),
            off_topic,
            frozenset(plain(w) for term in language.small_talk for w in words(term)),
            Router(rules, lambda text: analyser.stem_all(analyser.canonical_words(text))),
            self.entries,
            MixFinder(language.mixes, analyser.content_words),
            places,
            self._topic_words(language, analyser),
        )
        analyser.content_words.save()  # for the next start (the labelled ones when learnt)
        return reader

    def _topic_words(self, language: Language, analyser: Analyser) -> TopicWords | None:
        """What makes a message about drugs, health or the service: the language's
        topic-words.yaml, its lexicon, and the answers' titles and keywords."""
        if language.topic is None:
            return None
        named = (text for e in self.entries.values() for text in (e.title, *e.meta.keywords))
        topic = language.topic
        return TopicWords(
            analyser, topic.words, topic.everyday, answer_words(named), topic.using, topic.elsewhere
        )

    def _crisis_model(self, language: Language, analyser: Analyser) -> CrisisRecogniser | None:
        """The crisis recogniser, learnt from the language's crisis examples and, as "not a
        crisis", its `not_crisis` ones and every other answer's short examples; None without
        examples. The answers' long examples tell stories with a crisis's feelings in them
        ("so low since the weekend"): as "not a crisis" they would teach that distress is
        ordinary (docs/understanding.md)."""
        examples = language.crisis_examples
        if examples is None or not examples.crisis:
            return None
        crisis_card = language.rules.crisis_card
        others = [
            example
            for entry in self.entries.values()
            if entry.id != crisis_card
            for example in entry.meta.examples
            if len(words(example)) <= NOT_CRISIS_MAX_WORDS
        ]
        crisis = [*examples.crisis]
        if crisis_card in self.entries:
            crisis += self.entries[crisis_card].meta.examples
        model = CrisisModel(
            (analyser.content_words(t) for t in crisis),
            (analyser.content_words(t) for t in [*others, *examples.not_crisis]),
            analyser.stopwords,
        )
        return CrisisRecogniser(model, examples.threshold, examples.uncued_threshold)

    def _render_all(self) -> dict[str, _Rendered]:
        """Render every answer once, at start-up; one that can't be rendered is left out.

        Rendering here, not per message, keeps the per-message path to a dictionary look-up
        and means a broken placeholder is found before anyone asks that question.
        """
        rendered: dict[str, _Rendered] = {}
        for entry_id, entry in list(self.entries.items()):
            try:
                rendered[entry_id] = self._render(entry)
            except Exception as exc:  # a placeholder can raise anything ({{ 1 // 0 }})
                line = self._placeholder_line(entry)
                self.problems.append(error(entry.path, line, f"cannot be shown: {exc}"))
                del self.entries[entry_id]
        return rendered

    def _render(self, entry: Entry) -> _Rendered:
        more = self.renderer.more(entry) if entry.more else ""
        return _Rendered(self.renderer.answer(entry), more)

    def _ensure_cards(self, language: Language, library: Library) -> None:
        """The overdose and crisis cards, from the bundled copy when theirs can't be shown."""
        for card in dict.fromkeys((self.rules.overdose_card, self.rules.crisis_card)):
            entry = self.entries.get(card)
            trouble = self._card_trouble(card, entry, library)
            if trouble is None:
                continue
            found = sorted(BUNDLED_CONTENT.glob(f"{language.code}/*/{card}.md"))
            relative = found[0].relative_to(BUNDLED_CONTENT).as_posix() if found else None
            broken = entry.path if entry else library.file(relative or f"{language.code}")
            copy = bundled_copy(relative, broken) if relative else None
            bundled = read_entry(copy, language.code)[0] if copy else None
            if copy is None or bundled is None:
                continue  # nothing to stand in: hrbot check reports the card
            try:
                self._rendered[card] = self._render(bundled)
            except Exception:
                continue
            self.entries[card] = bundled
            self.fallbacks.append(Fallback(broken, copy, f"card '{card}' {trouble}"))
            message = f"card '{card}' {trouble}; the bundled card is shown instead"
            self.problems.append(error(broken, 0, message))
            if entry is None:  # and where the card is named
                self.problems.append(error(language.files.get(RULES_FILE, broken), 0, message))

    def _card_trouble(self, card: str, entry: Entry | None, library: Library) -> str | None:
        """Why this card can't be shown as it is, or None when it can."""
        if entry is None:
            return "cannot be shown (broken, missing or not reviewed enough)"
        if not entry.meta.emergency:
            return "is not marked `emergency: true`"
        found = [*library.problems, *self.problems]
        if any(problem.is_error and problem.path == entry.path for problem in found):
            return "has errors"
        return None

    def _placeholder_line(self, entry: Entry) -> int:
        """The file line whose placeholder can't be filled: the summary's, or the first line of
        the body or more part that fails on its own; the body's first line if none does."""
        try:
            fill_placeholders(entry.meta.summary, self.renderer.variables)
        except Exception:
            return entry.line_of("summary")
        try:
            lines = entry.path.read_text(encoding="utf-8").splitlines()
        except (OSError, UnicodeDecodeError):
            return entry.body_line
        for number in range(entry.body_line, len(lines) + 1):
            try:
                fill_placeholders(lines[number - 1], self.renderer.variables)
            except Exception:
                return number
        return entry.body_line

    @property
    def matcher(self) -> Matcher:
        return self.reader.matcher

    @property
    def detector(self) -> EmergencyDetector:
        return self.reader.detector

    # --- events --------------------------------------------------------------------------

    def handle(self, event: Event) -> Reply:
        tool = self.tools.handle(event)  # /forget, /card and their buttons
        if tool is not None:
            return tool
        if event.kind is EventKind.TEXT:
            return self.text(event.text)
        if event.kind is EventKind.BUTTON:
            return self.button(event.text)
        if event.kind is EventKind.COMMAND:
            return self.command(event.text, event.argument)
        if event.kind is EventKind.LOCATION:
            return self.location(event.latitude, event.longitude)
        return self.message(self.messages.not_text, self._safety_rows(), safety_net=True)

    def text(self, text: str) -> Reply:
        reading = self.read(text)
        return replace(self.reply_to(reading, text), route=reading.route.value)

    def read(self, text: str) -> Reading:
        """What this message needs (bot/understanding/reading.py): the one decision."""
        return self.reader.read(text)

    def reply_to(self, reading: Reading, text: str) -> Reply:
        route = reading.route
        if reading.card is not None:
            return self.answer(reading.card, also=reading.also)
        if route is Route.OFF_TOPIC:
            return self.no_match(text, self.messages.off_topic)
        if route is Route.GREETING:
            return self.start()
        if reading.support is not None:
            return self.answer(reading.support)
        if reading.need is not None:
            return self.services.for_need(reading.need, reading.place)
        if reading.mix is not None:
            return self.mix(reading.mix, also=reading.match.entry_id)
        if route is Route.ANSWER and reading.match.entry_id is not None:
            reply = self.answer(
                reading.match.entry_id, also=reading.also, alternatives=reading.match.alternatives
            )
            if reading.offer is None:
                return reply
            # low after a drug: its answer, and the crisis line under it in case it is more
            return replace(reply, html=f"{reply.html}\n\n{self.safety_net}")
        if route is Route.SUGGEST:
            return self.suggest(reading.match)
        return self.no_match(text)

    def button(self, data: str) -> Reply:
        kind, value = p.parse(data)
        if kind == p.ANSWER and value in self.entries:
            return self.answer(value)
        if kind == p.MORE and value in self.entries:
            return self.more(value)
        if kind == p.TOPICS:
            return self.area(value) if value in AREAS else self.menu()
        if kind == p.EMERGENCY:
            return self.emergency()
        if kind == p.NUMBERS:
            return self.numbers_list()
        if kind == p.SERVICES:
            return self.services.button(value)
        if kind == p.FEEDBACK:
            return self.feedback(data)
        if kind == p.ALERTS:
            home = self._home_buttons()
            return self.alerts.one(value, home) if value else self.alerts.listing(home)
        if kind == p.HUMAN:
            return self.human()
        return self.menu()  # an old or unknown button: show the way back in

    def command(self, name: str, argument: str = "") -> Reply:
        name = p.command_name(name)
        if name == "start":
            if argument in self.entries:
                return self.answer(argument)
            if argument == p.START_SERVICES:  # the services finder's deep link (`hrbot qr`)
                return self.services.menu()
            if argument == "alerts":  # the deep link under each post in the alerts channel
                return self.alerts.listing(self._home_buttons())
            return self.start()
        if name == "alerts":
            return self.alerts.listing(self._home_buttons())
        if name == "human":
            return self.human()
        if name == "menu":
            return self.menu()
        if name == "emergency":
            return self.emergency()
        if name == "services":
            return self.services.menu()
        if name in p.ANSWER_COMMANDS and name in self.entries:
            return self.answer(name)
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
        reply = Reply(
            self._rendered[entry_id].answer,
            buttons,
            emergency=entry.meta.emergency,
            entry_id=entry_id,
        )
        if entry.meta.emergency:
            return reply  # the emergency and crisis cards stay as short as they are
        return _with_banner(reply, self.alerts.banner(entry_id))

    def buttons_for(
        self,
        entry: Entry,
        also: str | None = None,
        alternatives: tuple[tuple[str, float], ...] = (),
    ) -> Rows:
        b = self.messages.buttons
        rows: list[tuple[Button, ...]] = []
        if also is not None:
            title = self.entries[also].title
            rows.append((Button(b.also.format(title=title), p.data(p.ANSWER, also)),))
        if entry.more:
            rows.append((Button(b.more, p.data(p.MORE, entry.id)),))
        if entry.meta.emergency:
            rows.append((Button(b.numbers, p.NUMBERS),))
        rows.extend(self.tools.rows_for(entry.id))  # Clear this chat, Keep this card
        offered = [entry_id for entry_id, _ in alternatives] + entry.meta.related
        rows.extend(self._entry_rows(offered, skip={entry.id, also}))
        if entry.id == self.rules.crisis_card:  # below the card: it stays as short as it is
            rows.append(self._person_row())
        home: list[Button] = []
        if not entry.meta.emergency:  # the overdose card one tap away from every answer
            home.append(Button(b.emergency, p.EMERGENCY))
        home.append(Button(b.topics, p.TOPICS))
        rows.append(tuple(home))
        rows.append(self._passing_on_row(entry))
        return tuple(rows)

    def _passing_on_row(self, entry: Entry) -> tuple[Button, ...]:
        """👍 👎 and Share under an answer, one short row. The emergency cards get Share only:
        someone in an overdose needs the steps and the numbers, not a question."""
        words = self.messages.sharing
        row = []
        if not entry.meta.emergency:
            row.append(Button(words.helpful, p.data(p.FEEDBACK, entry.id, "+")))
            row.append(Button(words.not_helpful, p.data(p.FEEDBACK, entry.id, "-")))
        row.append(Button(words.share, p.data(p.SHARE, entry.id), share_text=entry.title))
        return tuple(row)

    def feedback(self, data: str) -> Reply:
        """A 👍 or 👎: the thanks, and the vote to count when it is for an answer the bot has
        (button data can be made up; only content ids become counts)."""
        vote = vote_of(data)
        counted = vote if vote is not None and vote[0] in self.entries else None
        return Reply("", vote=counted, notice=self.messages.sharing.thanks)

    def inline(self, text: str) -> tuple[Shared, ...]:
        """The answers inline mode lists for `text` (bot/understanding/lookup.py), each with
        the card posted when it is chosen: the answer as the bot shows it."""
        found = answers_for(self.reader, text, self.messages.sharing.featured)
        return tuple(self._shared(entry_id) for entry_id in found)

    def _shared(self, entry_id: str) -> Shared:
        entry = self.entries[entry_id]
        summary = self.renderer.markdown(entry.meta.summary)
        description = html.unescape(_TAG.sub("", str(summary))).strip()
        return Shared(
            entry_id,
            entry.title,
            description,
            self._rendered[entry_id].answer,
            emergency=entry.meta.emergency,
        )

    def _entry_rows(self, ids: list[str], skip: set[str | None]) -> Rows:
        """One button per answer, two to a row, each answer once."""
        seen: list[str] = []
        for entry_id in ids:
            if entry_id in self.entries and entry_id not in skip and entry_id not in seen:
                seen.append(entry_id)
        return p.rows([Button(self.entries[i].title, p.data(p.ANSWER, i)) for i in seen])

    def answer_in(self, entry_id: str, country: str) -> Reply:
        """An answer as a deployment in `country` shows it, with that country's numbers in
        its placeholders: `hrbot preview` draws the emergency and crisis cards of every
        country this way, through the same templates and buttons as `answer`."""
        variables = _variables(self.messages, self.numbers, country, self._operator)
        renderer = self.renderer.with_variables(variables)
        entry = self.entries[entry_id]
        return Reply(
            renderer.answer(entry),
            self.buttons_for(entry),
            emergency=entry.meta.emergency,
            entry_id=entry_id,
        )

    def mix(self, mix: Mix, also: str | None = None) -> Reply:
        """The answer for one mix: how risky, why, what to do, and its sources. `also`: the
        answer the matcher found for the message, one tap away below the drug cards ("tina
        and g at a chemsex party, how do i stay safe" may be about safer sex)."""
        table = self.reader.mixes.table
        assert table is not None and self.messages.mix is not None
        first, second = table.substances[mix.first], table.substances[mix.second]
        advice = mix.advice
        html = self.renderer.render(
            "mix.html.j2",
            first=first.name,
            second=second.name,
            risk=self.messages.mix.risks.get(str(advice.risk), str(advice.risk)),
            by_rule=mix.by_rule,
            why=fill_placeholders(advice.why, self.renderer.variables),
            what_to_do=fill_placeholders(advice.what_to_do, self.renderer.variables),
            sources=advice.sources,
        )
        cards = [s.card for s in (first, second)] + [GENERAL_ANSWER] + ([also] if also else [])
        rows = [*self._entry_rows(cards, skip=set()), self._home_row()]
        banner = self.alerts.banner(substances=(mix.first, mix.second))
        return _with_banner(Reply(html, tuple(rows), entry_id=mix.id), banner)

    def more(self, entry_id: str) -> Reply:
        entry = self.entries[entry_id]
        rows = [*self._entry_rows(entry.meta.related, skip={entry_id})]
        rows.append((Button(self.messages.buttons.topics, p.TOPICS),))
        return Reply(self._rendered[entry_id].more, tuple(rows), entry_id=entry_id)

    def emergency(self) -> Reply:
        card = self.rules.overdose_card
        if card in self.entries:
            return self.answer(card)
        return self.numbers_list()

    def suggest(self, found: Match) -> Reply:
        ids = [entry_id for entry_id, _ in found.alternatives]
        rows = [*self._entry_rows(ids, skip=set()), self._person_row()]
        rows.extend(self._safety_rows())
        html = self.renderer.render("suggest.html.j2", safety_net=self.safety_net)
        return Reply(html, tuple(rows))

    def no_match(self, text: str, message: str | None = None) -> Reply:
        html = self.renderer.render(
            "no_match.html.j2",
            text=text[:80],
            message=message or self.messages.no_match,
            safety_net=self.safety_net,
        )
        return Reply(html, (*self._area_rows(), self._person_row(), *self._safety_rows()))

    def start(self) -> Reply:
        html = self.renderer.render("start.html.j2", safety_net=self.safety_net)
        reply = Reply(html, (*self._area_rows(), *self._safety_rows(topics=False)))
        return _with_banner(reply, self.alerts.banner())

    def menu(self) -> Reply:
        rows = (*self._area_rows(), (Button(self.messages.buttons.emergency, p.EMERGENCY),))
        return self.message(self.messages.menu_prompt, rows)

    def area(self, area: str) -> Reply:
        ids = [entry.id for entry in self.entries.values() if entry.meta.area == area]
        rows = [*self._entry_rows(ids, skip=set())]
        rows.append((Button(self.messages.buttons.back, p.TOPICS),))
        label = self.messages.areas.get(area, area)
        return self.message(self.messages.area_prompt.format(area=label), tuple(rows))

    def numbers_list(self) -> Reply:
        countries = sorted(self.numbers.countries.items(), key=lambda item: item[1].name)
        html = self.renderer.render("numbers.html.j2", countries=countries)
        return Reply(html, (self._home_row(),), emergency=True)

    def message(self, text: str, buttons: Rows = (), safety_net: bool = False) -> Reply:
        line = self.safety_net if safety_net else ""
        return Reply(
            self.renderer.render("message.html.j2", message=text, safety_net=line), buttons
        )

    def _area_rows(self) -> Rows:
        areas = [area for area in AREAS if any(e.meta.area == area for e in self.entries.values())]
        labels = [self.messages.areas.get(area, area) for area in areas]
        return p.rows(
            [Button(label, p.data(p.TOPICS, a)) for label, a in zip(labels, areas, strict=True)]
        )

    def _home_row(self, topics: bool = True) -> tuple[Button, ...]:
        row = [Button(self.messages.buttons.emergency, p.EMERGENCY)]
        if topics:
            row.append(Button(self.messages.buttons.topics, p.TOPICS))
        return tuple(row)

    def _home_buttons(self) -> Rows:
        return (self._home_row(),)

    def _safety_rows(self, topics: bool = True) -> Rows:
        """The home row, and without a country the numbers by country one tap away."""
        rows = [self._home_row(topics)]
        if not self.has_country:
            rows.append((Button(self.messages.buttons.numbers, p.NUMBERS),))
        return tuple(rows)

    # --- the services finder (bot/services/) --------------------------------------------------

    def _services_setup(
        self,
        language: Language,
        library: Library,
        config: Config,
        directory: Directory | None,
        clock: Callable[[], dt.datetime],
    ) -> None:
        """The directory's replies for this language."""
        rules = language.routing.rules if language.routing else None
        answers: dict[str, str] = {}  # a service type → the answer its button links to
        for name, rule in rules.types.items() if rules else ():
            answers.setdefault(rule.kind or name, rule.answer)  # the first entry for a type
        self.services = ServiceReplies(
            directory if directory is not None else directory_for(library.regions, config.country),
            national_for(library.regions, config.country),
            language.messages,
            self.renderer,
            self.entries,
            answers,
            has_country=config.country is not None,
            clock=clock,
            fallback=_fallbacks(library),
            formats=LocalFormats(language.code, config.country),
        )

    # --- drug-supply alerts and the service's people (bot/conversation/) ----------------------

    def _alerts_and_people_setup(
        self,
        language: Language,
        library: Library,
        config: Config,
        clock: Callable[[], dt.datetime],
    ) -> None:
        name = config.alerts.channel or ""
        channel = Channel(name if name.startswith("@") else "", config.alerts.link)
        self.alerts = AlertReplies(
            library.alerts,
            self.messages,
            self.renderer,
            self.entries,
            language.mixes,
            clock,
            channel,
        )
        self.people = PeopleReplies(
            library.people,
            config.country,
            self.numbers.get(config.country),
            self.messages,
            self.renderer,
            self.renderer.variables["operator"],
            clock,
            LocalFormats(language.code, config.country),
        )

    def human(self) -> Reply:
        """`/human`: the service's people, whether they answer now, and the lines that do."""
        words = self.messages.people
        rows: list[tuple[Button, ...]] = []
        if self.services.directory or self.services.national:
            rows.append((Button(words.services_button, p.SERVICES),))
        rows.extend(self._safety_rows())
        return self.people.reply(tuple(rows))

    def _person_row(self) -> tuple[Button, ...]:
        return (Button(self.messages.people.button, p.HUMAN),)

    def location(self, latitude: float | None, longitude: float | None) -> Reply:
        """A shared location: the nearest services. The point lives only in this call."""
        if latitude is None or longitude is None:
            return self.services.menu()
        return self.services.near(Point(latitude, longitude))


class Engine:
    """Picks the person's language (or the default) and hands the event to it."""

    def __init__(
        self,
        library: Library,
        config: Config,
        clock: Callable[[], dt.datetime] = utc_now,
        learn_later: bool = False,
        prepare: bool = False,
    ) -> None:
        """`learn_later`: start answering before the labelled messages are learnt
        (bot/understanding/learning.py); the Telegram bot does. `prepare`: see LanguageEngine
        (`hrbot check` and the terminal tools do; the running bot writes nothing)."""
        self.config = config
        self.library = library
        self.clock = clock  # "now" for opening hours and alerts, asked at every reply
        directory = directory_for(library.regions, config.country)  # shared by every language
        self._fallbacks: list[Fallback] = []
        numbers = self._numbers_for(config.country)
        self.languages = {
            code: LanguageEngine(
                language, library, config, directory, clock, numbers, learn_later, prepare
            )
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

    def inline(self, text: str, language: str | None = None) -> tuple[Shared, ...]:
        """The answers to list for an inline query (`@bot naloxone` in any chat)."""
        return self.language(language).inline(text)

    def read(self, text: str, language: str | None = None) -> Reading:
        """What a typed message needs, exactly as `handle` decides it (for `hrbot match`, the
        checker and the quality benchmark)."""
        return self.language(language).read(text)

    def _numbers_for(self, country: str | None) -> NumberBook:
        """The library's numbers, with the config's country from the bundled file when the
        content has none for it (the card would lose its number)."""
        numbers = self.library.numbers
        if country is None or numbers.get(country) is not None:
            return numbers
        path = self.library.file(NUMBERS_FILE)
        copy = bundled_copy(NUMBERS_FILE, path)
        bundled = load_numbers(copy)[0].get(country) if copy else None
        if copy is None or bundled is None:
            return numbers
        reason = f"has no usable numbers for the config's country {country}"
        self._fallbacks.append(Fallback(path, copy, reason))
        return NumberBook({**numbers.countries, country: bundled})

    @property
    def problems(self) -> list[Problem]:
        """Everything the content loading and the start-up rendering found wrong."""
        found = list(self.library.problems)
        for language in self.languages.values():
            found.extend(language.problems)
        return found

    @property
    def fallbacks(self) -> list[Fallback]:
        """The broken safety files the bundled copies stand in for, each once."""
        found = [*self.library.fallbacks, *self._fallbacks]
        for language in self.languages.values():
            found.extend(language.fallbacks)
        return list(dict.fromkeys(found))


def _with_banner(reply: Reply, banner: Banner | None) -> Reply:
    """`reply` with a live alert's one line above it and its button first."""
    if banner is None:
        return reply
    return replace(
        reply, html=f"{banner.html}\n\n{reply.html}", buttons=((banner.button,), *reply.buttons)
    )


def _fallbacks(library: Library) -> dict[str, tuple[str, ...]]:
    """Which national line types serve each need (`service-types.yaml`, layered)."""
    from bot.services.taxonomy import FILE_NAME, read_mapping

    path = library.file(FILE_NAME)
    mapping, _problems = read_mapping(path) if path.exists() else (None, [])
    return {kind: tuple(kinds) for kind, kinds in mapping.fallback.items()} if mapping else {}


def build_engine(
    config: Config,
    report: TextIO | None = None,
    learn_later: bool = False,
    prepare: bool = False,
) -> Engine:
    """The engine over every usable file of the config's content; each broken one is
    reported and left out. `learn_later`, `prepare`: see Engine.

    Problems go to `report` (the terminal) or to the log. They name files and lines only,
    never anything a person sent.
    """
    library = load_library(config.content_dir, config.local_content)
    engine = Engine(library, config, learn_later=learn_later, prepare=prepare)
    for problem in engine.problems:
        if not problem.is_error:
            continue
        if report is not None:
            print(f"skipped: {problem}", file=report)
        else:
            log.warning("content problem, skipped: %s", problem)
    for fallback in engine.fallbacks:
        if report is not None:
            print(f"SAFETY FILE BROKEN: {fallback}", file=report)
        else:
            log.error("SAFETY FILE BROKEN: %s (run `hrbot check`)", fallback)
    return engine


def _variables(
    messages: Messages, numbers: NumberBook, code: str | None, operator: str | None
) -> dict[str, str]:
    """The values of the placeholders answers may use ({{ emergency }} …) in country `code`."""
    country = numbers.get(code)
    emergency = country.emergency if country else messages.local_emergency_fallback
    crisis = country.crisis.describe() if country and country.crisis else None
    return {
        "emergency": emergency,
        "crisis_line": crisis or messages.crisis_line_fallback,
        "operator": operator or messages.operator_fallback,
    }
