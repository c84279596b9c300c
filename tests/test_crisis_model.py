"""The crisis recogniser learnt from content/en/crisis-examples.yaml: it hears a crisis said in
other words, keeps quiet on everyday talk, and works only from the content's own examples."""

from __future__ import annotations

import pytest

from bot.engine import Engine
from bot.understanding.crisis_model import CrisisModel, features


def test_features_are_words_and_pairs() -> None:
    assert features(["not", "be", "here"]) == ["not", "be", "here", "not be", "be here"]


def test_a_model_without_both_kinds_of_example_says_nothing() -> None:
    assert CrisisModel([["bye"]], []).probability(["bye"]) == 0.0


def test_the_model_learns_which_words_lean_which_way() -> None:
    model = CrisisModel([["goodbye", "everyone", "forever"]] * 5, [["goodbye", "see", "you"]] * 5)
    assert model.probability(["forever"]) > 0.5 > model.probability(["see", "you"])
    assert model.probability(["unknown"]) == 0.5  # unseen words lean neither way


def test_a_learnt_cue_needs_a_word_that_is_not_a_stopword() -> None:
    crisis = [["i", "will", "not", "be", "a", "burden"]] * 4
    other = [["how", "long", "does", "it", "last"]] * 4
    model = CrisisModel(crisis, other, stopwords={"i", "will", "not", "be", "a"})
    assert model.has_cue(["such", "a", "burden"])
    assert not model.has_cue(["going", "to", "be", "a", "white", "christmas"])


@pytest.mark.parametrize(
    "text",
    [
        "left my bank cards and a letter for my brother on the table, everything is sorted now",
        "nobody is going to have to worry about me after this weekend",
        "how many of these would it take to never wake up",
        "sat in the car on the level crossing, waiting for the next train",
        "been scratching my arms until they bleed and it gets worse every week",
        "how much gear is needed so i not wake up anymore",
        "tried everything, im done with it all, going to use what ive saved and not wake up",
        "whats the lethal dose of my tablets, and im not asking so i can stay safe",
        "hosepipe in the car, just looking for somewhere quiet to park",
        "out next week and planning to use as much as i can and let it take me",
    ],
)
def test_a_crisis_in_other_words_gets_the_crisis_card(engine: Engine, text: str) -> None:
    reading = engine.read(text)
    assert reading.route == "crisis" and reading.card == "crisis-support"


@pytest.mark.parametrize(
    "text", ["off to work now, long shift today", "watching the football tonight with the lads"]
)
def test_everyday_talk_does_not(engine: Engine, text: str) -> None:
    assert not engine.read(text).emergency


@pytest.mark.parametrize(
    "text",
    [
        "the motorbike is in the garage till friday, the clutch went",  # "garage", no crisis
        "that meme had me dead 😂 sending it to my brother",  # a laugh typed as an emoji
        "we jump off the harbour wall every summer, the whole town does",  # jumping for fun
        "stepping off the bus tonight and going to a party",  # a time, no intent
        "last day for me at this job tonight, gonna miss everyone",  # a goodbye at work
        "gave away my old clothes to the charity shop today",  # given away, nothing else
        "i live on my own and use in my flat, how do i stay safe",  # using alone
    ],
)
def test_everyday_words_a_crisis_shares_are_not_a_crisis(engine: Engine, text: str) -> None:
    assert not engine.read(text).emergency


@pytest.mark.parametrize(
    ("text", "crisis"),
    [
        ("ending myself lmao 💀 pills ready", True),  # the means, and the wish
        ("bought the rope, doing it tonight lol", True),  # the means, and a plan
        ("i just want to sleep forever on sundays lol", False),  # a wish, nothing at hand
        ("overdosed on netflix this weekend, the whole season in one go 😂", False),
        ("tablets all counted out. tonight. haha", True),  # a plan whose signals add up
        ("gonna walk into the sea tonight and not come back lol", True),  # intent and a time
        ("lmao what's the most painless way to go, asking for me", True),  # "for me": serious
        ("lol the cuts are getting deeper every night", True),  # self-harm getting worse
        ("took the whole lot of my vitamins at once oops", False),  # an accident
        ("gonna do the lot tonight, and not by accident", True),  # said not to be one
    ],
)
def test_a_laugh_undoes_a_wish_but_not_a_plan(engine: Engine, text: str, crisis: bool) -> None:
    assert (engine.read(text).route == "crisis") is crisis


def test_in_one_go_is_a_plan_only_with_everything_taken(engine: Engine) -> None:
    everyday = (
        "can i drink my 90ml in one go or split it, it has me nodding by lunch and sick by 3am"
    )
    assert not engine.read(everyday).emergency
    assert engine.read("tonight im doing the lot in one go").route == "crisis"


def test_saying_it_is_no_joke_undoes_the_laugh(engine: Engine) -> None:
    reading = engine.read("lol i know how it sounds but i'm serious, the pills are lined up")
    assert reading.route == "crisis"


def test_asking_for_the_crisis_line_gets_the_crisis_answer_without_the_card(
    engine: Engine,
) -> None:
    reading = engine.read("what is the number for the samaritans")
    assert reading.shown == "crisis-support" and not reading.emergency


def test_the_model_names_as_cues_only_words_much_likelier_in_a_crisis() -> None:
    crisis = [["after", "tonight", "all", "week"]] * 8
    other = [["all", "week", "long"]] * 8
    model = CrisisModel(crisis, other)
    assert model.has_cue(["see", "you", "after", "tonight"])
    assert not model.has_cue(["all", "week"])  # in both kinds of example: no cue


def test_without_a_cue_the_recogniser_must_be_far_surer() -> None:
    from bot.understanding.emergency import CrisisRecogniser

    model = CrisisModel([["after", "tonight"]] * 4 + [["garage"]] * 2, [["how", "much"]] * 8)
    recogniser = CrisisRecogniser(model, threshold=0.8, uncued_threshold=0.9999)
    assert 0.8 <= model.probability(["garage"]) < 0.9999
    assert not recogniser.says_crisis(["garage"])  # sure-ish, but nothing a crisis says
    assert recogniser.says_crisis(["garage"], cued=True)  # a crisis signal phrase is there
    assert recogniser.says_crisis(["after", "tonight"])  # the model's own cue


@pytest.mark.parametrize(
    ("text", "crisis"),
    [
        ("got myself a rope today haha", True),  # nearest the labelled crises told with a laugh
        ("sat on the edge of the roof rn lol", True),
        ("kill me now lol this exam", False),  # nearest the figures of speech
        ("dying of laughter lol", False),
    ],
)
def test_a_laugh_near_the_labelled_crises_still_gets_the_card(
    engine: Engine, text: str, crisis: bool
) -> None:
    assert (engine.read(text).route == "crisis") is crisis
