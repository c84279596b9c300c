"""Config mistakes worded for the person who made them: each at its line, with what to write.

pydantic's own messages ("Input should be 'polling' or 'webhook'", "Extra inputs are not
permitted") say what is wrong in its terms. Here each one becomes what to do: a misspelt setting
gets the setting it was probably meant to be (`operater` → operator), a misspelt value the value
(`mode: webhok` → webhook), a number out of range its range, and a country code that is not an
ISO code the one that is (`country: UK` → GB).
"""

from __future__ import annotations

import difflib
import enum
import typing
from functools import cache
from pathlib import Path
from typing import Any

from pydantic import BaseModel
from pydantic_core import ErrorDetails

# Codes people use that are not ISO 3166-1 alpha-2, and the ISO code meant.
COUNTRY_ALIASES = {"UK": "GB", "EL": "GR"}
COUNTRIES_FILE = Path(__file__).with_name("countries.tab")
# Settings whose form is a pattern, and the form in words.
PATTERNS = {
    "webhook_url": "must be the full public address, starting with https://",
    "webhook_path": "must start with / and hold only letters, digits and / _ . -",
}
# Settings that moved, at their old place, and what to write instead.
MOVED = {
    ("telegram", "metrics_port"): (
        "has moved: write the port under `monitoring:` as `port:` (its server answers /metrics "
        "and /healthz beside polling)"
    ),
}


@cache
def countries() -> dict[str, str]:
    """ISO 3166-1 alpha-2 code → the country's usual English name."""
    table: dict[str, str] = {}
    for line in COUNTRIES_FILE.read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            code, name = line.split("\t", 1)
            table[code] = name
    return table


def country_problem(value: str) -> str | None:
    """What is wrong with a country code, with the code meant when it can be told; None if
    it is a real code."""
    code = value.strip().upper()
    known = countries()
    if code in known:
        return None
    meant = COUNTRY_ALIASES.get(code)
    if meant is None and len(value.strip()) > 2:
        names = {name.lower(): c for c, name in known.items()}
        close = difflib.get_close_matches(value.strip().lower(), names, n=1, cutoff=0.75)
        meant = names[close[0]] if close else None
    if meant is not None:
        return f"'{value}' is not a country code; did you mean {meant} ({known[meant]})?"
    return f"'{value}' is not a 2-letter ISO country code (GB, US, IE, CA, AU …)"


def reword(model: type[BaseModel], error: ErrorDetails) -> str:
    """One pydantic error as a sentence saying what to write instead."""
    loc = tuple(str(part) for part in error["loc"])
    kind, given = error["type"], error.get("input")
    if kind == "extra_forbidden" and loc in MOVED:
        return MOVED[loc]
    if kind == "extra_forbidden":
        owner = _model_at(model, loc[:-1])
        known = list(owner.model_fields) if owner else []
        close = difflib.get_close_matches(loc[-1], known, n=1, cutoff=0.6)
        hint = f"; did you mean '{close[0]}'?" if close else f"; the settings here: {_list(known)}"
        return f"is not a setting{hint}"
    field = _field_at(model, loc)
    if kind in ("literal_error", "enum"):
        choices = _choices(field)
        text = str(given)
        exact = {choice.lower(): choice for choice in choices}
        meant = exact.get(text.lower()) or next(
            iter(difflib.get_close_matches(text, choices, n=1, cutoff=0.6)), None
        )
        hint = f"; did you mean '{meant}'?" if meant else ""
        return f"'{text}' is not one of {_list(choices)}{hint}"
    if kind in ("less_than_equal", "greater_than_equal", "less_than", "greater_than"):
        low, high = _bounds(field)
        if low is not None and high is not None:
            return f"{given} is out of range: use {_number(low)} to {_number(high)}"
        if low is not None:
            return f"{given} is too small: use {_number(low)} or more"
        return f"{given} is too large: use at most {_number(high)}"
    if kind in ("int_parsing", "int_type", "int_from_float"):
        return f"'{given}' is not a whole number"
    if kind in ("float_parsing", "float_type"):
        return f"'{given}' is not a number"
    if kind == "string_pattern_mismatch":
        return f"'{given}' {PATTERNS.get(loc[-1], 'is not in the expected form')}"
    if kind == "model_type":
        return "must be a section of `setting: value` lines, indented under it"
    if kind in ("string_type", "path_type"):
        return "must be text"
    return str(error["msg"]).removeprefix("Value error, ")


def _model_at(model: type[BaseModel], loc: tuple[str, ...]) -> type[BaseModel] | None:
    """The nested settings model at `loc` (() is the whole config)."""
    current: type[BaseModel] | None = model
    for part in loc:
        info = current.model_fields.get(part) if current else None
        annotation = info.annotation if info else None
        current = (
            annotation
            if isinstance(annotation, type) and issubclass(annotation, BaseModel)
            else None
        )
    return current


def _field_at(model: type[BaseModel], loc: tuple[str, ...]) -> Any:
    owner = _model_at(model, loc[:-1])
    return owner.model_fields.get(loc[-1]) if owner and loc else None


def _choices(field: Any) -> list[str]:
    annotation = getattr(field, "annotation", None)
    if isinstance(annotation, type) and issubclass(annotation, enum.Enum):
        return [str(member.value) for member in annotation]
    return [str(arg) for arg in typing.get_args(annotation)]


def _bounds(field: Any) -> tuple[float | None, float | None]:
    low = high = None
    for rule in getattr(field, "metadata", ()):
        low = getattr(rule, "ge", None) if getattr(rule, "ge", None) is not None else low
        low = getattr(rule, "gt", None) if getattr(rule, "gt", None) is not None else low
        high = getattr(rule, "le", None) if getattr(rule, "le", None) is not None else high
        high = getattr(rule, "lt", None) if getattr(rule, "lt", None) is not None else high
    return low, high


def _number(value: float | None) -> str:
    return f"{value:g}" if value is not None else "?"


def _list(choices: list[str]) -> str:
    quoted = [f"'{choice}'" for choice in choices]
    return ", ".join(quoted[:-1]) + f" or {quoted[-1]}" if len(quoted) > 1 else "".join(quoted)
