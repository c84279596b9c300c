"""A rough reading-grade estimate, so the checker can flag answers that are hard to read.

The Flesch-Kincaid grade is a blunt tool, but it reliably catches long sentences and long
words, which is what makes a message hard to read on a phone under stress. Syllables are
counted with pyphen's hyphenation dictionaries, which ship with the package (nothing to
download at run time).
"""

from __future__ import annotations

import re
from functools import cache

import pyphen

_MARKUP = re.compile(r"\{\{.*?\}\}|\[([^\]]*)\]\([^)]*\)|[*_`#>]")
_SENTENCE_END = re.compile(r"[.!?]+(?:\s|$)")
_WORD = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)?")


@cache
def _dictionary(language: str) -> pyphen.Pyphen:
    return pyphen.Pyphen(lang=language if language in pyphen.LANGUAGES else "en_US")


def syllables(word: str, language: str = "en_US") -> int:
    return max(1, len(_dictionary(language).positions(word)) + 1)


def grade_level(markdown: str, language: str = "en_US") -> float:
    """Flesch-Kincaid grade of the text with Markdown and placeholders taken out."""
    text = _MARKUP.sub(lambda m: m.group(1) or "", markdown)
    # A list item reads as a sentence even without a full stop.
    text = re.sub(r"^\s*(?:[-•]|\d+\.)\s+(.*?)[.!?:]?\s*$", r"\1.", text, flags=re.MULTILINE)
    words = _WORD.findall(text)
    if not words:
        return 0.0
    sentences = max(1, len(_SENTENCE_END.findall(text)))
    total = sum(syllables(word, language) for word in words)
    return 0.39 * len(words) / sentences + 11.8 * total / len(words) - 15.59
