"""`hrbot` chat, match and check: through a real process where it matters, in-process otherwise."""

from __future__ import annotations

import io
import json
import re
from collections.abc import Callable
from pathlib import Path

from bot.conversation.reply import EventKind
from bot.engine import Engine
from bot.tools.chat import event_for, plain_text, run_chat

# --- through a subprocess ----------------------------------------------------------------------


def test_chat_with_a_scripted_conversation(cli) -> None:
    script = "narcan how\n1\n/menu\n3\n"
    result = cli("chat", input=script)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    # the greeting with numbered area choices
    assert out.startswith("Hi. Ask me anything")
    assert "[1] 🆘 Overdose & naloxone" in out
    # "narcan how" → the answer as plain text, buttons as numbered choices
    answer = out.index("How to give naloxone")
    assert "[1] ➕ More" in out[answer:]
    # "1" pressed More → the more part
    assert "Naloxone is safe" in out[answer:]
    # "/menu" → topics, then "3" → the third area
    menu = out.index("Pick a topic:")
    assert menu > out.index("Naloxone is safe")
    assert "Safer injecting: pick a question." in out[menu:]
    assert "⬅️ Back" in out[menu:]
    # plain text: no HTML tags or entities reach the terminal
    assert "<b>" not in out and "&amp;" not in out and "&#" not in out
    assert "Sources: " in out and "(https://" in out  # links as "text (url)"


def test_match_with_text_arguments(cli) -> None:
    result = cli("match", "--json", "narcan", "how")
    assert result.returncode == 0, result.stderr
    (line,) = result.stdout.splitlines()
    assert json.loads(line)["text"] == "narcan how"  # the words, joined: one message
    assert json.loads(line)["entry"] == "naloxone-how"


# --- in this process -----------------------------------------------------------------------------


def test_chat_in_process(engine: Engine) -> None:
    out = io.StringIO()
    code = run_chat(engine, io.StringIO("my friend wont wake up\n"), out, language="en")
    assert code == 0
    assert "🆘 Someone is overdosing" in out.getvalue()
    # the card's own button (the greeting before it has one too)
    pressed = re.findall(r"\[(\d+)\] 🌍 Numbers in another country", out.getvalue())[-1]
    out = io.StringIO()
    typed = f"my friend wont wake up\n{pressed}\n"
    assert run_chat(engine, io.StringIO(typed), out, language="en") == 0
    assert "Emergency numbers by country" in out.getvalue()  # the numbers button, pressed


def test_chat_ends_on_quit(engine: Engine) -> None:
    out = io.StringIO()
    assert run_chat(engine, io.StringIO("/quit\nnarcan how\n"), out, language="en") == 0
    assert "Hi. Ask me anything" in out.getvalue()
    assert "How to give naloxone" not in out.getvalue()


def test_match_prints_a_line_for_people(hrbot) -> None:
    code, out, _ = hrbot("match", "narcan", "how")
    assert code == 0
    first, second = out.splitlines()
    assert first.startswith("answer: naloxone-how  score ")
    assert second.strip() == "narcan how"


def test_chat_ends_cleanly_at_once_on_empty_input(engine: Engine) -> None:
    out = io.StringIO()
    assert run_chat(engine, io.StringIO(""), out, language="en") == 0
    assert out.getvalue().startswith("Hi. Ask me anything")


def test_chat_out_of_range_number_is_text(engine: Engine) -> None:
    out = io.StringIO()
    assert run_chat(engine, io.StringIO("99\n\n   \n"), out, language="en") == 0
    text = out.getvalue()
    assert text.count("Hi. Ask me anything") == 1  # no button 99: not a press
    assert text.count("  [1] ") == 2  # the greeting, then one reply (to "99"; blanks skipped)


def test_event_for_typed_lines() -> None:
    choices = ["a:naloxone-how", "t"]
    assert event_for("2", choices, "en").kind is EventKind.BUTTON
    assert event_for(" 1 ", choices, "en").text == "a:naloxone-how"
    assert event_for("3", choices, "en").kind is EventKind.TEXT
    assert event_for("0", choices, "en").kind is EventKind.TEXT
    command = event_for("/start naloxone-how", choices, "en")
    assert (command.kind, command.text, command.argument) == (
        EventKind.COMMAND,
        "start",
        "naloxone-how",
    )


def test_plain_text_drops_tags_and_shows_links() -> None:
    html = '<b>Bold</b> &amp; <a href="https://example.org/?a=1&amp;b=2">site</a>'
    assert plain_text(html) == "Bold & site (https://example.org/?a=1&b=2)"


def test_match_reads_lines_from_stdin(hrbot) -> None:
    code, out, _ = hrbot("match", input="narcan how\n\nmy friend wont wake up\nrecommend a movie\n")
    assert code == 0
    lines = out.splitlines()
    assert len(lines) == 6  # blank lines are skipped; two lines per message
    assert lines[0].startswith("answer: naloxone-how")
    assert lines[2].startswith("EMERGENCY emergency: overdose-now  score 100")
    assert lines[4].startswith("none: (no answer)")


def test_check_on_a_missing_folder_fails(tmp_path: Path, hrbot) -> None:
    code, out, err = hrbot("check", "--content", str(tmp_path / "nowhere"))
    assert code == 1
    assert f"{tmp_path / 'nowhere'}: content folder not found" in out
    assert "error(s)" in err


def test_chat_on_unusable_content_is_one_line(tmp_path: Path, hrbot) -> None:
    code, out, err = hrbot("chat", "--content", str(tmp_path))
    assert code == 2
    assert out == ""
    assert err.strip().splitlines()[-1].startswith("hrbot: no usable language")


def test_chat_with_a_broken_file_keeps_answering(content: Callable[..., Path], hrbot) -> None:
    tree = content({"overdose/naloxone-how.md": "not front matter\n"})
    code, out, err = hrbot(
        "chat", "--content", str(tree), input="how do fentanyl test strips work\n"
    )
    assert code == 0
    assert "Using fentanyl test strips" in out
    path = tree / "en" / "overdose" / "naloxone-how.md"
    assert f"skipped: {path}:1: " in err


def test_no_command_prints_help(hrbot) -> None:
    code, out, _ = hrbot()
    assert code == 2
    assert "chat" in out and "match" in out and "check" in out
