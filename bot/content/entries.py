"""Reading one answer file: YAML front matter, a Markdown body, an optional "more" part."""

from __future__ import annotations

import re
from pathlib import Path

from pydantic import ValidationError

from bot.content.files import ContentError, parse_yaml, read_text, validation_problems
from bot.content.model import Entry, FrontMatter
from bot.content.problems import Problem, error

MORE_MARKER = re.compile(r"^\s*<!--\s*more\s*-->\s*$", re.MULTILINE | re.IGNORECASE)


def read_entry(path: Path, language: str) -> tuple[Entry | None, list[Problem]]:
    """Read an answer; a file that can't be used comes back as None with its problems."""
    try:
        front, front_line, body, body_line = split_front_matter(read_text(path), path)
        doc = parse_yaml(front, path, first_line=front_line)
    except ContentError as exc:
        return None, [exc.problem]
    if not isinstance(doc.data, dict):
        return None, [error(path, 1, "the front matter must be `key: value` lines")]
    try:
        meta = FrontMatter.model_validate(doc.data)
    except ValidationError as exc:
        return None, validation_problems(path, exc, doc.lines)
    main, more = _split_more(body)
    entry = Entry(meta, main, more, language, path, body_line, doc.lines)
    return entry, _placement_problems(entry)


def split_front_matter(text: str, path: Path) -> tuple[str, int, str, int]:
    """Front matter text and its first line; body text and its first line (answers and
    drug-supply alerts are both written this way)."""
    lines = text.splitlines(keepends=True)
    if not lines or lines[0].strip() != "---":
        raise ContentError(path, 1, "must start with a `---` line, then the front matter")
    for index in range(1, len(lines)):
        if lines[index].strip() == "---":
            front = "".join(lines[1:index])
            body = "".join(lines[index + 1 :])
            return front, 2, body, index + 2
    raise ContentError(path, 1, "the front matter has no closing `---` line")


def _split_more(body: str) -> tuple[str, str]:
    parts = MORE_MARKER.split(body, maxsplit=1)
    main = parts[0].strip()
    more = parts[1].strip() if len(parts) > 1 else ""
    return main, more


def _placement_problems(entry: Entry) -> list[Problem]:
    """The file's name and folder must agree with its id and area: links and QR codes use them."""
    problems = []
    if entry.path.stem != entry.id:
        problems.append(
            error(entry.path, entry.line_of("id"), f"id '{entry.id}' must match the file name")
        )
    if entry.path.parent.name != entry.meta.area:
        problems.append(
            error(
                entry.path,
                entry.line_of("area"),
                f"area '{entry.meta.area}' must match the folder '{entry.path.parent.name}'",
            )
        )
    return problems
