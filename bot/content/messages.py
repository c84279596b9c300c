"""The bot's own words per language (`content/<lang>/messages.yaml`): everything but answers."""

from __future__ import annotations

import string
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from bot.content.files import read_model_doc
from bot.content.problems import Problem, error
from bot.content.tool_words import CardWords, ForgetWords

# The {placeholders} each message may use; the bot fills them in with str.format, so any other
# name (a typo like {titel}) would fail every reply that uses the message.
PLACEHOLDERS: dict[str, frozenset[str]] = {
    "area_prompt": frozenset({"area"}),
    "checked": frozenset({"date"}),
    "reviewed": frozenset({"who", "date"}),
    "buttons.also": frozenset({"title"}),
    "buttons.answer": frozenset({"title"}),
    "services.page": frozenset({"first", "last", "total"}),
    "services.none_near": frozenset({"km", "distance"}),
    "services.checked": frozenset({"date"}),
    "services.open_until": frozenset({"when"}),
    "services.closed_until": frozenset({"when"}),
    "services.at_time": frozenset({"time"}),
    "services.at_day_time": frozenset({"day", "time"}),
    "services.distance": frozenset({"km", "distance"}),
    "services.near_place": frozenset({"place"}),
    "mix.title": frozenset({"a", "b"}),
    "card.call": frozenset({"emergency"}),
    # drug-supply alerts and /human (bot/conversation/alerts.py, people.py)
    "alerts.banner": frozenset({"severity", "title"}),
    "alerts.banner_many": frozenset({"count", "severity", "title"}),
    "alerts.where": frozenset({"areas"}),
    "alerts.dates": frozenset({"published", "expires"}),
    "alerts.follow": frozenset({"channel"}),
    "people.intro": frozenset({"operator"}),
    "people.none_open": frozenset({"operator"}),
    "people.emergency": frozenset({"number"}),
    "people.crisis": frozenset({"line"}),
    "people.overdose_line": frozenset({"line"}),
    "people.warm_line": frozenset({"line"}),
}


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
    near_place: str = "Near {place}"  # a postcode typed in a message
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


class SharingWords(BaseModel):
    """Passing an answer on and 👍 / 👎 under answers (docs/sharing.md). The defaults keep a
    messages.yaml written before these existed working."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    share: str = "📤 Share"
    helpful: str = "👍"
    not_helpful: str = "👎"
    thanks: str = "Thank you. This helps us make the answers better."
    open_bot: str = "💬 Open the bot"
    # Inline mode (@bot in any chat): the button above the results, which opens the bot.
    ask_privately: str = "Ask the bot privately"
    # The answers an empty inline query offers after the overdose card, in order; answer ids.
    featured: list[str] = []


class AlertWords(BaseModel):
    """The words around drug-supply alerts (content/alerts/); defaults so a service's own
    messages.yaml from before alerts still loads."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    title: str = "Drug alerts"
    intro: str = "Reported in the drug supply here. Nobody signs up: each shows while it lasts."
    none: str = "No drug alerts right now."
    ended: str = "That alert has ended."
    severities: dict[str, str] = {
        "danger": "⛔ Danger",
        "warning": "⚠️ Warning",
        "notice": "ℹ️ Notice",
    }
    # The one line above the greeting and the answers about an alert's substances.
    banner: str = "{severity}: {title}"
    banner_many: str = "{severity}: {title} (and {count} more drug alerts)"
    where: str = "Where: {areas}"
    dates: str = "Reported {published} · shown until {expires}"
    follow: str = "New alerts as they come: follow {channel} on Telegram."
    button: str = "⚠️ Read the drug alert"
    list_button: str = "⚠️ Drug alerts"
    channel_button: str = "📣 Follow the alerts channel"
    open_bot: str = "💬 Ask the bot"


class PeopleWords(BaseModel):
    """The words of /human and the "Talk to a person" button (content/people.yaml)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    title: str = "Talk to a person"
    intro: str = "People from {operator} you can call, text or message:"
    none_open: str = "Nobody from {operator} is answering right now. These lines are, at any hour:"
    none_listed: str = "These lines have a person on them:"
    later: str = "Or reach the service when it opens:"
    emergency: str = "🚨 In danger now: call {number}"
    crisis: str = "☎️ Crisis line: {line}"
    overdose_line: str = "📞 Overdose line: {line}"
    warm_line: str = "💬 Someone to talk to: {line}"
    no_country: str = "Tap 🌍 for emergency and crisis numbers by country."
    hours_unknown: str = "hours not given: try anyway"
    text: str = "text"
    button: str = "🧑 Talk to a person"
    services_button: str = "📍 Services near you"


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
    # /forget and /card (bot/content/tool_words.py)
    forget: ForgetWords = ForgetWords()
    card: CardWords = CardWords()
    sharing: SharingWords = SharingWords()
    alerts: AlertWords = AlertWords()
    people: PeopleWords = PeopleWords()


def load_messages(path: Path) -> tuple[Messages | None, list[Problem]]:
    """A language's messages; None (with the problems) when they can't be used, a misspelt
    placeholder included."""
    messages, doc, problems = read_model_doc(path, Messages)
    if messages is None or doc is None:
        return None, problems
    problems = placeholder_problems(messages, path, doc.lines)
    return (None if problems else messages), problems


def placeholder_problems(messages: Messages, path: Path, lines: dict[str, int]) -> list[Problem]:
    problems = []
    for key, allowed in PLACEHOLDERS.items():
        text = _value(messages, key)
        if text is None:
            continue
        names = ", ".join("{" + name + "}" for name in sorted(allowed))
        try:
            used = {field for _, field, _, _ in string.Formatter().parse(text) if field is not None}
        except ValueError:
            problems.append(error(path, lines.get(key, 1), f"{key}: a {{ or }} is not paired"))
            continue
        for field in sorted(used):
            name = field.split(".")[0].split("[")[0]
            if name not in allowed:
                where = lines.get(key, 1)
                problems.append(
                    error(path, where, f"{key}: {{{field}}} is not a placeholder; use {names}")
                )
    return problems


def _value(messages: Messages, key: str) -> str | None:
    value: object = messages
    for part in key.split("."):
        value = getattr(value, part, None)
    return value if isinstance(value, str) else None
