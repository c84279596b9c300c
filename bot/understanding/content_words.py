"""The content's phrases as canonical words, kept in a file from one start to the next.

Reading a phrase (typo correction onto the content's words, the slang lexicon: the Analyser in
bot/understanding/matcher.py) is most of what building an engine costs: some 10,000 of the
content's phrases before the first reply, 20,000 labelled messages after it. Their canonical
words are the same at every start until the content or the code that reads them changes, so
they are kept in one file per language, named by a digest of everything that decides them
(the reading code, the lexicon, the stopwords, the words the content uses, the word list's
version). A file of another digest is never read: a changed phrase or lexicon is read again.

Only the content's own phrases are ever kept here, never a message: what people send goes
through `Analyser.canonical_words`, which never looks here, and the file holds only what the
content files already say. The file is written by `hrbot check` (which the install script
runs) and the terminal tools; the running bot only reads it, so it still writes nothing. The
folder is `cache_dir` in the config (HRBOT_CACHE_DIR, else ~/.cache/hrbot); without a file
there the bot reads the phrases at start-up as it always did, a few tenths of a second more.
"""

from __future__ import annotations

import logging
import threading
import weakref
from collections.abc import Callable
from pathlib import Path

from bot.understanding.cache_files import keep_newest, write_whole

log = logging.getLogger(__name__)

# Bump when the file's layout changes.
FORMAT = 1
PREFIX = "content-words"
HEADER = f"hrbot content words, format {FORMAT}: one phrase a line, a tab, its words"
KEEP = 4  # files per language (ways of reading the phrases) kept in the folder
# Every store alive, so `forget_content_words` can empty them all when start-up is over.
_STORES: weakref.WeakSet[ContentWords] = weakref.WeakSet()


class ContentWords:
    """The canonical words of the content's phrases: read from the file, kept, written back."""

    def __init__(
        self,
        read: Callable[[str], list[str]],
        folder: Path | None,
        language: str,
        key: str,
        write: bool = False,
    ) -> None:
        """`write`: `save` writes the file (`hrbot check` and the terminal tools prepare it;
        the running bot only reads it, so it writes nothing)."""
        self._read = read
        self._write = write
        self.path = folder / f"{PREFIX}-{language}-{key}.txt" if folder else None
        self._language = language
        self._lock = threading.Lock()  # the learning thread adds while a reply is made
        # text → its words joined by spaces, split only when asked for: a file's lines are
        # read in milliseconds, while turning them all into lists would take a tenth of a second
        self._words: dict[str, str] = self._load()
        self._added = 0
        _STORES.add(self)

    def __call__(self, text: str) -> list[str]:
        """The canonical words of one of the content's phrases (never a message)."""
        kept = self._words.get(text)
        if kept is not None:
            return kept.split(" ") if kept else []
        found = self._read(text)
        if _keepable(text, found):
            with self._lock:
                self._words[text] = " ".join(found)
                self._added += 1
        return found

    def __len__(self) -> int:
        return len(self._words)

    def __contains__(self, text: object) -> bool:
        return text in self._words

    def save(self) -> None:
        """Write the file when phrases were read since it was. A folder that can't be written
        only costs the next start its time."""
        if self.path is None or not self._added or not self._write:
            return
        with self._lock:
            lines = [HEADER, *(f"{text}\t{found}" for text, found in self._words.items())]
            self._added = 0
        if write_whole(self.path, "\n".join(lines) + "\n"):
            self._prune()

    def _prune(self) -> None:
        """Keep the KEEP files of this language written last: the checker, a service's own
        content and the bundled content each read the phrases their own way."""
        assert self.path is not None
        keep_newest(self.path.parent, f"{PREFIX}-{self._language}-*.txt", KEEP)

    def forget(self) -> None:
        """Drop what is kept in memory (start-up is over; the file stays)."""
        with self._lock:
            self._words = {}
            self._added = 0

    def _load(self) -> dict[str, str]:
        if self.path is None:
            return {}
        found: dict[str, str] = {}
        try:  # line by line: the whole file as one string, then split, would double its size
            with self.path.open(encoding="utf-8", newline="\n") as file:
                if file.readline().rstrip("\n") != HEADER:
                    raise ValueError("not a file of this format")
                for line in file:
                    text, tab, words = line.rstrip("\n").partition("\t")
                    if tab:
                        found[text] = words
        except FileNotFoundError:
            return {}
        except (OSError, ValueError):
            log.info("content words in %s unreadable: read again and rewritten", self.path)
            return {}
        return found


def _keepable(text: str, found: list[str]) -> bool:
    """A phrase the file's lines can hold: no tab or line break in it, no space in a word."""
    return not any(c in text for c in "\t\n\r") and not any(
        not word or " " in word or "\t" in word or "\n" in word for word in found
    )


def forget_content_words() -> None:
    """Empty every store in memory (bot/understanding/learning.py `settle`): tens of thousands
    of phrases that only building an engine reads."""
    for store in list(_STORES):
        store.forget()
