"""Shared fixtures: the bundled engine, small content trees built in tmp_path, a `Bot` to talk to.

The `Bot` helper works like a chat client: a test pushes a message and pops the reply, and
presses buttons by their label. The client side keeps the last reply (to know which buttons are
on screen); the engine itself keeps nothing.
"""

from __future__ import annotations

import datetime as dt
import functools
import io
import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.config import BUNDLED_CONTENT, Config
from bot.content.problems import Problem
from bot.engine import Engine, build_engine
from bot.tools.checker import check
from bot.tools.client import Client

ROOT = Path(__file__).resolve().parent.parent


def pytest_configure(config: pytest.Config) -> None:
    """What is worked out from the content (how its phrases read, the trained classifier) is
    kept in a folder of this test run, not the user's ~/.cache (bot/understanding/
    cache_files.py), and prepared for the bundled content once, before any test, as the
    install script's `hrbot check` does: every worker and every `hrbot` process a test starts
    then loads the classifier instead of training it for twenty seconds."""
    if hasattr(config, "workerinput"):  # a pytest-xdist worker: the folder is the run's
        return
    folder = Path(tempfile.mkdtemp(prefix="hrbot-test-cache-"))
    os.environ["HRBOT_CACHE_DIR"] = str(folder)  # the workers start with this environment
    config.add_cleanup(lambda: shutil.rmtree(folder, ignore_errors=True))
    build_engine(Config(), prepare=True)
    kept = Path(tempfile.mkdtemp(prefix="hrbot-test-prepared-"))
    os.environ["HRBOT_TEST_PREPARED"] = str(kept)
    config.add_cleanup(lambda: shutil.rmtree(kept, ignore_errors=True))
    for path in folder.iterdir():
        _link(path, kept / path.name)


@pytest.fixture(autouse=True)
def prepared_cache() -> None:
    """The files prepared for the bundled content are in the run's cache folder for every
    test, and newest there. A test that prepares other content (a service's own answers, a
    broken file) writes its own model into that folder, which keeps only the newest two: the
    bundled one pushed out, every later `hrbot` process would train it again."""
    folder, kept = os.environ.get("HRBOT_CACHE_DIR"), os.environ.get("HRBOT_TEST_PREPARED")
    if not folder or not kept:
        return
    for path in Path(kept).iterdir():
        _link(path, Path(folder) / path.name)
        os.utime(path)  # the same file: newest in both folders


def _link(source: Path, target: Path) -> None:
    """`target` as another name of `source` (a copy across file systems); kept if there."""
    try:
        os.link(source, target)
    except FileExistsError:
        pass
    except OSError:
        shutil.copy2(source, target)


# --- answer files ------------------------------------------------------------------------------


def answer_text(
    id: str,
    area: str,
    *,
    title: str | None = None,
    summary: str = "A short answer.",
    examples: Iterable[str] = ("an example question",),
    keywords: Iterable[str] = (),
    related: Iterable[str] = (),
    emergency: bool = False,
    sources: Iterable[tuple[str, str]] = (("Example source", "https://example.org/page"),),
    status: str = "sourced",
    reviewed_by: str = "",
    reviewed_on: str = "2026-11-27",
    next_review: str = "2099-01-01",
    body: str = "The body of the answer.",
    more: str = "",
) -> str:
    """The text of one answer file, one front matter item per line (so lines are predictable)."""

    def q(value: str) -> str:
        return json.dumps(value, ensure_ascii=False)  # a JSON string is a YAML string

    lines = ["---", f"id: {id}", f"title: {q(title or id.replace('-', ' ').capitalize())}"]
    lines += [f"area: {area}", f"summary: {q(summary)}", "examples:"]
    lines += [f"  - {q(example)}" for example in examples]
    keywords, related, sources = list(keywords), list(related), list(sources)
    lines += ["keywords:", *(f"  - {q(k)}" for k in keywords)] if keywords else []
    lines += ["related:", *(f"  - {r}" for r in related)] if related else []
    lines += [f"emergency: {'true' if emergency else 'false'}", "sources:"]
    for source_title, url in sources:
        lines += [f"  - title: {q(source_title)}", f"    url: {url}"]
    lines += [
        "review:",
        f"  status: {status}",
        f"  reviewed_by: {q(reviewed_by)}",
        f"  reviewed_on: {reviewed_on}",
        f"  next_review: {next_review}",
        "---",
        body,
    ]
    if more:
        lines += ["", "<!-- more -->", more]
    return "\n".join(lines) + "\n"


# A small library that passes `hrbot check` with no errors: the two emergency cards the
# bundled emergency.yaml names, and two ordinary answers.
MINIMAL: dict[str, dict[str, Any]] = {
    "overdose/overdose-now.md": dict(
        id="overdose-now",
        area="overdose",
        title="Someone is overdosing",
        summary="Call {{ emergency }} now. Then give naloxone if you have it.",
        examples=[
            "my friend wont wake up",
            "someone is overdosing help",
            "he is not breathing",
            "her lips are blue and she is not moving",
        ],
        keywords=["overdose", "not breathing", "emergency"],
        related=["naloxone-how"],
        emergency=True,
        body="1. **Call {{ emergency }}** now.\n2. Give naloxone if you have it.",
        more="Stay with them until help arrives.",
    ),
    "services/crisis-support.md": dict(
        id="crisis-support",
        area="services",
        title="If you're thinking of suicide",
        summary="You matter. Talk to someone now: {{ crisis_line }}.",
        examples=["i want to die", "i feel suicidal", "thinking about ending my life"],
        keywords=["suicide", "crisis"],
        emergency=True,
        body="Call {{ crisis_line }}. In danger right now? Call {{ emergency }}.",
    ),
    "overdose/naloxone-how.md": dict(
        id="naloxone-how",
        area="overdose",
        title="How to give naloxone",
        summary="Spray one dose up one nostril. No response after 2 to 3 minutes: another dose.",
        examples=[
            "how do i use narcan",
            "naloxone spray how to use",
            "where do you inject naloxone",
            "how many doses of narcan do i give",
        ],
        keywords=["naloxone", "nasal spray", "nostril"],
        related=["overdose-now"],
        body="- Lay them on their back.\n- Spray one dose up one nostril.",
        more="Naloxone does no harm to someone who has not taken opioids.",
    ),
    "testing/fentanyl-test-strips.md": dict(
        id="fentanyl-test-strips",
        area="testing",
        title="Using fentanyl test strips",
        summary="Dissolve a little of your drugs in water and dip the strip in.",
        examples=[
            "how do fentanyl test strips work",
            "where can i get fts",
            "test my pills for fent",
        ],
        keywords=["test strip", "fentanyl", "strips"],
        body="One line means fentanyl was found. Two lines means none was found.",
    ),
}


