"""The language's general word list: is a word real, is it everyday, is a typo one letter from
a real word.

pyspellchecker holds the lists (word frequencies per language, from public corpora). Typo
correction lands only on the content's own words, and this list keeps real words we don't use
("joke") from being bent into ones we do ("coke"); everyday words ("good", "time") can't carry
a match alone (bot/understanding/matcher.py). Reading pyspellchecker's compressed counts takes
a fifth of a second, a fifth of start-up, and only two sets are needed (every word, the everyday
ones), so they are kept as a plain file in the cache folder, beside the content's words
(bot/understanding/content_words.py), and read in a few hundredths of a second. The file is
named by pyspellchecker's version and the everyday frequency: a new list is read again.
"""

from __future__ import annotations

import functools
import gzip
import importlib.metadata
import json
import pkgutil
from dataclasses import dataclass
from pathlib import Path

from bot.understanding.cache_files import digest, write_whole

# A word is everyday when the list gives it at least this share of all words counted.
EVERYDAY_FREQUENCY = 3e-5
HEADER = "hrbot word list, format 1: the letters, the everyday words, then a word a line"


@dataclass(frozen=True)
class WordList:
    words: frozenset[str]
    everyday: frozenset[str]
    letters: str  # every letter the words use: what a typo's one-letter changes try

    def __contains__(self, word: object) -> bool:
        return word in self.words

    def is_everyday(self, word: str) -> bool:
        return word in self.everyday

    def one_edit_from_a_word(self, word: str) -> bool:
        """A word of the list is one letter deleted, swapped, changed or added away."""
        splits = [(word[:at], word[at:]) for at in range(len(word) + 1)]
        for left, right in splits:
            if right and left + right[1:] in self.words:
                return True
            if len(right) > 1 and left + right[1] + right[0] + right[2:] in self.words:
                return True
            for letter in self.letters:
                if right and left + letter + right[1:] in self.words:
                    return True
                if left + letter + right in self.words:
                    return True
        return False


def word_list(language: str, keep_in: Path | None = None, write: bool = False) -> WordList | None:
    """The language's list (None where pyspellchecker has none), read once per process and
    shared by every engine: it is only ever read, never told anything a person typed.
    `write`: keep it in `keep_in` for the next start, unless it was read from there."""
    found, from_file = _loaded(language, keep_in)
    path = _path(language, keep_in)
    if write and found is not None and path is not None and not from_file and not path.exists():
        _write(path, found)
    return found


@functools.cache
def _loaded(language: str, keep_in: Path | None) -> tuple[WordList | None, bool]:
    """The list, and whether it came from the file in `keep_in`."""
    path = _path(language, keep_in)
    kept = _read(path) if path else None
    if kept is not None:
        return kept, True
    counts = _counts(language)
    if counts is None:
        return None, False
    total = sum(counts.values()) or 1
    found = WordList(
        frozenset(counts),
        frozenset(word for word, count in counts.items() if count / total >= EVERYDAY_FREQUENCY),
        "".join(sorted(set().union(*counts))),
    )
    return found, False


def _path(language: str, keep_in: Path | None) -> Path | None:
    name = f"word-list-{language}-{digest([_version(), EVERYDAY_FREQUENCY])}.txt"
    return keep_in / name if keep_in else None


def _version() -> str:
    try:
        return importlib.metadata.version("pyspellchecker")
    except importlib.metadata.PackageNotFoundError:
        return "none"


def _counts(language: str) -> dict[str, int] | None:
    """pyspellchecker's counts for the language, lower-cased as it reads them."""
    try:
        data = pkgutil.get_data("spellchecker", f"resources/{language.lower()}.json.gz")
    except (FileNotFoundError, OSError):
        return None
    if not data:
        return None
    counts: dict[str, int] = {}
    for word, count in json.loads(gzip.decompress(data).decode("utf-8")).items():
        key = word.lower()
        counts[key] = counts.get(key, 0) + int(count)
    return counts


def _read(path: Path) -> WordList | None:
    try:
        lines = path.read_text(encoding="utf-8").split("\n")
    except (OSError, ValueError):
        return None
    if len(lines) < 3 or lines[0] != HEADER:
        return None
    return WordList(frozenset(w for w in lines[3:] if w), frozenset(lines[2].split()), lines[1])


def _write(path: Path, found: WordList) -> None:
    words = sorted(w for w in found.words if "\n" not in w and "\r" not in w)
    lines = [HEADER, found.letters, " ".join(sorted(found.everyday)), *words]
    write_whole(path, "\n".join(lines) + "\n")
