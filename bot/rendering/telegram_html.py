"""Checking and splitting Telegram HTML without importing Telegram.

A reply Telegram rejects is a reply the person never sees, so the checker runs every rendered
answer through `problems_in`, and long replies are split without cutting a tag in two.
"""

from __future__ import annotations

import html as html_module
import re
from html.parser import HTMLParser

# Telegram's limit counts the text a person sees (tags parsed away, entities as one character)
# in UTF-16 code units, so an emoji counts two and "<b>" counts nothing.
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
    length = telegram_length(html)
    if length > MAX_MESSAGE:
        problems.append(
            f"is {length} characters as Telegram counts them; its limit is {MAX_MESSAGE}"
        )
    return problems


def telegram_length(html: str) -> int:
    """The length Telegram holds against its limit: the parsed text in UTF-16 code units."""
    return _units(html_module.unescape(_TAG.sub("", html)))


def _units(text: str) -> int:
    """UTF-16 code units: one per character, two for those outside the Basic Plane (emoji)."""
    return len(text) + sum(1 for char in text if ord(char) > 0xFFFF)


def _token_units(token: str) -> int:
    """What one token of `_TOKEN` adds to the Telegram length."""
    if token.startswith("<") and token.endswith(">"):
        return 0
    if token.startswith("&") and token.endswith(";"):
        return 1
    return _units(token)


def split(html: str, limit: int = MAX_MESSAGE) -> list[str]:
    """Split into chunks of at most `limit` (as Telegram counts), never inside a tag or an entity.

    Cuts fall between blank-line-separated blocks where possible, then between lines, then
    between words. A tag still open at a cut is closed at the end of one chunk and opened again
    at the start of the next, so each chunk is valid Telegram HTML on its own.
    """
    tokens = _TOKEN.findall(html)
    chunks: list[str] = []
    start = 0
    opened: list[tuple[str, str]] = []  # (name, opening tag) open where this chunk starts
    while start < len(tokens):
        stack = list(opened)
        size = 0
        cut: tuple[int, int, list[tuple[str, str]]] | None = None  # (rank, index, open tags)
        index = start
        while index < len(tokens):
            token = tokens[index]
            if token.isspace():
                rank = 0 if "\n\n" in token else 1 if "\n" in token else 2
                if cut is None or rank <= cut[0]:
                    cut = (rank, index, list(stack))
            elif index > start and (cut is None or cut[0] == 3):
                cut = (3, index, list(stack))
            if size + _token_units(token) > limit:
                break
            size += _token_units(token)
            stack = _after(stack, token)
            index += 1
        else:
            cut = (0, len(tokens), stack)  # the rest fits
        if cut is None:  # one word longer than the limit: cut it
            word = tokens[index]
            head = _head(word, limit)
            tokens[index : index + 1] = [head, word[len(head) :]]
            continue
        _, end, open_at_end = cut
        prefix = "".join(tag for _, tag in opened)
        chunk = prefix + "".join(tokens[start:end]) + _closing(open_at_end)
        if _TAG.sub("", chunk).strip():
            chunks.append(chunk)
        start = end
        while start < len(tokens) and tokens[start].isspace():
            start += 1
        opened = open_at_end
    return chunks


def _head(word: str, limit: int) -> str:
    """The longest start of `word` within `limit` units (at least one character)."""
    size = 0
    for index, char in enumerate(word):
        size += _units(char)
        if size > limit:
            return word[: max(1, index)]
    return word


_TOKEN = re.compile(r"<[^>]*>|&#?\w+;|\s+|[^<&\s]+|[<&]")
_TAG = re.compile(r"<[^>]*>")
_TAG_NAME = re.compile(r"<(/?)\s*([a-zA-Z][\w-]*)")


def _after(stack: list[tuple[str, str]], token: str) -> list[tuple[str, str]]:
    """The open tags after `token`."""
    found = _TAG_NAME.match(token) if token.endswith(">") else None
    if not found:
        return stack
    closing, name = found.group(1), found.group(2).casefold()
    if not closing:
        return [*stack, (name, token)]
    if stack and stack[-1][0] == name:
        return stack[:-1]
    return stack


def _closing(stack: list[tuple[str, str]]) -> str:
    return "".join(f"</{name}>" for name, _ in reversed(stack))
