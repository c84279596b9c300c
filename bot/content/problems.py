"""Problems found in content files, reported as `path:line: message` for the people who edit."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True)
class Problem:
    """One thing wrong with one file; `line` is 1-based, 0 when the whole file is meant."""

    path: Path
    line: int
    message: str
    severity: Severity = Severity.ERROR

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else f"{self.path}"
        label = "" if self.severity is Severity.ERROR else "warning: "
        return f"{where}: {label}{self.message}"

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR


def error(path: Path, line: int, message: str) -> Problem:
    return Problem(path, line, message, Severity.ERROR)


def warning(path: Path, line: int, message: str) -> Problem:
    return Problem(path, line, message, Severity.WARNING)
