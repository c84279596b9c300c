"""Reading YAML so that every problem can point at a file line.

Staff edit these files by hand. "sources.0.url: invalid URL" is not enough; they need
"content/en/overdose/naloxone-how.md:14". So YAML is composed once to learn where each key sits,
then loaded, and validation errors are mapped back to lines.

A file is refused, quickly and with a line a person can act on, when it is bigger than any
content file needs to be (MAX_FILE_BYTES: a 10,000-service directory is a few MB), or when its
YAML aliases (`&name` … `*name`) repeat parts of it more than MAX_ALIASES times or would expand
it past MAX_NODES values: a few lines of aliases can stand for billions of values (an "alias
bomb"), which would otherwise hold the bot at start-up.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from bot.content.problems import Problem, error

# libyaml's parser when PyYAML has it (10x faster on a large services directory); the data is
# built from the same parsed nodes that give the line numbers, so the text is read once.
_LOADER: type[yaml.SafeLoader] | type[yaml.CSafeLoader] = getattr(
    yaml, "CSafeLoader", yaml.SafeLoader
)


MAX_FILE_BYTES = 10_000_000
MAX_ALIASES = 100
MAX_NODES = 2_000_000


class ContentError(Exception):
    """A file that cannot be read at all; carries where, for a `path:line` report."""

    def __init__(self, path: Path, line: int, message: str) -> None:
        super().__init__(f"{path}:{line}: {message}")
        self.problem = error(path, line, message)


@dataclass(frozen=True)
class YamlDoc:
    data: Any
    lines: dict[str, int]  # "sources.0.url" → 1-based file line


def parse_yaml(text: str, path: Path, first_line: int = 1) -> YamlDoc:
    """Parse YAML text that starts on `first_line` of `path`."""
    try:
        node = yaml.compose(text, Loader=_LOADER)
        if node is not None:
            _check_expansion(node, path, first_line)
        data = _LOADER("").construct_document(node) if node is not None else None
    except yaml.YAMLError as exc:
        raise _yaml_problem(exc, path, first_line) from None
    lines: dict[str, int] = {}
    if node is not None:
        _collect_lines(node, "", first_line, lines, path)
    return YamlDoc(data, lines)


def read_text(path: Path) -> str:
    """A content file's text, or a ContentError a person can act on."""
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise ContentError(
                path,
                0,
                f"is {size / 1e6:.0f} MB; content files must be under {MAX_FILE_BYTES // 1_000_000}"
                " MB (is it the right file?)",
            )
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise ContentError(path, 0, "is not UTF-8 text; save it as UTF-8") from None
    except OSError as exc:
        raise ContentError(path, 0, f"cannot be read ({exc.strerror})") from None


def _check_expansion(root: yaml.Node, path: Path, first_line: int) -> None:
    """Refuse aliases that repeat too much of the file, before anything walks it expanded.

    Each node is counted once, after its children: its expanded size is its own value plus its
    children's expanded sizes, so a bomb is measured, never built. A node referred to from
    more than one place is an alias. (YAML anchors can't contain themselves: no cycles.)
    """
    expanded: dict[int, int] = {}
    references = 0
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, children_done = stack.pop()
        if id(node) in expanded:
            continue
        children = _children(node)
        if not children_done:
            stack.append((node, True))
            stack.extend((child, False) for child in children if id(child) not in expanded)
            continue
        references += len(children)
        aliases = references - len(expanded)  # references to nodes already counted
        if aliases > MAX_ALIASES:
            raise ContentError(
                path,
                first_line + node.start_mark.line,
                f"more than {MAX_ALIASES} YAML aliases (*name); write the values out",
            )
        size = 1 + sum(expanded[id(child)] for child in children)
        if size > MAX_NODES:
            raise ContentError(
                path,
                first_line + node.start_mark.line,
                f"YAML aliases here would expand to over {MAX_NODES:,} values; "
                "write the values out instead of using &/* aliases",
            )
        expanded[id(node)] = size


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    return []


def read_yaml(path: Path) -> YamlDoc:
    return parse_yaml(read_text(path), path)


