"""An overdose told as a story or a rehearsal gets the answer; one happening as they write gets
the card, however much story comes with it.

`past` cues count near the danger words, `story` cues anywhere ("he's fine now", "why did
that happen"), and a present-tense danger ("she isnt breathing", "cant wake him") or a plea
("please help") brings the card back whatever the story says.
"""

from __future__ import annotations

import pytest

from bot.engine import Engine

TOLD_AS_A_STORY = [
    "my cousin went over at a house party in april and we had no idea what to do",
    "my flatmate overdosed on saturday, she's fine now, why did it hit her so hard",
    "we gave him narcan and brought him back, should we have called an ambulance as well",
    "he passed out after a shot a while back and i still think about it, how do i learn cpr",
    "i want to be prepared if someone stops breathing at the squat next time",
    "my mate collapsed after using and came round after a few minutes, was that an od",
    "is there an overdose prevention site near the station",
    "is it an od if someone is nodding but still answering you",
    "scared of going over now my tolerance is down, how much less should i use",
    "what if someone throws up while they're out cold, what do i do then",
    "a thing on the news about a lad overheating on pills at a festival, what would you do",
    "after you give someone naloxone can they go back under again",
    "how much gbl is a safe amount, heard the gap between high and out cold is tiny",
    "someone overdosed right in front of me at the hostel and i just froze, what do i do next time",
    "my mate is freaking out on acid saying hes dyin but hes breathing grand, how do i calm him",
    "is snoring after using a bad sign, my boyfriend does it every time",
    "my veins are starting to collapse after a year of injecting, how do i look after them",
]

HAPPENING_NOW = [
    "we used in march together and now he isnt breathing",
    "she overdosed last year and now i cant wake her, she did a bag an hour ago",
    "he was fine now hes not breathing",
    "next time never came, he is blue right now",
    "my mate went over last week and now he has gone back under after the narcan",
    "he collapsed after using yesterday and please help he is still not breathing",
    "he's only taking a breath every few seconds since the last shot",
    "gave her narcan and she's still out, ambulance is on the way",
]

# A situation described, not named: one sign after using, or two signs.
DESCRIBED = [
    "she stopped responding after the last hit and her lips look dark",
    "my mate keeled over in the toilets after a line, eyes rolled back",
    "she fell asleep after a shot and now i cant feel her breathing",
    "he has stopped responding and his skin is grey",
    "SHES GONE BLUE HELP ME",  # one sign, and a plea
    "he is sliding off the sofa and his pupils are tiny pinpricks",
    "my mate keeps nodding and his head drops and i cant get him to answer",
    "she did a bag and now shes making a rattling sound",
    "my frend wnt wke up after the gear",
    "been on tina since friday and he is burning up and clutching his chest",
    "two sprays of narcan, he woke for a second and went back under",
    "his head flopped back and his lips are dusky, he did a shot",
    "gave him naloxone five minutes ago and he's still not coming round",
    "cant feel a pulse in his neck and he's gone heavy",
    "on the phone to 999 now, his chest is barely moving",
    "my mate did a bag and his chin is on his chest, i shook him and got nothing back",
    "she nods off mid sentence and then stops breathing for ages, took her methadone and bars",
    "amigo in the toilet, he no respond, lips morado, ayuda",
    "we give narcan two time and he is still sleeping, what now",
    "went in to check and he is slumped in the bath with his eyes half open, a spoon on the side",
    "he is not breathe good, we use together and i can not wake him up",
    "mum had her pain pills with gin tonight and she has gone blue and wont answer",
    "husband had whisky and his sleeping tablets and his breathing keeps stopping",
    "stranger lying dead still by the bins with a syringe next to him, i shook him and nothing",
    "mate went over, blue lips, im doing the breaths but hes not coming back",
    "sorry if this is the wrong place, my son on the floor, a needle next to him, he not wake up",
    "EMERGENCY someone od in the staff toilets",
    "his chest goes up maybe twice a minute and his face has gone ashy, we both used",
    "did too many lines, my heart is going so hard i can see it in my chest, going to collapse",
    "ambo is on the way and her lips are going grey, what do i do till they get here",
    "my mate just dropped after the pipe, shaking, eyes rolled back in his head",
    "my heart is at 190 bpm and im roasting, took way too much speed",
    "took way too much speed, heart going like a train, cant feel my fingers, alone in the flat",
    "freaking out, mate did loads of mandy, he is burning up, confused and his heart is racing",
    "had a panic attack after a bag of fent and now he is blue and wont wake",
    "her lips are bluish and she is super sleepy after her methadone",
    "he just shot up and turned white and fell off the bed",
    "my friend had ket and now she is not awake and being sick",
    "did a load of coke and now my left arm is numb and my heart feels like its going to explode",
    "mi bredren turn blue after the pills an him nah wake up",
    "moj brat nie oddycha, took heroin",
    "my mum took her methadone and some sleeping tablets and she sounds like she is drowning",
    "nodding hard and grey, tried a sternum rub, nothing",
    "found him against the wall, his nails are blue, foil next to him",
    "his breathing is once every ages and he just wont wake up",
    "ma pals turnin blue in the toilets at the club",
    "my partner took a handful of diazepam and is barely responding",
    "he had a fit after the spice and now he wont come round",
]


