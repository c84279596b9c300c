"""The overdose card as a PNG to keep on the phone: big, high-contrast, readable offline.

Drawn with Pillow from `CardText` (bot/rendering/card_text.py) in the font that ships inside
Pillow, so nothing depends on the fonts of the machine the bot runs on. That font has the
unaccented Latin letters only: accents are dropped ("é" is drawn as "e"), and a card whose
words need letters the font lacks (another script) is not drawn at all — the bot then sends
the card as text, which the phone shows in its own fonts.

`CardImages` keeps the last image per card text, keyed by a hash of everything drawn (the
steps, the number, the footer), so each language's card is drawn once, on first use, and again
only when the content or the number change.
"""

from __future__ import annotations

import io
import threading
import unicodedata
from dataclasses import dataclass

from PIL import Image, ImageDraw, ImageFont

from bot.rendering.card_text import Block, CardText

WIDTH = 1080
MARGIN = 64
INK = (17, 17, 17)
PAPER = (255, 255, 255)
RED = (179, 0, 27)  # white on this red: contrast 7.3:1
NOTE = (255, 241, 184)
GREY = (68, 68, 68)

# Punctuation the font lacks, as the nearest it has.
_PLAIN = str.maketrans({"–": "-", "—": "-", "•": "-", "…": "...", "‘": "'", "’": "'"})
_PLAIN_QUOTES = str.maketrans({"“": '"', "”": '"', "\u00a0": " ", "×": "x"})


class CardError(Exception):
    """The card can't be drawn in the bundled font (letters it doesn't have)."""


@dataclass(frozen=True)
class _Style:
    size: int
    color: tuple[int, int, int]
    leading: float = 1.3


def plain(text: str) -> str:
    """Text in the letters the bundled font has: accents dropped, dashes and quotes plain."""
    text = text.translate(_PLAIN).translate(_PLAIN_QUOTES)
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


