"""Where content files come from: the bundled folder, with a service's own folder on top.

A service keeps its own answers, services, numbers and wording in a folder outside the
installed package (`local_content` in the config, made by `hrbot init`). Every file there
shadows the bundled file at the same relative path, and adds to it when there is none, so
upgrading the bot never touches local work and a local edit never needs the package's files.
Answers are also matched by id: a local answer with a bundled answer's id replaces it
wherever either file sits.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path


def bundled_content() -> Path:
    """The content that ships with the package (the repository's content/ folder)."""
    return Path(str(files("bot.bundled")))


BUNDLED_CONTENT = bundled_content()


@dataclass(frozen=True)
class LocalFile:
    """A file of the service's own folder, and the bundled file it replaces (None: it adds)."""

    path: Path
    replaces: Path | None


@dataclass(frozen=True)
class Layers:
    """The content folders, bottom first; the last one that has a file wins."""

    folders: tuple[Path, ...]

    @classmethod
    def of(cls, base: Path, local: Path | None = None) -> Layers:
        folders = (base,) if local is None or local.resolve() == base.resolve() else (base, local)
        return cls(folders)

    @property
    def base(self) -> Path:
        return self.folders[0]

    @property
    def local(self) -> Path | None:
        return self.folders[-1] if len(self.folders) > 1 else None

    def file(self, relative: str) -> Path:
        """The top-most existing file at `relative`; the base's path when none exists."""
        for folder in reversed(self.folders):
            path = folder / relative
            if path.exists():
                return path
        return self.base / relative

    def glob(self, pattern: str) -> list[Path]:
        """Every file matching `pattern` in any layer, each relative path once (top-most wins),
        sorted by relative path."""
        found: dict[str, Path] = {}
        for folder in self.folders:
            if folder.is_dir():
                for path in folder.glob(pattern):
                    found[path.relative_to(folder).as_posix()] = path
        return [found[key] for key in sorted(found)]

    def dirs(self, relative: str) -> list[Path]:
        """The folders at `relative` that exist, top-most first (for template loaders)."""
        return [f / relative for f in reversed(self.folders) if (f / relative).is_dir()]

    def local_files(self) -> list[LocalFile]:
        """What the service's own folder replaces and adds, for `hrbot check`."""
        local = self.local
        if local is None or not local.is_dir():
            return []
        listed = []
        for path in sorted(p for p in local.rglob("*") if p.is_file()):
            relative = path.relative_to(local)
            if path.name.startswith(".") or path.name == "README.md":
                continue
            if path.suffix not in _CONTENT_SUFFIXES:
                continue
            bundled = self.base / relative
            listed.append(LocalFile(path, bundled if bundled.exists() else None))
        return listed


_CONTENT_SUFFIXES = {".md", ".yaml", ".yml", ".j2", ".txt"}
