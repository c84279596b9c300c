"""The words on the overdose card image: the card answer's steps, read from its Markdown.

The image is drawn from the same file the bot answers with (`overdose-now.md` or whichever card
emergency.yaml names), so a reviewed change to the steps changes the image too. The numbered
list becomes the steps; other paragraphs and bullet points in the body (above `<!-- more -->`)
become notes under them. Bold stays bold; links keep their text.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from markdown_it.token import Token

from bot.rendering.markdown import parse

# A run of text and whether it is bold; a block is the runs of one step or note.
Run = tuple[str, bool]
Block = tuple[Run, ...]


@dataclass(frozen=True)
class CardText:
    title: str
    call: str  # "CALL 999": the band at the top
    steps: tuple[Block, ...]
    notes: tuple[Block, ...]
    footer: str

    def digest(self) -> str:
        """A hash of everything drawn: the image is made again only when this changes."""
        return hashlib.sha256(repr(self).encode("utf-8")).hexdigest()


def blocks(markdown: str) -> tuple[tuple[Block, ...], tuple[Block, ...]]:
    """(steps, notes): the items of the first numbered list, and every other paragraph or
    bullet point, in order."""
    steps: list[Block] = []
    notes: list[Block] = []
    ordered_depth = 0
    seen_steps = False
    for token in parse(markdown):
        if token.type == "ordered_list_open":
            ordered_depth += 1
        elif token.type == "ordered_list_close":
            ordered_depth -= 1
            seen_steps = seen_steps or bool(steps)
        elif token.type == "inline":
            block = runs(token.children or [])
            if not block:
                continue
            if ordered_depth and not seen_steps:
                steps.append(block)
            else:
                notes.append(block)
    return tuple(steps), tuple(notes)


def runs(children: list[Token]) -> Block:
    """Inline tokens as text runs; neighbouring runs of the same weight are joined."""
    found: list[list[object]] = []
    bold = 0
    for child in children:
        kind = child.type
        if kind == "strong_open":
            bold += 1
        elif kind == "strong_close":
            bold -= 1
        elif kind in ("text", "code_inline"):
            _add(found, child.content, bold > 0)
        elif kind in ("softbreak", "hardbreak"):
            _add(found, " ", bold > 0)
    joined = tuple((str(text), bool(weight)) for text, weight in found)
    return tuple((text, weight) for text, weight in joined if text.strip()) if joined else ()


def _add(found: list[list[object]], text: str, bold: bool) -> None:
    if found and found[-1][1] == bold:
        found[-1][0] = f"{found[-1][0]}{text}"
    else:
        found.append([text, bold])
