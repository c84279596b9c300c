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
    overdose_if_now: tuple[str, ...] = ()

    @property
    def all_phrases(self) -> tuple[str, ...]:
        return self.overdose + self.crisis + self.asking + self.now + self.overdose_if_now


class EmergencyDetector:
    def __init__(self, rules: EmergencyRules, analyser: Analyser) -> None:
        self.rules = rules
        self._analyser = analyser

        def compile_all(phrases: Sequence[str]) -> list[list[str]]:
            return [self._words(phrase) for phrase in phrases if self._words(phrase)]

        self._overdose = compile_all(rules.overdose)
        self._crisis = compile_all(rules.crisis)
        self._asking = compile_all(rules.asking)
        self._now = compile_all(rules.now)
        self._overdose_if_now = compile_all(rules.overdose_if_now)

    def _words(self, text: str) -> list[str]:
        """Canonical words, not stems: "overdosing" must not match "overdose kit"."""
        return self._analyser.canonical_words(text)

    def detect(self, text: str) -> str | None:
        """The id of the emergency card this message needs, or None."""
        words = self._words(text)
        if not words:
            return None
        now = _any(self._now, words)
        crisis = _any(self._crisis, words)
        overdose = _any(self._overdose, words) or (now and _any(self._overdose_if_now, words))
        if not crisis and not overdose:
            return None
        if _any(self._asking, words) and not now:
            return None
        return self.rules.crisis_card if crisis and not overdose else self.rules.overdose_card


def _any(phrases: list[list[str]], words: list[str]) -> bool:
    return any(_contains(phrase, words) for phrase in phrases)


def _contains(phrase: list[str], words: list[str]) -> bool:
    """True when the phrase's words appear in order, at most MAX_GAP other words apart."""
    for start, word in enumerate(words):
        if word != phrase[0]:
            continue
        position = start
        for wanted in phrase[1:]:
            window = words[position + 1 : position + 2 + MAX_GAP]
            if wanted not in window:
                break
            position = position + 1 + window.index(wanted)
        else:
            return True
    return False
