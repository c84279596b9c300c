"""Markdown (as staff write it) to the small HTML subset Telegram accepts.

Telegram's HTML mode has no paragraphs, lists or headings, so those become line breaks, "•" and
"1." markers and bold lines. markdown-it-py does the parsing (CommonMark, so staff get the
Markdown they know); this module only walks its tokens.
"""

from __future__ import annotations

from html import escape

from markdown_it import MarkdownIt
from markdown_it.token import Token

_parser = MarkdownIt("commonmark", {"html": False, "linkify": False}).disable(["image"])

# Markdown features that Telegram can't show well; the checker warns about them.
UNSUPPORTED = {
    "heading_open": "headings",
    "table_open": "tables",
    "hr": "horizontal rules",
    "code_block": "code blocks",
    "fence": "code blocks",
    "html_block": "HTML blocks",
}


def parse(markdown: str) -> list[Token]:
    return _parser.parse(markdown)


def to_telegram_html(markdown: str) -> str:
    """Render Markdown to Telegram HTML; anything that isn't Markdown is escaped text."""
    blocks: list[str] = []
    lists: list[list[int]] = []  # a stack of [is_ordered, next_number]
    current: list[str] = []
    for token in parse(markdown):
        kind = token.type
        if kind == "bullet_list_open":
            lists.append([0, 0])
        elif kind == "ordered_list_open":
            lists.append([1, int(token.attrGet("start") or 1)])
        elif kind in ("bullet_list_close", "ordered_list_close"):
            lists.pop()
            if not lists:
                blocks.append(_LIST_END)
        elif kind == "list_item_open":
            current.append("   " * (len(lists) - 1) + _marker(lists[-1]))
        elif kind == "heading_open":
            current.append("<b>")
        elif kind == "heading_close":
            current.append("</b>")
            blocks.append("".join(current))
            current = []
        elif kind == "inline":
            current.append(_inline(token.children or []))
        elif kind in ("paragraph_close", "fence", "code_block", "html_block"):
            if kind != "paragraph_close":
                current.append(f"<pre>{escape(token.content.rstrip())}</pre>")
            blocks.append("".join(current))
            current = []
    if current:
        blocks.append("".join(current))
    return _join(blocks)


def _marker(state: list[int]) -> str:
    if state[0]:
        state[1] += 1
        return f"{state[1] - 1}. "
    return "• "


_LIST_END = "\0"  # marks where a list ends, so two lists in a row stay apart


def _join(blocks: list[str]) -> str:
    """Paragraphs are separated by a blank line, items of one list by a line break."""
    out: list[str] = []
    previous = ""
    for block in blocks:
        if block == _LIST_END:
            previous = ""
            continue
        if out:
            tight = _is_item(block) and _is_item(previous)
            out.append("\n" if tight else "\n\n")
        out.append(block)
        previous = block
    return "".join(out).strip()


def _is_item(block: str) -> bool:
    stripped = block.lstrip()
    return stripped.startswith("• ") or (stripped[:1].isdigit() and ". " in stripped[:5])


_INLINE_TAGS = {
    "strong_open": "<b>",
    "strong_close": "</b>",
    "em_open": "<i>",
    "em_close": "</i>",
    "s_open": "<s>",
    "s_close": "</s>",
    "link_close": "</a>",
}


def _inline(children: list[Token]) -> str:
    out: list[str] = []
    for child in children:
        kind = child.type
        if kind == "text":
            out.append(escape(child.content, quote=False))
        elif kind in _INLINE_TAGS:
            out.append(_INLINE_TAGS[kind])
        elif kind == "link_open":
            out.append(f'<a href="{escape(str(child.attrGet("href") or ""))}">')
        elif kind == "code_inline":
            out.append(f"<code>{escape(child.content, quote=False)}</code>")
        elif kind == "softbreak" or kind == "hardbreak":
            out.append("\n")
        elif kind in ("html_inline",):
            out.append(escape(child.content, quote=False))
    return "".join(out)
