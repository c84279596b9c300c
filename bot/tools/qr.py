"""`hrbot qr`: a QR code for a flyer or a wall that opens the bot at an answer, the services
finder, the overdose card image, or its start.

The code holds a Telegram deep link, `https://t.me/<bot>?start=<what>`: a phone's camera opens
it in Telegram, and the bot answers `/start <what>` as if the person had asked. Nothing in the
link says who scanned it. Codes are made with segno at error correction level Q (a quarter of
the code can be torn or covered and it still reads), as PNG or SVG (for printers).
"""

from __future__ import annotations

import difflib
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path

import segno

from bot.conversation import protocol as p

FORMATS = ("png", "svg")
START = "start"
# Targets that are not answer ids: the bot's start, and the /start arguments it knows.
SPECIAL = (START, p.START_SERVICES, p.START_CARD)
_SCALE = {"png": 16, "svg": 10}  # pixels (PNG) or units (SVG) per module
BORDER = 4  # the quiet zone the QR standard asks for, in modules


class QrError(Exception):
    """What is wrong with the request, said so that it can be fixed."""


@dataclass(frozen=True)
class Made:
    path: Path
    url: str
    modules: int  # the code's width in modules, without the border


def username(configured: str | None, given: str | None) -> str:
    """The bot's username from --bot, else the config; a QrError saying where to set it."""
    name = (given or configured or "").strip().lstrip("@")
    if not name:
        raise QrError(
            "which bot? Give its username with --bot (e.g. --bot HarmReductionLondonBot) or "
            "set telegram.bot_username in your config"
        )
    if not (5 <= len(name) <= 32 and name.replace("_", "").isalnum() and name.isascii()):
        raise QrError(f"{name!r} is not a Telegram username (5-32 letters, digits or _)")
    return name


def link(target: str, bot: str, answers: Collection[str]) -> str:
    """The deep link for `target`: an answer id, services, card or start."""
    if target == START:
        return f"https://t.me/{bot}"
    if target in SPECIAL or target in answers:
        return f"https://t.me/{bot}?start={target}"
    close = difflib.get_close_matches(target, [*answers, *SPECIAL], n=3, cutoff=0.6)
    hint = f"; did you mean {', '.join(close)}?" if close else ""
    raise QrError(
        f"no answer {target!r}{hint} (a target is an answer id, as `hrbot review` lists them, "
        f"or one of: {', '.join(SPECIAL)})"
    )


def out_and_format(target: str, out: Path | None, fmt: str | None) -> tuple[Path, str]:
    """Where to write and as what: --format, else the file's ending, else PNG."""
    if fmt is None:
        suffix = out.suffix.lstrip(".").casefold() if out else ""
        fmt = suffix if suffix in FORMATS else "png"
    if fmt not in FORMATS:
        raise QrError(f"--format {fmt!r}: use png or svg")
    return out or Path(f"qr-{target}.{fmt}"), fmt


def make(url: str, path: Path, fmt: str) -> Made:
    """Write the QR code of `url` to `path`."""
    code = segno.make(url, error="q", micro=False)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        if fmt == "svg":
            code.save(str(path), kind="svg", scale=_SCALE[fmt], border=BORDER, title=url)
        else:
            code.save(str(path), kind="png", scale=_SCALE[fmt], border=BORDER)
    except OSError as exc:
        raise QrError(f"cannot write {path}: {exc.strerror}") from None
    width, _ = code.symbol_size(scale=1, border=0)
    return Made(path, url, int(width))