@functools.cache
def bundled_numbers(countries: tuple[str, ...] = ("GB", "US", "IE", "CA", "AU")) -> str:
    """The bundled emergency numbers of a few countries (the whole file is slow to parse)."""
    text = (BUNDLED_CONTENT / "emergency-numbers.yaml").read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    return yaml.safe_dump({code: data[code] for code in countries}, allow_unicode=True)


def make_content(
    root: Path,
    entries: Mapping[str, str | None] | None = None,
    *,
    minimal: bool = True,
    lexicon: str | bool = True,
    numbers: str | None = None,
    files: Mapping[str, str] | None = None,
) -> Path:
    """A content tree at `root/content` built from the bundled words, rules and templates.

    `entries` maps paths under `en/` ("overdose/x.md") to file text; None removes an answer of
    the minimal set. `lexicon` is True (the bundled one), False (none) or the file's text;
    `numbers` the text of emergency-numbers.yaml (default: a few bundled countries). `files`
    writes any other file, by path under the tree.
    """
    tree = root / "content"
    en = tree / "en"
    en.mkdir(parents=True)
    for name in ("messages.yaml", "emergency.yaml", "stopwords.txt"):
        shutil.copy(BUNDLED_CONTENT / "en" / name, en / name)
    if lexicon is True:
        shutil.copy(BUNDLED_CONTENT / "en" / "lexicon.yaml", en / "lexicon.yaml")
    elif lexicon:
        (en / "lexicon.yaml").write_text(lexicon, encoding="utf-8")
    shutil.copytree(BUNDLED_CONTENT / "templates", tree / "templates")
    numbers_text = bundled_numbers() if numbers is None else numbers
    (tree / "emergency-numbers.yaml").write_text(numbers_text, encoding="utf-8")
    wanted: dict[str, str | None] = (
        {path: answer_text(**fields) for path, fields in MINIMAL.items()} if minimal else {}
    )
    wanted.update(entries or {})
    for relative, text in wanted.items():
        if text is None:
            continue
        path = en / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    for relative, text in (files or {}).items():
        path = tree / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return tree


def line_of(path: Path, needle: str, occurrence: int = 1) -> int:
    """The 1-based number of the line containing `needle` (its n-th occurrence)."""
    seen = 0
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if needle in line:
            seen += 1
            if seen == occurrence:
                return number
    raise AssertionError(f"{needle!r} is not in {path}")


# --- talking to the bot ------------------------------------------------------------------------


Bot = Client  # the test client shipped with the package (bot/tools/client.py)


@pytest.fixture(scope="session")
def engine() -> Engine:
    """The engine over the bundled content, built once."""
    return build_engine(Config())


# The day the shared check of the bundled content is run as of (review and verified dates).
CHECK_DAY = dt.date(2026, 11, 27)


@pytest.fixture(scope="session")
def bundled_problems() -> list[Problem]:
    """`hrbot check`'s problems with the bundled content and the default config, found once:
    tests that assert different things about the same run share it."""
    return check(Config(), today=CHECK_DAY)


@pytest.fixture
def bot(engine: Engine) -> Bot:
    return Bot(engine)


@pytest.fixture
def content(tmp_path: Path) -> Callable[..., Path]:
    """`content(entries=..., ...)`: a small content tree in tmp_path (see `make_content`)."""

    def make(entries: Mapping[str, str | None] | None = None, **options: Any) -> Path:
        return make_content(tmp_path, entries, **options)

    return make


# --- the command line --------------------------------------------------------------------------


def run_cli(
    *args: str, input: str | None = None, cwd: Path = ROOT
) -> subprocess.CompletedProcess[str]:
    """`hrbot ARGS` in a fresh interpreter, as a person would run it."""
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    return subprocess.run(
        [sys.executable, "-m", "handlers.cli", *args],
        input=input,
        capture_output=True,
        text=True,
        encoding="utf-8",
        cwd=cwd,
        env=env,
        timeout=120,
        check=False,
    )


@pytest.fixture
def cli() -> Callable[..., subprocess.CompletedProcess[str]]:
    """`cli("match", "--json", input=...)`: hrbot in a subprocess."""
    return run_cli


@pytest.fixture
def hrbot(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> Callable[..., tuple[int, str, str]]:
    """`hrbot("check", input=...)` in this process (faster): exit code, stdout, stderr."""
    from handlers.cli import main

    def run(*args: str, input: str = "") -> tuple[int, str, str]:
        capsys.readouterr()
        monkeypatch.setattr(sys, "stdin", io.StringIO(input))
        code = main(list(args))
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    return run
