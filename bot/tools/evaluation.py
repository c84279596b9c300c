"""Measuring how well messages reach the right answer, on a labelled set of real-style messages.

Used by `benchmarks/quality.py` (to print the figures) and by the test suite (to hold the
floors). The set lives in `tests/eval/<lang>.yaml`; each item is
`{text, expect: [acceptable ids], kind: info | emergency | overdose-info | out-of-scope}`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import yaml

from bot.engine import Engine


@dataclass(frozen=True)
class Outcome:
    text: str
    kind: str
    expect: tuple[str, ...]
    shown: str | None  # the answer the person would see first
    emergency: bool

    @property
    def correct(self) -> bool:
        if not self.expect:
            return self.shown is None and not self.emergency
        return self.shown in self.expect


@dataclass
class Report:
    outcomes: list[Outcome] = field(default_factory=list)

    def _share(self, hits: list[bool]) -> float:
        return sum(hits) / len(hits) if hits else 1.0

    @property
    def top1(self) -> float:
        return self._share([o.correct for o in self.outcomes if o.expect])

    @property
    def emergency_recall(self) -> float:
        return self._share([o.emergency for o in self.outcomes if o.kind == "emergency"])

    @property
    def false_emergency_rate(self) -> float:
        others = [o.emergency for o in self.outcomes if o.kind != "emergency"]
        return self._share(others) if others else 0.0

    @property
    def out_of_scope_rejection(self) -> float:
        return self._share([o.correct for o in self.outcomes if o.kind == "out-of-scope"])

    @property
    def misses(self) -> list[Outcome]:
        return [o for o in self.outcomes if not o.correct or (o.kind == "emergency") != o.emergency]


def load_set(path: Path) -> list[dict[str, object]]:
    items = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(items, list):
        raise ValueError(f"{path}: must be a list of messages")
    return items


def evaluate(engine: Engine, items: list[dict[str, object]], language: str = "en") -> Report:
    report = Report()
    for item in items:
        text = str(item["text"])
        expect = tuple(str(i) for i in item.get("expect") or [])  # type: ignore[attr-defined]
        reading = engine.read(text, language)
        report.outcomes.append(
            Outcome(text, str(item.get("kind", "info")), expect, reading.shown, reading.emergency)
        )
    return report
