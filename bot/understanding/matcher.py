"""Finding the answer a message asks for.

Every message is read the same way first: words folded, typos corrected onto the content's own
words, slang mapped through the lexicon (the Analyser). A scorer then ranks the answers on their
titles, keywords and examples and on the labelled messages that ask for them
(content/<lang>/labelled/, bot/content/labelled.py), by the method the config names
(`matching.method`; the methods and how they compare are in docs/matching.md and
bot/understanding/scorers/). The Matcher turns the ranking into an answer, a "did you mean"
with choices, or nothing, with the method's thresholds. The labelled messages no answer fits
stand together as one more target, NOTHING: a message closest to them gets no answer, however
near an answer comes second.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import snowballstemmer
from rapidfuzz import process
from rapidfuzz.distance import DamerauLevenshtein, Levenshtein

from bot.content.labelled import Labelled
from bot.content.model import Entry
from bot.understanding import lexicon as lexicon_module
from bot.understanding import normalise as normalise_module
from bot.understanding.cache_files import code_of, digest
from bot.understanding.content_words import ContentWords
from bot.understanding.lexicon import Lexicon
from bot.understanding.normalise import plain, words
from bot.understanding.scorers import DEFAULT_METHOD, LARGE_LIBRARY, METHODS, build_scorer
from bot.understanding.scorers import method_for as method_for
from bot.understanding.scorers.base import (
    LONG_MESSAGE,
    Ranked,
    Scorer,
    Target,
    Thresholds,
    phrases_of,
)
from bot.understanding.word_list import word_list

try:
    import Stemmer as _FastStemmer
except ImportError:  # pragma: no cover - PyStemmer is a dependency; this is a fallback
    _FastStemmer = None

_SNOWBALL_NAMES = {"en": "english", "es": "spanish", "fr": "french", "de": "german",
                   "pt": "portuguese", "it": "italian", "nl": "dutch", "ru": "russian",
                   "pl": "polish", "uk": "ukrainian"}  # fmt: skip


# The target of the labelled messages no answer fits (an answer's id is never empty), and those
# of the labelled overdoses and crises happening now (an answer's id has no "!").
NOTHING = ""
OVERDOSE_NOW = "!overdose"
CRISIS_NOW = "!crisis"
HAPPENING_NOW = (OVERDOSE_NOW, CRISIS_NOW)
# A message nearer to the labelled overdoses or crises than to anything else, with at least
# EMERGENCY_SCORE and ahead of the next by EMERGENCY_MARGIN, is told as one (Match.emergency):
# chosen on the four tuning sets written last, measured before they were learnt
# (docs/matching.md); the margin keeps "goodbye everyone, moving to spain next week" a goodbye.
EMERGENCY_SCORE = 40.0
EMERGENCY_MARGIN = 8.0
# A message whose best answer scores this much more than the labelled overdoses (or crises)
# happening now is about something else, the examples say (Match.ahead_of_overdose and
# ahead_of_crisis, read by the emergency detector): chosen held out, where it kept every
# labelled overdose and crisis (docs/matching.md).
ANSWER_AHEAD = 30.0
# The content phrases' stems kept for this many ways of reading (Analyser.content_stems).
CONTENT_STEM_CACHES = 4
_CONTENT_STEMS: dict[tuple[object, ...], dict[str, list[str]]] = {}
# At most this many unknown words of one message are looked up for typos.
MAX_CORRECTIONS = 24


@dataclass(frozen=True)
class MatchSettings:
    method: str = DEFAULT_METHOD  # how answers are ranked (bot/understanding/scorers/)
    answer: float | None = None  # at or above: answer directly (None: the method's own)
    suggest: float | None = None  # at or above, below `answer`: "did you mean" (None: own)
    rerank: int = 8  # how many candidates a scorer looks at closely
    large: int = LARGE_LIBRARY  # from this many answers, methods that train fall back


@dataclass(frozen=True)
class Match:
    entry_id: str | None  # None: nothing good enough
    score: float
    alternatives: tuple[tuple[str, float], ...]  # (id, score), best first, at most three
    # OVERDOSE_NOW or CRISIS_NOW: the labelled messages nearest to this one tell of an overdose
    # or a crisis happening now (the emergency detector decides what that means)
    emergency: str | None = None
    # How many points the best answer scores above the labelled overdoses, and the labelled
    # crises, happening now (0 when they come first or no answer is ranked).
    ahead_of_overdose: float = 0.0
    ahead_of_crisis: float = 0.0
    # Every answer the method ranked for the message, best first, and the one first by the
    # words alone ("stems"), from the same scoring pass: the reader puts the overdose card
    # aside with them (Reader.not_the_card) without ranking the message again.
    ranked: tuple[tuple[str, float], ...] = ()
    first_by_words: str | None = None

    @property
    def confident(self) -> bool:
        return self.entry_id is not None

    @property
    def first_ranked(self) -> str | None:
        """The answer ranked first, confident or not."""
        return self.ranked[0][0] if self.ranked else None


class Analyser:
    """Message text → stems, the same way for content and for what people type."""

    def __init__(
        self,
        language: str,
        lexicon: Lexicon,
        stopwords: Iterable[str],
        keep_in: Path | None = None,
        prepare: bool = False,
    ) -> None:
        """`keep_in`: the folder where the content's phrases, once read, are kept for the next
        start (bot/understanding/content_words.py); None reads them at every start. `prepare`:
        write them there (else they are only read)."""
        self.language = language
        self._keep_in = keep_in
        self._prepare = prepare
        self.lexicon = lexicon
        self.stopwords = frozenset(plain(word) for word in stopwords)
        self._stemmer = _stemmer(language)
        self._word_list = word_list(language, keep_in, prepare)
        self._vocabulary: list[str] = []
        self._near_length: dict[int, list[str]] = {}  # a length → the words a typo of it may be
        self._known: frozenset[str] = frozenset()
        self._known_stems: frozenset[str] = frozenset()
        self._stem_of: dict[str, str] = {}  # the content's own words only, never a message's
        self._content_words: ContentWords | None = None  # made when first read, after learn
        self._reading_digest: str | None = None  # made when first asked for, after learn

    def learn(self, texts: Iterable[str]) -> None:
        """Remember the words the content uses: typo correction only ever lands on these."""
        known = set(self._known) | set(self.stopwords) | set(self.lexicon.single_word_terms)
        # One pass over them all, not one per phrase: a line break ends a word as a space does.
        known.update(plain(word) for word in words("\n".join(texts)))
        self._known = frozenset(known)
        ordered = sorted(known)
        stems = self.stem_all(ordered)
        self._stem_of = dict(zip(ordered, stems, strict=True))
        self._known_stems = frozenset(stems)
        self._vocabulary = sorted(word for word in known if len(word) >= 3)
        self._near_length = _by_length(self._vocabulary)
        self._content_words = None  # the words learnt change how every phrase reads
        self._reading_digest = None

    @property
    def content_words(self) -> ContentWords:
        """`canonical_words` for the content's own phrases, never a message's: kept, and in
        the cache folder, by everything that decides them (bot/understanding/content_words.py).
        Made when first asked for, once every word of the content is learnt."""
        if self._content_words is None:
            self._content_words = ContentWords(
                self.canonical_words, self._keep_in, self.language, self.reading, self._prepare
            )
        return self._content_words

    @property
    def known_words(self) -> frozenset[str]:
        """Every word the content uses (its phrases, stopwords and lexicon terms)."""
        return self._known

    @property
    def keep_in(self) -> Path | None:
        """The cache folder (None: nothing is kept from one start to the next)."""
        return self._keep_in

    @property
    def prepare(self) -> bool:
        """True where what is worked out from the content is written to `keep_in`."""
        return self._prepare

    @property
    def reading(self) -> str:
        """A digest of everything that decides a phrase's canonical words."""
        if self._reading_digest is None:
            self._reading_digest = self._digest_reading()
        return self._reading_digest

    def _digest_reading(self) -> str:
        return digest(
            [
                code_of(normalise_module, lexicon_module, sys.modules[__name__]),
                self.language,
                self.lexicon.digest,
                sorted(self.stopwords),
                sorted(self._known),
                None if self._word_list is None else self._word_list.letters,
                None if self._word_list is None else len(self._word_list.words),
            ]
        )

    def canonical_words(self, text: str) -> list[str]:
        """Words with typos corrected and slang mapped, stopwords still in.

        Only the first MAX_CORRECTIONS unknown words are looked up for typos (each look-up
        scans the vocabulary); the rest are kept as typed. Real questions are far shorter, and
        this keeps a 4,096-character message of gibberish from costing a third of a second.
        """
        return self.lexicon.apply(self.corrected_words(text))

    def corrected_words(self, text: str) -> list[str]:
        """The message's words with typos corrected, slang not yet mapped: what the topic
        check reads, since "crack" in "crack in the pavement" is not yet "crack cocaine"."""
        corrected: list[str] = []
        budget = MAX_CORRECTIONS
        looked_up: dict[str, str] = {}  # this message's repeated words, for this call only
        for word in words(text):
            bare = plain(word)
            single = self._g_restored(bare) or self._unstretched(bare)
            if single is not None:
                corrected.append(single)  # "goin" is "going"; "waaay" is cut to "waay": "way"
            elif budget and self._may_be_typo(bare):
                budget -= 1
                if word not in looked_up:
                    looked_up[word] = self._closest(word)
                corrected.append(looked_up[word])
            else:
                corrected.append(word)
        return corrected

    def stems(self, text: str) -> list[str]:
        return self.stems_of(self.canonical_words(text))

    def content_stems(self, texts: Sequence[str]) -> list[list[str]]:
        """`stems` of each of the content's phrases, never of a message. Kept for the process
        by what decides them (the language, the lexicon, the words learnt): every engine the
        checker and the tests build over the same content stems the same thousands of
        labelled messages, which takes longer than the rest of an engine's start."""
        key = (self.language, self.lexicon.fingerprint, self.stopwords, self._known)
        found = _CONTENT_STEMS.pop(key, None) or {}
        for oldest in list(_CONTENT_STEMS)[: max(len(_CONTENT_STEMS) + 1 - CONTENT_STEM_CACHES, 0)]:
            _CONTENT_STEMS.pop(oldest, None)
        _CONTENT_STEMS[key] = found  # the most recent last
        for text in texts:
            if text not in found:
                found[text] = self.stems_of(self.content_words(text))
        return [found[text] for text in texts]

    def everyday_stems(self, canonical: Sequence[str]) -> set[str]:
        """Stems of the words in `canonical` that are common in everyday language."""
        if self._word_list is None:
            return set()
        # Each word once: a long message says "the" and "i" hundreds of times.
        unique = dict.fromkeys(canonical)
        common = [word for word in unique if self._word_list.is_everyday(word)]
        return set(self.stem_all(common))

    def stems_of(self, canonical: Sequence[str]) -> list[str]:
        """Stems of the words that carry meaning (stopwords dropped)."""
        return self.stem_all([word for word in canonical if word not in self.stopwords])

    def stem_all(self, canonical: Sequence[str]) -> list[str]:
        if self._stemmer is None:
            return list(canonical)
        table = self._stem_of  # the content's words are looked up: stemming is the slow part
        missing = list(dict.fromkeys(word for word in canonical if word not in table))
        if not missing:
            return [table[word] for word in canonical]
        fresh = dict(zip(missing, map(str, self._stemmer.stemWords(missing)), strict=True))
        # A stemmer keeps the last word it stemmed: overwrite it, so no message word stays.
        self._stemmer.stemWord("x" * max(len(word.encode()) for word in missing))
        return [table[word] if word in table else fresh[word] for word in canonical]

    def _g_restored(self, bare: str) -> str | None:
        """An unknown word that is a known one with its final g dropped, as people type it
        ("goin", "breathin", "nothin", "turnin"), as that word: a typo's nearest word would
        often be another ("turnin" is one letter from "gurnin"), and a labelled message that
        says "goin" must still meet the phrase "going blue". None for any other word; a word
        of the general list ending so ("cabin", "heroin", "thin") is never touched."""
        if len(bare) < 4 or not bare.endswith("in") or not bare.isalpha():
            return None
        if self._word_list is not None and bare in self._word_list:
            return None
        whole = bare + "g"
        return whole if self._is_word(whole) else None

    def _unstretched(self, bare: str) -> str | None:
        """An unknown word that is a known one with a letter doubled ("waay", "soo", "noo":
        words() cuts a stretched letter to two), as that word; None for any other word."""
        if len(bare) < 3 or not bare.isalpha() or not self._vocabulary or self._is_word(bare):
            return None
        for at in range(len(bare) - 1):
            if bare[at] == bare[at + 1] and self._is_word(single := bare[:at] + bare[at + 1 :]):
                return single
        return None

    def _is_word(self, bare: str) -> bool:
        """A word the content uses or the language's word list has."""
        return bare in self._known or (self._word_list is not None and bare in self._word_list)

    def _may_be_typo(self, bare: str) -> bool:
        if bare in self._known or len(bare) < 4 or not bare.isalpha() or not self._vocabulary:
            return False
        if self.stem_all([bare])[0] in self._known_stems:
            return False  # another form of a known word ("overdoses"), not a typo
        # A real word we don't use ("joke") is never bent into one we do ("coke").
        return self._word_list is None or bare not in self._word_list

    def _closest(self, word: str) -> str:
        bare = plain(word)
        edits = _edits(len(bare))
        near = self._near_length.get(len(bare), [])
        # Levenshtein (bit-parallel, fast) is at most twice Damerau-Levenshtein, so only words
        # it puts within twice the edits can be the closest; they keep their vocabulary order.
        within = process.extract(
            bare, near, scorer=Levenshtein.distance, score_cutoff=2 * edits, limit=None
        )
        candidates = [near[index] for _, _, index in sorted(within, key=lambda item: item[2])]
        found = process.extractOne(
            bare, candidates, scorer=DamerauLevenshtein.distance, score_cutoff=edits
        )
        if found is None:
            return word
        if found[1] > 1 and self._one_edit_from_a_real_word(bare):
            return word  # "recomend" is one letter from "recommend", two from "rehomed"
        return str(found[0])

    def _one_edit_from_a_real_word(self, bare: str) -> bool:
        return self._word_list is not None and self._word_list.one_edit_from_a_word(bare)