class CardDrawer:
    """Draws card texts; one per process is enough (fonts are loaded once per size)."""

    def __init__(self) -> None:
        self._fonts: dict[int, _Font] = {}
        self._lock = threading.Lock()

    def font(self, size: int) -> _Font:
        if size not in self._fonts:
            self._fonts[size] = ImageFont.load_default(size=size)
        return self._fonts[size]

    def missing(self, text: str) -> set[str]:
        """The characters of `text` (once made plain) that the font has no letter for."""
        font = self.font(24)
        unknown = bytes(font.getmask("\uffff"))
        return {
            ch for ch in set(plain(text)) if not ch.isspace() and bytes(font.getmask(ch)) == unknown
        }

    def draw(self, card: CardText) -> bytes:
        """The PNG of `card`; CardError when the font can't write it."""
        everything = " ".join(
            [card.title, card.call, card.footer]
            + [text for block in card.steps + card.notes for text, _ in block]
        )
        lacking = self.missing(everything)
        if lacking:
            raise CardError(f"the image font has no letter for {''.join(sorted(lacking))}")
        with self._lock:  # Pillow's fonts are not meant for two threads at once
            return self._draw(card)

    def _draw(self, card: CardText) -> bytes:
        image = Image.new("RGB", (WIDTH, 6000), PAPER)
        pen = ImageDraw.Draw(image)
        y = self._band(pen, 0, ((plain(card.title), True),), _Style(64, PAPER), INK, 44)
        y = self._band(pen, y, ((plain(card.call), True),), _Style(104, PAPER), RED, 36)
        y += 48
        for number, step in enumerate(card.steps, start=1):
            y = self._step(pen, y, number, step) + 34
        if card.notes:
            y = self._notes(pen, y + 6, card.notes) + 40
        footer = _Style(30, GREY)
        y = self._text(pen, MARGIN, y, WIDTH - 2 * MARGIN, ((plain(card.footer), False),), footer)
        image = image.crop((0, 0, WIDTH, y + MARGIN))
        out = io.BytesIO()
        image.save(out, format="PNG", compress_level=6)
        return out.getvalue()

    def _band(
        self,
        pen: ImageDraw.ImageDraw,
        top: int,
        block: Block,
        style: _Style,
        fill: tuple[int, int, int],
        padding: int,
    ) -> int:
        """A full-width coloured band with centred text; the y under it."""
        lines = self._wrap(block, style.size, WIDTH - 2 * MARGIN)
        height = round(len(lines) * style.size * style.leading) + 2 * padding
        pen.rectangle((0, top, WIDTH, top + height), fill=fill)
        y = top + padding
        for line in lines:
            width = self._line_width(line, style.size)
            self._line(pen, (WIDTH - width) // 2, y, line, style)
            y += round(style.size * style.leading)
        return top + height

    def _step(self, pen: ImageDraw.ImageDraw, top: int, number: int, block: Block) -> int:
        """A numbered step: the number in a red disc, the text beside it."""
        disc = 76
        pen.ellipse((MARGIN, top, MARGIN + disc, top + disc), fill=RED)
        label = str(number)
        font = self.font(46)
        width = font.getlength(label)
        pen.text(
            (MARGIN + (disc - width) / 2, top + disc / 2),
            label,
            font=font,
            fill=PAPER,
            anchor="lm",
            stroke_width=1,
            stroke_fill=PAPER,
        )
        left = MARGIN + disc + 28
        bottom = self._text(pen, left, top + 8, WIDTH - left - MARGIN, block, _Style(44, INK))
        return max(bottom, top + disc)

    def _notes(self, pen: ImageDraw.ImageDraw, top: int, notes: tuple[Block, ...]) -> int:
        """The notes in a pale yellow box."""
        style = _Style(38, INK)
        inner = WIDTH - 4 * MARGIN // 2 - 2 * 32
        wrapped = [self._wrap(note, style.size, inner) for note in notes]
        line = round(style.size * style.leading)
        height = sum(len(lines) * line for lines in wrapped) + 24 * (len(notes) - 1) + 2 * 28
        pen.rounded_rectangle(
            (MARGIN // 2, top, WIDTH - MARGIN // 2, top + height), radius=24, fill=NOTE
        )
        y = top + 28
        for lines in wrapped:
            for words in lines:
                self._line(pen, MARGIN // 2 + 32, y, words, style)
                y += line
            y += 24
        return top + height

    def _text(
        self,
        pen: ImageDraw.ImageDraw,
        left: int,
        top: int,
        width: int,
        block: Block,
        style: _Style,
    ) -> int:
        """Wrapped text from (left, top); the y under it."""
        y = top
        for line in self._wrap(block, style.size, width):
            self._line(pen, left, y, line, style)
            y += round(style.size * style.leading)
        return y

    def _line(
        self, pen: ImageDraw.ImageDraw, left: float, top: int, line: _Line, style: _Style
    ) -> None:
        font = self.font(style.size)
        space = font.getlength(" ")
        x = left
        for word in line:
            for piece, bold in word:
                stroke = _stroke(style.size) if bold else 0
                pen.text(
                    (x + stroke, top),
                    piece,
                    font=font,
                    fill=style.color,
                    stroke_width=stroke,
                    stroke_fill=style.color,
                )
                x += font.getlength(piece) + 2 * stroke
            x += space

    def _line_width(self, line: _Line, size: int) -> int:
        font = self.font(size)
        return round(
            sum(self._word_width(word, font, size) for word in line)
            + font.getlength(" ") * (len(line) - 1)
        )

    @staticmethod
    def _word_width(word: _Word, font: _Font, size: int) -> float:
        return sum(font.getlength(p) + (2 * _stroke(size) if bold else 0) for p, bold in word)

    def _wrap(self, block: Block, size: int, width: int) -> list[_Line]:
        """The block's words in lines no wider than `width`. A word may change weight
        inside ("**Call 999**," is a bold word with a plain comma)."""
        font = self.font(size)
        space = font.getlength(" ")
        lines: list[list[_Word]] = [[]]
        used = 0.0
        for word in _words(block):
            length = self._word_width(word, font, size)
            if lines[-1] and used + space + length > width:
                lines.append([])
                used = 0.0
            used += (space if lines[-1] else 0.0) + length
            lines[-1].append(word)
        return [tuple(line) for line in lines if line]


_Font = ImageFont.FreeTypeFont | ImageFont.ImageFont
_Word = tuple[tuple[str, bool], ...]  # pieces of one word, each bold or not
_Line = tuple[_Word, ...]


def _stroke(size: int) -> int:
    """How thick bold is drawn: the font has one weight, so bold is the letters outlined."""
    return max(1, size // 40)


def _words(block: Block) -> list[_Word]:
    """The words of a block, split at spaces only, whatever the runs' edges."""
    words: list[list[tuple[str, bool]]] = [[]]
    for text, bold in block:
        for index, part in enumerate(plain(text).split(" ")):
            if index > 0 and words[-1]:
                words.append([])
            if part:
                words[-1].append((part, bold))
    return [tuple(word) for word in words if word]


class CardImages:
    """The drawn card per language, made again when what is drawn on it changes."""

    def __init__(self, drawer: CardDrawer | None = None) -> None:
        self.drawer = drawer or CardDrawer()
        self._made: dict[str, tuple[str, bytes]] = {}  # language → (digest, png)
        self._lock = threading.Lock()

    def png(self, language: str, card: CardText) -> bytes:
        digest = card.digest()
        with self._lock:
            made = self._made.get(language)
        if made is not None and made[0] == digest:
            return made[1]
        png = self.drawer.draw(card)
        with self._lock:
            self._made[language] = (digest, png)
        return png
