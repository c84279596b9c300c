"""The schema of `content/<lang>/emergency.yaml`: the phrases that bring up the emergency cards.

This is the most safety-critical file, so it is validated like every other format: a missing
card, an empty phrase or a misspelt section name is an error at its line, never a silently
weaker detector.
"""

from __future__ import annotations

from pathlib import Path

from bot.content.files import read_model_doc
from bot.content.kit import Id, Phrases, Strict, Words
from bot.content.problems import Problem, error

FILE_NAME = "emergency.yaml"


class Card(Strict):
    """One emergency card and the phrases that mean it is needed now."""

    card: Id
    phrases: Phrases
    # Other answers about this emergency happening now ("stimulant-overdose"): a message the
    # labelled messages put nearest to one of them, or to the card's own answer, is never taken
    # for a question about it (bot/understanding/emergency.py).
    now_answers: list[Id] = []


class CrisisSignals(Strict):
    """A crisis said without the words: a wish not to exist; the means with a decision or time;
    self-harm getting worse."""

    wish: Words = []
    threshold: float = 4.0
    weights: dict[str, float] = {}
    farewell: Words = []
    intent: Words = []
    means: Words = []
    decided: Words = []
    self_harm: Words = []
    worse: Words = []
    # Words that count only as a cue for the crisis recogniser (a time, a place, a farewell
    # said lightly): with none of these or of the lists above, it must be far surer.
    cues: Words = []


class OverdoseSignals(Strict):
    """An overdose described: two of down, breathing and colour, or one of them (or the signs
    of overheating) after using. One sign after using is not an overdose in a message that
    tells of `withdrawal`: its sweats, shakes and pains are not an overdose's. A `panic` told as
    one, whose only signs are a racing heart or feeling like dying, is not one either."""

    down: Words = []
    breathing: Words = []
    colour: Words = []
    overheating: Words = []
    used: Words = []
    withdrawal: Words = []
    panic: Words = []


class EmergencyRules(Strict):
    overdose: Card
    crisis: Card
    # a question ABOUT an emergency ("how do i know if…"), which stops the card
    asking: Words = []
    # words that make a message a question: one whose best answer the labelled messages put
    # far ahead of the overdoses happening now asks about its danger words ("snoring after a
    # shot, bad sign?"), unless a `now` or `urgent` word is there
    question: Words = []
    # anybody in general ("someone", "a person"): a question about them may be general
    anyone: Words = []
    # words that mean "right now", which override `asking`
    now: Words = []
    # words that mean an overdose only together with a `now` phrase ("OD help!")
    overdose_if_now: Words = []
    crisis_signals: CrisisSignals = CrisisSignals()
    overdose_signals: OverdoseSignals = OverdoseSignals()
    # hopelessness without intent: support and the crisis line, not the emergency card
    support: Words = []
    # low mood that is also how a comedown feels ("so low"): support too, unless the message
    # names a drug and an answer fits it well (bot/understanding/reading.py)
    low: Words = []
    # words that put an emergency in the past or in a story, unless an `urgent` word is there
    past: Words = []
    # words that make the whole message a story or a rehearsal, wherever they stand ("he's
    # fine now", "why did that happen", "before it ever happens again"), unless `urgent`
    story: Words = []
    joking: Words = []  # stops the crisis signals (never the crisis phrases)
    serious: Words = []  # "not joking", "i mean it": the joking words don't count
    urgent: Words = []
    # not a person: a message about one of these, with nobody and no drug or using word in it,
    # gets no overdose card ("my phone won't wake up", "the fish are floating")
    things: Words = []
    people: Words = []  # someone else: with one, `things` don't count
    oneself: Words = []  # said of oneself ("my chest"): with one, `things` don't count either

    @property
    def overdose_card(self) -> str:
        return self.overdose.card

    @property
    def crisis_card(self) -> str:
        return self.crisis.card

    @property
    def all_phrases(self) -> tuple[str, ...]:
        """Every phrase, so the typo corrector learns their words."""
        signals = [
            value for value in self.crisis_signals.model_dump().values() if isinstance(value, list)
        ]
        signals += [*self.overdose_signals.model_dump().values()]
        return (
            *self.overdose.phrases,
            *self.crisis.phrases,
            *self.asking,
            *self.question,
            *self.anyone,
            *self.now,
            *self.overdose_if_now,
            *(word for words in signals for word in words),
            *self.support,
            *self.low,
            *self.past,
            *self.story,
            *self.joking,
            *self.serious,
            *self.urgent,
        )


def load_rules(path: Path) -> tuple[EmergencyRules | None, list[Problem]]:
    """The language's emergency rules; None (with the problems) when they can't be used."""
    if not path.exists():
        return None, [error(path, 0, "is missing: emergencies could not be recognised")]
    rules, _, problems = read_model_doc(path, EmergencyRules)
    return rules, problems
