"""Checking and splitting Telegram HTML without importing Telegram.

A reply Telegram rejects is a reply the person never sees, so the checker runs every rendered
answer through `problems_in`, and long replies are split only between blocks.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

MAX_MESSAGE = 4096
ALLOWED_TAGS = {
    "b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "a", "code", "pre",
    "blockquote", "tg-spoiler", "span",
}  # fmt: skip
_ENTITY = re.compile(r"&(#\d+|#x[0-9a-fA-F]+|lt|gt|amp|quot);")
_AMPERSAND = re.compile(r"&")


class _Checker(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.problems: list[str] = []
        self.stack: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in ALLOWED_TAGS:
            self.problems.append(f"<{tag}> is not allowed in Telegram HTML")
            return
        if tag == "a" and not any(name == "href" and value for name, value in attrs):
            self.problems.append("<a> needs an href")
        self.stack.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.problems.append(f"<{tag}/> is not allowed in Telegram HTML")

    def handle_endtag(self, tag: str) -> None:
        if tag not in ALLOWED_TAGS:
            return
        if not self.stack or self.stack[-1] != tag:
            self.problems.append(f"</{tag}> does not close the open tag")
            return
        self.stack.pop()

    def handle_entityref(self, name: str) -> None:
        if name not in ("lt", "gt", "amp", "quot"):
            self.problems.append(f"&{name}; is not an entity Telegram knows")


def problems_in(html: str) -> list[str]:
    """What Telegram would reject in `html`; empty when it is fine."""
    checker = _Checker()
    checker.feed(html)
    checker.close()
    problems = checker.problems
    if checker.stack:
        problems.append(f"<{checker.stack[-1]}> is never closed")
    bare = len(_AMPERSAND.findall(html)) - len(_ENTITY.findall(html))
    if bare > 0:
        problems.append("a bare & must be written &amp;")
    if len(html) > MAX_MESSAGE:
        problems.append(f"is {len(html)} characters; Telegram's limit is {MAX_MESSAGE}")
    return problems


def visible_length(html: str) -> int:
    """Roughly what Telegram counts: text without tags, entities as one character."""
    return len(_ENTITY.sub("x", re.sub(r"<[^>]+>", "", html)))


def split(html: str, limit: int = MAX_MESSAGE) -> list[str]:
    """Split between blank-line-separated blocks, so no tag is ever cut in two.

    A single block longer than the limit is split between lines; the content checker keeps
    answers far below that.
    """
    chunks: list[str] = []
    current = ""
    for block in _pieces(html, limit):
        candidate = f"{current}\n\n{block}" if current else block
        if len(candidate) <= limit:
            current = candidate
        else:
            if current:
                chunks.append(current)
            current = block
    if current:
        chunks.append(current)
    return chunks


def _pieces(html: str, limit: int) -> list[str]:
    pieces: list[str] = []
    for block in html.split("\n\n"):
        if len(block) <= limit:
            pieces.append(block)
            continue
        line_chunk = ""
        for line in block.split("\n"):
            candidate = f"{line_chunk}\n{line}" if line_chunk else line
            if len(candidate) <= limit:
                line_chunk = candidate
            else:
                if line_chunk:
                    pieces.append(line_chunk)
                line_chunk = line[:limit]
        if line_chunk:
            pieces.append(line_chunk)
    return pieces