# An anchor or alias token (`&name`, `*name`) where YAML allows one: a file with none can't be
# an alias bomb. Text inside quotes may match too ("oh *sigh*"): that file takes the careful way.
_ALIAS_TOKEN = re.compile(r"(?:^|[\s\[{,:-])[&*][^\s,\[\]{}]", re.MULTILINE)


def parse_yaml_data(text: str, path: Path) -> Any:
    """A large, plain file's values without each key's line: faster than `parse_yaml`
    (libyaml builds the values). A file with aliases is read the careful way."""
    if _LOADER is yaml.SafeLoader or _ALIAS_TOKEN.search(text):
        return parse_yaml(text, path).data
    try:
        return yaml.load(text, Loader=_LOADER)  # a safe loader, and no aliases
    except yaml.YAMLError as exc:
        raise _yaml_problem(exc, path) from None


def _yaml_problem(exc: yaml.YAMLError, path: Path, first_line: int = 1) -> ContentError:
    """What the YAML parser said, with the line it said it of."""
    if isinstance(exc, yaml.MarkedYAMLError):
        mark = exc.problem_mark or exc.context_mark
        reason = exc.problem or "is not valid YAML"
        return ContentError(path, first_line + (mark.line if mark else 0), f"YAML: {reason}")
    return ContentError(path, first_line, f"YAML: {exc}")


def _collect_lines(
    node: yaml.Node, prefix: str, first_line: int, out: dict[str, int], path: Path
) -> None:
    """Record each key's line; a key given twice is an error, since YAML would silently keep
    only the second and a reviewer would believe the first was in effect."""
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key_node, value_node in node.value:
            name = str(key_node.value)
            line = first_line + key_node.start_mark.line
            if name in seen:
                first = out.get(f"{prefix}.{name}" if prefix else name)
                raise ContentError(path, line, f"'{name}' is given twice (first on line {first})")
            seen.add(name)
            key = f"{prefix}.{name}" if prefix else name
            out.setdefault(key, line)
            _collect_lines(value_node, key, first_line, out, path)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            key = f"{prefix}.{index}" if prefix else str(index)
            out.setdefault(key, first_line + item.start_mark.line)
            _collect_lines(item, key, first_line, out, path)


def line_for(lines: dict[str, int], key: str, default: int = 1) -> int:
    """The line of `key`, or of its nearest parent that has one."""
    parts = key.split(".")
    while parts:
        line = lines.get(".".join(parts))
        if line:
            return line
        parts.pop()
    return default


def validation_problems(
    path: Path, exc: ValidationError, lines: dict[str, int], prefix: str = ""
) -> list[Problem]:
    """One `path:line` problem per pydantic error, worded for someone editing the file."""
    problems = []
    for err in exc.errors():
        loc = ".".join(str(part) for part in err["loc"])
        key = f"{prefix}.{loc}" if prefix and loc else (prefix or loc)
        message = err["msg"].removeprefix("Value error, ")  # pydantic's wording, not ours
        if err["type"] == "missing":
            message = "is missing"
        elif err["type"] == "extra_forbidden":
            message = "is not a known field (check the spelling)"
        problems.append(error(path, line_for(lines, key), f"{key or 'file'}: {message}"))
    return problems


_Model = TypeVar("_Model", bound=BaseModel)


def read_model(path: Path, model: type[_Model], problems: list[Problem]) -> _Model | None:
    """A YAML file validated against its schema; None (with the problems) when it can't be."""
    found, _, found_problems = read_model_doc(path, model)
    problems.extend(found_problems)
    return found


def read_model_doc(
    path: Path, model: type[_Model]
) -> tuple[_Model | None, YamlDoc | None, list[Problem]]:
    """As `read_model`, also giving the parsed file (for its key lines)."""
    try:
        doc = read_yaml(path)
    except ContentError as exc:
        return None, None, [exc.problem]
    try:
        return model.model_validate(doc.data if doc.data is not None else {}), doc, []
    except ValidationError as exc:
        return None, doc, validation_problems(path, exc, doc.lines)
