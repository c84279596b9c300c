"""Loader and checker: every kind of broken file is reported as `path:line: message`.

Each case builds a small content tree in which exactly one thing is broken, then asserts the
checker reports an error for that file at the line where the problem is.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import MINIMAL, answer_text, line_of, make_content

from bot.config import BUNDLED_CONTENT, Config
from bot.content.problems import Problem
from bot.conversation.reply import Event, EventKind
from bot.engine import build_engine
from bot.library import load_library
from bot.tools.checker import check

TODAY = dt.date(2026, 11, 27)
NALOXONE = "overdose/naloxone-how.md"


def naloxone(**changes: object) -> str:
    return answer_text(**{**MINIMAL[NALOXONE], **changes})


def problems_for(tree: Path) -> list[Problem]:
    return check(Config(content_dir=tree), today=TODAY)


def errors_in(problems: list[Problem], path: Path) -> list[Problem]:
    return [p for p in problems if p.is_error and p.path == path]


def assert_error(problems: list[Problem], path: Path, line: int, fragment: str) -> Problem:
    """There is an error for `path` at `line` whose message contains `fragment`."""
    for problem in problems:
        if (
            problem.is_error
            and problem.path == path
            and problem.line == line
            and fragment.casefold() in problem.message.casefold()
        ):
            assert str(problem).startswith(f"{path}:{line}: ")
            return problem
    listed = "\n".join(str(p) for p in problems) or "(no problems)"
    raise AssertionError(f"expected {path}:{line}: …{fragment}… in:\n{listed}")


def test_minimal_tree_has_no_errors(content: Callable[..., Path]) -> None:
    tree = content()
    problems = problems_for(tree)
    assert [str(p) for p in problems if p.is_error] == []
    library = load_library(tree)
    assert set(library.languages["en"].entries) == {
        "overdose-now",
        "crisis-support",
        "naloxone-how",
        "fentanyl-test-strips",
    }


# --- answer files ---------------------------------------------------------------------------------
#
# One tree holds every kind of broken answer, each in its own file (overdose/<case>.md, a copy of
# the naloxone answer with one thing broken), and is checked once.

_SOURCES = '  - title: "Example source"\n    url: https://example.org/page\n'


def variant(case: str, **changes: object) -> str:
    """The naloxone answer as `overdose/<case>.md`, with its own id, title and examples."""
    fields = {
        **MINIMAL[NALOXONE],
        "id": case,
        "title": case.replace("-", " "),
        "examples": [f"{case.replace('-', ' ')} question"],
        "related": [],
        **changes,
    }
    return answer_text(**fields)


def without_line(text: str, prefix: str) -> str:
    return "".join(line for line in text.splitlines(keepends=True) if not line.startswith(prefix))


# (case, file text, text on the line the error must point at (None: line 1), message part)
BROKEN = [
    ("bad-yaml-indent", variant("bad-yaml-indent").replace(
        "area: overdose\n", "area: overdose\n  oops: nested\n"), "  oops: nested", "YAML"),
    ("bad-yaml-list", variant("bad-yaml-list").replace(
        "keywords:\n", 'keywords: ["naloxone", "narcan"\nmisc:\n'), "misc:", "YAML"),
    ("no-opening-fence", variant("no-opening-fence").removeprefix("---\n"), None, "---"),
    ("no-closing-fence", variant("no-closing-fence").replace("\n---\n", "\n\n", 1), None,
     "closing"),
    ("missing-summary", without_line(variant("missing-summary"), "summary:"), None,
     "summary: is missing"),
    ("unknown-field", variant("unknown-field").replace('summary: "', 'sumary: "'), "sumary:",
     "not a known field"),
    ("bad-id-pattern", variant("bad-id-pattern").replace("id: bad-id-pattern", "id: Bad_Id"),
     "id: Bad_Id", "id"),
    ("id-not-file-name", variant("id-not-file-name").replace(
        "id: id-not-file-name", "id: another-name"), "id: another-name",
     "must match the file name"),
    ("area-not-folder", variant("area-not-folder", area="testing"), "area: testing",
     "must match the folder"),
    ("unknown-area", variant("unknown-area", area="recipes"), "area: recipes", "area"),
    ("related-unknown-id", variant("related-unknown-id", related=["naloxone-how", "no-such"]),
     "  - no-such", "no answer has the id 'no-such'"),
    ("related-itself", variant("related-itself", related=["related-itself"]), "related:",
     "itself"),
    ("no-sources", variant("no-sources").replace("sources:\n" + _SOURCES, "sources: []\n"),
     "sources: []", "sources"),
    ("bad-source-url", variant("bad-source-url", sources=[("A page", "not-a-url")]),
     "url: not-a-url", "url"),
    ("bad-review-status", variant("bad-review-status", status="approved"), "status: approved",
     "status"),
    ("placeholder-in-body", variant(
        "placeholder-in-body", body="- Lay them down.\n- Call {{ emergncy }} if nobody has."),
     "{{ emergncy }}", "emergncy"),
    ("placeholder-in-summary", variant("placeholder-in-summary", summary="Call {{ emergncy }}."),
     "summary:", "emergncy"),
    ("placeholder-syntax", variant(
        "placeholder-syntax", body="Give one dose.\n\nThen call {{ emergency now."),
     "{{ emergency now", "cannot be shown"),
    ("reply-over-4096", variant(
        "reply-over-4096",
        body="\n\n".join(["Give one dose, then wait two or three minutes."] * 110)),
     "Give one dose", "4096"),
    ("example-finds-another", variant(
        "example-finds-another", examples=["how do fentanyl test strips work"]),
     '  - "how do fentanyl test strips work"', "fentanyl-test-strips"),
]  # fmt: skip

# Left out at run time: everything but the cases that only point at a problem.
STILL_SERVED = {"related-unknown-id", "related-itself", "example-finds-another", "area-not-folder",
                "id-not-file-name", "reply-over-4096"}  # fmt: skip


@pytest.fixture(scope="module")
def broken_tree(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[Problem]]:
    files: dict[str, str | None] = {f"overdose/{case}.md": text for case, text, _, _ in BROKEN}
    files["testing/naloxone-how.md"] = naloxone(area="testing")  # a second naloxone-how
    tree = make_content(tmp_path_factory.mktemp("broken"), files)
    return tree, problems_for(tree)


@pytest.mark.parametrize(
    ("case", "marker", "fragment"),
    [pytest.param(case, marker, fragment, id=case) for case, _, marker, fragment in BROKEN],
)
def test_broken_answer_is_reported_at_its_line(
    broken_tree: tuple[Path, list[Problem]], case: str, marker: str | None, fragment: str
) -> None:
    tree, problems = broken_tree
    path = tree / "en" / "overdose" / f"{case}.md"
    line = 1 if marker is None else line_of(path, marker)
    assert_error(problems, path, line, fragment)


def test_duplicate_id(broken_tree: tuple[Path, list[Problem]]) -> None:
    tree, problems = broken_tree
    second = tree / "en" / "testing" / "naloxone-how.md"
    problem = assert_error(problems, second, line_of(second, "id:"), "already used")
    assert str(tree / "en" / NALOXONE) in problem.message


def test_broken_files_are_skipped_and_the_rest_answers(
    broken_tree: tuple[Path, list[Problem]],
) -> None:
    tree, _ = broken_tree
    report = io.StringIO()
    engine = build_engine(Config(content_dir=tree), report=report)
    english = engine.language("en")
    for case, _, _, _ in BROKEN:
        if case not in STILL_SERVED:
            assert case not in english.entries
    assert english.entries["naloxone-how"].path == tree / "en" / NALOXONE  # the first one
    assert english.text("how do fentanyl test strips work").entry_id == "fentanyl-test-strips"
    assert english.text("how do i use narcan").entry_id == "naloxone-how"
    assert engine.handle(Event(EventKind.TEXT, "my friend wont wake up")).emergency
    # each skipped file is reported by path and line, the way `hrbot check` reports it
    body = tree / "en" / "overdose" / "placeholder-in-body.md"
    assert f"skipped: {body}:{line_of(body, '{{ emergncy }}')}: " in report.getvalue()
    status = tree / "en" / "overdose" / "bad-review-status.md"
    assert f"skipped: {status}:{line_of(status, 'status: approved')}: " in report.getvalue()
    # an answer that can't be shown is left out, and no button leads to it
    assert "placeholder-in-body" not in english.entries
    assert all("placeholder" not in b.data for b in english.text("naloxone").button_list)


def test_lexicon_term_with_two_canonical_words(content: Callable[..., Path]) -> None:
    lexicon = "naloxone: [narcan, nyxoid]\nfentanyl:\n  - fent\n  - narcan\n"
    tree = content(lexicon=lexicon)
    path = tree / "en" / "lexicon.yaml"
    problem = assert_error(problems_for(tree), path, 4, "narcan")
    assert "naloxone" in problem.message and "fentanyl" in problem.message


NUMBERS = """\
GB:
  name: United Kingdom
  emergency: "999"
  sources:
    - title: Ofcom
      url: https://www.ofcom.org.uk/
  checked_on: 2026-11-27
