"""The matcher: typos, slang, stretched letters and odd Unicode reach the right answer; what the
bot doesn't cover reaches none."""

from __future__ import annotations

import html
import json
from collections.abc import Callable
from pathlib import Path

import pytest

from bot.config import Config, Matching
from bot.engine import Engine, build_engine
from bot.understanding.lexicon import Lexicon
from bot.understanding.normalise import plain, words
from bot.understanding.reading import Route

NALOXONE_ANSWERS = {"naloxone-how", "naloxone-get", "naloxone-after"}


def shown(engine: Engine, text: str) -> str | None:
    """The answer the person would see first."""
    return engine.read(text, "en").shown


# --- normalising --------------------------------------------------------------------------------


def test_words_fold_unicode_case_and_apostrophes() -> None:
    assert words("Ｎａｒｃａｎ ＨＯＷ") == ["narcan", "how"]
    assert words("He WON’T wake‘ up") == ["he", "won't", "wake", "up"]
    assert words("ﬁx") == ["fix"]  # a ligature
    assert words("…help!!! he's  not\tbreathing??") == ["help", "he's", "not", "breathing"]
    assert plain("won't") == "wont"


def test_stretched_letters_are_cut_down() -> None:
    assert words("heeeeelp pleeeease") == ["heelp", "pleease"]
    assert words("coffee") == ["coffee"]  # real double letters stay


def test_lexicon_maps_longest_term_first() -> None:
    lexicon = Lexicon({"crack": "crack cocaine", "crack pipe": "pipe", "od'd": "overdosed"})
    assert lexicon.apply(["crack", "pipe"]) == ["pipe"]
    assert lexicon.apply(["crack"]) == ["crack", "cocaine"]
    assert lexicon.apply(["od'd"]) == ["overdosed"]
    assert lexicon.apply(["won't"]) == ["wont"]


@pytest.mark.parametrize(
    ("typed", "canonical"),
    [
        ("narcn", ["naloxone"]),
        ("narcan", ["naloxone"]),
        ("breathin", ["breathing"]),
        ("heeeelp", ["help"]),
        ("fent", ["fentanyl"]),
        ("rig", ["syringe"]),
        ("tranq", ["xylazine"]),
        ("subs", ["buprenorphine"]),
        ("ＯＤ", ["overdose"]),
        # a stretched letter cut to two is a known word with one: "way", not "away"
        ("took waaay too much", ["took", "way", "too", "much"]),
        ("soooo", ["so"]),
        ("200", ["200"]),
        # a dropped final g is put back, not read as the nearest word ("gurnin", "shaking")
        ("turnin blue", ["turning", "blue"]),
        ("sharin a spoon", ["sharing", "a", "cooker"]),
        ("nothin matters", ["nothing", "matters"]),
        ("goin", ["going"]),
        # a real word ending in -in stays itself
        ("thin", ["thin"]),
        ("a raisin", ["a", "raisin"]),
    ],
)
def test_typos_slang_and_stretching_become_canonical_words(
    engine: Engine, typed: str, canonical: list[str]
) -> None:
    assert engine.language("en").matcher.analyser.canonical_words(typed) == canonical


def test_real_words_are_not_bent_into_content_words(engine: Engine) -> None:
    analyser = engine.language("en").matcher.analyser
    assert analyser.canonical_words("joke") == ["joke"]
    assert analyser.canonical_words("weather") == ["weather"]
    # a typo one letter from a real word is not two from ours ("rehomed", a farewell word)
    assert analyser.canonical_words("recomend") == ["recomend"]


# --- matching -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("how do i use narcn", {"naloxone-how"}),
        ("narcan how", {"naloxone-how"}),
        ("ｈｏｗ ｄｏ ｉ ｕｓｅ ｎａｒｃａｎ", {"naloxone-how"}),
        ("how do i do rescue breathin", {"rescue-breathing"}),
        ("how do u test for fent", {"fentanyl-test-strips", "drug-checking"}),
        ("fent test strips", {"fentanyl-test-strips"}),
        ("where can i get new rigs", {"new-equipment"}),
        ("what is tranq", {"xylazine"}),
        ("tranq wounds", {"wound-care", "xylazine"}),
        (
            "how do i get on subs",
            {"treatment-options", "buprenorphine"},
        ),  # the card links treatment
        ("where can i get narcan", {"naloxone-get"}),
        ("where do i put used needles", {"disposal"}),
    ],
)
def test_typos_and_slang_find_the_answer(engine: Engine, text: str, expected: set[str]) -> None:
    assert shown(engine, text) in expected


@pytest.mark.parametrize(
    "text",
    [
        "what's the weather",
        "what’s the weather like tomorrow",
        "recommend a movie",
        "recommend a good movie",
        "tell me a joke",
        "who won the game last night",
        "how do i make lasagna",
        "asdfgh",
    ],
)
def test_out_of_scope_gets_no_match(engine: Engine, text: str) -> None:
    """No answer and no "did you mean": what people get, whichever example shares a word."""
    reading = engine.read(text, "en")
    assert reading.card is None
    assert reading.shown is None
    assert reading.route is Route.NONE
    reply = engine.language("en").text(text)
    assert not any(b.data.startswith("a:") for b in reply.button_list)  # nothing to choose
    assert reply.entry_id is None and not reply.emergency
    assert any(b.data.startswith("t:") for b in reply.button_list)  # the topic menu is offered


