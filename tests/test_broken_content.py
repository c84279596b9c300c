"""One broken content file never takes the emergency card away, never stops the bot.

Each case breaks one file, in a content tree of its own or in the service's own folder over the
bundled content, and then: the bot starts; "my friend wont wake up" gets the overdose card with
the config country's number (GB: 999); the bot still answers /start and /help; the log names
the broken file, and so does /healthz when the bundled copy of a safety file stands in for it;
and `hrbot check` fails with an error for that file, never a traceback.
"""

from __future__ import annotations

import json
import logging
import re
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from conftest import MINIMAL, answer_text, make_content

from bot.config import BUNDLED_CONTENT, Config, Matching
from bot.conversation.reply import Event, EventKind
from bot.engine import Engine, build_engine
from bot.tools.checker import check
from handlers.counters import Counters
from handlers.webhook import webhook_app
from handlers.words import load_words

OVERDOSE = "overdose/overdose-now.md"
CRISIS = "services/crisis-support.md"
NOT_UTF8 = b"caf\xe9 \xff\xfe not utf-8\n"
BIG = 50_000_000
SERVICES = "region: gb\ncountry: GB\ntimezone: Europe/London\nservices: []\n"


def alias_bomb() -> str:
    lines = ['a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for level in range(1, 10):
        name, previous = chr(ord("a") + level), chr(ord("a") + level - 1)
        lines.append(f"{name}: &{name} [{', '.join([f'*{previous}'] * 9)}]")
    return "\n".join(lines) + "\n"


def card(path: str, **changes: object) -> str:
    return answer_text(**{**MINIMAL[path], **changes})


# --- ways of breaking one file -------------------------------------------------------------------


def write(text: str) -> Callable[[Path], None]:
    return lambda path: path.write_text(text, encoding="utf-8")


def write_bytes(data: bytes) -> Callable[[Path], None]:
    return lambda path: path.write_bytes(data)


def delete(path: Path) -> None:
    if path.is_dir():
        shutil.rmtree(path)
    else:
        path.unlink()


def edit(old: str, new: str) -> Callable[[Path], None]:
    def change(path: Path) -> None:
        text = path.read_text(encoding="utf-8")
        assert old in text, f"{old!r} is not in {path}"
        path.write_text(text.replace(old, new, 1), encoding="utf-8")

    return change


def edit_gb(new: str) -> Callable[[Path], None]:
    """Replace GB's emergency number line, however it is quoted."""

    def change(path: Path) -> None:
        text = path.read_text(encoding="utf-8")
        changed = re.sub(r"emergency: ['\"]999['\"]", new, text, count=1)
        assert changed != text
        path.write_text(changed, encoding="utf-8")

    return change


def huge(path: Path) -> None:
    with path.open("wb") as out:
        out.write(b"a: [")
        out.truncate(BIG)


@dataclass(frozen=True)
class Case:
    file: str  # relative to the content tree's root
    how: Callable[[Path], None]
    safety: bool = True  # a bundled copy stands in (and /healthz says so)

    def __str__(self) -> str:
        return self.file


EMERGENCY = "en/emergency.yaml"
MESSAGES = "en/messages.yaml"
NUMBERS = "emergency-numbers.yaml"
T = "templates/"

CASES: dict[str, Case] = {
    # the emergency phrases
    "emergency.yaml missing": Case(EMERGENCY, delete),
    "emergency.yaml not YAML": Case(EMERGENCY, write("overdose: [not closed\n  card: x\n")),
    "emergency.yaml empty": Case(EMERGENCY, write("")),
    "emergency.yaml section misspelt": Case(EMERGENCY, edit("overdose:", "overdoes:")),
    "emergency.yaml card misspelt": Case(
        EMERGENCY, edit("card: overdose-now", "card: overdose-nw")
    ),
    "emergency.yaml no phrases": Case(EMERGENCY, edit("  phrases:", "  phrases: []\n  old:")),
    "emergency.yaml not UTF-8": Case(EMERGENCY, write_bytes(NOT_UTF8)),
    "emergency.yaml alias bomb": Case(EMERGENCY, write(alias_bomb())),
    "emergency.yaml 50 MB": Case(EMERGENCY, huge),
    # the bot's words
    "messages.yaml missing": Case(MESSAGES, delete),
    "messages.yaml not YAML": Case(MESSAGES, write('greeting: "never closed\nhelp: x\n')),
    "messages.yaml empty": Case(MESSAGES, write("")),
    "messages.yaml key missing": Case(MESSAGES, edit("greeting:", "greting:")),
    "messages.yaml placeholder typo": Case(MESSAGES, edit("{who}", "{whoo}")),
    "messages.yaml button placeholder": Case(MESSAGES, edit("Also: {title}", "Also: {titel}")),
    "messages.yaml unpaired brace": Case(MESSAGES, edit("{area}:", "{area:")),
    "messages.yaml not UTF-8": Case(MESSAGES, write_bytes(NOT_UTF8)),
    "messages.yaml alias bomb": Case(MESSAGES, write(alias_bomb())),
    # the overdose card
    "card missing": Case(f"en/{OVERDOSE}", delete),
    "card front matter not YAML": Case(f"en/{OVERDOSE}", edit("emergency: true", "emergency: [")),
    "card never closes its front matter": Case(f"en/{OVERDOSE}", edit("---\n1.", "1.")),
    "card without a title": Case(f"en/{OVERDOSE}", edit("title:", "titel:")),
    "card placeholder typo": Case(
        f"en/{OVERDOSE}", edit("**Call {{ emergency }}**", "{{ emergncy }}")
    ),
    "card placeholder raises": Case(
        f"en/{OVERDOSE}", edit("**Call {{ emergency }}**", "{{ 1 // 0 }}")
    ),
    "card not an emergency": Case(f"en/{OVERDOSE}", edit("emergency: true", "emergency: false")),
    "card a draft": Case(f"en/{OVERDOSE}", edit("status: sourced", "status: draft")),
    "card id changed": Case(f"en/{OVERDOSE}", edit("id: overdose-now", "id: overdose-later")),
    "card not UTF-8": Case(f"en/{OVERDOSE}", write_bytes(NOT_UTF8)),
    "card empty": Case(f"en/{OVERDOSE}", write("")),
    "crisis card missing": Case(f"en/{CRISIS}", delete),
    "crisis card placeholder typo": Case(
        f"en/{CRISIS}", edit("{{ crisis_line }}.", "{{ crisis }}.")
    ),
    # the numbers
    "numbers missing": Case(NUMBERS, delete),
    "numbers not YAML": Case(NUMBERS, write("GB: [\n  name: x\n")),
    "numbers GB not a number": Case(NUMBERS, edit_gb('emergency: "nine nine nine"')),
    "numbers without GB": Case(NUMBERS, edit("GB:", "XX_GB:")),
    "numbers GB unknown field": Case(NUMBERS, edit_gb('emergency: "999"\n  fax: 1')),
    "numbers a list": Case(NUMBERS, write("- GB\n- US\n")),
    "numbers alias bomb": Case(NUMBERS, write(alias_bomb())),
    "numbers 50 MB": Case(NUMBERS, huge),
    # the templates
    "answer template empty": Case(f"{T}answer.html.j2", write("")),
    "answer template syntax": Case(f"{T}answer.html.j2", edit("{% endif %}", "{% endfi %}")),
    "answer template raises": Case(f"{T}answer.html.j2", write("{{ 1 // 0 }}{{ title }}")),
    "answer template typo": Case(f"{T}answer.html.j2", edit("{{ title }}", "{{ titel }}")),
    "answer template bad HTML": Case(f"{T}answer.html.j2", write("<div>{{ title }}</div>")),
    "answer template not UTF-8": Case(f"{T}answer.html.j2", write_bytes(NOT_UTF8)),
    "answer template missing": Case(f"{T}answer.html.j2", delete),
    "more template missing": Case(f"{T}more.html.j2", delete),
    "message template raises": Case(f"{T}message.html.j2", write("{{ 1 // 0 }}")),
    "numbers template syntax": Case(f"{T}numbers.html.j2", write("{% for x in %}")),
    "services template syntax": Case(f"{T}services.html.j2", write("{% if %}")),
    "templates folder missing": Case("templates", delete),
    # files whose breaking was always handled: reported and left out, the card kept
    "lexicon alias bomb": Case("en/lexicon.yaml", write(alias_bomb()), safety=False),
    "lexicon 50 MB": Case("en/lexicon.yaml", huge, safety=False),
    "services alias bomb": Case("services/gb.yaml", write(alias_bomb()), safety=False),
}

# Cases also tried in the service's own folder, over the bundled content.
LOCAL = [
    "emergency.yaml not YAML",
    "messages.yaml placeholder typo",
    "card placeholder typo",
    "numbers GB not a number",
    "answer template raises",
]


def broken_tree(tmp_path: Path, case: Case, local: bool) -> tuple[Config, Path]:
    """A config whose content has `case`'s file broken, and that file's path."""
    if local:
        root = tmp_path / "local"
        target = root / case.file
        target.parent.mkdir(parents=True)
        shutil.copy(BUNDLED_CONTENT / case.file, target)
        # What stands in for a broken local file is the same for every method; "stems" needs
        # no training on content a broken card changes (tests/test_labelled.py holds that the
        # default method learns local content).
        config = Config(local_content=root, country="GB", matching=Matching(method="stems"))
    else:
        root = make_content(tmp_path, files={"services/gb.yaml": SERVICES})
        target = root / case.file
        config = Config(content_dir=root, country="GB")
    case.how(target)
    return config, target


async def health(engine: Engine) -> dict[str, object]:
    class Application:
        running = True
        bot = None
        update_queue = None

    broken = [str(fallback) for fallback in engine.fallbacks]
    app = webhook_app(Application(), "/telegram", "s" * 32, Counters(), broken_files=broken)  # type: ignore[arg-type]
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://x") as c:
        response = await c.get("/healthz")
    assert response.status_code == 200
    return dict(response.json())


def say(engine: Engine, kind: EventKind, text: str) -> str:
    reply = engine.handle(Event(kind, text, language="en"))
    assert reply.html.strip()
    return reply.html


@pytest.mark.parametrize(
    ("name", "local"),
    [(name, False) for name in CASES] + [(name, True) for name in LOCAL],
    ids=[*CASES, *(f"local {name}" for name in LOCAL)],
)
async def test_one_broken_file_keeps_the_card(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, name: str, local: bool
) -> None:
    case = CASES[name]
    config, broken = broken_tree(tmp_path, case, local)
    caplog.set_level(logging.WARNING)

    engine = build_engine(config)  # starts
    load_words(engine)

    reply = engine.handle(Event(EventKind.TEXT, "my friend wont wake up", language="en"))
    assert reply.emergency and reply.entry_id == "overdose-now"
    assert "999" in reply.html
    if "crisis" in name:
        crisis = engine.handle(Event(EventKind.TEXT, "i want to die", language="en"))
        assert crisis.emergency and crisis.entry_id == "crisis-support"
    say(engine, EventKind.COMMAND, "start")
    say(engine, EventKind.COMMAND, "help")
    say(engine, EventKind.BUTTON, "t")
    assert "999" in say(engine, EventKind.BUTTON, "n")  # the numbers list

    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert str(broken) in logged
    if case.safety:
        assert "SAFETY FILE BROKEN" in logged
        status = await health(engine)
        assert status["status"] == "degraded"
        assert any(str(broken) in line for line in status["broken_files"])  # type: ignore[attr-defined]
        assert "wont wake" not in json.dumps(status)

    problems = check(config)  # never a traceback
    errors = [p for p in problems if p.is_error]
    assert any(p.path == broken or broken in p.path.parents for p in errors), errors


def test_an_alias_bomb_is_refused_before_it_expands(tmp_path: Path) -> None:
    path = tmp_path / "lexicon.yaml"
    path.write_text(alias_bomb(), encoding="utf-8")
    from bot.content.files import ContentError, read_yaml

    with pytest.raises(ContentError, match="aliases"):  # expanded, it would never finish
        read_yaml(path)


def test_healthz_is_ok_when_nothing_is_broken(engine: Engine) -> None:
    assert engine.fallbacks == []
    assert not [p for p in engine.problems if p.is_error]


@pytest.mark.parametrize("placeholder", ["{{ emergncy }}", "{{ 1 // 0 }}"])
def test_an_answer_that_cannot_be_rendered_is_dropped_from_the_matcher_too(
    tmp_path: Path, placeholder: str
) -> None:
    naloxone = card("overdose/naloxone-how.md", body=f"Spray one dose. Call {placeholder}.")
    tree = make_content(tmp_path, {"overdose/naloxone-how.md": naloxone})
    engine = build_engine(Config(content_dir=tree, country="GB"))
    language = engine.language("en")
    assert "naloxone-how" not in language.entries
    assert "naloxone-how" not in language.matcher.ids
    reply = engine.handle(Event(EventKind.TEXT, "how do i use narcan", language="en"))
    assert reply.entry_id != "naloxone-how" and reply.html.strip()
    path = tree / "en" / "overdose" / "naloxone-how.md"
    assert any(p.is_error and p.path == path for p in check(Config(content_dir=tree)))


@pytest.mark.parametrize(
    "name",
    ["answer template raises", "services template syntax", "templates folder missing",
     "answer template not UTF-8", "card placeholder raises", "emergency.yaml alias bomb"],
)  # fmt: skip
def test_hrbot_check_fails_with_path_and_line_not_a_traceback(
    tmp_path: Path, cli: Callable[..., object], name: str
) -> None:
    config, broken = broken_tree(tmp_path, CASES[name], local=False)
    config_file = tmp_path / "config.yaml"
    config_file.write_text(f"content_dir: {config.content_dir}\ncountry: GB\n", encoding="utf-8")
    result = cli("check", "--config", str(config_file))
    output = result.stdout + result.stderr  # type: ignore[attr-defined]
    assert result.returncode != 0  # type: ignore[attr-defined]
    assert "Traceback" not in output
    assert str(broken) in output
