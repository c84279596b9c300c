"""The trained classifier is kept for the next build and the next start; a message never is.

bot/understanding/scorers/trained.py keeps the model the "classifier" and "blend" methods train,
in the process and in the cache folder, named by everything that decides it. These tests hold
that a kept model ranks exactly as a freshly trained one, that other content is trained on
again, that a damaged file is never used, that nothing in the file can run code or holds a
message, and that a bot learning later answers by "stems" until the model is ready.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import numpy as np
import pytest
from conftest import answer_text, make_content

from bot.config import Config, Matching
from bot.content.labelled import Labelled
from bot.engine import Engine, build_engine
from bot.understanding.matcher import Matcher, MatchSettings
from bot.understanding.scorers import classifier, trained
from bot.understanding.scorers.base import Target

MESSAGES = [
    "my mate wont wake up after the gear",
    "is it ok to mix ket and booze",
    "how do i use narcan",
    "abscess on my arm from shooting up",
    "whats the weather like",
]
Ranked = list[tuple[str, float]]


def _blend(content: Path, cache: Path, prepare: bool = False) -> tuple[Engine, list[Ranked]]:
    """An engine ranking by "blend" over `content`, and its rankings of MESSAGES."""
    config = Config(content_dir=content, cache_dir=cache, matching=Matching(method="blend"))
    engine = build_engine(config, prepare=prepare)
    matcher = engine.language("en").matcher
    return engine, [matcher.rank_words(matcher.analyser.canonical_words(m)) for m in MESSAGES]


def _files(folder: Path) -> list[Path]:
    return sorted(folder.glob("classifier-*.npz"))


def test_a_kept_model_ranks_as_a_trained_one(tmp_path: Path) -> None:
    content = make_content(tmp_path)
    _, fresh = _blend(content, tmp_path / "cache", prepare=True)
    assert len(_files(tmp_path / "cache")) == 1
    trained.forget_models()  # the next build finds it in the folder only
    calls: list[object] = []
    original = classifier.train

    def counting(*args: object) -> trained.Model:
        calls.append(args)
        return original(*args)  # type: ignore[arg-type]

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(classifier, "train", counting)
        _, kept = _blend(content, tmp_path / "cache")
    assert calls == [] and kept == fresh


def test_other_content_is_trained_on_again(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    _blend(make_content(tmp_path / "one"), cache, prepare=True)
    nitrous = answer_text("nitrous", "drugs", examples=["balloons at a party", "nos canisters"])
    more = make_content(tmp_path / "two", {"drugs/nitrous.md": nitrous})
    engine, _ = _blend(more, cache, prepare=True)
    assert len(_files(cache)) == 2
    matcher = engine.language("en").matcher
    ranked = matcher.rank_words(matcher.analyser.canonical_words("too many balloons at a party"))
    assert ranked[0][0] == "nitrous"  # the new answer, learnt


def test_a_damaged_file_is_trained_on_again(tmp_path: Path) -> None:
    content = make_content(tmp_path)
    _, fresh = _blend(content, tmp_path / "cache", prepare=True)
    [file] = _files(tmp_path / "cache")
    file.write_bytes(b"PK\x03\x04 not a file we wrote")
    trained.forget_models()
    _, again = _blend(content, tmp_path / "cache")
    assert again == fresh


def test_a_file_whose_shapes_disagree_is_never_used(tmp_path: Path) -> None:
    content = make_content(tmp_path)
    _, fresh = _blend(content, tmp_path / "cache", prepare=True)
    [file] = _files(tmp_path / "cache")
    with np.load(file, allow_pickle=False) as data:
        arrays = {name: data[name] for name in data.files}
    arrays["coef"] = arrays["coef"][:-1]  # one feature short
    np.savez(file, **arrays)  # type: ignore[arg-type]
    trained.forget_models()
    _, again = _blend(content, tmp_path / "cache")
    assert again == fresh


def test_the_file_holds_only_numbers_and_the_contents_words(tmp_path: Path) -> None:
    engine, _ = _blend(make_content(tmp_path), tmp_path / "cache", prepare=True)
    engine.read("zebrafinch overdosed 48213 sheffield", "en")
    [file] = _files(tmp_path / "cache")
    with zipfile.ZipFile(file) as archive:
        raw = b"".join(archive.read(name) for name in archive.namelist())
    assert b"zebrafinch" not in raw and b"48213" not in raw
    with np.load(file, allow_pickle=False) as data:  # no object arrays: nothing to unpickle
        assert all(data[name].dtype != object for name in data.files)


def test_the_key_names_every_phrase_and_its_answer() -> None:
    one = [Target("a", ("lump on my arm",)), Target("b", ("k hole",))]
    moved = [Target("a", ("k hole",)), Target("b", ("lump on my arm",))]
    assert trained.model_key(one, "reading") == trained.model_key(list(one), "reading")
    assert trained.model_key(one, "reading") != trained.model_key(moved, "reading")
    assert trained.model_key(one, "reading") != trained.model_key(one, "read otherwise")


def test_a_bot_learning_later_answers_by_stems_until_trained(tmp_path: Path) -> None:
    engine = build_engine(Config(content_dir=make_content(tmp_path)))
    entries = list(engine.language("en").entries.values())
    analyser = engine.language("en").matcher.analyser
    matcher = Matcher(entries, analyser, MatchSettings(method="blend"), start_with="stems")
    assert matcher.ranking.method == "stems" and matcher.settings.answer == 30.0
    assert matcher.settings.long_discount == 2.0  # stems' own thresholds
    matcher.learn(Labelled())
    assert matcher.ranking.method == "blend" and matcher.settings.long_discount == 0.0


def test_the_running_bot_trains_in_its_learning_thread(tmp_path: Path) -> None:
    config = Config(content_dir=make_content(tmp_path), matching=Matching(method="blend"))
    engine = build_engine(config, learn_later=True)
    assert engine.language("en").learning.wait(timeout=120)
    assert engine.language("en").matcher.ranking.method == "blend"
    assert engine.read("how do i use narcan", "en").shown == "naloxone-how"
