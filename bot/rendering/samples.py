"""Sample values for every reply template, so a template can be tried before anyone needs it.

The bot renders each template with these at start-up (bot/rendering/render.py) and `hrbot
check` reports what fails: a template that raises, renders nothing, names a value that isn't
given (a typo) or makes HTML Telegram rejects. The values have the same shape as the real
ones each template gets; the names are what the templates may use.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from markupsafe import Markup

from bot.content.messages import Messages
from bot.content.model import Source

_SOURCES = [
    Source(title="Example source", url="https://www.example.org/page"),
    Source(title="Another source", url="https://example.net/"),
]

_COUNTRY = SimpleNamespace(
    name="United Kingdom",
    emergency="999",
    also=["112"],
    crisis=SimpleNamespace(number="116 123"),
    overdose_line=SimpleNamespace(number="0800 000 000"),
    warm_line=SimpleNamespace(number="0300 000 0000"),
    other_lines=[SimpleNamespace(name="Another line", number="0800 111 111")],
)
_SAFETY_NET = "In danger now? Call 999. Thinking of suicide? 116 123."

_SERVICE = SimpleNamespace(
    name="Example needle exchange",
    organisation="Example trust",
    status="open now · closes 17:00",
    open=True,
    closed=False,
    place="High Street, Exampleton",
    distance="1.2 km",
    map_url="https://www.openstreetmap.org/?mlat=51.5&mlon=-0.1",
    phone="020 0000 0000",
    text="60000",
    website="https://example.org/",
    website_label="example.org",
    telegram="@example",
    flags="walk-in · anonymous",
    notes="Ask for the harm reduction worker.",
    checked="checked May 2026",
)

_ALERT = SimpleNamespace(
    severity="⛔ Danger",
    title="Nitazenes found in pills sold as oxycodone",
    where="Where: Camden, Islington",
    dates="Reported 20 November 09:00 · shown until 4 December 00:00",
    body_html=Markup("Test your pills. <b>Carry naloxone.</b>"),
    sources=_SOURCES[:1],
)
_PERSON = SimpleNamespace(
    name="Outreach team",
    about="peer workers",
    status="open now · closes 17:00",
    open=True,
    closed=False,
    phone="020 7946 0000",
    text="07700 900123",
    telegram="@outreach_example",
    telegram_url="https://t.me/outreach_example",
)


def sample_context(name: str, messages: Messages) -> dict[str, Any] | None:
    """The values template `name` is rendered with; None for a template the bot doesn't use
    (or the mix template when messages.yaml has no mix words)."""
    samples: dict[str, dict[str, Any]] = {
        "answer.html.j2": {
            "title": "Someone is overdosing",
            "emergency": True,
            "summary_html": Markup("Call <b>999</b> now."),
            "answer_html": Markup("1. <b>Call 999</b>.\n2. Give naloxone if you have it."),
            "sources": _SOURCES,
            "checked": messages.checked,
        },
        "more.html.j2": {"title": "Someone is overdosing", "more_html": Markup("Stay with them.")},
        "message.html.j2": {"message": messages.help, "safety_net": _SAFETY_NET},
        "no_match.html.j2": {
            "text": "what someone typed",
            "message": messages.no_match,
            "safety_net": _SAFETY_NET,
        },
        "start.html.j2": {"safety_net": _SAFETY_NET},
        "suggest.html.j2": {"safety_net": _SAFETY_NET},
        "numbers.html.j2": {"countries": [("GB", _COUNTRY)]},
        "services.html.j2": {
            "heading": messages.services.title,
            "note": messages.services.location_used,
            "count": "1–1 of 1",
            "items": [_SERVICE],
        },
    }
    samples["alerts.html.j2"] = {
        "heading": messages.alerts.title,
        "note": messages.alerts.intro,
        "alerts": [_ALERT],
        "follow": Markup('Follow <a href="https://t.me/example">@example</a>.'),
    }
    samples["people.html.j2"] = {
        "heading": messages.people.title,
        "note": messages.people.none_open,
        "lines": ["🚨 In danger now: call 999", "☎️ Crisis line: 116 123 (Samaritans)"],
        "later": messages.people.later,
        "people": [_PERSON],
        "safety_net": _SAFETY_NET,
    }
    if messages.mix is not None:
        samples["mix.html.j2"] = {
            "first": "Cocaine",
            "second": "Alcohol",
            "risk": next(iter(messages.mix.risks.values()), "Dangerous"),
            "by_rule": True,
            "why": "Together they make a third substance that is harder on the heart.",
            "what_to_do": "Use less of each and space them out.",
            "sources": _SOURCES,
        }
    return samples.get(name)