@dataclass(frozen=True)
class Ranking:
    """How answers are ranked now: a method, its scorer and its thresholds, swapped whole."""

    method: str
    scorer: Scorer
    settings: Thresholds


class Matcher:
    """The answer for a message: a scorer ranks the answers, the method's thresholds decide.

    The method (`matching.method` in the config, docs/matching.md) only changes how answers are
    ranked; what counts as sure, unsure or nothing is decided here the same way for all.
    """

    def __init__(
        self,
        entries: Sequence[Entry],
        analyser: Analyser,
        settings: MatchSettings | None = None,
        labelled: Labelled | None = None,
        start_with: str | None = None,
    ) -> None:
        """`labelled`: the labelled messages to rank with from the start (`learn` adds them
        later). `start_with`: the method to rank with until `learn` (None: the configured
        one): a bot that learns later starts with "stems", which is ready in a fraction of
        the time a method that trains needs (scikit-learn alone takes most of a second)."""
        settings = settings or MatchSettings()
        self.analyser = analyser
        self.ids = [entry.id for entry in entries]  # the answers it can offer
        # Typos are corrected onto the answers' own words only, never onto a labelled
        # message's (those are spelt the way people spell).
        analyser.learn(text for entry in entries for text in phrases_of(entry))
        self._entries = list(entries)
        self._given = settings
        self.method = method_for(settings.method, len(entries), settings.large)
        first = method_for(start_with, len(entries), settings.large) if start_with else self.method
        self._ranking = self._ranking_for(first, labelled or Labelled())

    @property
    def ranking(self) -> Ranking:
        return self._ranking

    @property
    def scorer(self) -> Scorer:
        return self._ranking.scorer

    @property
    def settings(self) -> Thresholds:
        return self._ranking.settings

    @settings.setter
    def settings(self, settings: Thresholds) -> None:
        """Other thresholds for the method ranking now (benchmarks/tune_matching.py)."""
        self._ranking = replace(self._ranking, settings=settings)

    def learn(self, labelled: Labelled) -> None:
        """Rank with `labelled` too from now on, by the configured method. The new scorer is
        built aside and swapped in whole with its thresholds, so a message read meanwhile
        (bot/understanding/learning.py) is ranked by the old ranking or the new one, never
        half of each."""
        self._ranking = self._ranking_for(self.method, labelled)

    def _ranking_for(self, method: str, labelled: Labelled) -> Ranking:
        targets = targets_of(self._entries, labelled)
        scorer = build_scorer(method, targets, self.analyser, self._given.rerank)
        own = METHODS[method].thresholds
        if method != self.method:  # the configured thresholds are the configured method's
            return Ranking(method, scorer, own)
        answer, suggest = self._given.answer, self._given.suggest
        return Ranking(
            method,
            scorer,
            replace(
                own,
                answer=own.answer if answer is None else answer,
                suggest=own.suggest if suggest is None else suggest,
            ),
        )

    def match(self, text: str) -> Match:
        return self.match_words(self.analyser.canonical_words(text))

    def match_words(self, canonical: Sequence[str]) -> Match:
        """As `match`, for a message already turned into canonical words."""
        ranking = self._ranking  # read once: the learning thread may swap it meanwhile
        ranked, by_words = ranking.scorer.rank_both(canonical)
        answers, words_alone = _answers(ranked), _answers(by_words)
        found = replace(
            self._decide(answers, ranking.settings, len(canonical)),
            ranked=tuple(answers),
            first_by_words=words_alone[0][0] if words_alone else None,
            ahead_of_overdose=_ahead_of(OVERDOSE_NOW, ranked, answers),
            ahead_of_crisis=_ahead_of(CRISIS_NOW, ranked, answers),
        )
        if ranked and ranked[0][0] in HAPPENING_NOW and ranked[0][1] >= EMERGENCY_SCORE:
            runner_up = ranked[1][1] if len(ranked) > 1 else 0.0
            if ranked[0][1] - runner_up >= EMERGENCY_MARGIN:
                return replace(found, emergency=ranked[0][0])
        return found

    def rank_words(self, canonical: Sequence[str]) -> Ranked:
        """The answers for a message, best first; none when it is closest to NOTHING."""
        return _answers(self.scorer.rank(canonical))

    def _decide(self, ranked: Ranked, settings: Thresholds, length: int = 0) -> Match:
        if length >= LONG_MESSAGE and settings.long_discount:
            # a story before the question: the same match scores lower (docs/matching.md)
            answer = max(settings.answer - settings.long_discount, settings.suggest)
            settings = replace(settings, answer=answer)
        if not ranked or ranked[0][1] < settings.suggest:
            return Match(None, ranked[0][1] if ranked else 0.0, ())
        best_id, best = ranked[0]
        floor = best - settings.close if best >= settings.answer else settings.suggest
        others = tuple((i, s) for i, s in ranked[1:4] if s >= max(floor, settings.suggest))
        if best >= settings.answer:
            return Match(best_id, best, others)
        return Match(None, best, ((best_id, best), *others)[:3])


