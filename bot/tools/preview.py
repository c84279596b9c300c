"""`hrbot preview --out DIR`: the whole content as a website staff can read in any browser.

Every reply is the engine's own (bot/engine.py), drawn as a chat bubble with its buttons, so
what staff see is what people get; each button links to the page of the reply it leads to.
Around the replies the site shows what staff need to judge them: sources, review dates, the
labelled test messages that reach or miss each answer, what is due for review, and every
`hrbot check` problem. It is plain files (pages, one stylesheet, one script) that open from
disk with no server and load nothing from the internet.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from importlib.resources import files
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, TemplateError, select_autoescape
from markupsafe import Markup

from bot.config import Config
from bot.content.model import AREAS, Entry, ReviewStatus
from bot.content.problems import Problem
from bot.conversation import protocol as p
from bot.conversation.reply import Reply
from bot.engine import Engine, LanguageEngine
from bot.library import load_library
from bot.rendering.render import fill_placeholders
from bot.tools.alerts import state
from bot.tools.checker import check
from bot.tools.evaluation import load_set
from bot.tools.review import rows as review_rows

SITE = Path(str(files("bot.tools"))) / "site"
ASSETS = ("style.css", "search.js")
# The labelled sets the preview shows by default (tuning sets only: a frozen test set is never
# looked at while answers are written, or it stops being a fair test).
REPOSITORY_SETS = ("en.yaml", "en-unseen.yaml")
FROZEN_SUFFIX = "-test.yaml"


class PreviewError(Exception):
    """The preview can't be made; the message says what to do."""


@dataclass(frozen=True)
class Labelled:
    """One labelled message and what the bot makes of it."""

    text: str
    expect: tuple[str, ...]
    shown: str | None
    source: str  # the set's file name

    @property
    def correct(self) -> bool:
        return self.shown in self.expect if self.expect else self.shown is None


@dataclass
class Site:
    """What the pages are made from, gathered once."""

    engine: LanguageEngine  # draws every answer, drafts too
    served: LanguageEngine  # what people get with the deployment's min_review_status
    entries: dict[str, Entry]
    config: Config
    problems: list[Problem]
    labelled: list[Labelled] = field(default_factory=list)
    sets: list[str] = field(default_factory=list)
    today: dt.date = field(default_factory=dt.date.today)


def default_sets() -> list[Path]:
    """The repository's labelled tuning sets, when the preview runs from a checkout."""
    folder = Path(__file__).resolve().parents[2] / "tests" / "eval"
    return [folder / name for name in REPOSITORY_SETS if (folder / name).exists()]


def build(
    config: Config,
    out: Path,
    sets: Sequence[Path] | None = None,
    today: dt.date | None = None,
) -> Path:
    """Write the site into `out` (made if missing; an old preview there is replaced) and
    return its index.html."""
    _check_out(out)
    site = gather(config, default_sets() if sets is None else sets, today or dt.date.today())
    _prepare(out)
    pages = Pages(site, out)
    pages.write_all()
    return out / "index.html"


def gather(config: Config, sets: Sequence[Path], today: dt.date) -> Site:
    _refuse_frozen(sets)
    library = load_library(config.content_dir, config.local_content)
    if config.default_language not in library.languages:
        raise PreviewError(f"no usable language '{config.default_language}'; run `hrbot check`")
    everything = config.model_copy(update={"min_review_status": ReviewStatus.DRAFT})
    noon = dt.datetime.combine(today, dt.time(12), dt.UTC)

    def clock() -> dt.datetime:
        """Now, or noon of another `today`: the alerts and hours shown are as of that day."""
        return dt.datetime.now(dt.UTC) if today == dt.date.today() else noon

    drawing = Engine(library, everything, clock).language(config.default_language)
    served = (
        drawing
        if config.min_review_status is ReviewStatus.DRAFT
        else Engine(library, config, clock).language(config.default_language)
    )
    site = Site(
        drawing,
        served,
        library.languages[config.default_language].entries,
        config,
        check(config, today),
        today=today,
    )
    for path in sets:
        site.sets.append(path.name)
        for item in load_set(path):
            text = str(item["text"])
            expect = tuple(str(i) for i in item.get("expect") or [])  # type: ignore[attr-defined]
            site.labelled.append(Labelled(text, expect, served.read(text).shown, path.name))
    return site


def _check_out(out: Path) -> None:
    """Only an empty folder, or one holding an earlier preview, is written into."""
    if out.exists() and not out.is_dir():
        raise PreviewError(f"{out} is a file; give a folder")
    if out.exists() and any(out.iterdir()) and not (out / "index.html").exists():
        raise PreviewError(f"{out} has other files in it; give an empty or new folder")


