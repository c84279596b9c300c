"""Turning entries and messages into Telegram HTML through staff-editable Jinja2 templates.

Templates live in `content/templates/` (a service's own folder may replace any of them), with
autoescape on: anything a person typed, and any text from a file, is escaped unless it is HTML
this module made itself (Markup).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from jinja2.sandbox import SandboxedEnvironment
from markupsafe import Markup

from bot.content.messages import Messages
from bot.content.model import Entry, ReviewStatus
from bot.rendering.markdown import to_telegram_html

_placeholders = SandboxedEnvironment(undefined=StrictUndefined, autoescape=False)


def fill_placeholders(text: str, variables: dict[str, str]) -> str:
    """Put the deployment's numbers and name into an answer's text ({{ emergency }} …).

    StrictUndefined makes a misspelt placeholder an error the checker reports, rather than a
    silent blank where a phone number should be.
    """
    if "{" not in text:
        return text
    return _placeholders.from_string(text).render(variables)


class Renderer:
    def __init__(
        self, templates: Sequence[Path], messages: Messages, variables: dict[str, str]
    ) -> None:
        """`templates`: the template folders, the first that has a template wins."""
        self.messages = messages
        self.variables = variables
        self._env = Environment(
            loader=FileSystemLoader(list(templates)),
            autoescape=select_autoescape(default=True, default_for_string=True),
            undefined=StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=False,
        )

    def render(self, template: str, **context: Any) -> str:
        text = self._env.get_template(template).render(t=self.messages, **context)
        return text.strip()

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
