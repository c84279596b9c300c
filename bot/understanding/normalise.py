"""Turning what people type into comparable words.

People write in panic, in slang and with typos. Both the messages and the content's own examples
go through the same steps, so "Heeelp my m8 wont wake up!!" and "my mate won't wake up" meet.
"""

from __future__ import annotations

import re
import unicodedata

_WORD = re.compile(r"[\w']+")
_STRETCH = re.compile(r"([^\W\d_])\1{2,}")  # three or more of the same letter
_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "`": "'", "\u02bc": "'"})


def words(text: str) -> list[str]:
    """Lower-cased words with apostrophes kept inside them ("won't", "od'd").

    Unicode NFKC folds look-alike characters (full-width letters, ligatures); casefold handles
    more than lower(). Letters stretched for emphasis ("heeelp") are cut to two, which the
    typo correction then finishes ("heelp" → "help").
    """
    text = unicodedata.normalize("NFKC", text).casefold().translate(_APOSTROPHES)
    text = _STRETCH.sub(r"\1\1", text)
    found = (word.strip("'_") for word in _WORD.findall(text))
    return [word for word in found if word]


def plain(word: str) -> str:
    """A word without apostrophes: the form it is compared in ("won't" → "wont")."""
    return word.replace("'", "")
