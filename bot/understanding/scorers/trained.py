"""The classifier's trained model, kept from one start to the next.

Training the classifier (bot/understanding/scorers/classifier.py) on the answers' phrases and
every labelled message takes some twenty seconds: reading 35,000 phrases, fitting two TF-IDF
spaces, then the linear model. Its result depends only on the content and the code, so it is
kept twice over: in this process, for every engine built over the same content (the checker
and the tests build many), and in the cache folder (bot/understanding/cache_files.py), in
one file per language named by a digest of everything that decides it: the classifier's
code, scikit-learn's version, how phrases read (Analyser.reading) and every phrase with its
answer. A file of another digest is never read, so changed content is trained on again.

The file is NumPy's .npz, loaded with allow_pickle=False: it holds only numbers and the
content's own words, and loading it runs no code. `hrbot check` and the terminal tools write
it; the running bot only reads it, and without it trains in its learning thread while the
"stems" method answers (bot/understanding/learning.py).
"""

from __future__ import annotations

import importlib.metadata
import io
import logging
import sys
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from bot.understanding.cache_files import Recent, code_of, digest, keep_newest, write_whole
from bot.understanding.scorers.base import Target

log = logging.getLogger(__name__)

FORMAT = 1  # bump when the file's layout changes
PREFIX = "classifier"
KEEP = 2  # files per language kept in the folder
_MODELS: Recent[Model] = Recent(2)  # digest → model, for the next engine in this process


@dataclass(frozen=True)
class Model:
    """A trained classifier: its features, their weights, and a column of each per answer."""

    ids: tuple[str, ...]  # the answers, one column each
    words: tuple[str, ...]  # the stem features (stems and pairs), in feature order
    word_idf: np.ndarray
    pieces: tuple[str, ...]  # the character n-gram features after them
    piece_idf: np.ndarray
    coef: np.ndarray  # features × answers, float32
    intercept: np.ndarray  # per answer

    def fits(self) -> bool:
        """True when the arrays have the shapes the lists say (a file may be damaged)."""
        features, answers = len(self.words) + len(self.pieces), len(self.ids)
        return (
            self.coef.shape == (features, answers)
            and self.intercept.shape == (answers,)
            and self.word_idf.shape == (len(self.words),)
            and self.piece_idf.shape == (len(self.pieces),)
        )


def model_key(targets: Sequence[Target], reading: str, *code: object) -> str:
    """The digest of everything that decides the model: `code` (the modules that train it),
    scikit-learn's version, `reading` (Analyser.reading) and every phrase with its answer."""
    phrases = [(target.id, target.own, target.phrases) for target in targets]
    own = code_of(*code, sys.modules[__name__])
    # its version from the installed package's metadata: importing it would cost some 70 MB
    return digest([FORMAT, own, importlib.metadata.version("scikit-learn"), reading, phrases])


def remembered(key: str, folder: Path | None, language: str) -> Model | None:
    """The model of `key`: this process's, else the cache folder's, else None."""
    model = _MODELS.get(key)
    if model is None and folder is not None:
        model = _load(_path(folder, language, key))
        if model is not None:
            _MODELS.put(key, model)
    return model


def remember(key: str, model: Model, folder: Path | None, language: str, write: bool) -> None:
    """Keep `model` for this process, and (`write`) in the cache folder unless it is there."""
    _MODELS.put(key, model)
    if write and folder is not None and not _path(folder, language, key).exists():
        buffer = io.BytesIO()
        np.savez(
            buffer,
            format=np.array(FORMAT),
            ids=_joined(model.ids),
            words=_joined(model.words),
            word_idf=model.word_idf,
            pieces=_joined(model.pieces),
            piece_idf=model.piece_idf,
            coef=model.coef,
            intercept=model.intercept,
        )
        if write_whole(_path(folder, language, key), buffer.getvalue()):
            keep_newest(folder, f"{PREFIX}-{language}-*.npz", KEEP)


def forget_models() -> None:
    """Drop the models kept for building more engines (a running bot builds no more)."""
    _MODELS.clear()


def _path(folder: Path, language: str, key: str) -> Path:
    return folder / f"{PREFIX}-{language}-{key}.npz"


def _load(path: Path) -> Model | None:
    try:
        with np.load(path, allow_pickle=False) as data:
            if int(data["format"]) != FORMAT:
                raise ValueError("not a file of this format")
            model = Model(
                ids=_split(data["ids"]),
                words=_split(data["words"]),
                word_idf=data["word_idf"].astype(np.float32),
                pieces=_split(data["pieces"]),
                piece_idf=data["piece_idf"].astype(np.float32),
                coef=np.ascontiguousarray(data["coef"], dtype=np.float32),
                intercept=data["intercept"].astype(np.float32),
            )
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile):  # damaged
        log.info("classifier in %s unreadable: trained again", path)
        return None
    if not model.fits():
        log.info("classifier in %s does not fit its features: trained again", path)
        return None
    return model


def _joined(texts: Sequence[str]) -> np.ndarray:
    """Strings as one array of UTF-8 bytes, a line each (no feature holds a line break)."""
    return np.frombuffer("\n".join(texts).encode("utf-8"), dtype=np.uint8)


def _split(data: np.ndarray) -> tuple[str, ...]:
    text = data.tobytes().decode("utf-8")
    return tuple(text.split("\n")) if text else ()
