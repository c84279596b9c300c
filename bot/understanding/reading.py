"""Reading a message once and deciding once what it needs: the one place that does.

Telegram, `hrbot chat`, `hrbot match`, the checker, the quality benchmark and the tests all
get their decisions here, so what is measured is what people get. The order of the checks is
the order of what matters:

1. an emergency or a crisis happening now → its card (the matched answer rides along);
2. buying, selling or making drugs → declined kindly (off-topic);
3. only a greeting or thanks → the greeting;
4. hopelessness without a plan → support with the crisis line (but low after a named drug,
   asked about that drug, is answered with its card, the crisis answer one tap away);
5. a place asked for ("needle exchange near me") → the services finder;
6. two substances named ("coke and a few pints") → the answer for that mix; three or more
   → the answer about mixing in general;
7. an answer the matcher is sure of → that answer; close ones → "did you mean"; else none.
   An answer or a "did you mean" scored below its method's `topic` score (else `sure`) is
   given only to a message about drugs, using, the body and health or the service
   (topic.py): "how do i line up my shots in pool" gets the no-answer reply, not the
   missed-shot answer.
"""

from __future__ import annotations

from collections.abc import Container
from dataclasses import dataclass, replace
from enum import StrEnum

from bot.content.mixes import GENERAL_ANSWER, Mix
from bot.services.places import Place, PlaceFinder
from bot.understanding.emergency import EmergencyDetector
from bot.understanding.matcher import Match, Matcher
from bot.understanding.mixes import MixFinder
from bot.understanding.normalise import plain, words
from bot.understanding.phrases import PhraseSet, one_message
from bot.understanding.routing import Need, Router
from bot.understanding.topic import TopicWords

# "why do i feel so low for days after a weekend on mandy": a message that names a drug and
# that the matcher answers with this score or more asks about the drug's after-effects, and gets
# that answer, with the crisis line and the crisis answer one tap away, not the crisis answer.
ABOUT_A_DRUG = 45.0
# A message of this many words or more that names two drugs may ask about something else
# ("can fent strips pick up nitazenes"); a shorter one is about the pair ("poppers and viagra").
MORE_THAN_A_MIX = 8


class Route(StrEnum):
    EMERGENCY = "emergency"
    CRISIS = "crisis"
    OFF_TOPIC = "off-topic"
    GREETING = "greeting"
    SERVICES = "services"
    ANSWER = "answer"
    SUGGEST = "suggest"
    NONE = "none"


@dataclass(frozen=True)
class Reading:
    """What a message needs. `match` is the matcher's view, kept for every route so that the
    emergency card can offer the answer asked about and `hrbot match` can show runners-up."""

    route: Route
    match: Match
    card: str | None = None  # the emergency or crisis card's answer id
    need: Need | None = None  # the services route's need
    mix: Mix | None = None  # the answer route's mix of two substances, when it is one
    support: str | None = None  # the answer route's support answer (the crisis line, no card)
    offer: str | None = None  # the answer route's support answer, offered beside the answer
    place: Place | None = None  # the services route's place typed in the message, if any
    unrelated: bool = False  # none route: the matcher had a guess, the message no topic word

    @property
    def emergency(self) -> bool:
        return self.route in (Route.EMERGENCY, Route.CRISIS)

    @property
    def confident(self) -> bool:
        """The reply is an answer the bot is sure of (not a guess, a menu or a fallback)."""
        return self.route in (Route.EMERGENCY, Route.CRISIS, Route.SERVICES, Route.ANSWER)

    @property
    def shown(self) -> str | None:
        """The answer the person sees first: the card, the finder's answer, or the match."""
        if self.card is not None:
            return self.card
        if self.need is not None:
            return self.need.answer
        if self.mix is not None:
            return self.mix.id
        if self.support is not None:
            return self.support
        return self.match.entry_id if self.route is Route.ANSWER else None

    @property
    def also(self) -> str | None:
        """With a card: the answer the message asked about, when the matcher is sure of it.
        With an answer: the support answer offered beside it."""
        if self.card is None:
            return self.offer
        if not self.match.confident:
            return None
        matched = [self.match.entry_id, *(i for i, _ in self.match.alternatives)]
        return next((i for i in matched if i != self.card), None)


