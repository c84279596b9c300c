"""Spotting a message that may mean an overdose or a suicidal crisis happening now.

Its only job is not to miss, and what it decides comes before any answer. The phrases are data
(`content/<lang>/emergency.yaml`) so that services can add the words their people use. Three
ways in: phrases that say it ("not breathing", "kill myself"); signals that describe it
(someone down and breathing strangely after using; the means at hand and a decision made); and,
for a message neither catches, the labelled overdoses and crises (content/<lang>/labelled/)
when they are nearer to it than any answer (the matcher's Match.emergency). A question about an
emergency, or one in the past ("last month"), gets the answer instead.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from bot.content.emergency_rules import EmergencyRules
from bot.understanding.crisis_model import CrisisModel
from bot.understanding.matcher import ANSWER_AHEAD, CRISIS_NOW, OVERDOSE_NOW, Analyser, Match
from bot.understanding.phrases import PhraseSet

PAST_WINDOW = 10  # a past cue counts within this many words of the danger words


# Overdose signs (down, breathing, colour, heat) that put the overdose card before crisis signals.
SIGNS_OVER_SIGNALS = 3
# At most this many signs of heat in a panic told as one (a racing heart, feeling like dying).
PANIC_SIGNS = 2
# Below this crisis probability (bot/understanding/crisis_model.py) the nearest labelled
# crises are not taken for one: tuned held out (docs/matching.md).
NEAREST_CRISIS_FLOOR = 0.2
# With a laugh, the recogniser must find a crisis this likely for the nearest labelled crises
# to speak for it: "i just want to sleep forever on sundays lol" (0.65) is near them too. Held
# out, any floor from 0.5 to 0.8 gave the same figures (docs/matching.md).
LAUGHING_CRISIS_FLOOR = 0.7
# A message read without the matcher (`detect`): nothing learnt speaks for or against it.
NO_MATCH = Match(None, 0.0, ())


@dataclass(frozen=True)
class CrisisRecogniser:
    """The learnt recogniser and how sure it must be to show the crisis card on its own:
    `threshold` for a message with a crisis cue, `uncued_threshold` (far higher) for one
    without, so that everyday talk the examples never covered doesn't get the card."""

    model: CrisisModel
    threshold: float
    uncued_threshold: float = 0.9975

    def says_crisis(self, words: list[str], cued: bool = False) -> bool:
        """`cued`: the message holds a phrase from `crisis_signals` (the model's own cues are
        added here)."""
        probability = self.model.probability(words)
        if probability < self.threshold:
            return False
        return probability >= self.uncued_threshold or cued or self.model.has_cue(words)


