"""The topic check: everyday messages that share a word with an answer get no answer, and
questions about drugs, health or the service still get theirs (bot/understanding/topic.py)."""

from __future__ import annotations

import html
from dataclasses import replace

import pytest

from bot.config import Config
from bot.engine import Engine, build_engine
from bot.understanding.reading import Route

EVERYDAY = [
    "what time is it",
    "my car needs new gear oil",
    "theres a crack in my phone screen, can it be fixed",
    "my windscreen has a crack after the motorway",
    "how do i line up my shots in pool",
    "tips for tattoo line work",
    "what's the best speed for a treadmill run",
    "how fast does my internet speed need to be for streaming",
    "can i put my plant pot outside in winter",
    "best bar in town for a quiet pint with my nan",
    "we are going to the bar tonight for quiz night",
    "shot glasses for a wedding, where from",
    "how do i take a good shot with my camera",
    "who won the football last night",
    "whats the weather doing tomorrow",
    "recommend me a good book",
    "how do i bake bread without yeast",
    "is it going to rain at the weekend",
    "where can i park near the station",
    "my son broke his phone again, what do i do",
    "how do i fix a leaking tap",
    "can you tell me a joke",
    "what's the capital of australia",
    "need gear for a camping trip in the highlands",
    "climbing gear for beginners, what should i buy first",
    "how do i change the gear on my bike",
    "the kids love playing in the snow",
    "whats a good name for a cat",
    "can you help me with my maths homework",
    "how long do i boil an egg",
    "my boss keeps giving me too much work",
    "i need a new job, any ideas",
    "how do i get rid of ants in the kitchen",
    "whats the best way to learn guitar",
    "how do i tie a tie for a funeral",
    "the rock concert was amazing last night",
    "my laptop keeps freezing when i play games",
    "recommend a series to watch on netflix",
    "how do i hit a golf ball straighter",
    "is the new star wars film any good",
    "the kettle has a crack in the bottom and leaks",
    "need a speed camera map for my road trip",
    "is there ice on the roads this morning",
    (
        "we moved house last month and the kids keep asking when the internet is coming, the "
        "engineer says a line fault, how long does that usually take to sort"
    ),
]

ABOUT_THE_TOPIC = [
    "how do i use narcan",
    "is it safe to mix xanax and alcohol",
    "whats the best way to test my coke for fent",
    "can i reuse a needle if i clean it",
    "my arm is red and swollen where i injected",
    "how long does ketamine stay in your system",
    "how do i put someone in the recovery position",
    "where can i get free needles",
    "first time trying mdma at a festival, any tips",
    "my mate took too many pills last weekend, how do i stop it happening again",
    "what are the signs of an overdose",
    "can you get hep c from sharing a straw",
    "is methadone or bupe better for me",
    "how do i cut down on drinking",
    "i keep getting paranoid on weed, why",
    "what does tolerance mean after rehab",
    "how do i smoke instead of inject",
    "is crack worse than coke for your heart",
    "how much gear should i do after prison",
    "what is xylazine",
    "do you keep my messages",
    "who runs this bot",
    "how do fentanyl test strips work",
    "can i drive the morning after a night on the pills",
    "my girlfriend gets anxious on the comedown, how can i help her",
    "is it ok to take benzos to sleep after a party",
    "whats a safe dose of ghb",
    "what happens if you snort ketamine every day",
    "how can i tell if my pills are pressed",
    "the lines on the test strip are faint, what does that mean",
    "can i take my methadone with me on holiday",
    "how do i look after my veins",
    "why do i feel sick after smoking spice",
    "what should i do with used needles",
    "where can i get tested for hiv",
    "how do i use a reagent kit at home",
    "whats the safest way to try speed for the first time",
    "i want to try gear for the first time, what should i know",
    "how do i give rescue breaths",
    "is nitrous bad for you",
    "sterile water or tap water for a shot",
    "my mate had a seizure after taking molly, is that normal",
    (
        "been clean from heroin for three months and my cousin offered me a bag at the weekend, "
        "if i slip how much less should i use because my tolerance will be gone"
    ),
    "took a couple of bars last night and cant remember anything, is that normal",
]


@pytest.fixture(scope="module")
def engine() -> Engine:
    return build_engine(Config())


@pytest.mark.parametrize("text", EVERYDAY)
def test_an_everyday_message_gets_no_answer(engine: Engine, text: str) -> None:
    reading = engine.read(text, "en")
    assert reading.shown is None and not reading.emergency
    assert reading.route is Route.NONE