def _prepare(out: Path) -> None:
    """The folder, with an earlier preview's pages removed and the assets in place."""
    for sub in ("answers", "areas"):
        if (out / sub).is_dir():
            shutil.rmtree(out / sub)
    out.mkdir(parents=True, exist_ok=True)
    for name in ASSETS:
        shutil.copyfile(SITE / name, out / name)


# --- drawing replies -----------------------------------------------------------------------


def _refuse_frozen(sets: Sequence[Path]) -> None:
    """A frozen test set is refused before anything is built, so the person hears at once."""
    for path in sets:
        if path.name.endswith(FROZEN_SUFFIX):
            raise PreviewError(
                f"{path} is a frozen test set: keep it out of sight while answers are written, "
                "or it stops being a fair test. Give a tuning set instead."
            )


@dataclass(frozen=True)
class Bubble:
    """One reply as a page shows it: its HTML and its buttons, each with where it leads."""

    html: Markup
    rows: list[list[tuple[str, str | None]]]  # (label, link or None)
    anchor: str = ""
    note: str = ""


class Pages:
    def __init__(self, site: Site, out: Path) -> None:
        self.site = site
        self.out = out
        self.env = Environment(
            loader=FileSystemLoader(str(SITE)),
            autoescape=select_autoescape(default=True, default_for_string=True),
            trim_blocks=True,
            lstrip_blocks=True,
        )

    def write_all(self) -> None:
        self.write_index()
        for entry in self.site.entries.values():
            if entry.id in self.site.engine.entries:
                self.write_answer(entry)
        for area in self._areas():
            self.write_area(area)
        self.write_cards()
        self.write_numbers()
        self.write_services()
        self.write_mixes()
        self.write_alerts()
        self.write_bot_messages()
        self.write_review()
        self.write_check()

    # --- links from buttons ----------------------------------------------------------------

    def link(self, data: str, depth: int) -> str | None:
        """The page a button leads to, relative to a page `depth` folders down."""
        up = "../" * depth
        kind, value = p.parse(data)
        entries = self.site.engine.entries
        if kind == p.ANSWER and value in entries:
            return f"{up}answers/{value}.html"
        if kind == p.MORE and value in entries:
            return f"{up}answers/{value}.html#more"
        if kind == p.TOPICS:
            return f"{up}areas/{value}.html" if value in AREAS else f"{up}bot.html#menu"
        if kind == p.EMERGENCY:
            card = self.site.engine.rules.overdose_card
            return f"{up}answers/{card}.html" if card in entries else f"{up}numbers.html"
        if kind == p.NUMBERS:
            return f"{up}numbers.html"
        if kind == p.ALERTS:
            return f"{up}alerts.html" + (f"#{_anchor('al', value)}" if value else "")
        if kind == p.HUMAN:
            return f"{up}bot.html#human"
        if kind == p.SERVICES:
            if value.count(":") == 1:
                value += ":0"  # an area's first page
            return f"{up}services.html" + (f"#{_anchor('s', value)}" if value else "")
        return None

    def bubble(self, reply: Reply, depth: int, anchor: str = "", note: str = "") -> Bubble:
        rows = [[(b.label, self.link(b.data, depth)) for b in row] for row in reply.buttons]
        if reply.request_location:
            rows.append([(reply.location_button or "📍", None)])
        return Bubble(Markup(reply.html), rows, anchor, note)

    def render(self, template: str, target: str, **context: Any) -> None:
        depth = target.count("/")
        html = self.env.get_template(template).render(
            up="../" * depth,
            today=self.site.today,
            operator=self.site.config.operator,
            country=self.site.config.country,
            **context,
        )
        path = self.out / target
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(html, encoding="utf-8")

    # --- pages -----------------------------------------------------------------------------

    def write_index(self) -> None:
        site = self.site
        by_area = {
            area: [e for e in site.entries.values() if e.meta.area == area]
            for area in self._areas()
        }
        search = [
            {
                "t": entry.title,
                "u": f"answers/{entry.id}.html",
                "k": " ".join(
                    [
                        entry.id,
                        entry.title,
                        entry.meta.summary,
                        *entry.meta.examples,
                        *entry.meta.keywords,
                    ]
                ).casefold(),
            }
            for entry in site.entries.values()
            if entry.id in site.engine.entries
        ]
        reached = sum(item.correct for item in site.labelled if item.expect)
        labelled = sum(1 for item in site.labelled if item.expect)
        self.render(
            "index.html.j2",
            "index.html",
            by_area=by_area,
            area_names=site.engine.messages.areas,
            served=site.served.entries,
            drawn=site.engine.entries,
            search=Markup(json.dumps(search, ensure_ascii=False).replace("</", "<\\/")),
            summaries={i: self.summary(e) for i, e in site.entries.items()},
            errors=sum(problem.is_error for problem in site.problems),
            warnings=sum(not problem.is_error for problem in site.problems),
            due=[row for row in self._review_rows() if row.due],
            statuses={
                s: sum(e.meta.review.status is s for e in site.entries.values())
                for s in ReviewStatus
            },
            min_status=site.config.min_review_status,
            reached=reached,
            labelled=labelled,
            sets=site.sets,
        )

    def write_answer(self, entry: Entry) -> None:
        engine = self.site.engine
        answer = engine.answer(entry.id)
        more = engine.more(entry.id) if entry.more else None
        reaches = [i for i in self.site.labelled if i.shown == entry.id and entry.id in i.expect]
        misses = [i for i in self.site.labelled if entry.id in i.expect and not i.correct]
        strays = [i for i in self.site.labelled if i.shown == entry.id and entry.id not in i.expect]
        self.render(
            "answer.html.j2",
            f"answers/{entry.id}.html",
            entry=entry,
            question=entry.meta.examples[0] if entry.meta.examples else "",
            answer=self.bubble(answer, 1),
            more=self.bubble(more, 1, anchor="more") if more else None,
            served=entry.id in self.site.served.entries,
            min_status=self.site.config.min_review_status,
            due=self._due(entry),
            related=[
                (r, self.site.entries[r].title if r in self.site.entries else r)
                for r in entry.meta.related
            ],
            reaches=reaches,
            misses=misses,
            strays=strays,
            titles={i: e.title for i, e in self.site.entries.items()},
            link_of=lambda shown: self.shown_link(shown, 1),
            sets=self.site.sets,
            problems=[problem for problem in self.site.problems if problem.path == entry.path],
            area_name=engine.messages.areas.get(entry.meta.area, entry.meta.area),
            summary=self.summary(entry),
        )

    def write_area(self, area: str) -> None:
        engine = self.site.engine
        self.render(
            "chat.html.j2",
            f"areas/{area}.html",
            title=engine.messages.areas.get(area, area),
            intro="The topic menu's page for this area, as people see it.",
            bubbles=[self.bubble(engine.area(area), 1)],
        )

    def write_cards(self) -> None:
        engine = self.site.engine
        rules = engine.rules
        cards = [c for c in (rules.overdose_card, rules.crisis_card) if c in engine.entries]
        countries = sorted(engine.numbers.countries.items(), key=lambda item: item[1].name)
        sections = []
        for code, country in countries:
            bubbles = [
                self.bubble(engine.answer_in(card, code), 0, note=engine.entries[card].title)
                for card in cards
            ]
            sections.append((code, f"{country.name} ({code})", bubbles))
        self.render(
            "sections.html.j2",
            "cards.html",
            title="Emergency and crisis cards, country by country",
            intro=(
                "The overdose card and the crisis card with each country's numbers, as a "
                "deployment with that `country` in its config shows them."
            ),
            sections=sections,
        )

    def write_numbers(self) -> None:
        self.render(
            "chat.html.j2",
            "numbers.html",
            title="Emergency numbers by country",
            intro="The reply to the 📞 numbers button.",
            bubbles=[self.bubble(self.site.engine.numbers_list(), 0)],
        )

    def write_services(self) -> None:
        services = self.site.engine.services
        sections = [("s", "The services menu (/services)", [self.bubble(services.menu(), 0)])]
        for kind in services.directory.types:
            bubbles = [self.bubble(services.kind(kind), 0)]
            for area, _name in services.directory.areas(kind):
                bubbles.extend(
                    self.bubble(reply, 0, anchor=_anchor("s", f"{kind}:{area}:{page}"))
                    for page, reply in _pages(services, kind, area)
                )
            sections.append((_anchor("s", kind), services.type_label(kind), bubbles))
        self.render(
            "sections.html.j2",
            "services.html",
            title="Services by type and area",
            intro=(
                "Every page of the services finder: each type, its areas, and each page of "
                "results, with opening times as of when this preview was made."
            ),
            sections=sections,
        )

    def write_mixes(self) -> None:
        engine = self.site.engine
        table = engine.reader.mixes.table
        bubbles = []
        if table is not None:
            ids = sorted(table.substances)
            for index, first in enumerate(ids):
                for second in ids[index + 1 :]:
                    mix = table.lookup(first, second)
                    if mix is not None:
                        anchor = _anchor("mix", mix.id[4:])
                        bubbles.append(self.bubble(engine.mix(mix), 0, anchor=anchor))
        self.render(
            "chat.html.j2",
            "mixes.html",
            title=f"Mixing two substances ({len(bubbles)} answers)",
            intro="The answer for each pair, from the mix tables (mixes/).",
            bubbles=bubbles,
        )

    def write_alerts(self) -> None:
        """Every alert file as people see it while it is live, with when that is."""
        engine = self.site.engine
        now = engine.alerts.clock()
        sections = [("al", "/alerts today", [self.bubble(engine.command("alerts"), 0)])]
        for alert in engine.alerts.book.alerts:
            bubble = self.bubble(engine.alerts.card(alert, ()), 0, note=state(alert, now))
            sections.append((_anchor("al", alert.id), f"{alert.id}.md", [bubble]))
        self.render(
            "sections.html.j2",
            "alerts.html",
            title=f"Drug alerts ({len(engine.alerts.book.alerts)} files)",
            intro=(
                "Each alert in alerts/ as people see it while it is live, coming and ended ones "
                "too; while one is live, the greeting and the answers about its substances "
                "carry its banner. See docs/alerts.md."
            ),
            sections=sections,
        )

    def write_bot_messages(self) -> None:
        engine = self.site.engine
        messages = engine.messages
        shown = [
            ("start", "/start and greetings", engine.start()),
            ("menu", "/menu and the 📚 topics button", engine.menu()),
            ("help", "/help and unknown commands", engine.message(messages.help)),
            ("no-match", "A message with no answer", engine.no_match("…")),
            (
                "off-topic",
                "Buying, selling or making drugs",
                engine.no_match("…", messages.off_topic),
            ),
            ("not-text", "A voice note, photo or sticker", engine.message(messages.not_text)),
            ("human", "/human and the 🧑 Talk to a person button (people.yaml)", engine.human()),
        ]
        self.render(
            "sections.html.j2",
            "bot.html",
            title="The bot's own messages",
            intro="Greeting, menu, help and fallbacks (content/en/messages.yaml).",
            sections=[(a, t, [self.bubble(reply, 0)]) for a, t, reply in shown],
        )

    def write_review(self) -> None:
        self.render(
            "review.html.j2",
            "review.html",
            rows=self._review_rows(),
            served=self.site.served.entries,
            min_status=self.site.config.min_review_status,
        )

    def write_check(self) -> None:
        entries_by_path = {entry.path: entry.id for entry in self.site.entries.values()}
        self.render(
            "check.html.j2",
            "check.html",
            problems=self.site.problems,
            answers=entries_by_path,
            drawn=self.site.engine.entries,
        )

    # --- helpers ---------------------------------------------------------------------------

    def shown_link(self, shown: str, depth: int) -> str | None:
        """The page of what a message was shown: an answer, or a mix answer."""
        if shown in self.site.engine.entries:
            return f"{'../' * depth}answers/{shown}.html"
        if shown.startswith("mix:"):
            return f"{'../' * depth}mixes.html#{_anchor('mix', shown[4:])}"
        return None

    def summary(self, entry: Entry) -> str:
        """The summary with the deployment's numbers in it, as the answer shows it."""
        try:
            return fill_placeholders(entry.meta.summary, self.site.engine.renderer.variables)
        except TemplateError:
            return entry.meta.summary  # `hrbot check` reports the placeholder

    def _areas(self) -> list[str]:
        return [
            a for a in AREAS if any(e.meta.area == a for e in self.site.engine.entries.values())
        ]

    def _review_rows(self) -> list[Any]:
        return review_rows(self.site.entries, self.site.today)

    def _due(self, entry: Entry) -> bool:
        review = entry.meta.review
        return review.next_review is not None and review.next_review < self.site.today


def _anchor(prefix: str, value: str) -> str:
    return f"{prefix}-" + "".join(c if c.isalnum() or c in "-_" else "-" for c in value)


def _pages(services: Any, kind: str, area: str) -> Iterator[tuple[int, Reply]]:
    """Every results page of one type in one area, as its 'more' buttons lead through them."""
    page = 0
    while page < 100:
        reply = services.results(kind, area, page)
        yield page, reply
        following = f"s:{kind}:{area}:{page + 1}"
        if following not in {button.data for button in reply.button_list}:
            return
        page += 1
