"""Finding the answer a message asks for.

Every message is read the same way first: words folded, typos corrected onto the content's own
words, slang mapped through the lexicon (the Analyser). A scorer then ranks the answers on their
titles, keywords and examples, by the method the config names (`matching.method`; the methods
and how they compare are in docs/matching.md and bot/understanding/scorers/). The Matcher turns
the ranking into an answer, a "did you mean" with choices, or nothing, with the method's
thresholds.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

import snowballstemmer
from rapidfuzz import process
from rapidfuzz.distance import DamerauLevenshtein
from spellchecker import SpellChecker

from bot.content.model import Entry
from bot.understanding.lexicon import Lexicon
from bot.understanding.normalise import plain, words
from bot.understanding.scorers import DEFAULT_METHOD, LARGE_LIBRARY, METHODS, build_scorer
from bot.understanding.scorers import method_for as method_for
from bot.understanding.scorers.base import Ranked, phrases_of

_SNOWBALL_NAMES = {"en": "english", "es": "spanish", "fr": "french", "de": "german",
                   "pt": "portuguese", "it": "italian", "nl": "dutch", "ru": "russian",
                   "pl": "polish", "uk": "ukrainian"}  # fmt: skip


# A word is everyday when the language's general word list gives it at least this frequency:
# such words ("good", "time", "cool") can't carry a match on their own.
EVERYDAY_FREQUENCY = 3e-5
# At most this many unknown words of one message are looked up for typos.
MAX_CORRECTIONS = 40


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

    @property
    def confident(self) -> bool:
        return self.entry_id is not None


class Analyser:
    """Message text → stems, the same way for content and for what people type."""

    def __init__(self, language: str, lexicon: Lexicon, stopwords: Iterable[str]) -> None:
        self.lexicon = lexicon
        self.stopwords = frozenset(plain(word) for word in stopwords)
        name = _SNOWBALL_NAMES.get(language)
        self._stemmer = snowballstemmer.stemmer(name) if name else None
        self._dictionary = _dictionary(language)
        self._vocabulary: list[str] = []
        self._known: frozenset[str] = frozenset()
        self._known_stems: frozenset[str] = frozenset()
        self._stem_of: dict[str, str] = {}  # the content's own words only, never a message's

    def learn(self, texts: Iterable[str]) -> None:
        """Remember the words the content uses: typo correction only ever lands on these."""
        known = set(self._known) | set(self.stopwords) | set(self.lexicon.single_word_terms)
        for text in texts:
            known.update(plain(word) for word in words(text))
        self._known = frozenset(known)
        ordered = sorted(known)
        stems = self.stem_all(ordered)
        self._stem_of = dict(zip(ordered, stems, strict=True))
        self._known_stems = frozenset(stems)
        self._vocabulary = sorted(word for word in known if len(word) >= 3)

    def canonical_words(self, text: str) -> list[str]:
        """Words with typos corrected and slang mapped, stopwords still in.

        Only the first MAX_CORRECTIONS unknown words are looked up for typos (each look-up
        scans the vocabulary); the rest are kept as typed. Real questions are far shorter, and
        this keeps a 4,096-character message of gibberish from costing a third of a second.
        """
        corrected: list[str] = []
        budget = MAX_CORRECTIONS
        for word in words(text):
            if budget and self._may_be_typo(plain(word)):
                budget -= 1
                corrected.append(self._closest(word))
            else:
                corrected.append(word)
        return self.lexicon.apply(corrected)

    def stems(self, text: str) -> list[str]:
        return self.stems_of(self.canonical_words(text))

    def everyday_stems(self, canonical: Sequence[str]) -> set[str]:
        """Stems of the words in `canonical` that are common in everyday language."""
        if self._dictionary is None:
            return set()
        frequency = self._dictionary.word_usage_frequency
        common = [word for word in canonical if frequency(word) >= EVERYDAY_FREQUENCY]
        return set(self.stem_all(common))

    def stems_of(self, canonical: Sequence[str]) -> list[str]:
        """Stems of the words that carry meaning (stopwords dropped)."""
        return self.stem_all([word for word in canonical if word not in self.stopwords])

    def stem_all(self, canonical: Sequence[str]) -> list[str]:
        if self._stemmer is None:
            return list(canonical)
        table = self._stem_of  # the content's words are looked up: stemming is the slow part
        missing = [word for word in canonical if word not in table]
        if not missing:
            return [table[word] for word in canonical]
        fresh = dict(zip(missing, map(str, self._stemmer.stemWords(missing)), strict=True))
        self._stemmer.set_current("")  # it keeps the last word it stemmed: keep no message word
        return [table[word] if word in table else fresh[word] for word in canonical]

    def _may_be_typo(self, bare: str) -> bool:
        if bare in self._known or len(bare) < 4 or not bare.isalpha() or not self._vocabulary:
            return False
        if self.stem_all([bare])[0] in self._known_stems:
            return False  # another form of a known word ("overdoses"), not a typo
        # A real word we don't use ("joke") is never bent into one we do ("coke").
        return self._dictionary is None or bare not in self._dictionary

    def _closest(self, word: str) -> str:
        bare = plain(word)
        edits = 1 if len(bare) < 8 else 2
        found = process.extractOne(
            bare, self._vocabulary, scorer=DamerauLevenshtein.distance, score_cutoff=edits
        )
        return found[0] if found else word


class Matcher:
    """The answer for a message: a scorer ranks the answers, the method's thresholds decide.

    The method (`matching.method` in the config, docs/matching.md) only changes how answers are
    ranked; what counts as sure, unsure or nothing is decided here the same way for all.
    """

    def __init__(
        self, entries: Sequence[Entry], analyser: Analyser, settings: MatchSettings | None = None
    ) -> None:
        settings = settings or MatchSettings()
        self.analyser = analyser
        analyser.learn(text for entry in entries for text in phrases_of(entry))
        self.method = method_for(settings.method, len(entries), settings.large)
        self.scorer = build_scorer(self.method, entries, analyser, settings.rerank)
        own = METHODS[self.method].thresholds
        self.settings = replace(
            own,
            answer=own.answer if settings.answer is None else settings.answer,
            suggest=own.suggest if settings.suggest is None else settings.suggest,
        )

    def match(self, text: str) -> Match:
        return self.match_words(self.analyser.canonical_words(text))

    def match_words(self, canonical: Sequence[str]) -> Match:
        """As `match`, for a message already turned into canonical words."""
        return self._decide(self.rank_words(canonical))

    def rank_words(self, canonical: Sequence[str]) -> Ranked:
        return self.scorer.rank(canonical)

    def _decide(self, ranked: list[tuple[str, float]]) -> Match:
        settings = self.settings
        if not ranked or ranked[0][1] < settings.suggest:
            return Match(None, ranked[0][1] if ranked else 0.0, ())
        best_id, best = ranked[0]
        floor = best - settings.close if best >= settings.answer else settings.suggest
        others = tuple((i, s) for i, s in ranked[1:4] if s >= max(floor, settings.suggest))
        if best >= settings.answer:
            return Match(best_id, best, others)
        return Match(None, best, ((best_id, best), *others)[:3])


def _dictionary(language: str) -> SpellChecker | None:
    """The language's general word list, so real words are never "corrected" into ours."""
    try:
        return SpellChecker(language=language)
    except ValueError:
        return None
