"""The button and command protocol: what a button's data means, and which commands there are.

Every button carries what it needs, so nothing is kept between messages and any process can
answer any press. Telegram caps callback data at 64 bytes.

  a:<id>                     show an answer            m:<id>    an answer's "more" part
  t                          the topic menu            t:<area>  the answers of one area
  e                          the overdose card         n         emergency numbers by country
  s                          the services finder's types
  s:<type>                   the areas with that type (and the location request)
  s:<type>:<area>[:<page>]   one page of that type's services in an area
  w                          /forget: delete this chat's last 48 hours (wipe)
  x                          delete the message this button is on
  k                          the overdose card as an image to keep
  p                          pin the message this button is on
  f:<id>:+   f:<id>:-        👍 / 👎 under an answer (counted by answer id, nothing else)
  share:<id>                 not callback data: the adapter turns it into a t.me/share/url
                             link to the answer's deep link (t.me/<bot>?start=<id>)
  al                         the live drug-supply alerts  al:<id>  one alert
  h                          talk to a person (/human)
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeVar

ANSWER = "a"
MORE = "m"
TOPICS = "t"
EMERGENCY = "e"
NUMBERS = "n"
SERVICES = "s"
# /forget and /card (docs/privacy-tools.md); the answer that offers /forget as a button
FORGET = "w"
DELETE_THIS = "x"
CARD = "k"
PIN = "p"
FORGET_ANSWER = "privacy"
# /start arguments (deep links, `hrbot qr`) that are not answer ids
START_SERVICES = "services"
START_CARD = "card"
FEEDBACK = "f"
SHARE = "share"
VOTES = {"+": "up", "-": "down"}  # a feedback button's vote → its label in the metrics

ALERTS = "al"  # drug-supply alerts
HUMAN = "h"  # the service's people

MAX_CALLBACK_BYTES = 64
# Every command the bot answers, in the order Telegram's command menu lists them.
COMMANDS = (
    "start", "help", "menu", "emergency", "services", "privacy", "about",
    "forget", "card", "alerts", "human",
)  # fmt: skip
# Commands that show the answer of the same id.
ANSWER_COMMANDS = ("privacy", "about")


def data(kind: str, *values: str | int) -> str:
    """Button data: the kind, then each value after a colon ("a:naloxone-how")."""
    return ":".join([kind, *(str(value) for value in values)])


def parse(button_data: str) -> tuple[str, str]:
    """(kind, the rest) of button data; the rest is "" when there is none."""
    kind, _, rest = button_data.partition(":")
    return kind, rest


def fits(button_data: str) -> bool:
    """Whether Telegram accepts this as callback data."""
    return 0 < len(button_data.encode("utf-8")) <= MAX_CALLBACK_BYTES


def command_name(text: str) -> str:
    """ "/Start@hrbot" → "start"."""
    return text.lstrip("/").split("@")[0].casefold()


_Item = TypeVar("_Item")


def rows(items: Sequence[_Item], per_row: int = 2) -> tuple[tuple[_Item, ...], ...]:
    """Buttons laid out `per_row` to a row, in order."""
    return tuple(tuple(items[i : i + per_row]) for i in range(0, len(items), per_row))
