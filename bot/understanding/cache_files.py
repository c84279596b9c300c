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
from collections.abc import Iterable
from pathlib import Path

log = logging.getLogger(__name__)

_SEED = b"format 1"  # part of every digest: bump to make every kept file stale at once


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