def test_scores_run_from_0_to_100(engine: Engine) -> None:
    for text in ["narcan how", "what's the weather", "fent", "x", ""]:
        found = engine.read(text, "en").match
        assert 0 <= found.score <= 100
        assert len(found.alternatives) <= 3
        assert all(0 <= score <= 100 for _, score in found.alternatives)


def test_close_runners_up_are_offered(engine: Engine) -> None:
    found = engine.read("naloxone", "en").match
    assert found.entry_id in NALOXONE_ANSWERS
    offered = {entry_id for entry_id, _ in found.alternatives}
    assert offered and offered <= NALOXONE_ANSWERS - {found.entry_id}
    assert all(score <= found.score for _, score in found.alternatives)
    reply = engine.language("en").text("naloxone")
    data = [b.data for b in reply.button_list]
    for entry_id in offered:
        assert f"a:{entry_id}" in data


def test_unsure_match_asks_did_you_mean(content: Callable[..., Path]) -> None:
    # With a bar no message can reach, close answers become "Did you mean" choices.
    strict = Matching(answer_threshold=100, suggest_threshold=10)
    english = build_engine(Config(content_dir=content(), matching=strict)).language("en")
    found = english.matcher.match("how do i use narcan")
    assert found.entry_id is None
    assert found.alternatives[0][0] == "naloxone-how"
    reply = english.text("how do i use narcan")
    assert reply.entry_id is None and not reply.emergency
    assert english.messages.did_you_mean in html.unescape(reply.html)
    assert {b.data for b in reply.button_list} >= {f"a:{i}" for i, _ in found.alternatives}


def test_matcher_on_a_small_library(content: Callable[..., Path]) -> None:
    engine = build_engine(Config(content_dir=content()))
    assert shown(engine, "how do i use narcn") == "naloxone-how"
    assert shown(engine, "where can i get fent strips") == "fentanyl-test-strips"
    assert shown(engine, "what's the weather") is None


def test_hrbot_match_json_has_exactly_the_documented_keys(cli) -> None:
    result = cli("match", "--json", "narcan", "how")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) == 1
    record = json.loads(lines[0])
    assert set(record) == {
        "text", "entry", "emergency", "score", "alternatives", "route", "card"
    }  # fmt: skip
    assert record["route"] == "answer" and record["card"] is None
    assert record["text"] == "narcan how"
    assert record["entry"] == "naloxone-how"
    assert record["emergency"] is False
    assert isinstance(record["score"], int | float) and 0 <= record["score"] <= 100
    assert isinstance(record["alternatives"], list) and len(record["alternatives"]) <= 3
    assert all(isinstance(i, str) and i != "naloxone-how" for i in record["alternatives"])


def test_hrbot_match_json_no_match_is_null(hrbot, engine: Engine) -> None:
    code, out, _ = hrbot("match", "--json", "recommend a movie")
    assert code == 0
    record = json.loads(out)
    assert record == {
        "text": "recommend a movie",
        "entry": None,
        "emergency": False,
        "score": record["score"],
        "alternatives": [],
        "route": "none",
        "card": None,
    }
    assert record["score"] < engine.language("en").matcher.settings.suggest


@pytest.mark.parametrize(
    ("text", "drug"),
    [
        ("is the gear round here cut with fent", "heroin"),
        ("got some school bus bars and want to take 2", "benzodiazepine"),
        ("had a joint after using, is that bad", "cannabis"),
        ("gear and blues most days, how risky", "benzodiazepine"),  # each the other's context
        ("gear n blues most days, how risky", "heroin"),
    ],
)
def test_everyday_words_are_drugs_near_drug_words(engine: Engine, text: str, drug: str) -> None:
    assert drug in engine.language("en").reader.analyser.canonical_words(text)


@pytest.mark.parametrize(
    "text",
    [
        "my son missed the school bus",
        "apache helicopter facts",
        "my son forgot his football gear",
        "my fishing gear is in the green shed",  # two such words, not joined: still everyday
    ],
)
def test_everyday_words_alone_stay_everyday(engine: Engine, text: str) -> None:
    words = engine.language("en").reader.analyser.canonical_words(text)
    assert not {"benzodiazepine", "fentanyl", "heroin"} & set(words)
    assert engine.read(text).shown is None


@pytest.mark.parametrize(
    ("text", "answer"),
    [
        ("how do i use rivive", "naloxone-how"),
        ("got a rextovy spray from the pharmacy how does it work", "naloxone-how"),
        ("is there sleep cut in the dope round here", "xylazine"),
    ],
)
def test_brand_and_street_names_reach_their_answer(engine: Engine, text: str, answer: str) -> None:
    assert engine.read(text).shown == answer


def test_phrases_that_overlap_count_once() -> None:
    from bot.understanding.phrases import PhraseSet

    phrases = PhraseSet(["tonight", "after tonight"], str.split)
    assert phrases.count_in(["see", "you", "after", "tonight"]) == 1
    assert phrases.count_in(["tonight", "and", "after", "tonight"]) == 2


def test_phrases_are_matched_on_the_words_as_they_are_now() -> None:
    """The word positions a message's lists share are worked out again when the words change,
    even in the same list object."""
    from bot.understanding.phrases import PhraseSet

    phrases = PhraseSet(["not breathing"], str.split)
    words = ["he", "is", "not", "breathing"]
    assert phrases.found_in(words)
    words[2] = "still"
    assert not phrases.found_in(words)
    assert PhraseSet(["still breathing"], str.split).found_in(words)
