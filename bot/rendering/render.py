"""Turning entries and messages into Telegram HTML through staff-editable Jinja2 templates.

Templates live in `content/templates/` (a service's own folder may replace any of them), with
autoescape on: anything a person typed, and any text from a file, is escaped unless it is HTML
this module made itself (Markup).

Every template is tried at start-up with sample values (bot/rendering/samples.py). One that
can't be read, doesn't compile, raises, renders nothing or makes HTML Telegram rejects is
reported (path:line) and the bundled template of that name is used instead, so a bad edit
never takes the emergency card or the menus away. Should a template still raise on real
values, the bundled one is tried, and then a plain rendering of the same words: a reply is
never lost to a template.
"""

from __future__ import annotations

import copy
import datetime as dt
import logging
import sys
import traceback
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jinja2 import (
    Environment,
    FileSystemLoader,
    FunctionLoader,
    StrictUndefined,
    TemplateSyntaxError,
    select_autoescape,
)
from jinja2.sandbox import SandboxedEnvironment
from markupsafe import Markup, escape

from bot.content.files import ContentError, read_text
from bot.content.layers import BUNDLED_CONTENT
from bot.content.messages import Messages
from bot.content.model import Entry, ReviewStatus
from bot.content.problems import Problem, error
from bot.content.safety import Fallback
from bot.rendering.markdown import to_telegram_html
from bot.rendering.samples import sample_context
from bot.rendering.telegram_html import problems_in

log = logging.getLogger(__name__)

BUNDLED_TEMPLATES = BUNDLED_CONTENT / "templates"
_placeholders = SandboxedEnvironment(undefined=StrictUndefined, autoescape=False)
_ENV_OPTIONS: dict[str, Any] = dict(
    autoescape=select_autoescape(default=True, default_for_string=True),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
    keep_trailing_newline=False,
)


def fill_placeholders(text: str, variables: dict[str, str]) -> str:
    """Put the deployment's numbers and name into an answer's text ({{ emergency }} …).

    StrictUndefined makes a misspelt placeholder an error the checker reports, rather than a
    silent blank where a phone number should be.
    """
    if "{" not in text:
        return text
    return _placeholders.from_string(text).render(variables)


@dataclass(frozen=True)
class _Chosen:
    """The template file used for one name, and its text."""

    path: Path
    source: str


