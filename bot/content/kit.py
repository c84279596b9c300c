"""The pieces every content schema is built from, so each rule is written once.

- `Strict`: unknown fields are errors (a misspelt field would otherwise be silently ignored and
  a reviewer would believe it was in effect), values are frozen and stripped.
- `Id`: the one id pattern for answers, services, regions and types (lower case, dashes).
- `Phrases` / `Words`: lists of non-blank strings, stripped.
- `TimeZone`: an IANA time zone name ("Europe/London"), checked when the file is read.
- `slug`: the one way a name becomes an ASCII id.
"""

from __future__ import annotations

import re
import unicodedata
import zlib
from typing import Annotated
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

ID_PATTERN = r"^[a-z0-9]+(-[a-z0-9]+)*$"


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


def _no_blank(value: list[str]) -> list[str]:
    if any(not str(item).strip() for item in value):
        raise ValueError("has an empty item")
    return [str(item).strip() for item in value]


Id = Annotated[str, Field(pattern=ID_PATTERN)]
Words = Annotated[list[str], AfterValidator(_no_blank)]  # may be empty
Phrases = Annotated[list[str], Field(min_length=1), AfterValidator(_no_blank)]


def _zone(value: str) -> str:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        example = "Europe/London or America/New_York"
        raise ValueError(f"is not an IANA time zone like {example}") from None
    return value


TimeZone = Annotated[str, Field(min_length=1), AfterValidator(_zone)]


def slug(name: str, limit: int = 60) -> str:
    """A short ASCII form of a name ("St Mungo's Drop-in" → "st-mungo-s-drop-in").

    Over `limit`, the cut form gets a short checksum of the full name, so two long names that
    share a beginning stay apart. An empty result is "" (callers choose the fallback).
    """
    folded = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().casefold()
    base = re.sub(r"[^a-z0-9]+", "-", folded).strip("-")
    if len(base) <= limit:
        return base
    checksum = f"{zlib.crc32(name.encode('utf-8')):08x}"[:4]
    return f"{base[: limit - 5].rstrip('-')}-{checksum}"
