"""Labelled messages (content/<lang>/labelled/) teach the matcher, and a broken one loses only
itself: the answer a labelled message names is found for messages like it, an out-of-scope one
keeps messages like it from being answered, and no label can stand in the way of an emergency
card, since the detectors decide before the matcher is asked."""

from __future__ import annotations

from pathlib import Path

from bot.config import Config, Matching
from bot.content.labelled import load_labelled
from bot.content.layers import BUNDLED_CONTENT
from bot.engine import build_engine
from bot.tools.evaluation import load_set, set_path
from bot.understanding.reading import Route

GOOD_AND_BAD = """\
- text: "whats the deal with the orange squirty thing the van gave me"
  expect: [naloxone-how]
  kind: info
- text: "no kind here, so it is info"
  expect: [naloxone-get]
- text: "a kind nobody knows"
  expect: [naloxone-how]
  kind: panic
- expect: [naloxone-how]
  kind: info
- text: "an id no answer has"
  expect: [naloxone-hwo]
  kind: info
- text: "which team won the cup last night"
  expect: []
  kind: out-of-scope
- text: "mixing the two"
  expect: ["mix:alcohol+benzos", benzos]
  kind: info
- text: "he wont wake up"
  expect: [overdose-now]
  kind: emergency
"""


# Every method learns the labelled messages through the same targets (matcher.targets_of):
# the tests of what they teach build with "stems", ready in seconds where the default's
# classifier trains for twenty; test_a_labelled_message_teaches_its_answer holds it for the
# default method too, and tests/test_trained.py its learning thread.
STEMS = Matching(method="stems")


def local_labelled(tmp_path: Path, text: str) -> Path:
    folder = tmp_path / "local" / "en" / "labelled"
    folder.mkdir(parents=True)
    (folder / "ours.yaml").write_text(text, encoding="utf-8")
    return tmp_path / "local"


def test_a_broken_item_loses_itself_with_its_line(tmp_path: Path) -> None:
    path = local_labelled(tmp_path, GOOD_AND_BAD) / "en" / "labelled" / "ours.yaml"
    labelled, problems = load_labelled(
        [path], ["naloxone-how", "naloxone-get", "benzos", "overdose-now"]
    )
    assert labelled.by_answer == {
        "naloxone-how": ("whats the deal with the orange squirty thing the van gave me",),
        "naloxone-get": ("no kind here, so it is info",),
    }  # a mix is found by its drugs, an emergency by the detectors: neither is learnt
    assert labelled.unanswered == ("which team won the cup last night",)
    found = sorted((p.line, p.is_error, p.message) for p in problems)
    assert [(line, is_error) for line, is_error, _ in found] == [(6, True), (9, True), (11, False)]
    assert "2.kind" in found[0][2]
    assert "3.text: is missing" in found[1][2]
    assert "naloxone-hwo" in found[2][2]


def test_a_file_that_is_not_a_list_is_reported_not_raised(tmp_path: Path) -> None:
    path = local_labelled(tmp_path, "text: just one\n") / "en" / "labelled" / "ours.yaml"
    labelled, problems = load_labelled([path])
    assert len(labelled) == 0
    assert [(p.line, p.is_error) for p in problems] == [(1, True)]


def test_the_bundled_labelled_messages_load_without_a_problem() -> None:
    paths = sorted((BUNDLED_CONTENT / "en" / "labelled").glob("*.yaml"))
    entries = build_engine(Config()).language("en").entries
    labelled, problems = load_labelled(paths, entries)
    assert problems == []
    assert len(labelled.by_answer) >= 40 and len(labelled.unanswered) >= 1000


def test_a_labelled_message_teaches_its_answer(tmp_path: Path) -> None:
    message = "the zorblax wibble from the outreach van, how does it work"
    before = build_engine(Config()).language("en").read(message)
    assert before.shown != "naloxone-how"
    taught = "- text: zorblax wibble from the van\n  expect: [naloxone-how]\n  kind: info\n"
    after = build_engine(Config(local_content=local_labelled(tmp_path, taught)))
    assert after.language("en").read(message).shown == "naloxone-how"