class Renderer:
    def __init__(
        self,
        templates: Sequence[Path],
        messages: Messages,
        variables: dict[str, str],
        bundled: Path | None = BUNDLED_TEMPLATES,
    ) -> None:
        """`templates`: the template folders, the first that has a template wins; `bundled`:
        the folder whose templates stand in for broken ones."""
        self.messages = messages
        self.variables = variables
        self.problems: list[Problem] = []  # what is wrong with the templates, for hrbot check
        self.fallbacks: list[Fallback] = []  # the broken ones the bundled copy stands in for
        folders = [folder for folder in templates if folder.is_dir()]
        self._chosen = self._choose(folders, bundled)
        # One environment each: compiled templates are cached in it.
        self._env = Environment(loader=FunctionLoader(self._source_of), **_ENV_OPTIONS)
        self._bundled = Environment(
            loader=FileSystemLoader([str(bundled)] if bundled else []), **_ENV_OPTIONS
        )
        # Compiled now, not on first use: the first message to need a template would
        # otherwise wait the several milliseconds its compiling takes.
        for name in self._chosen:
            self._env.get_template(name)

    def with_variables(self, variables: dict[str, str]) -> Renderer:
        """This renderer with other numbers and names in the placeholders (`hrbot preview`
        draws the cards of every country): its templates stay chosen and compiled, which
        takes a tenth of a second each time."""
        other = copy.copy(self)
        other.variables = variables
        return other

    # --- choosing each template ---------------------------------------------------------------

    def _choose(self, folders: list[Path], bundled: Path | None) -> dict[str, _Chosen]:
        names = {path.name for folder in folders for path in templates_in(folder)}
        if bundled is not None:
            names |= {path.name for path in templates_in(bundled)}
        chosen: dict[str, _Chosen] = {}
        for name in sorted(names):
            candidates = [folder / name for folder in folders if (folder / name).is_file()]
            if bundled is not None and (bundled / name).is_file():
                if not candidates and folders:  # the content's templates lack one of ours
                    missing = folders[-1] / name
                    self.problems.append(error(missing, 0, "template is missing"))
                    self.fallbacks.append(Fallback(missing, bundled / name, "is missing"))
                candidates.append(bundled / name)
            first_problems: list[Problem] | None = None
            for path in dict.fromkeys(candidates):
                source, problems = self._try(path, name, folders, bundled)
                if first_problems is None:
                    first_problems = problems
                    self.problems.extend(problems)
                if not problems and source is not None:
                    chosen[name] = _Chosen(path, source)
                    if path != candidates[0]:
                        reason = f"template {name} cannot be used ({first_problems[0].message})"
                        self.fallbacks.append(Fallback(candidates[0], path, reason))
                    break
        return chosen

    def _try(
        self, path: Path, name: str, folders: list[Path], bundled: Path | None
    ) -> tuple[str | None, list[Problem]]:
        """The template's text and what is wrong with it (nothing: it can be used)."""
        try:
            source = read_text(path)
        except ContentError as exc:
            return None, [exc.problem]
        search = [str(folder) for folder in folders] + ([str(bundled)] if bundled else [])
        env = Environment(loader=FileSystemLoader(search), **_ENV_OPTIONS)
        try:
            template = env.from_string(source)
        except TemplateSyntaxError as exc:
            return None, [error(path, exc.lineno, f"template: {exc.message}")]
        context = sample_context(name, self.messages)
        if context is None:
            return source, []  # not one the bot uses: nothing to try it with
        try:
            html = template.render(t=self.messages, **context).strip()
        except Exception as exc:  # a template can raise anything: it is staff's code
            line = _template_line(exc)
            return None, [error(path, line, f"template: raises {type(exc).__name__}: {exc}")]
        if not html:
            return None, [error(path, 0, "template renders nothing: Telegram refuses empty text")]
        rejected = [problem for problem in problems_in(html) if "Telegram's limit" not in problem]
        if rejected:
            return None, [error(path, 0, f"template makes HTML Telegram rejects: {rejected[0]}")]
        return source, []

    def _source_of(self, name: str) -> tuple[str, str, Any] | None:
        chosen = self._chosen.get(name)
        if chosen is None:
            return None
        return chosen.source, str(chosen.path), lambda: True

    # --- rendering ----------------------------------------------------------------------------

    def render(self, template: str, **context: Any) -> str:
        """The template with `context`; never raises and never returns nothing: a template that
        fails on these values gives way to the bundled one, then to the words in plain."""
        for env in (self._env, self._bundled):
            try:
                text = env.get_template(template).render(t=self.messages, **context).strip()
            except Exception as exc:  # logged by type only: the values may be what was typed
                log.error("template %s failed (%s); trying the next", template, type(exc).__name__)
                continue
            if text:
                return text
            log.error("template %s rendered nothing; trying the next", template)
        return plain_rendering(context, self.messages)

    def markdown(self, text: str) -> Markup:
        return Markup(to_telegram_html(fill_placeholders(text, self.variables)))

    def answer(self, entry: Entry) -> str:
        return self.render(
            "answer.html.j2",
            title=entry.title,
            emergency=entry.meta.emergency,
            summary_html=self.markdown(entry.meta.summary),
            answer_html=self.markdown(entry.body),
            sources=entry.meta.sources,
            checked=self.review_line(entry),
        )

    def more(self, entry: Entry) -> str:
        return self.render("more.html.j2", title=entry.title, more_html=self.markdown(entry.more))

    def review_line(self, entry: Entry) -> str:
        review = entry.meta.review
        when = self.month_year(review.reviewed_on) if review.reviewed_on else ""
        if review.status is ReviewStatus.REVIEWED and review.reviewed_by:
            return self.messages.reviewed.format(who=review.reviewed_by, date=when)
        return self.messages.checked.format(date=when) if when else ""

    def month_year(self, date: dt.date) -> str:
        return f"{self.messages.months[date.month - 1]} {date.year}"


def templates_in(folder: Path) -> list[Path]:
    return sorted(folder.glob("*.j2")) if folder.is_dir() else []


def plain_rendering(context: dict[str, Any], messages: Messages) -> str:
    """The words of a reply without its template: each text value given, escaped (HTML this
    module made stays), in order. What a person typed (`text`) is never shown back."""
    parts = [
        value if isinstance(value, Markup) else escape(value)
        for key, value in context.items()
        if key != "text" and isinstance(value, str) and value.strip()
    ]
    return "\n\n".join(parts) or str(escape(messages.greeting))


def _template_line(exc: BaseException) -> int:
    """The template line an exception was raised at (Jinja puts it in the traceback)."""
    line = getattr(exc, "lineno", None)
    if isinstance(line, int):
        return line
    for frame in reversed(traceback.extract_tb(exc.__traceback__ or sys.exc_info()[2])):
        if frame.filename == "<template>" and frame.lineno:
            return frame.lineno
    return 0
