"""The schema of `content/<lang>/crisis-examples.yaml`: messages that teach the crisis
recogniser (bot/understanding/crisis_model.py), and how sure it must be."""

from __future__ import annotations

from pydantic import Field

from bot.content.kit import Strict, Words

FILE_NAME = "crisis-examples.yaml"


class CrisisExamples(Strict):
    threshold: float = Field(0.95, gt=0, lt=1)  # with a crisis cue in the message
    uncued_threshold: float = Field(0.9975, gt=0, lt=1)  # with none
    crisis: Words = []
    not_crisis: Words = []
