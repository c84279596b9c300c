"""The bot's own words per language (`content/<lang>/messages.yaml`): everything but answers."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class Buttons(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    emergency: str
    topics: str
    more: str
    back: str
    numbers: str
    also: str


class Messages(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    greeting: str
    privacy_line: str
    emergency_hint: str
    help: str
    menu_prompt: str
    area_prompt: str
    no_match: str
    off_topic: str
    did_you_mean: str
    also_asked: str
    not_text: str
    numbers_title: str
    numbers_crisis: str
    numbers_overdose_line: str
    numbers_checked: str
    local_emergency_fallback: str
    crisis_line_fallback: str
    operator_fallback: str
    sources: str
    checked: str
    reviewed: str
    areas: dict[str, str]
    buttons: Buttons
    months: list[str] = Field(min_length=12, max_length=12)
