"""Spotting a message that may mean an overdose or a suicidal crisis happening now.

This runs before the matcher, and its only job is not to miss. The phrases are data
(`content/<lang>/emergency.yaml`) so that services can add the words their people use.
"""

from __future__ import annotations

from bot.content.emergency_rules import EmergencyRules
from bot.understanding.matcher import Analyser
from bot.understanding.phrases import PhraseSet


class EmergencyDetector:
    def __init__(self, rules: EmergencyRules, analyser: Analyser) -> None:
        self.rules = rules
        # Canonical words, not stems: "overdosing" must not match "overdose kit".
        self._words = analyser.canonical_words
        self._overdose = PhraseSet(rules.overdose.phrases, self._words)
        self._crisis = PhraseSet(rules.crisis.phrases, self._words)
        self._asking = PhraseSet(rules.asking, self._words)
        self._now = PhraseSet(rules.now, self._words)
        self._overdose_if_now = PhraseSet(rules.overdose_if_now, self._words)

    def detect(self, text: str) -> str | None:
        """The id of the emergency card this message needs, or None."""
        return self.detect_words(self._words(text))

    def detect_words(self, words: list[str]) -> str | None:
        """As `detect`, for a message already turned into canonical words."""
        if not words:
            return None
        now = self._now.found_in(words)
        crisis = self._crisis.found_in(words)
        overdose = self._overdose.found_in(words) or (now and self._overdose_if_now.found_in(words))
        if not crisis and not overdose:
            return None
        # A question stops the card only when it comes first ("how do i know if he's
        # overdosing"), not after a report ("he's not breathing, how do i use narcan").
        asked = None if now else self._asking.first_in(words)
        if asked is not None:
            danger = [self._crisis.first_in(words), self._overdose.first_in(words)]
            if asked <= min(at for at in danger if at is not None):
                return None
        return self.rules.crisis_card if crisis and not overdose else self.rules.overdose_card
