"""What an answer is: the front matter fields of `content/<lang>/<area>/<id>.md`, and its body.

The schema is strict (bot/content/kit.py): a misspelt field is an error, not silently ignored.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from pydantic import Field, HttpUrl, field_validator

from bot.content.files import line_for
from bot.content.kit import Id, Phrases, Strict, Words

AREAS = ("overdose", "drugs", "injecting", "testing", "services", "general")


class ReviewStatus(StrEnum):
    DRAFT = "draft"
    SOURCED = "sourced"
    REVIEWED = "reviewed"

    @property
    def rank(self) -> int:
        return list(ReviewStatus).index(self)


class Source(Strict):
    title: str = Field(min_length=1)
    url: HttpUrl


class Review(Strict):
    status: ReviewStatus
    reviewed_by: str = ""
    reviewed_on: dt.date | None = None
    next_review: dt.date | None = None


class FrontMatter(Strict):
    id: Id
    title: str = Field(min_length=1, max_length=60)
    area: str
    summary: str = Field(min_length=1)
    examples: Phrases
    keywords: Words = []
    related: Words = []
    emergency: bool = False
    sources: list[Source] = Field(min_length=1)
    review: Review

    @field_validator("area")
    @classmethod
    def _known_area(cls, value: str) -> str:
        if value not in AREAS:
            raise ValueError(f"must be one of {', '.join(AREAS)}")
        return value


@dataclass(frozen=True)
class Entry:
    """One answer as loaded: its front matter, its Markdown parts, and where it came from."""

    meta: FrontMatter
    body: str  # Markdown shown with the summary
    more: str  # Markdown shown on request ("" when there is none)
    language: str
    path: Path
    body_line: int  # the file line the body starts on, for problem reports
    key_lines: dict[str, int]  # front matter path ("sources.0.url") → file line

    @property
    def id(self) -> str:
        return self.meta.id

    @property
    def title(self) -> str:
        return self.meta.title

    def line_of(self, key: str) -> int:
        """The file line of a front matter key, falling back to its parent, then to line 1."""
        return line_for(self.key_lines, key)
