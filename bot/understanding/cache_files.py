"""The files kept in the cache folder from one start to the next, and how they are named.

What is kept there is worked out from the content alone (how its phrases read, the word list,
the trained classifier), never from a message. Each file is named by a digest of everything
that decides it, so a file made from other content or by other code is never read; it is
written whole or not at all, readable by every user, and only `hrbot check` and the terminal
tools write it (docs/deploy.md). The folder is `cache_dir` in the config.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import tempfile
import threading
from collections.abc import Iterable
from pathlib import Path
from typing import Generic, TypeVar

log = logging.getLogger(__name__)

_SEED = b"format 1"  # part of every digest: bump to make every kept file stale at once
T = TypeVar("T")


class Recent(Generic[T]):
    """What was worked out from the content, kept in this process by its digest for the next
    engine built over the same content (the checker, the terminal tools and the tests build
    several): the `size` used last, thread-safe (the learning thread builds while the bot
    starts), dropped whole by `clear` once the bot has started."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._kept: dict[str, T] = {}  # the most recent last
        self._lock = threading.Lock()

    def get(self, key: str) -> T | None:
        with self._lock:
            value = self._kept.pop(key, None)
            if value is not None:
                self._kept[key] = value
            return value

    def put(self, key: str, value: T) -> None:
        with self._lock:
            self._kept.pop(key, None)
            self._kept[key] = value
            while len(self._kept) > self.size:
                self._kept.pop(next(iter(self._kept)))

    def clear(self) -> None:
        with self._lock:
            self._kept.clear()


def digest(parts: Iterable[object]) -> str:
    """The same hex digest in every process for the same parts (hash() is salted per process)."""
    sha = hashlib.sha256(_SEED)
    for part in parts:
        sha.update(b"\0")
        sha.update(part if isinstance(part, bytes) else repr(part).encode())
    return sha.hexdigest()[:24]


def code_of(*modules: object) -> bytes:
    """The source of the modules that decide what a file holds, as part of a digest."""
    found = []
    for module in modules:
        path = getattr(module, "__file__", None)
        found.append(Path(path).read_bytes() if path else repr(module).encode())
    return b"\0".join(found)


def write_whole(path: Path, data: str | bytes) -> bool:
    """Write the file whole or not at all (a reader never sees half of it); False, and a line
    in the log, where the folder can't be written: that only costs the next start its time."""
    temporary: str | None = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.stem}-")
        with os.fdopen(handle, "wb") as file:
            file.write(data.encode("utf-8") if isinstance(data, str) else data)
        # readable by the user the bot runs as, who is often not the one who ran `hrbot check`
        # (the image prepares it as root); it holds only what the content already says
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
        return True
    except OSError as exc:
        log.info("%s not kept (%s): made again at the next start", path, exc.strerror or exc)
        if temporary is not None:
            with contextlib.suppress(OSError):
                os.unlink(temporary)
        return False


def keep_newest(folder: Path, pattern: str, keep: int) -> None:
    """Delete all but the `keep` files matching `pattern` written last: the checker, a
    service's own content and the bundled content each make their own."""
    files = []
    for path in folder.glob(pattern):
        with contextlib.suppress(OSError):
            files.append((path.stat().st_mtime, path))
    for _, older in sorted(files, reverse=True)[keep:]:
        with contextlib.suppress(OSError):
            older.unlink()