def forget_content_stems() -> None:
    """Drop the content phrases' stems kept for building more engines (a running bot builds
    no more)."""
    _CONTENT_STEMS.clear()


def targets_of(entries: Sequence[Entry], labelled: Labelled) -> list[Target]:
    """What the scorer ranks: each answer with its own phrases and the labelled messages that
    ask for it; NOTHING with those no answer fits, OVERDOSE_NOW and CRISIS_NOW with the
    overdoses and crises (each when there are any)."""
    taught = labelled.by_answer
    targets = []
    for entry in entries:
        own = phrases_of(entry)
        targets.append(Target(entry.id, (*own, *taught.get(entry.id, ())), len(own)))
    told = ((NOTHING, labelled.unanswered), (OVERDOSE_NOW, labelled.overdoses),
            (CRISIS_NOW, labelled.crises))  # fmt: skip
    targets += [Target(target, texts) for target, texts in told if texts]
    return targets


def _answers(ranked: Ranked) -> Ranked:
    """The answers of a ranking: none when NOTHING is the nearest of them."""
    answers = [(target, score) for target, score in ranked if target not in HAPPENING_NOW]
    if answers and answers[0][0] == NOTHING:
        return []
    return [(target, score) for target, score in answers if target != NOTHING]


def _ahead_of(happening: str, ranked: Ranked, answers: Ranked) -> float:
    """How far the best answer scores above the labelled messages of `happening`."""
    if not answers:
        return 0.0
    labelled = next((score for target, score in ranked if target == happening), 0.0)
    return max(answers[0][1] - labelled, 0.0)


def _edits(length: int) -> int:
    """How many edits a typo of a word this long may be away from the word meant."""
    return 1 if length < 8 else 2


def _by_length(vocabulary: list[str]) -> dict[int, list[str]]:
    """For each length a typo may have, the words within its edits in length, in vocabulary
    order: an edit distance is at least the difference in length, so no other word can be
    the closest, and a typo is compared with a few hundred words instead of all of them."""
    lengths = {len(word) for word in vocabulary}
    longest = max(lengths, default=0) + 2
    return {
        length: [word for word in vocabulary if abs(len(word) - length) <= _edits(length)]
        for length in range(4, longest + 1)
    }


def _stemmer(language: str) -> Any:
    """The language's Snowball stemmer: PyStemmer's C one (the same stems, some 50 times
    faster, so a 4,096-character message is read in milliseconds) with its cache off, since
    the cache would keep the words of messages; the pure-Python one where it isn't installed."""
    name = _SNOWBALL_NAMES.get(language)
    if name is None:
        return None
    if _FastStemmer is not None:
        return _FastStemmer.Stemmer(name, 0)
    return snowballstemmer.stemmer(name)
