"""Measuring what people get, on labelled sets of messages written the way people write.

Every message goes through `Engine.read`, the same step a real message takes, so the services
finder, the cards and the fallbacks are measured as people meet them. Used by
`benchmarks/quality.py` (to print the figures) and the test suite (to hold the floors).

A set is a file of labelled messages. The tuning sets are the language's labelled messages
(`content/<lang>/labelled/<name>.yaml`), which the matcher also learns from, so a figure on them
is a training figure; the others are `tests/eval/<lang>-<name>.yaml`, never learnt. `set_path`
finds either by its name ("en-people-tune3", "en-people-test"). Each is a list of
`{text, expect: [acceptable ids, best first], kind, route?}`; `expect: []` means no answer
should be given. Kinds:

  emergency      an overdose happening now: the overdose card must come first
  crisis         a suicidal crisis or self-harm now: the crisis card must come first
  low-mood       hopelessness without intent: support with the crisis line, not silence
  overdose-info  a question about a past, future or general overdose: the answer, no card
  services       a place asked for: the finder, linked to the expected answer
  info           any other question an answer covers
  out-of-scope   nothing fits: no answer
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from bot.content.labelled import FOLDER as LABELLED_FOLDER
from bot.content.layers import BUNDLED_CONTENT
from bot.conversation import protocol as p
from bot.conversation.reply import Reply
from bot.engine import Engine
from bot.understanding.reading import Reading, Route

REPOSITORY = Path(__file__).resolve().parents[2]
EMERGENCY_KINDS = ("emergency", "crisis")
# Kinds that may get the crisis card without it counting as a false emergency.
SUPPORT_KINDS = ("low-mood",)
LENGTHS = ((0, 6, "≤ 6 words"), (7, 15, "7–15 words"), (16, 10_000, "16+ words"))


@dataclass(frozen=True)
class Outcome:
    text: str
    kind: str
    expect: tuple[str, ...]
    shown: str | None  # the answer the person sees first
    route: Route
    offered: tuple[str, ...] = ()  # every answer the reply shows or offers as a button

    @property
    def emergency(self) -> bool:
        return self.route in (Route.EMERGENCY, Route.CRISIS)

    @property
    def words(self) -> int:
        return len(self.text.split())

    @property
    def correct(self) -> bool:
        if not self.expect:
            return self.shown is None and not self.emergency
        return self.shown in self.expect

    @property
    def answered_or_offered(self) -> bool:
        """The right answer is the reply or one of its choices (a tap away)."""
        if not self.expect:
            return self.correct
        return self.correct or any(i in self.expect for i in self.offered)


@dataclass
class Report:
    outcomes: list[Outcome] = field(default_factory=list)

    def _share(self, hits: list[bool], empty: float = 1.0) -> float:
        return sum(hits) / len(hits) if hits else empty

    def _where(self, keep: Callable[[Outcome], bool]) -> list[Outcome]:
        return [o for o in self.outcomes if keep(o)]

    @property
    def top1(self) -> float:
        return self._share([o.correct for o in self.outcomes if o.expect])

    def top1_by_length(self, low: int, high: int) -> float:
        return self._share(
            [o.correct for o in self.outcomes if o.expect and low <= o.words <= high]
        )

    def count_by_length(self, low: int, high: int) -> int:
        return len([o for o in self.outcomes if o.expect and low <= o.words <= high])

    @property
    def answer_or_offer(self) -> float:
        return self._share([o.answered_or_offered for o in self.outcomes if o.expect])

    @property
    def emergency_recall(self) -> float:
        """Overdose and crisis together: the right card first."""
        hits = [self._card_right(o) for o in self.outcomes if o.kind in EMERGENCY_KINDS]
        return self._share(hits)

    @property
    def overdose_recall(self) -> float:
        return self._share([self._card_right(o) for o in self.outcomes if _overdose(o)])

    @property
    def crisis_recall(self) -> float:
        crisis = [o for o in self.outcomes if o.kind in EMERGENCY_KINDS and not _overdose(o)]
        return self._share([self._card_right(o) for o in crisis])

    @staticmethod
    def _card_right(outcome: Outcome) -> bool:
        """An emergency card first, and the one the label asks for."""
        return outcome.emergency and outcome.shown in outcome.expect

    @property
    def false_emergency_rate(self) -> float:
        # A card shown where the label wanted something else (the crisis answer for "who can
        # i talk to about killing myself" is what the label asks for, not a false alarm).
        others = [
            o.emergency and o.shown not in o.expect
            for o in self.outcomes
            if o.kind not in EMERGENCY_KINDS and o.kind not in SUPPORT_KINDS
        ]
        return self._share(others, empty=0.0)

    @property
    def out_of_scope_rejection(self) -> float:
        return self._share([o.correct for o in self.outcomes if o.kind == "out-of-scope"])

    @property
    def misses(self) -> list[Outcome]:
        return [
            o
            for o in self.outcomes
            if not o.correct
            or (o.kind in EMERGENCY_KINDS and not self._card_right(o))
            or (o.emergency and o.kind not in EMERGENCY_KINDS + SUPPORT_KINDS)
        ]


def _overdose(outcome: Outcome) -> bool:
    """An emergency item about an overdose (older sets label crises `emergency` too)."""
    return outcome.kind == "emergency" and "crisis-support" not in outcome.expect


def set_path(name: str, content: Path = BUNDLED_CONTENT) -> Path:
    """The file of the set called `name`: "en-people-tune3" is the English labelled file
    people-tune3.yaml, "en-people-test" is tests/eval/en-people-test.yaml (in a checkout)."""
    language, _, rest = name.partition("-")
    labelled = content / language / LABELLED_FOLDER / f"{rest}.yaml"
    if rest and labelled.exists():
        return labelled
    return REPOSITORY / "tests" / "eval" / f"{name}.yaml"


def load_set(path: Path) -> list[dict[str, object]]:
    items = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(items, list):
        raise ValueError(f"{path}: must be a list of messages")
    return items


def outcome(
    text: str, kind: str, expect: tuple[str, ...], reading: Reading, reply: Reply
) -> Outcome:
    """What the person got: the answer shown first, and every answer a button of the reply
    opens (the runners-up, the card's "Also", an answer's related ones, a mix's drug cards)."""
    linked = [p.parse(b.data)[1] for b in reply.button_list if p.parse(b.data)[0] == p.ANSWER]
    offered = dict.fromkeys(i for i in (reading.shown, *linked) if i)
    return Outcome(text, kind, expect, reading.shown, reading.route, tuple(offered))


def evaluate(engine: Engine, items: list[dict[str, object]], language: str = "en") -> Report:
    report = Report()
    speaking = engine.language(language)
    for item in items:
        text = str(item["text"])
        expect = tuple(str(i) for i in item.get("expect") or [])  # type: ignore[attr-defined]
        kind = str(item.get("kind", "info"))
        reading = speaking.read(text)
        reply = speaking.reply_to(reading, text)
        report.outcomes.append(outcome(text, kind, expect, reading, reply))
    return report