US:
  name: United States
  emergency: "nine one one"
  sources:
    - title: FCC
      url: https://www.fcc.gov/
  checked_on: 2026-11-27
"""


def test_broken_emergency_numbers_entry(content: Callable[..., Path]) -> None:
    tree = content(numbers=NUMBERS)
    path = tree / "emergency-numbers.yaml"
    problems = problems_for(tree)
    assert_error(problems, path, line_of(path, "nine one one"), "US.emergency")
    library = load_library(tree)
    assert set(library.numbers.countries) == {"GB", "US"}  # the good country still loads,
    assert library.numbers.countries["US"].emergency == "911"  # the broken one is bundled
    assert [f.broken for f in library.fallbacks] == [path]


def test_bad_country_code_in_numbers(content: Callable[..., Path]) -> None:
    numbers = NUMBERS.replace("US:", "USA:").replace("nine one one", "911")
    tree = content(numbers=numbers)
    path = tree / "emergency-numbers.yaml"
    assert_error(problems_for(tree), path, line_of(path, "USA:"), "country code")


def test_a_key_given_twice_is_an_error_at_its_second_line(content: Callable[..., Path]) -> None:
    twice = '  emergency: "911"\n  emergency: "112"'
    tree = content(numbers=NUMBERS.replace('  emergency: "nine one one"', twice))
    path = tree / "emergency-numbers.yaml"
    problem = assert_error(problems_for(tree), path, line_of(path, '"112"'), "twice")
    first = line_of(path, '"911"')
    assert f"line {first}" in problem.message


def test_template_syntax_error(content: Callable[..., Path]) -> None:
    template = (BUNDLED_CONTENT / "templates" / "no_match.html.j2").read_text(encoding="utf-8")
    lines = template.splitlines()
    lines.insert(2, "{% if t.no_match %}never closed")
    tree = content(files={"templates/no_match.html.j2": "\n".join(lines) + "\n"})
    path = tree / "templates" / "no_match.html.j2"
    problems = [p for p in problems_for(tree) if p.path == path and p.is_error]
    assert problems, "a template syntax error must be reported"
    assert all(p.line >= 1 and "template" in p.message for p in problems)


def test_template_syntax_error_line(content: Callable[..., Path]) -> None:
    template = "{{ t.did_you_mean }}\n\n{{ t.did_you_mean | }}\n"
    tree = content(files={"templates/suggest.html.j2": template})
    path = tree / "templates" / "suggest.html.j2"
    assert_error(problems_for(tree), path, 3, "template")


def test_missing_emergency_card_is_an_error(content: Callable[..., Path]) -> None:
    tree = content({"services/crisis-support.md": None})
    assert any(
        p.is_error and p.path.name == "emergency.yaml" and "crisis-support" in p.message
        for p in problems_for(tree)
    )


# --- warnings -----------------------------------------------------------------------------------


def _tree_with_warnings(content: Callable[..., Path]) -> Path:
    long_body = "\n\n".join(
        ["Give one dose. Wait two or three minutes. Then give another dose."] * 16
    )
    return content(
        {
            NALOXONE: naloxone(next_review="2026-01-01"),
            "testing/fentanyl-test-strips.md": answer_text(
                **{**MINIMAL["testing/fentanyl-test-strips.md"], "body": long_body}
            ),
            "injecting/vein-care.md": answer_text(
                id="vein-care",
                area="injecting",
                title="Looking after your veins",
                summary="Rotate sites and use a new needle every time.",
                examples=["how do i look after my veins", "my veins are collapsing"],
                keywords=["veins", "rotate"],
                body="Every addict deserves new gear.",
            ),
        },
        files={
            "en/words-to-avoid.yaml": (BUNDLED_CONTENT / "en" / "words-to-avoid.yaml").read_text(
                encoding="utf-8"
            )
        },
    )


def test_warnings_are_reported_at_their_lines(content: Callable[..., Path]) -> None:
    tree = _tree_with_warnings(content)
    problems = problems_for(tree)
    assert [str(p) for p in problems if p.is_error] == []
    warnings = {(p.path, p.line): p.message for p in problems if not p.is_error}
    naloxone_path = tree / "en" / NALOXONE
    assert "review was due" in warnings[(naloxone_path, line_of(naloxone_path, "next_review:"))]
    strips = tree / "en" / "testing" / "fentanyl-test-strips.md"
    assert "body is" in warnings[(strips, line_of(strips, "Give one dose"))]
    veins = tree / "en" / "injecting" / "vein-care.md"
    assert "addict" in warnings[(veins, line_of(veins, "Every addict"))]


def test_warnings_do_not_fail_hrbot_check(content: Callable[..., Path], hrbot) -> None:
    tree = _tree_with_warnings(content)
    code, out, err = hrbot("check", "--content", str(tree))
    assert code == 0, out + err
    naloxone_path = tree / "en" / NALOXONE
    assert f"{naloxone_path}:{line_of(naloxone_path, 'next_review:')}: warning:" in out
    assert "0 error(s)" in err


# --- the command line and the running bot --------------------------------------------------------


def test_hrbot_check_passes_on_bundled_content(cli) -> None:
    result = cli("check")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 error(s)" in result.stderr


def test_hrbot_check_fails_with_path_and_line(broken_tree: tuple[Path, list[Problem]], cli) -> None:
    tree, problems = broken_tree
    result = cli("check", "--content", str(tree))
    assert result.returncode == 1
    path = tree / "en" / "overdose" / "bad-review-status.md"
    assert f"{path}:{line_of(path, 'status: approved')}: review.status: " in result.stdout
    printed = [line for line in result.stdout.splitlines() if ": warning: " not in line]
    assert printed == [str(p) for p in problems if p.is_error]
    assert f"{sum(p.is_error for p in problems)} error(s)" in result.stderr


def test_a_story_phrase_that_reads_as_a_drug_name_is_a_warning(
    content: Callable[..., Path],
) -> None:
    """ "k hole" reads "ketamine" after the lexicon: as a story phrase it would stop the
    overdose card for every message naming ketamine, so the checker says so at its line."""
    rules = (BUNDLED_CONTENT / "en" / "emergency.yaml").read_text(encoding="utf-8")
    rules = rules.replace("story:\n", "story:\n  - k hole\n", 1)
    tree = content(files={"en/emergency.yaml": rules})
    path = tree / "en" / "emergency.yaml"
    found = [p for p in problems_for(tree) if p.path == path and "k hole" in p.message]
    assert found and not found[0].is_error
    assert found[0].line == line_of(path, "- k hole")
    assert "ketamine" in found[0].message


def test_an_example_that_brings_up_the_crisis_card_is_a_warning(
    content: Callable[..., Path],
) -> None:
    """An answer's example that the crisis card answers is a question people will get the card
    for: the checker says so at its line, so staff can tell the recogniser it is everyday."""
    tree = content()
    path = tree / "en" / NALOXONE
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("examples:\n", "examples:\n  - i want to die\n", 1), "utf-8")
    found = [p for p in problems_for(tree) if p.path == path and "crisis card" in p.message]
    assert found and not found[0].is_error
    assert found[0].line == line_of(path, "- i want to die")
