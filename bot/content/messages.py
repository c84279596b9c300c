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
    other_services: str
    answer: str


class ServiceWords(BaseModel):
    """The finder's words; `{placeholders}` are filled in by bot/service_replies.py."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    title: str
    pick_type: str
    pick_area: str
    pick_area_or_location: str
    location_prompt: str
    location_button: str
    location_used: str
    nearest: str
    page: str
    none_near: str
    none_for_type: str
    none_at_all: str
    national: str
    no_country: str
    open_until: str
    open_always: str
    closed_until: str
    closed: str
    hours_unknown: str
    hours_as_written: str = "hours: {hours} · call to check"  # hours kept as typed
    at_time: str
    at_day_time: str
    weekdays: list[str] = Field(min_length=7, max_length=7)
    distance: str
    map: str
    sms: str
    walk_in: str
    appointment: str
    id_needed: str
    no_id: str
    anonymous: str
    checked: str


class MixWords(BaseModel):
    """The words around a mix answer (bot/content/mixes.py); {a} and {b} are the two names."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    title: str
    risks: dict[str, str]  # dangerous, caution, low, unknown → how the risk is shown
    what_to_do: str
    by_rule: str  # said when the answer comes from the rule for two kinds of drug


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
    # The one line every reply that is not a sure answer carries: {emergency}, {crisis_line}.
    safety_net: str = "In danger now? Call {emergency}. Thinking of suicide? {crisis_line}."
    safety_net_no_country: str = (
        "In danger now? Call your local emergency number (tap 🌍 for numbers by country)."
    )
    numbers_title: str
    numbers_crisis: str
    numbers_overdose_line: str
    numbers_warm_line: str = "someone to talk to"  # a listening line, not for a crisis
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
    services: ServiceWords
    # The kinds of service a directory may list (type id → button label), in button order.
    service_types: dict[str, str]
    mix: MixWords | None = None