@pytest.mark.parametrize("text", ABOUT_THE_TOPIC)
def test_a_question_about_the_topic_passes_the_check(engine: Engine, text: str) -> None:
    reader = engine.language("en").reader
    assert reader.topic is not None
    assert reader.topic.in_message(reader.analyser.corrected_words(text))
    assert not engine.read(text, "en").unrelated


def test_the_no_answer_reply_carries_the_safety_line(engine: Engine) -> None:
    reply = engine.language("en").text("what time is it")
    messages = engine.language("en").messages
    assert reply.route == "none"
    assert reply.entry_id is None
    assert html.unescape(reply.html).startswith(" ".join(messages.no_match.split()[:6]))
    assert "In danger now?" in reply.html


def test_an_everyday_word_counts_only_with_drug_words_near(engine: Engine) -> None:
    reader = engine.language("en").reader
    assert reader.topic is not None

    def about(text: str) -> bool:
        assert reader.topic is not None
        return reader.topic.in_message(reader.analyser.corrected_words(text))

    assert not about("line up my shots in pool")
    assert about("a line of coke")
    assert not about("my car needs new gear oil")
    assert about("want to try gear")  # a word of using near the street name
    assert not about("first on the list")
    assert about("did a first aid course")  # a phrase counts only whole


@pytest.mark.parametrize(
    "text", ["my friend wont wake up and his lips are blue", "i want to end it all tonight"]
)
def test_emergencies_are_never_held_back(engine: Engine, text: str) -> None:
    assert engine.read(text, "en").emergency


def test_a_sure_answer_is_given_whatever_the_words(engine: Engine) -> None:
    reader = engine.language("en").reader
    found = reader.matcher.match("how do i use narcan")
    assert found.score >= reader.matcher.settings.sure
    assert not reader.unrelated(found, ["what", "time", "is", "it"], ["what", "time", "is", "it"])


def test_blend_asks_for_a_topic_word_only_below_its_topic_score(engine: Engine) -> None:
    """Held out, most answers turned away by the topic check were right at 40 to 69 ("missed
    my shot about an hour ago, big bump n it stings"): `blend` checks below 40, not 70."""
    reader = engine.language("en").reader
    assert reader.matcher.method == "blend"
    settings = reader.matcher.settings
    assert settings.topic_checked_below == 40.0 < settings.sure
    everyday = ["what", "time", "is", "it"]
    found = reader.matcher.match("how do i use narcan")
    assert not reader.unrelated(replace(found, score=45.0), everyday, everyday)
    assert reader.unrelated(replace(found, score=35.0), everyday, everyday)


def test_a_word_of_its_everyday_sense_keeps_an_everyday_word_everyday(engine: Engine) -> None:
    """ "take a shot" is using, "take a shot with my camera" is not; "bad trip" is a topic."""
    assert engine.read("how do i take a good shot with my camera", "en").route is Route.NONE
    assert engine.read("took a shot of gear and feel weird", "en").shown == "heroin"
    assert engine.read("bad trip help", "en").shown == "calming-down"


@pytest.mark.parametrize(
    "text",
    [
        "the spice rack fell off the kitchen wall, what screws do i need",
        "need a new needle for my sewing machine, what size for denim",
    ],
)
def test_a_drug_word_next_to_a_word_of_its_everyday_sense_is_no_topic(
    engine: Engine, text: str
) -> None:
    assert engine.read(text, "en").route is Route.NONE


def test_a_drug_question_far_from_such_a_word_is_still_answered(engine: Engine) -> None:
    text = "is spice stronger than weed? asking because a lad at the gig last night collapsed"
    assert engine.read(text, "en").route is not Route.NONE


def test_driving_counts_only_with_a_drug_word_near(engine: Engine) -> None:
    """ "driving after a joint" is about drugs; snow and a drive to a mum's house are not."""
    assert engine.read("how long after a joint before i can drive", "en").shown == "driving"
    snow = "is it going to snow this weekend, we are driving up to my mums"
    assert engine.read(snow, "en").route is Route.NONE
    assert engine.read("best spice mix for a lamb curry", "en").route is Route.NONE


@pytest.mark.parametrize(
    ("text", "answer"),
    [
        ("u save my msgs?", "privacy"),
        ("can i wipe everything ive asked", "privacy"),
        ("going in the neck bad??", "injection-sites"),
    ],
)
def test_short_asks_about_the_bot_or_the_body_are_answered(
    engine: Engine, text: str, answer: str
) -> None:
    assert engine.read(text, "en").shown == answer
