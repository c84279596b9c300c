"""`hrbot review` and `hrbot review sign`: the list, and a sign-off that changes only the review."""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from bot.config import BUNDLED_CONTENT, Config
from bot.engine import build_engine
from bot.tools.client import Client
from bot.tools.frontmatter import FrontMatterError, set_review
from bot.tools.review import add_months

# A file the way staff write them: comments, a folded summary, flow lists, CRLF-free, a trailing
# comment on a review field, and a body with a `---` rule and a "more" part.
HAND_WRITTEN = """\
---
# checked against the leaflet on the shelf
id: naloxone-how
title: How to give naloxone
area: overdose
summary: >-
  Spray one dose up one nostril. No response after 2 to 3 minutes:
  another dose.
examples:
  - how do i use narcan
  - naloxone spray how to use
  - where do you inject naloxone
  - how many doses of narcan do i give
keywords: [naloxone, nasal spray,   nostril]
related: [overdose-now]
sources:
  - title: "With You: naloxone"   # the page, not the PDF
    url: https://example.org/naloxone
review:
  # who looked at it last
  status: sourced     # nurse to sign
  reviewed_by: ""
  reviewed_on: 2026-01-05
  next_review: 2026-07-05

---
- Lay them on their back.

---

- Spray one dose up one nostril.

<!-- more -->
Naloxone does no harm to someone who has not taken opioids.
"""


def test_set_review_changes_only_the_review_lines() -> None:
    signed = set_review(
        HAND_WRITTEN,
        {
            "status": "reviewed",
            "reviewed_by": "Sam Lee (nurse), Jo (peer)",
            "reviewed_on": dt.date(2026, 12, 1),
            "next_review": dt.date(2027, 6, 1),
        },
    )
    expected = (
        HAND_WRITTEN.replace("  status: sourced     # nurse", "  status: reviewed     # nurse")
        .replace('  reviewed_by: ""', '  reviewed_by: "Sam Lee (nurse), Jo (peer)"')
        .replace("  reviewed_on: 2026-01-05", "  reviewed_on: 2026-12-01")
        .replace("  next_review: 2026-07-05", "  next_review: 2027-06-01")
    )
    assert signed.encode("utf-8") == expected.encode("utf-8")
    pairs = zip(HAND_WRITTEN.splitlines(), signed.splitlines(), strict=True)
    changed = [(a, b) for a, b in pairs if a != b]
    assert len(changed) == 4


def test_set_review_adds_missing_fields_and_keeps_crlf() -> None:
    text = "---\r\nid: x\r\nreview:\r\n    status: draft\r\nemergency: false\r\n---\r\nBody\r\n"
    signed = set_review(text, {"reviewed_by": "A (nurse)", "reviewed_on": dt.date(2026, 12, 1)})
    assert signed == (
        "---\r\nid: x\r\nreview:\r\n    status: draft\r\n"
        '    reviewed_by: "A (nurse)"\r\n    reviewed_on: 2026-12-01\r\n'
        "emergency: false\r\n---\r\nBody\r\n"
    )
    assert yaml.safe_load(signed.split("---")[1])["review"]["reviewed_by"] == "A (nurse)"


def test_a_one_line_review_becomes_a_block() -> None:
    text = "---\nid: x\nreview: {status: draft, reviewed_on: 2026-01-02}\n---\nBody\n"
    assert set_review(text, {"status": "sourced"}) == (
        "---\nid: x\nreview:\n  status: sourced\n  reviewed_on: 2026-01-02\n---\nBody\n"
    )


def test_set_review_refuses_what_it_cannot_edit_safely() -> None:
    with pytest.raises(FrontMatterError, match="as a block"):
        set_review("---\nreview: [draft]\n---\nBody\n", {"status": "sourced"})
    with pytest.raises(FrontMatterError, match="no `review:` block"):
        set_review("---\nid: x\n---\nBody\n", {"status": "sourced"})


def test_sign_in_place_keeps_every_other_byte_and_check_passes(
    content: Callable[..., Path], hrbot
) -> None:
    tree = content({"overdose/naloxone-how.md": HAND_WRITTEN})
    path = tree / "en" / "overdose" / "naloxone-how.md"
    before = path.read_bytes()
    code, out, err = hrbot(
        "review", "sign", "naloxone-how", "--by", "Sam Lee (nurse)", "--status", "reviewed",
        "--on", "2026-12-01", "--content", str(tree),
    )  # fmt: skip
    assert code == 0, err
    assert f"signed naloxone-how: {path}" in out
    after = path.read_bytes()
    old_lines, new_lines = before.splitlines(keepends=True), after.splitlines(keepends=True)
    assert len(old_lines) == len(new_lines)
    differ = [i for i, (a, b) in enumerate(zip(old_lines, new_lines, strict=True)) if a != b]
    assert [new_lines[i].decode() for i in differ] == [
        "  status: reviewed     # nurse to sign\n",
        '  reviewed_by: "Sam Lee (nurse)"\n',
        "  reviewed_on: 2026-12-01\n",
        "  next_review: 2027-06-01\n",
    ]
    code, out, err = hrbot("check", "--content", str(tree))
    assert code == 0, out
    assert "en: min_review_status 'sourced': 4 of 4 answers would be served" in err
    assert "'reviewed' would serve 1" in err
    shown = Client(build_engine(Config(content_dir=tree))).say("how do i use narcan")
    assert "Reviewed by Sam Lee (nurse), December 2026" in shown.html