@pytest.mark.parametrize("text", TOLD_AS_A_STORY)
def test_a_story_gets_the_answer_not_the_card(engine: Engine, text: str) -> None:
    reading = engine.read(text, "en")
    assert not reading.emergency, reading


def _gets_the_overdose_card(engine: Engine, text: str) -> None:
    reading = engine.read(text, "en")
    assert reading.emergency and reading.card == "overdose-now", reading


@pytest.mark.parametrize("text", HAPPENING_NOW)
def test_a_danger_said_in_the_present_gets_the_card(engine: Engine, text: str) -> None:
    _gets_the_overdose_card(engine, text)


@pytest.mark.parametrize("text", DESCRIBED)
def test_an_overdose_described_in_other_words_gets_the_card(engine: Engine, text: str) -> None:
    _gets_the_overdose_card(engine, text)


def test_a_doctor_deceived_for_a_prescription_is_declined(engine: Engine) -> None:
    assert engine.read("how do i trick my doctor into giving me oxys", "en").route == "off-topic"


# Said of a phone, a pet or a show, with nobody and no drug in the message: no card. Said of a
# person, or with a drug, the same words bring the card.
SAID_OF_A_THING = [
    "my phone froze and went black and it won't wake up no matter what",
    "overdosed on netflix this weekend, watched the whole series in two days",
    "the leaves on my plant are going grey and it looks dead",
    "dropped my ipad in the sink last thing, is rice a myth",
]
SAID_OF_A_PERSON_TOO = [
    "my phone is dead and my mate isnt breathing",
    "my dog ate a fent patch and isnt breathing",
    "cant breathe and my lips are blue, sitting here with the dog",
]


@pytest.mark.parametrize("text", SAID_OF_A_THING)
def test_danger_words_said_of_a_thing_get_no_card(engine: Engine, text: str) -> None:
    assert not engine.read(text, "en").emergency


@pytest.mark.parametrize("text", SAID_OF_A_PERSON_TOO)
def test_a_thing_in_the_message_never_hides_a_person_in_danger(engine: Engine, text: str) -> None:
    _gets_the_overdose_card(engine, text)


def test_where_to_get_drugs_is_declined_but_getting_hooked_is_answered(engine: Engine) -> None:
    assert engine.read("where do i get heroin from", "en").route == "off-topic"
    reading = engine.read("can you get hooked on heroin from smoking it", "en")
    assert reading.route == "answer" and reading.shown == "heroin"


@pytest.mark.parametrize(
    "text",
    [
        "my family wont talk to me since they found out about the gear",
        "the whole world feels grey and pointless after the pills at the weekend",
        "how do i come off benzos without fitting, been on them a year",
        "is it illegal to wait with someone who overdosed until the ambulance comes",
        "watching suicide squad tonight, is it any good",
        "smoked some bud then dropped a pinger, is that a bad mix",
        "did some g last saturday and passed out for an hour, was that too much",
        "had a scare a few weeks back where my heart was racing after coke, was that an od",
        "is it true you cant be arrested for calling an ambulance for an overdose",
        "day 3 coming off the gear and i cant stop shaking and sweating, when does it ease",
        "goodbye everyone, moving to spain next week, will miss you all",
        "the fent strip came back with one line, does that mean there is fent, so confused",
        "can collapsed veins ever come back",
        "say someone goes over at a party and the narcan does nothing, do i give another",
        "snoring or overdosing, how to tell",
        "if i find someone out cold but breathing, which position do i put them in",
        "in my language we say i kill myself laughing, is that the same in english",
        "my little girl's lips are blue from the slushie haha",
        "my friend is having a whitey after too much bud, pale and sweating",
        "missed my shot and my hand went cold and purple, did i hit an artery",
        "keep getting fevers after i use, can you get a heart infection from banging up",
        "three days off the gear, sweating buckets and my legs wont stop kicking, how long is left",
        "my mate on acid keeps saying hes dying but hes breathing fine, how do i calm him down",
        "ate a brownie at a barbecue, heart racing, i know im not dying, how do i calm down",
    ],
)
def test_words_an_overdose_shares_said_of_something_else_get_no_card(
    engine: Engine, text: str
) -> None:
    assert not engine.read(text, "en").emergency