def test_an_out_of_scope_label_keeps_messages_like_it_unanswered(tmp_path: Path) -> None:
    message = "how do i make my own naloxone kit pouch out of an old pencil case"
    assert build_engine(Config()).language("en").read(message).shown is not None
    taught = f"- text: {message}\n  expect: []\n  kind: out-of-scope\n"
    local = local_labelled(tmp_path, taught)
    english = build_engine(Config(local_content=local, matching=STEMS)).language("en")
    reading = english.read(message)
    assert reading.shown is None
    assert english.safety_net in english.reply_to(reading, message).html


def test_no_label_stands_in_the_way_of_the_overdose_card(tmp_path: Path) -> None:
    message = "my friend wont wake up and his lips are blue"
    taught = f"- text: {message}\n  expect: [naloxone-how]\n  kind: info\n"
    local = local_labelled(tmp_path, taught)
    english = build_engine(Config(local_content=local, matching=STEMS)).language("en")
    reading = english.read(message)
    assert reading.route is Route.EMERGENCY
    assert reading.shown == "overdose-now"


def test_a_set_is_found_by_its_name() -> None:
    assert set_path("en-people-tune3") == BUNDLED_CONTENT / "en" / "labelled" / "people-tune3.yaml"
    assert set_path("en-people-test").parts[-3:] == ("tests", "eval", "en-people-test.yaml")
    assert set_path("en").name == "en.yaml"


def test_no_labelled_message_is_also_in_the_frozen_set() -> None:
    """A message the matcher learns would make the frozen set's figure a training figure."""

    def texts(path: Path) -> set[str]:
        return {" ".join(str(item["text"]).lower().split()) for item in load_set(path)}

    frozen = texts(set_path("en-people-test"))
    labelled = set().union(
        *(texts(p) for p in (BUNDLED_CONTENT / "en" / "labelled").glob("*.yaml"))
    )
    assert not labelled & frozen


def test_the_telegram_bot_learns_them_after_start_up_and_answers_meanwhile(
    tmp_path: Path,
) -> None:
    taught = "- text: zorblax wibble from the van\n  expect: [naloxone-how]\n  kind: info\n"
    config = Config(local_content=local_labelled(tmp_path, taught), matching=STEMS)
    english = build_engine(config, learn_later=True).language("en")
    card = english.read("my friend wont wake up and his lips are blue")  # learnt or not yet
    assert card.route is Route.EMERGENCY and card.shown == "overdose-now"
    assert english.learning.wait(timeout=120)
    message = "the zorblax wibble from the outreach van, how does it work"
    assert english.read(message).shown == "naloxone-how"


def test_a_file_that_breaks_the_learning_thread_leaves_the_bot_answering(tmp_path: Path) -> None:
    local = local_labelled(tmp_path, "- [not, a, mapping]\n")
    english = build_engine(Config(local_content=local), learn_later=True).language("en")
    assert english.learning.wait(timeout=120)
    assert [p.line for p in english.learning.problems] == [1]
    assert english.read("how do i use naloxone").shown == "naloxone-how"


ZORBLAX = """\
- text: "my mate has gone full zorblax wibble on the sofa, do something"
  expect: [overdose-now]
  kind: emergency
- text: "im going to do the big florp tonight, the florp is ready"
  expect: [crisis-support]
  kind: crisis
"""


def test_a_labelled_overdose_no_phrase_catches_still_gets_the_card(tmp_path: Path) -> None:
    local = local_labelled(tmp_path, ZORBLAX)
    english = build_engine(Config(local_content=local, matching=STEMS)).language("en")
    reading = english.read("help he has gone full zorblax wibble")
    assert reading.route is Route.EMERGENCY and reading.shown == "overdose-now"
    told = english.read("last year my mate went full zorblax wibble, what should i have done")
    assert told.route is not Route.EMERGENCY  # a story, as with the phrases
    crisis = english.read("the florp is ready, doing the big florp")
    assert crisis.route is Route.CRISIS and crisis.shown == "crisis-support"
    assert english.read("the big florp lol 😂").route is not Route.CRISIS  # a joke


def test_without_its_labelled_messages_no_such_card_is_guessed() -> None:
    english = build_engine(Config()).language("en")
    assert english.read("help he has gone full zorblax wibble").route is not Route.EMERGENCY