def test_a_bundled_answer_is_signed_in_the_services_own_folder(tmp_path: Path, hrbot) -> None:
    assert hrbot("init", str(tmp_path / "srv"), "--country", "GB")[0] == 0
    config = tmp_path / "srv" / "config.yaml"
    bundled = BUNDLED_CONTENT / "en" / "overdose" / "naloxone-how.md"
    untouched = bundled.read_bytes()
    code, out, err = hrbot(
        "review", "sign", "naloxone-how", "overdose-now", "--by", "Jo Park (peer worker)",
        "--config", str(config),
    )  # fmt: skip
    assert code == 0, err
    assert bundled.read_bytes() == untouched
    copy = tmp_path / "srv" / "content" / "en" / "overdose" / "naloxone-how.md"
    assert "copied" in out and str(copy) in out
    today = dt.date.today()
    expected = (
        untouched.decode()
        .replace('reviewed_by: ""', 'reviewed_by: "Jo Park (peer worker)"', 1)
        .replace("reviewed_on: 2026-12-01", f"reviewed_on: {today}", 1)
        .replace("next_review: 2027-06-01", f"next_review: {add_months(today, 6)}", 1)
    )
    assert copy.read_text(encoding="utf-8") == expected  # status kept: no --status given
    code, out, _ = hrbot("check", "--config", str(config))
    assert code == 0
    assert f"{copy}: replaces the bundled {bundled}" in out


def test_min_review_status_reviewed_says_how_many_are_left(tmp_path: Path, hrbot) -> None:
    shutil.copytree(BUNDLED_CONTENT, tmp_path / "content")
    config = tmp_path / "config.yaml"
    config.write_text("content_dir: content\nmin_review_status: reviewed\n", encoding="utf-8")
    for card in ("overdose-now", "crisis-support"):
        code, _, err = hrbot(
            "review", "sign", card, "--by", "Ana (nurse)", "--status", "reviewed",
            "--config", str(config),
        )  # fmt: skip
        assert code == 0, err
    code, out, err = hrbot("check", "--config", str(config))
    assert "en: min_review_status 'reviewed': 2 of " in err, out
    assert "'sourced' would serve" in err


def test_sign_refuses_unclear_signers_and_unknown_ids(content: Callable[..., Path], hrbot) -> None:
    tree = content()
    path = tree / "en" / "overdose" / "naloxone-how.md"
    before = path.read_bytes()
    code, _, err = hrbot("review", "sign", "naloxone-how", "--by", "Sam", "--content", str(tree))
    assert code == 1
    assert 'give a name and a role, like --by "Sam Lee (nurse)"' in err
    code, _, err = hrbot("review", "sign", "nalox", "--by", "Sam (nurse)", "--content", str(tree))
    assert code == 1 and "no answer has the id 'nalox'" in err
    assert path.read_bytes() == before


def test_dry_run_shows_the_change_and_writes_nothing(content: Callable[..., Path], hrbot) -> None:
    tree = content()
    path = tree / "en" / "overdose" / "naloxone-how.md"
    before = path.read_bytes()
    code, out, _ = hrbot(
        "review", "sign", "naloxone-how", "--by", "Sam (nurse)", "--dry-run",
        "--on", "2026-12-01", "--content", str(tree),
    )  # fmt: skip
    assert code == 0
    assert '+  reviewed_by: "Sam (nurse)"' in out and '-  reviewed_by: ""' in out
    assert path.read_bytes() == before


def test_review_lists_drafts_first_then_most_overdue(content: Callable[..., Path], hrbot) -> None:
    from conftest import answer_text

    tree = content(
        {
            "general/old.md": answer_text("old", "general", next_review="2020-01-01"),
            "general/new.md": answer_text("new", "general", status="draft"),
        }
    )
    code, out, _ = hrbot("review", "--content", str(tree))
    assert code == 0
    lines = out.splitlines()
    assert lines[0].startswith("draft") and lines[0].endswith("new")
    assert lines[1].startswith("sourced   due 2020-01-01    old") and "due now" in lines[1]
    assert lines[-1] == "6 answers: 0 reviewed, 5 sourced, 1 draft; 1 due for review"