class Reader:
    """Built once per language; `read` is pure: nothing of the message outlives the call."""

    def __init__(
        self,
        matcher: Matcher,
        detector: EmergencyDetector,
        off_topic: PhraseSet,
        small_talk: frozenset[str],
        router: Router,
        servable: Container[str],
        mixes: MixFinder | None = None,
        places: PlaceFinder | None = None,
        topic: TopicWords | None = None,
    ) -> None:
        self.matcher = matcher
        self.analyser = matcher.analyser
        self.detector = detector
        self.off_topic = off_topic
        self.small_talk = small_talk
        self.router = router
        self.servable = servable  # answer ids that can be shown (a card must be one)
        self.mixes = mixes or MixFinder(None, self.analyser.canonical_words)
        self.places = places  # postcodes and the directory's area names
        self.topic = topic  # None: every answer is given, whatever the message is about

    def read(self, text: str) -> Reading:
        """The one decision about a message; what was worked out from its words while deciding
        is dropped when it is made."""
        with one_message():
            return self._decide(text)

    def _decide(self, text: str) -> Reading:
        # Typo correction and the lexicon run once; every check below reads the same words.
        corrected = self.analyser.corrected_words(text)
        canonical = self.analyser.lexicon.apply(corrected)
        found = self.matcher.match_words(canonical)
        small_talk = self.is_small_talk(text)
        card = self.detector.detect_words(canonical, text, found, small_talk)
        if card is not None and card in self.servable:
            crisis = card == self.detector.rules.crisis_card
            # the card's "Also" is the answer asked about, never the card again
            beside = found if crisis else self.next_in_line(found)
            return Reading(Route.CRISIS if crisis else Route.EMERGENCY, beside, card=card)
        if self.off_topic and self.off_topic.found_in(canonical):
            return Reading(Route.OFF_TOPIC, found)
        if small_talk:
            return Reading(Route.GREETING, found)
        crisis_card = self.detector.rules.crisis_card
        hopeless = self.detector.needs_support(canonical)
        # the crisis answer as the matcher's guess needs the topic as any guess does ("is it
        # going to rain at the weekend" is near the low moods people told on a weekend)
        matched = found.entry_id == crisis_card and not self.unrelated(found, corrected, canonical)
        if (hopeless or matched) and crisis_card in self.servable:
            if hopeless and self.about_a_drug(found, canonical):
                return Reading(Route.ANSWER, found, offer=crisis_card)
            # "whats the point of anything", "what's the crisis line in ireland": the crisis
            # answer, not silence, and not the emergency card (the detector saw no danger)
            return Reading(Route.ANSWER, found, support=crisis_card)
        stems = self.analyser.stem_all(canonical)
        need = self.router.need_in_words(stems)
        place = None
        if self.places:
            asked = need or self.router.type_in_words(stems)
            place = self.places.find(text) if asked is not None else None
            if place is not None:
                need = asked  # "needle exchange E8 1HY": the postcode says where
        if need is not None:
            return Reading(Route.SERVICES, found, need=need, place=place)
        general = self.mixing_in_general(found, canonical)
        if general is not None:  # three drugs or more ("pills, ket and drink")
            return Reading(Route.ANSWER, general)
        mix = self.mixes.mix_in(canonical)
        # A message that names two substances gets their mix answer, unless the matcher
        # answers it with something that is neither about mixing nor a drug's card, and is
        # either sure of it (its method's `sure` score) or the message asks more than the
        # pair: questions about testing, safer sex or treatment often name two drugs. Words
        # that ask about the two together ("mixing the two", "combo") settle it for the mix.
        if (
            mix is not None
            and self.mixes.table is not None
            and (
                found.entry_id is None
                or found.entry_id in self.mixes.table.related_answers
                or self.mixes.asks_about_mixing(canonical)
                or (found.score < self.matcher.settings.sure and len(canonical) < MORE_THAN_A_MIX)
            )
        ):  # "do fent strips detect nitazenes" names two drugs but asks about test strips
            return Reading(Route.ANSWER, found, mix=mix)
        if (found.entry_id is not None or found.alternatives) and self.unrelated(
            found, corrected, canonical
        ):
            # "what time is it": no answer and no "did you mean", the topics and the safety line
            return Reading(Route.NONE, found, unrelated=True)
        found = self.not_the_card(found)
        if found.entry_id is not None:
            return Reading(Route.ANSWER, found)
        if found.alternatives:
            return Reading(Route.SUGGEST, found)
        return Reading(Route.NONE, found)

    def not_the_card(self, found: Match) -> Match:
        """The match with the overdose card's place taken by the information answer next in
        line (`next_in_line`) when the card is first only by the classifier's guess: its
        words, by "stems", put another answer first. With no overdose happening now, "my mate
        stopped breathing last month, what should i have done" gets "Rescue breaths and CPR"
        with the card one tap away (its 🆘 button), not the card's "Call 999 now"; a question
        close to the card's own examples keeps it, as its writers meant."""
        card = self.detector.rules.overdose_card
        if found.entry_id != card or found.first_by_words == card:
            return found
        return self.next_in_line(found)

    def next_in_line(self, found: Match) -> Match:
        """The match with the overdose card's place taken by the answer next in line, when the
        matcher is sure of that one too (else the match as it is). Under the card, that answer
        is its "Also" ("help hes not breathing, how do i use narcan")."""
        card = self.detector.rules.overdose_card
        if found.entry_id != card:
            return found
        ranked = [(i, s) for i, s in found.ranked if i != card]
        if not ranked or ranked[0][1] < self.matcher.settings.answer:
            return found
        (best, score), *others = ranked
        runners_up = [(i, s) for i, s in others if s >= self.matcher.settings.suggest]
        return replace(found, entry_id=best, score=score, alternatives=tuple(runners_up[:3]))

    def mixing_in_general(self, found: Match, canonical: list[str]) -> Match | None:
        """The general mixing answer for three drugs or more, when the matcher has nothing
        better than one of their cards: the cards become its runners-up."""
        table = self.mixes.table
        if table is None or GENERAL_ANSWER not in self.servable:
            return None
        if found.entry_id not in (None, *table.related_answers):
            return None
        if not self.mixes.names_many(canonical):
            return None
        ranked = [(found.entry_id, found.score)] if found.entry_id is not None else []
        others = [(i, s) for i, s in (*ranked, *found.alternatives) if i != GENERAL_ANSWER]
        return Match(GENERAL_ANSWER, found.score, tuple(others[:3]))

    def about_a_drug(self, found: Match, canonical: list[str]) -> bool:
        """Low mood asked about as a drug's effect ("so low for days after the coke, why"),
        with nothing worse said: the matcher is fairly sure of an answer other than the crisis
        one, and the message names a drug."""
        return (
            found.entry_id is not None
            and found.entry_id != self.detector.rules.crisis_card
            and found.score >= ABOUT_A_DRUG
            and self.detector.only_low(canonical)
            and bool(self.mixes.substances_in(canonical))
        )

    def unrelated(self, found: Match, corrected: list[str], canonical: list[str]) -> bool:
        """A guess the matcher is not sure of, for a message with no word about drugs,
        health or the service ("what time is it", "my car needs new gear oil") and no
        overdose's words or signs, now or not."""
        if self.topic is None or found.score >= self.matcher.settings.topic_checked_below:
            return False
        if self.detector.tells_of_danger(canonical):
            return False
        return not self.topic.in_message(corrected)

    def is_small_talk(self, text: str) -> bool:
        """Only greetings, thanks and the like ("hi", "ok cool"): greet back, don't search.

        One word from outside the list and the message is searched as usual, so
        "hi how do i use narcan" is answered.
        """
        said = [plain(word) for word in words(text)]
        return bool(said) and all(word in self.small_talk for word in said)
