"""Changing the `review:` fields of an answer file and nothing else, byte for byte.

Staff files carry comments, their own key order, folded summaries and long source lists; a
YAML dump would rewrite all of that. So the change is made on the lines themselves: each field
of the `review:` block is replaced in place (keeping its indent, its line ending and any
comment after the value) or added at the end of the block, and every other byte is kept.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Mapping

import yaml

REVIEW_FIELDS = ("status", "reviewed_by", "reviewed_on", "next_review")

_REVIEW_KEY = re.compile(r"^review:[ \t]*(?P<rest>.*?)(?P<end>\r?\n?)$")
_VALUE = r'"(?:[^"\\]|\\.)*"|\'(?:[^\']|\'\')*\'|[^#\r\n]*?'
_FIELD = re.compile(
    rf"^(?P<indent>[ \t]+)(?P<key>[A-Za-z_]+):(?P<gap>[ \t]*)(?P<value>{_VALUE})"
    r"(?P<comment>[ \t]+#.*?)?(?P<end>\r?\n?)$"
)


class FrontMatterError(Exception):
    """The file's front matter can't be edited safely; the message says what to do."""


def yaml_value(value: str | dt.date) -> str:
    """A review value as it is written: dates and statuses bare, names double-quoted."""
    if isinstance(value, dt.date):
        return value.isoformat()
    if re.fullmatch(r"[a-z]+", value):
        return value
    return json.dumps(value, ensure_ascii=False)


def set_review(text: str, values: Mapping[str, str | dt.date]) -> str:
    """`text` with the given review fields set; every other byte is unchanged."""
    unknown = set(values) - set(REVIEW_FIELDS)
    if unknown:
        raise ValueError(f"not review fields: {', '.join(sorted(unknown))}")
    lines = text.splitlines(keepends=True)
    lines = _unfold_flow(lines)
    start, stop = _review_block(lines)
    newline = "\r\n" if lines[start].endswith("\r\n") else "\n"
    block = lines[start + 1 : stop]
    indent = next((m["indent"] for line in block if (m := _FIELD.match(line))), "  ")
    for key in REVIEW_FIELDS:
        if key not in values:
            continue
        value = yaml_value(values[key])
        block = _set_field(block, key, value, indent, newline)
    return "".join([*lines[: start + 1], *block, *lines[stop:]])


def _review_block(lines: list[str]) -> tuple[int, int]:
    """The line index of `review:` in the front matter, and the index after its block."""
    if not lines or lines[0].strip() != "---":
        raise FrontMatterError("must start with a `---` line, then the front matter")
    close = next((i for i in range(1, len(lines)) if lines[i].strip() == "---"), None)
    if close is None:
        raise FrontMatterError("the front matter has no closing `---` line")
    start = next((i for i in range(1, close) if _REVIEW_KEY.match(lines[i])), None)
    if start is None:
        raise FrontMatterError("the front matter has no `review:` block; add one (see docs)")
    rest = _REVIEW_KEY.match(lines[start])
    assert rest is not None
    if rest["rest"] and not rest["rest"].startswith("#"):
        raise FrontMatterError(
            f"line {start + 1}: write `review:` as a block, one field a line, to sign it"
        )
    stop = start + 1
    while stop < close and (lines[stop][:1] in (" ", "\t") or not lines[stop].strip()):
        stop += 1
    while stop > start + 1 and not lines[stop - 1].strip():
        stop -= 1  # blank lines after the block stay where they are
    return start, stop


def _unfold_flow(lines: list[str]) -> list[str]:
    """`review: {status: sourced, …}` on one line becomes a block of one field a line (the
    only lines that change), so its fields can be set like any other."""
    for index, line in enumerate(lines):
        if line.strip() == "---" and index:
            break
        found = _REVIEW_KEY.match(line)
        if not found or not found["rest"].startswith("{"):
            continue
        try:
            fields = yaml.safe_load(found["rest"])
        except yaml.YAMLError:
            raise FrontMatterError(
                f"line {index + 1}: the review fields are not valid YAML"
            ) from None
        if not isinstance(fields, dict):
            return lines
        newline = found["end"] or "\n"
        block = [f"review:{newline}"]
        block += [f"  {key}: {yaml_value(_plain(value))}{newline}" for key, value in fields.items()]
        return [*lines[:index], *block, *lines[index + 1 :]]
    return lines


def _plain(value: object) -> str | dt.date:
    if isinstance(value, dt.date):
        return value
    return "" if value is None else str(value)


def _set_field(block: list[str], key: str, value: str, indent: str, newline: str) -> list[str]:
    for index, line in enumerate(block):
        found = _FIELD.match(line)
        if found and found["key"] == key and found["indent"] == indent:
            gap = found["gap"] or " "
            comment = found["comment"] or ""
            end = found["end"] or ""
            block = list(block)
            block[index] = f"{indent}{key}:{gap}{value}{comment}{end}"
            return block
    # not there: add it after the last field of the block
    last = max((i for i, line in enumerate(block) if _FIELD.match(line)), default=-1)
    block = list(block)
    if last >= 0 and not block[last].endswith("\n"):
        block[last] += newline
    block.insert(last + 1, f"{indent}{key}: {value}{newline}")
    return block
