"""The content's phrases, once read, are kept for the next start; a message never is.

bot/understanding/content_words.py keeps the canonical words of the content's phrases in a file
named by everything that decides them, and bot/understanding/word_list.py keeps the general
word list as a plain file beside them; `hrbot check` and the terminal tools write them, the
running bot only reads them. These tests hold that a second start reads the file instead of
the phrases, that what it gets is the same, that the running bot writes nothing, that no
message ever reaches the file, and that a stale, broken or unwritable file only costs time.
"""

from __future__ import annotations

import contextlib
import logging
import os
from pathlib import Path

import pytest

from bot.config import Config, default_cache_dir
from bot.engine import Engine, build_engine
from bot.understanding import matcher
from bot.understanding.content_words import ContentWords
from bot.understanding.word_list import _loaded as loaded
from bot.understanding.word_list import word_list

MESSAGES = [
    "my mate wont wake up after the gear",
    "is it ok to mix ket and booze",
    "where can i get narcan in leeds",
    "i dont want to be here anymore",
    "whats the weather like",
]


def _engine(folder: Path | None) -> Engine:
    """An engine as `hrbot check` and the terminal tools build it: it prepares the file."""
    if folder is not None:
        _bring_the_model(folder)
    return build_engine(Config(cache_dir=folder), prepare=True)


def _bring_the_model(folder: Path) -> None:
    """The bundled classifier's file, from the test's own cache folder (tests/conftest.py):
    these tests are about the phrases' file, and a new folder would train the classifier."""
    for path in Path(os.environ["HRBOT_CACHE_DIR"]).glob("classifier-*.npz"):
        with contextlib.suppress(OSError):  # there already, or a folder that can't be
            os.link(path, folder / path.name)


def _files(folder: Path) -> list[Path]:
    return sorted(folder.glob("content-words-*.txt"))


def test_a_second_start_reads_the_phrases_from_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    read: list[str] = []
    original = matcher.Analyser.canonical_words

    def counting(self: matcher.Analyser, text: str) -> list[str]:
        read.append(text)
        return original(self, text)

    monkeypatch.setattr(matcher.Analyser, "canonical_words", counting)
    _engine(tmp_path)
    first, read[:] = len(read), []
    assert len(_files(tmp_path)) == 1
    _engine(tmp_path)
    # thousands of phrases the first time; a few short lists read as they always are after
    assert first > 5000 and len(read) < first / 20, (first, len(read))


def test_what_a_kept_start_reads_is_what_a_fresh_one_reads(tmp_path: Path) -> None:
    fresh = _engine(None)
    _engine(tmp_path)  # writes the file
    kept = _engine(tmp_path)  # reads it
    for text in MESSAGES:
        assert kept.read(text, "en") == fresh.read(text, "en"), text


def test_the_files_can_be_read_by_the_user_the_bot_runs_as(tmp_path: Path) -> None:
    _engine(tmp_path)
    files = list(tmp_path.iterdir())
    assert files and all(file.stat().st_mode & 0o044 == 0o044 for file in files)


def test_the_running_bot_writes_nothing(tmp_path: Path) -> None:
    engine = build_engine(Config(cache_dir=tmp_path), learn_later=True)
    engine.read(MESSAGES[0], "en")
    engine.language("en").learning.wait()
    assert list(tmp_path.iterdir()) == []


def test_no_message_is_ever_written_to_the_file(tmp_path: Path) -> None:
    engine = _engine(tmp_path)
    secret = "zebrafinch overdosed 48213 my flat in sheffield"
    engine.read(secret, "en")
    engine.language("en").learning.wait()
    store = engine.language("en").reader.analyser.content_words
    assert secret not in store  # nor held to be written later
    store.save()
    for file in tmp_path.iterdir():  # the classifier's file is binary: read as bytes
        data = file.read_bytes()
        assert b"zebrafinch" not in data and b"48213" not in data, file


def test_a_file_read_another_way_is_never_used(tmp_path: Path) -> None:
    def upper(text: str) -> list[str]:
        return text.upper().split()

    first = ContentWords(upper, tmp_path, "en", "one", write=True)
    first("gone blue")
    first.save()
    other = ContentWords(lambda text: text.split(), tmp_path, "en", "two")
    assert other("gone blue") == ["gone", "blue"]
    assert len(ContentWords(upper, tmp_path, "en", "one")) == 1


def test_a_broken_file_is_read_again_and_rewritten(tmp_path: Path) -> None:
    _engine(tmp_path)
    [file] = _files(tmp_path)
    file.write_bytes(b"\xff\xfe not a file we wrote")
    fresh = _engine(None)
    again = _engine(tmp_path)
    assert again.read(MESSAGES[0], "en") == fresh.read(MESSAGES[0], "en")
    assert file.read_text(encoding="utf-8").startswith("hrbot content words")


def test_a_folder_that_cant_be_written_only_costs_time(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    blocked = tmp_path / "a-file"
    blocked.write_text("not a folder")
    with caplog.at_level(logging.INFO):
        engine = _engine(blocked / "cache")
    assert engine.read(MESSAGES[0], "en").emergency
    assert "made again at the next start" in caplog.text


def test_one_list_per_process_whether_or_not_it_is_written(tmp_path: Path) -> None:
    assert word_list("en", tmp_path, True) is word_list("en", tmp_path)


def test_the_kept_word_list_is_the_same_list(tmp_path: Path) -> None:
    fresh = word_list("en", None)
    written = word_list("en", tmp_path, True)  # reads pyspellchecker, writes the file
    kept, from_file = loaded.__wrapped__("en", tmp_path)  # reads the file, not the cache
    assert from_file
    assert fresh is not None and written is not None and kept is not None
    assert kept == fresh == written
    assert kept.is_everyday("good") and not kept.is_everyday("naloxone")
    assert "joke" in kept and kept.one_edit_from_a_word("recomend")
    assert not kept.one_edit_from_a_word("qzxvbnm")


def test_the_folder_is_the_environments_or_the_users_cache(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("HRBOT_CACHE_DIR", str(tmp_path))
    assert default_cache_dir() == tmp_path
    monkeypatch.setenv("HRBOT_CACHE_DIR", "")
    assert default_cache_dir() is None
    monkeypatch.delenv("HRBOT_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert default_cache_dir() == tmp_path / "hrbot"
