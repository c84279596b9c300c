"""Emergency detection runs first and must not miss; questions about overdoses are not emergencies.

Every phrasing is checked twice: through `hrbot match --json` (all lines in one run, from
stdin) and through the engine, as a message from a person.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from conftest import ROOT, run_cli

from bot.config import Config
from bot.conversation import protocol as p
from bot.conversation.reply import Button, Event, EventKind
from bot.engine import Engine, build_engine
from bot.understanding.matcher import ANSWER_AHEAD, Match

# Someone may be overdosing right now: typos, slang, texting, panic, odd Unicode.
OVERDOSE_NOW = [
    "my friend wont wake up",
    "hes not breathin pls help",
    "she's turning blue",
    "bf oding rn",
    "my roomate collapsed after a shot",
    "help my mate is unconcious",
    "he fell out and his lips are blue",
    "guy in the toilets not responding to anything",
    "she took too much fent and now shes gurgling",
    "i think my brother is overdosing",
    "HEEEELP he stopped breathing",
    "my girl did a rig of dope and wont come to",
    "he's snoring weird and i can't wake him",
    "she's seizing after a line of coke",
    "narcan not working what do i do",
    "my friend overamped and has chest pain",
    "my dad's lips r purple",
    "someone is overdosing in the park",
    "od rn pls",
    "he just went down after smoking fent and hes not moving",
    "my sister is unresponsive",
    "Ｍｙ ｆｒｉｅｎｄ ｗｏｎ’ｔ ｗａｋｅ ｕｐ",
    "she’s not breathing!!!",
    "OD HELP",
    "my boyfriend overdosed on tranq",
    "found a guy passed out in the alley with a needle in his arm",
    "he did a bump of fetty and now he is gasping",
]

# Someone reports what is happening and asks what to do about it: still happening now.
REPORT_THEN_QUESTION = [
    "my friend is overdosing how do i use narcan",
    "hes not breathing how do i use narcan",
    "she stopped breathing how do i do cpr",
]

# A suicidal crisis happening now.
CRISIS_NOW = [
    "i want to die",
    "could a full gram of ket stop me waking up",  # a wish asked as a question
    "if this bag is the strong stuff i hope it takes me",
    "dont bother with the narcan, i dont want saving",
    "i'm going to kill myself tonight",
    "i wanna end it all",
    "i dont want to be alive anymore",
    "im suicidal",
    "theres no point living anymore",
    "kms",
    "i cant do this anymore",
    "i wrote my note",
    "thinking about ending my life",
    "i want 2 kill myslef",
    "want to die. seriously.",
    "im on the bridge by the station",
    "cant stop thinking about ending it tonight",
    "gonna drive my car into a wall tonight",
    "hoping the next bag is the one that takes me out",
    "my son texted that he wants to end it and has pills with him",
    "lost my sister to an od and i keep thinking about joining her",
    "whats the amount of pills that makes sure you dont wake up",
    "thinking about stepping in front of a bus, it feels like a plan now",
    "my cellmate says hes going to hang himself tomorrow and he means it",
    "this is my last msg to anyone so thanks for nothin",
    "i keep thinking about going over the balcony, i know where nobody would see",
]

# Questions about overdoses and emergencies: useful answers, but nobody is in danger now.
INFORMATIONAL = [
    "how do i know if someone is overdosing",
    "what are the signs of an overdose",
    "where can i get a free overdose kit",
    "how long does narcan last",
    "how do i use narcan",
    "what does an overdose look like",
    "how to do rescue breathing",
    "what is the recovery position",
    "will i get arrested if i call 911 for an overdose",
    "how many narcans should i carry",
    "where can i get new needles",
    "how do fentanyl test strips work",
    "is it safe to mix benzos and opioids",
    "does narcan expire",
    "what happens if you mix xanax and dope",
    "how long does tranq stay in your system",
    "signs of a stimulant overdose",
    "what is xylazine",
    "how can i tell if its an overdose or just nodding",
]

EMERGENCIES = OVERDOSE_NOW + REPORT_THEN_QUESTION + CRISIS_NOW


def test_the_lists_are_long_and_distinct() -> None:
    assert len(EMERGENCIES) >= 25 and len(INFORMATIONAL) >= 15
    assert len(set(EMERGENCIES + INFORMATIONAL)) == len(EMERGENCIES) + len(INFORMATIONAL)


@pytest.fixture(scope="module")
def matched() -> dict[str, dict[str, Any]]:
    """`hrbot match --json` over every phrasing at once, one message per stdin line."""
    lines = EMERGENCIES + INFORMATIONAL
    result = run_cli("match", "--json", input="\n".join(lines) + "\n")
    assert result.returncode == 0, result.stderr
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert [record["text"] for record in records] == lines
    return {record["text"]: record for record in records}


@pytest.mark.parametrize("text", EMERGENCIES)
def test_hrbot_match_flags_emergency(matched: dict[str, dict[str, Any]], text: str) -> None:
    record = matched[text]
    assert record["emergency"] is True
    expected = "crisis-support" if text in CRISIS_NOW else "overdose-now"
    assert record["entry"] == expected


@pytest.mark.parametrize("text", INFORMATIONAL)
def test_hrbot_match_does_not_flag_questions(matched: dict[str, dict[str, Any]], text: str) -> None:
    assert matched[text]["emergency"] is False
    assert matched[text]["entry"] not in ("overdose-now", "crisis-support")


@pytest.mark.parametrize("text", OVERDOSE_NOW + REPORT_THEN_QUESTION)
def test_engine_shows_the_overdose_card_first(engine: Engine, text: str) -> None:
    reply = engine.handle(Event(EventKind.TEXT, text, language="en"))
    assert reply.emergency is True
    assert reply.entry_id == "overdose-now"
    assert reply.html.startswith("🆘")


@pytest.mark.parametrize("text", CRISIS_NOW)
def test_engine_shows_the_crisis_card_first(engine: Engine, text: str) -> None:
    reply = engine.handle(Event(EventKind.TEXT, text, language="en"))
    assert reply.emergency is True
    assert reply.entry_id == "crisis-support"


@pytest.mark.parametrize("text", INFORMATIONAL)
def test_engine_answers_questions_without_the_card(engine: Engine, text: str) -> None:
    english = engine.language("en")
    assert english.detector.detect(text) is None
    reply = english.text(text)
    assert reply.emergency is False
    assert reply.entry_id not in ("overdose-now", "crisis-support")


def test_echo_my_friend_wont_wake_up_through_the_hrbot_script() -> None:
    script = shutil.which("hrbot") or shutil.which("hrbot", path=str(Path(sys.executable).parent))
    if script is None:
        pytest.skip("the hrbot console script is not installed")
    env = {**os.environ, "PATH": f"{Path(script).parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    result = subprocess.run(
        'echo "my friend wont wake up" | hrbot match --json',
        shell=True,
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    record = json.loads(result.stdout)
    assert record["emergency"] is True
    assert record["entry"] == "overdose-now"


# --- the emergency card comes first, and the other answer is one tap away -----------------------


def test_emergency_that_also_matches_an_answer_offers_it(engine: Engine) -> None:
    english = engine.language("en")
    text = "my friend overamped and has chest pain"
    found = english.matcher.match(text)
    assert found.entry_id == "stimulant-overdose"  # what the message asks about
    reply = english.text(text)
    assert reply.entry_id == "overdose-now"  # but the card comes first
    first = reply.buttons[0][0]
    title = english.entries["stimulant-overdose"].title
    assert first.label == english.messages.buttons.also.format(title=title)
    assert first.data == "a:stimulant-overdose"
    pressed = engine.handle(Event(EventKind.BUTTON, first.data, language="en"))
    assert pressed.entry_id == "stimulant-overdose"
    assert not pressed.emergency


def test_also_button_in_a_small_library(content: Callable[..., Path]) -> None:
    english = build_engine(Config(content_dir=content())).language("en")
    reply = english.text("help hes not breathing, how do i use narcan")
    assert reply.entry_id == "overdose-now" and reply.emergency
    assert reply.buttons[0] == (Button("Also: How to give naloxone", "a:naloxone-how"),)
    # the Also answer is offered once, not again among the related answers
    assert [b.data for b in reply.button_list].count("a:naloxone-how") == 1


def test_hrbot_match_lists_the_other_answer_after_the_card(
    matched: dict[str, dict[str, Any]],
) -> None:
    record = matched["my friend overamped and has chest pain"]
    assert record["entry"] == "overdose-now"
    assert record["alternatives"][:1] == ["stimulant-overdose"]
    assert record["score"] == 100


def test_an_emergency_at_the_end_of_a_long_story_is_still_seen(engine: Engine) -> None:
    story = (
        "so basically last night we were at my cousins place and everyone was drinking and "
        "then some guy brought pills and we all took some and later on the way home "
    ) * 6
    reply = engine.handle(Event(EventKind.TEXT, story + "my freind is on the couch not breathin"))
    assert reply.emergency
    assert reply.entry_id == "overdose-now"


@pytest.mark.parametrize(
    ("text", "card"),
    [
        ("hi how do i use narcan my friend wont wake up", "overdose-now"),
        ("what is happening to him hes not breathing", "overdose-now"),
        ("cops are here and she stopped breathing", "overdose-now"),
        ("i want to kill myself who can i talk to", "crisis-support"),
    ],
)
def test_a_general_question_word_does_not_hide_a_report(
    engine: Engine, text: str, card: str
) -> None:
    reply = engine.handle(Event(EventKind.TEXT, text))
    assert reply.emergency
    assert reply.entry_id == card


@pytest.mark.parametrize(
    "text",
    [
        "my plug went quiet, who else sells coke round here",
        "the dog got into my weed and is going mental",
    ],
)
def test_one_sign_in_a_request_we_dont_answer_is_not_an_overdose(engine: Engine, text: str) -> None:
    assert engine.read(text).route == "off-topic"


def test_a_plain_overdose_word_still_wins_over_a_request(engine: Engine) -> None:
    assert engine.read("my plug sold me something and my mate wont wake up").route == "emergency"


# Low mood asked about as a drug's after-effect gets that drug's answer, with the crisis line
# under it and the crisis answer one tap away; the same words with worse said, or with no drug
# named, get the crisis answer.
LOW_AFTER_A_DRUG = [
    ("why do i feel so low for days after a weekend on mandy, is that the serotonin thing", "mdma"),
    ("why does coke make me feel so low for days after, only do it on nights out", "cocaine"),
]
LOW_AND_WORSE = [
    "feel so low after the coke binge, hate myself",
    "im so low since relapsing on gear, dont see the point",
    "cut myself again last night, so low after the mandy",
    "feeling so low lately and i dont know why",
]


@pytest.mark.parametrize(("text", "answer"), LOW_AFTER_A_DRUG)
def test_low_after_a_drug_gets_its_answer_and_the_crisis_line(
    engine: Engine, text: str, answer: str
) -> None:
    english = engine.language("en")
    reply = english.text(text)
    assert reply.entry_id == answer
    assert reply.html.rstrip().endswith(english.safety_net)
    first = reply.buttons[0][0]
    assert first.data == p.data(p.ANSWER, "crisis-support")


@pytest.mark.parametrize("text", LOW_AND_WORSE)
def test_low_with_worse_said_or_no_drug_gets_the_crisis_answer(engine: Engine, text: str) -> None:
    reply = engine.language("en").text(text)
    assert reply.entry_id == "crisis-support"


def test_an_overdose_two_signs_describe_comes_before_a_guessed_crisis(engine: Engine) -> None:
    """Alone and "on my own" lean the crisis recogniser towards a crisis; two signs of an
    overdose in the message still bring the overdose card, and a plan still the crisis card."""
    english = engine.language("en")
    overdose = "took too much, legs wont work, keep going in and out, cant stay awake, on my own"
    assert english.detector.detect(overdose) == "overdose-now"
    assert english.detector.detect("tonight i won't wake up") == "crisis-support"


def test_greetings_alone_are_not_a_crisis_the_recogniser_guesses(engine: Engine) -> None:
    """The learnt recogniser took "just wanted to say hi" for a goodbye; a goodbye on its own
    still gets the crisis card, as the labelled crises say."""
    hello = engine.read("just wanted to say hi", "en")
    assert not hello.emergency and hello.route == "greeting"
    assert engine.read("goodbye", "en").card == "crisis-support"


@pytest.mark.parametrize(
    "text",
    [
        "snoring really loud after a shot, is that a bad sign or just deep sleep?",
        "cpr on someone who od'd, is it compressions first or breaths",
        "blue lips after using, does that always mean an overdose?",
    ],
)
def test_a_question_the_examples_put_far_from_an_overdose_gets_its_answer(
    engine: Engine, text: str
) -> None:
    reading = engine.read(text)
    assert not reading.emergency
    assert reading.shown in ("overdose-signs", "rescue-breathing")


@pytest.mark.parametrize(
    "text",
    [
        "hes snoring after a shot and i cant wake him, is that bad?",  # near the overdoses
        "snoring really loud after a shot, is that a bad sign? please help",  # a plea
        "he od'd is it ok to let him sleep",  # someone in particular: may be now
        "my friend overdosed, would narcan work if it was benzos",
        # nearest to an answer about an overdose happening (`now_answers`)
        "my friend did too much meth and is having a seizure, should i call an ambulance?",
    ],
)
def test_a_question_near_an_overdose_or_with_a_plea_keeps_the_card(
    engine: Engine, text: str
) -> None:
    assert engine.read(text).card == "overdose-now"


def test_only_a_question_far_ahead_of_the_overdoses_loses_the_card(engine: Engine) -> None:
    detector = engine.language("en").detector

    def nearer_an_answer(by: float, answer: str = "overdose-signs") -> Match:
        return Match(answer, 60.0, (), ranked=((answer, 60.0),), ahead_of_overdose=by)

    text = "snoring loud after a shot, bad sign?"
    words = detector._words(text)
    assert detector.detect_words(words, text, nearer_an_answer(ANSWER_AHEAD)) is None
    assert detector.detect_words(words, text, nearer_an_answer(ANSWER_AHEAD - 1)) == "overdose-now"
    nearest_the_card = nearer_an_answer(99, "overdose-now")
    assert detector.detect_words(words, text, nearest_the_card) == "overdose-now"
    said = "she stopped breathing after a shot, how do i do cpr?"  # asks what to do now
    assert (
        detector.detect_words(detector._words(said), said, nearer_an_answer(99)) == "overdose-now"
    )


def test_the_recogniser_alone_does_not_speak_for_a_message_far_nearer_an_answer(
    engine: Engine,
) -> None:
    # the recogniser guesses a crisis; the labelled messages put the meth answer far ahead
    text = "been up 4 days on ice and i keep hearing voices in the walls, when will it stop"
    detector = engine.language("en").detector
    words = detector._words(text)
    assert detector._crisis_learnt(words, text, cued=False)
    assert engine.read(text).shown == "meth" and not engine.read(text).emergency

    def nearer_an_answer(by: float) -> Match:
        return Match("meth", 60.0, (), ranked=(("meth", 60.0),), ahead_of_crisis=by)

    assert detector.detect_words(words, text, nearer_an_answer(ANSWER_AHEAD)) is None
    assert detector.detect_words(words, text, nearer_an_answer(0.0)) == "crisis-support"
