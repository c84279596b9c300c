"""Spotting a message that may mean an overdose or a suicidal crisis happening now.

This runs before the matcher, and its only job is not to miss. The phrases are data
(`content/<lang>/emergency.yaml`) so that services can add the words their people use.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bot.matcher import Analyser

MAX_GAP = 2  # other words allowed between two words of a phrase


@dataclass(frozen=True)
class EmergencyRules:
    overdose_card: str
    overdose: tuple[str, ...]
    crisis_card: str
    crisis: tuple[str, ...]
    asking: tuple[str, ...]
    now: tuple[str, ...]

    @property
    def all_phrases(self) -> tuple[str, ...]:
        return self.overdose + self.crisis + self.asking + self.now


class EmergencyDetector:
    def __init__(self, rules: EmergencyRules, analyser: Analyser) -> None:
        self.rules = rules
        self._analyser = analyser

        def compile_all(phrases: Sequence[str]) -> list[list[str]]:
            return [self._stems(phrase) for phrase in phrases if self._stems(phrase)]

        self._overdose = compile_all(rules.overdose)
        self._crisis = compile_all(rules.crisis)
        self._asking = compile_all(rules.asking)
        self._now = compile_all(rules.now)

    def _stems(self, text: str) -> list[str]:
        canonical = self._analyser.canonical_words(text)
        stemmer = self._analyser.stem_all
        return stemmer(canonical)

    def detect(self, text: str) -> str | None:
        """The id of the emergency card this message needs, or None."""
        stems = self._stems(text)
        if not stems:
            return None
        crisis = _any(self._crisis, stems)
        overdose = _any(self._overdose, stems)
        if not crisis and not overdose:
            return None
        if _any(self._asking, stems) and not _any(self._now, stems):
            return None
        return self.rules.crisis_card if crisis and not overdose else self.rules.overdose_card


def _any(phrases: list[list[str]], stems: list[str]) -> bool:
    return any(_contains(phrase, stems) for phrase in phrases)


def _contains(phrase: list[str], stems: list[str]) -> bool:
    """True when the phrase's words appear in order, at most MAX_GAP other words apart."""
    for start, stem in enumerate(stems):
        if stem != phrase[0]:
            continue
        position = start
        for word in phrase[1:]:
            window = stems[position + 1 : position + 2 + MAX_GAP]
            if word not in window:
                break
            position = position + 1 + window.index(word)
        else:
            return True
    return False