class EmergencyDetector:
    def __init__(
        self,
        rules: EmergencyRules,
        analyser: Analyser,
        recogniser: CrisisRecogniser | None = None,
        off_topic: PhraseSet | None = None,
    ) -> None:
        self.rules = rules
        self.recogniser = recogniser
        # Buying drugs or a pet that ate some: one sign after a drug word is not an overdose
        # there ("my plug went quiet", "the cat got into the catnip and is going mental").
        self.off_topic = off_topic
        # Canonical words, not stems: "overdosing" must not match "overdose kit".
        self._words = analyser.canonical_words

        def phrases(items: Iterable[str]) -> PhraseSet:
            return PhraseSet(items, analyser.content_words)

        self._overdose = phrases(rules.overdose.phrases)
        self._crisis = phrases(rules.crisis.phrases)
        self._asking = phrases(rules.asking)
        self._question = phrases(rules.question)
        self._anyone = phrases(rules.anyone)
        self._now = phrases(rules.now)
        self._overdose_if_now = phrases(rules.overdose_if_now)
        crisis, overdose = rules.crisis_signals, rules.overdose_signals
        self._wish = phrases(crisis.wish)
        self._means = phrases(crisis.means)
        self._scored = [
            (found, crisis.weights.get(name, 0.0))
            for name, found in (
                ("farewell", phrases(crisis.farewell)),
                ("intent", phrases(crisis.intent)),
                ("means", self._means),
                ("decided", phrases(crisis.decided)),
            )
        ]
        self._self_harm = phrases(crisis.self_harm)
        self._worse = phrases(crisis.worse)
        # Any crisis signal or hopelessness is a cue that lets the recogniser speak up sooner
        # (not `worse`: "again" and "tonight" are everyday words on their own).
        self._cues = phrases(
            [
                *crisis.wish,
                *crisis.farewell,
                *crisis.intent,
                *crisis.means,
                *crisis.decided,
                *crisis.self_harm,
                *crisis.cues,
                *rules.support,
                *rules.low,
            ]
        )
        self._down = phrases(overdose.down)
        self._breathing = phrases(overdose.breathing)
        self._colour = phrases(overdose.colour)
        self._overheating = phrases(overdose.overheating)
        self._sign_sets = (self._down, self._breathing, self._colour, self._overheating)
        self._used = phrases(overdose.used)
        self._withdrawal = phrases(overdose.withdrawal)
        self._panic = phrases(overdose.panic)
        self._support = phrases(rules.support)
        self._low = phrases(rules.low)
        self._past = phrases(rules.past)
        self._story = phrases(rules.story)
        self._urgent = phrases(rules.urgent)
        self._joking = phrases(rules.joking)
        self._serious = phrases(rules.serious)
        self._things = phrases(rules.things)
        self._people = phrases(rules.people)
        self._oneself = phrases(rules.oneself)
        # Joking marks with no words in them ("😂") are looked for in the text as typed.
        self._joking_marks = tuple(mark for mark in rules.joking if not self._words(mark))

    def detect(self, text: str) -> str | None:
        """The id of the emergency card this message needs, or None."""
        return self.detect_words(self._words(text), text)

    def detect_words(
        self,
        words: list[str],
        text: str = "",
        found: Match | None = None,
        small_talk: bool = False,
    ) -> str | None:
        """As `detect`, for a message already turned into canonical words (`text`, as typed,
        is read only for joking marks like "😂"). `found`: the matcher's match, which tells
        what the labelled messages nearest to it are about (Match.emergency, for a message no
        phrase here catches; how far an answer is ahead of the overdoses and crises).
        `small_talk`: the message is only greetings and thanks ("just wanted to say hi");
        unless one of them is a crisis cue ("goodbye"), what was learnt from examples doesn't
        speak for it."""
        if not words:
            return None
        found = found or NO_MATCH
        crisis = self.rules.crisis_card
        if self._crisis.found_in(words):
            return crisis  # never "only a question"; the card has the 999 line too
        overdose = self._overdose_now(words) and not self._asked_about(words, found)
        # An overdose that SIGNS_OVER_SIGNALS signs describe comes before crisis signals
        # ("slumped, pinpoint pupils, breathing 4 times a minute, the naloxone kit in front of
        # me"); one of someone else, or that two signs describe ("legs wont work, keep going in
        # and out, cant stay awake, im on my own"), before the recogniser's guess.
        signs = self._signs(words) if overdose else 0
        if self._crisis_signalled(words, text) and signs < SIGNS_OVER_SIGNALS:
            return crisis
        said = self._cues.found_in(words)  # a crisis cue of the rules ("the tracks")
        # only greetings or thanks ("just wanted to say hi"); a goodbye may be a farewell
        greeting = small_talk and not said
        learnt = (
            not greeting
            and not self._someone_elses_story(words)
            and (said or not self._about_an_answer(found))
            and self._crisis_learnt(words, text, said)
        )
        described = overdose and (self._people.found_in(words) or signs >= 2)
        if said and learnt and not described:
            return crisis
        if overdose:
            return self.rules.overdose_card
        # The recogniser's guess comes after an overdose of someone else, and after any overdose
        # when it rests on its own cues ("my dads") or none: someone whose "lips r purple", or a
        # mum who "had her pills with gin tonight and has gone blue", needs the overdose steps.
        if learnt:
            return crisis
        return None if greeting else self._told_by_labelled(words, text, found.emergency)

    def _told_by_labelled(self, words: list[str], text: str, nearest: str | None) -> str | None:
        """The card the nearest labelled messages tell of, unless the message tells a story
        or its danger words are said of a thing ("my phone won't wake up"). A laugh doesn't
        stop the crisis card here: the labelled messages hold crises told with a laugh ("lol
        bought a rope today") and figures of speech told with one ("kill me now lol"), so
        being nearest the crises says more than the laugh does."""
        if nearest == OVERDOSE_NOW:
            if self._told_as_a_story(words) or self._about_a_thing(words):
                return None
            return self.rules.overdose_card
        if nearest == CRISIS_NOW:
            floor = LAUGHING_CRISIS_FLOOR if self._joking_in(words, text) else NEAREST_CRISIS_FLOOR
            if self._recogniser_doubts(words, floor):
                return None  # "goodbye everyone, moving to spain next week": a farewell
            return self.rules.crisis_card
        return None

    def _recogniser_doubts(self, words: list[str], floor: float = NEAREST_CRISIS_FLOOR) -> bool:
        """The crisis recogniser, which has learnt everyday talk as well as crises, finds
        a crisis unlikely: the labelled messages nearest to it then don't speak for one."""
        recogniser = self.recogniser
        return recogniser is not None and recogniser.model.probability(words) < floor

    def tells_of_danger(self, words: list[str]) -> bool:
        """An overdose's words or signs, happening now or not ("what would we do if someone
        at my birthday went blue and floppy"): the message is about the bot's topic."""
        return (
            self._overdose.found_in(words)
            or self._overdose_if_now.found_in(words)
            or any(sign.found_in(words) for sign in self._sign_sets)
        )

    def needs_support(self, words: list[str]) -> bool:
        """Hopelessness without intent, or self-harm: answer with support and the crisis line."""
        return (
            self.only_low(words) or self._support.found_in(words) or self._self_harm.found_in(words)
        )

    def only_low(self, words: list[str]) -> bool:
        """Low mood that may be a drug's comedown ("so low after the weekend"), and nothing
        worse: no other hopelessness and no self-harm."""
        return (
            self._low.found_in(words)
            and not self._support.found_in(words)
            and not self._self_harm.found_in(words)
        )

    def _crisis_signalled(self, words: list[str], text: str = "") -> bool:
        if self._joking_in(words, text):
            # A laugh makes a wish said alone a figure of speech ("i just want to sleep forever
            # on sundays lol"), not a plan whose signals add up ("pills counted. tonight. lol"),
            # the means at hand with a wish ("ending myself lmao, pills ready"), nor self-harm
            # getting worse ("cutting deeper every week now lol").
            wished = self._means.found_in(words) and self._wish.found_in(words)
            return wished or self._planned(words) or self._harm_worse(words)
        if self._wish.found_in(words) or self._planned(words):
            return True
        return self._harm_worse(words)

    def _harm_worse(self, words: list[str]) -> bool:
        return self._self_harm.found_in(words) and self._worse.found_in(words)

    def _planned(self, words: list[str]) -> bool:
        """Signals (farewell, intent, means, decided) that add up to a plan."""
        return self._crisis_score(words) >= self.rules.crisis_signals.threshold

    def _crisis_learnt(self, words: list[str], text: str, cued: bool) -> bool:
        """The examples say it is a crisis, though no phrase or signal does (`cued`: the
        message has a crisis cue of the rules)."""
        recogniser = self.recogniser
        if recogniser is None or self._joking_in(words, text):
            return False
        return recogniser.says_crisis(words, cued)

    def _someone_elses_story(self, words: list[str]) -> bool:
        """Someone else's overdose told as a story ("someone od'd right in front of me and i
        froze, what do i do next time"): the shock in it is not a crisis the examples may
        guess; a phrase or signal of the writer's own crisis still is one."""
        return (
            self._people.found_in(words)
            and self.tells_of_danger(words)
            and self._told_as_a_story(words)
        )

    def _joking_in(self, words: list[str], text: str) -> bool:
        """A laugh or a joke word, unless the message says it is serious ("lol. not joking")."""
        joking = self._joking.found_in(words) or any(m in text for m in self._joking_marks)
        return joking and not self._serious.found_in(words)

    def _crisis_score(self, words: list[str]) -> float:
        """The weighted count of crisis signals (each list counts at most twice)."""
        score = 0.0
        for phrases, weight in self._scored:
            if weight:
                score += weight * min(phrases.count_in(words), 2)
        return score

    def _overdose_now(self, words: list[str]) -> bool:
        now = self._now.found_in(words)
        said = self._overdose.found_in(words) or (now and self._overdose_if_now.found_in(words))
        if not said and not self._overdose_signalled(words):
            return False
        if self._only_a_panic(words):
            return False  # "heart racing, i know its just the weed, how do i calm down"
        if self._about_a_thing(words):
            return False  # "my phone froze and it won't wake up"
        if self._told_as_a_story(words) and not self._urgent.found_in(words):
            return False  # "he stopped breathing last month": a story, not now
        # A question stops the card only when it comes first ("how do i know if he's
        # overdosing"), not after a report ("he's not breathing, how do i use narcan").
        asked = None if now else self._asking.first_in(words)
        if asked is None:
            return True
        danger = [self._overdose.first_in(words), self._first_signal(words)]
        return asked > min((at for at in danger if at is not None), default=len(words))

    def _only_a_panic(self, words: list[str]) -> bool:
        """A panic told as one, whose only danger words are signs of heat (a racing heart,
        feeling like dying): nobody is down, breathing strangely or changing colour."""
        if not self._panic.found_in(words):
            return False
        if any(sign.found_in(words) for sign in (self._down, self._breathing, self._colour)):
            return False
        heat = self._overheating.spans_in(words)
        if not heat or self._overheating.count_in(words) > PANIC_SIGNS:
            return False  # burning up, confused, heart going crazy: a stimulant overdose
        return all(_inside(span, heat) for span in self._overdose.spans_in(words))

    def _asked_about(self, words: list[str], found: Match) -> bool:
        """A question the labelled messages put far nearer to an answer than to the overdoses
        happening now, with no plea and nothing said to be happening now: its danger words are
        asked about ("snoring after a shot, bad sign?", "someone ods, what do you do"). The
        `asking` phrases catch such questions only when they come first. Not of someone in
        particular ("he od'd is it ok to let him sleep" may be now), nor when the answer
        is itself about an overdose happening ("hes fitting after meth, should i ring 911?"
        is nearest to the stimulant overdose answer)."""
        if found.ahead_of_overdose < ANSWER_AHEAD or self._now_answer_first(found):
            return False
        if self._now.found_in(words) or self._urgent.found_in(words):
            return False
        return self._question.found_in(words) and not self._someone_in_particular(words)

    def _someone_in_particular(self, words: list[str]) -> bool:
        """A person named ("he", "my mate"), not anybody in general ("someone", "a person")."""
        general = self._anyone.spans_in(words)
        return any(not _inside(span, general) for span in self._people.spans_in(words))

    def _about_an_answer(self, found: Match) -> bool:
        """The labelled messages put the message far nearer to an answer than to the crises
        happening now: with no crisis cue of the rules, the recogniser's guess doesn't speak
        for it ("does this chat get saved anywhere? i'm scared my partner will find it")."""
        ahead = found.ahead_of_crisis >= ANSWER_AHEAD
        return ahead and found.first_ranked != self.rules.crisis_card

    def _now_answer_first(self, found: Match) -> bool:
        overdose = self.rules.overdose
        return found.first_ranked in (overdose.card, *overdose.now_answers)

    def _about_a_thing(self, words: list[str]) -> bool:
        """A pet, a plant, a phone or a show, and no person and no drug: "not breathing" and
        "won't wake up" are said of those too."""
        if not self._things.found_in(words) or self._people.found_in(words):
            return False
        if self._oneself.found_in(words):
            return False
        return not self._used.found_in(words)

    def _told_as_a_story(self, words: list[str]) -> bool:
        """The danger words are told of the past or imagined: a `past` cue near them, or a
        `story` cue anywhere ("he went over on saturday. he's fine now, why did it happen")."""
        return self._story.found_in(words) or self._in_the_past(words)

    def _in_the_past(self, words: list[str]) -> bool:
        """A past or future cue close to the danger words (a long story that ends in "he's not
        breathing" is happening now, whatever happened "last night" at its start)."""
        danger = [
            self._overdose.first_in(words),
            self._overdose_if_now.first_in(words),
            self._first_signal(words),
        ]
        at = min((d for d in danger if d is not None), default=None)
        if at is None:
            return False
        return any(abs(start - at) <= PAST_WINDOW for start in self._past.starts_in(words))

    def _overdose_signalled(self, words: list[str]) -> bool:
        signs = [self._down, self._breathing, self._colour]
        found = sum(sign.found_in(words) for sign in signs)
        if found >= 2:
            return True
        heat = len(self._overheating.starts_in(words))
        if heat >= 2 or (heat and found):
            return True  # "chest is crushing and my heart is going mental"
        if found and self._urgent.found_in(words):
            return True  # "HES GONE GREY HELP ME": one sign, and a plea or the present tense
        one_after_using = (found >= 1 or heat >= 1) and self._used_apart(words)
        if not one_after_using or self._withdrawal.found_in(words):
            return False  # "day 2 off the gear, sweating through the sheets"
        return not (self.off_topic and self.off_topic.found_in(words))

    def _used_apart(self, words: list[str]) -> bool:
        """Using told in words of its own, not in the sign's: "dropped" is a sign ("he
        dropped") and using ("dropped a pill"), but "dropped my iphone" is neither twice."""
        signs = [span for sign in self._sign_sets for span in sign.spans_in(words)]
        return any(not _inside(used, signs) for used in self._used.spans_in(words))

    def _signs(self, words: list[str]) -> int:
        """How many overdose signs the message describes (down, breathing, colour, heat)."""
        return sum(sign.count_in(words) for sign in self._sign_sets)

    def _first_signal(self, words: list[str]) -> int | None:
        starts = [sign.first_in(words) for sign in self._sign_sets]
        return min((at for at in starts if at is not None), default=None)


def _inside(span: tuple[int, int], spans: Iterable[tuple[int, int]]) -> bool:
    """Whether `span` (start, end, both included) lies within one of `spans`."""
    start, end = span
    return any(first <= start and end <= last for first, last in spans)
