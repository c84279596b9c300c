"""What an answer is: the front matter fields of `content/<lang>/<area>/<id>.md`, and its body.

The schema is strict (unknown fields are errors) because a misspelt field would otherwise be
silently ignored and a reviewer would believe it was in effect.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, HttpUrl, field_validator

from bot.yamlfile import line_for

ID_PATTERN = r"^[a-z0-9]+(-[a-z0-9]+)*$"
AREAS = ("overdose", "drugs", "injecting", "testing", "services", "general")


class ReviewStatus(StrEnum):
    DRAFT = "draft"
    SOURCED = "sourced"
    REVIEWED = "reviewed"

    @property
    def rank(self) -> int:
        return list(ReviewStatus).index(self)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class Source(_Strict):
    title: str = Field(min_length=1)
    url: HttpUrl


class Review(_Strict):
    status: ReviewStatus
    reviewed_by: str = ""
    reviewed_on: dt.date | None = None
    next_review: dt.date | None = None


class FrontMatter(_Strict):
    id: str = Field(pattern=ID_PATTERN)
    title: str = Field(min_length=1, max_length=60)
    area: str
    summary: str = Field(min_length=1)
    examples: list[str] = Field(min_length=1)
    keywords: list[str] = []
    related: list[str] = []
    emergency: bool = False
    sources: list[Source] = Field(min_length=1)
    review: Review

    @field_validator("area")
    @classmethod
    def _known_area(cls, value: str) -> str:
        if value not in AREAS:
            raise ValueError(f"must be one of {', '.join(AREAS)}")
        return value

    @field_validator("examples", "keywords", "related")
    @classmethod
    def _no_blank_items(cls, value: list[str]) -> list[str]:
        if any(not str(item).strip() for item in value):
            raise ValueError("has an empty item")
        return [str(item).strip() for item in value]


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
