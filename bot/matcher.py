"""Finding the answer a message asks for.

Each answer's title, keywords and examples are turned into weighted word vectors (TF-IDF over
stems, after the slang lexicon and typo correction). A message is scored against every answer
by how well it matches the closest single example and the answer as a whole, then the best few
are re-ranked with rapidfuzz's string similarity, which is kind to word order and partial words.

Scores run 0-100. Words the content has never seen count against a match, which is what lets
"what's the weather" fall below the threshold instead of reaching the nearest answer.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import snowballstemmer
from rapidfuzz import fuzz, process
from rapidfuzz.distance import DamerauLevenshtein
from spellchecker import SpellChecker

from bot.lexicon import Lexicon
from bot.model import Entry
from bot.normalise import plain, words

_SNOWBALL_NAMES = {"en": "english", "es": "spanish", "fr": "french", "de": "german",
                   "pt": "portuguese", "it": "italian", "nl": "dutch", "ru": "russian",
                   "pl": "polish", "uk": "ukrainian"}  # fmt: skip


# How a score is made (0-1 each, weighted to 0-100): the closest single example, the answer's
# words as a whole, and rapidfuzz's similarity to the closest example. Words the content has
# never seen weigh UNKNOWN_WEIGHT times the rarest known word.
PHRASE_WEIGHT = 0.4
WHOLE_WEIGHT = 0.6
FUZZY_WEIGHT = 0.25
UNKNOWN_WEIGHT = 1.3
# Everyday words ("good", "time", "cool") can't carry a match on their own: an answer that
# shares only such words with a message gets its score multiplied by this. A word is everyday
# when the language's general word list gives it at least this frequency.
EVERYDAY_ONLY_FACTOR = 0.8
EVERYDAY_FREQUENCY = 3e-5


@dataclass(frozen=True)
class MatchSettings:
    answer: float = 30.0  # at or above: answer directly
    suggest: float = 22.0  # at or above (and below `answer`): offer "did you mean"
    close: float = 8.0  # runners-up within this many points are offered too
    rerank: int = 8  # how many candidates the fuzzy re-ranking looks at


@dataclass(frozen=True)
class Match:
    entry_id: str | None  # None: nothing good enough
    score: float
    alternatives: tuple[tuple[str, float], ...]  # (id, score), best first, at most three

    @property
    def confident(self) -> bool:
        return self.entry_id is not None


@dataclass(frozen=True)
class _Phrase:
    entry: int
    vector: dict[str, float]
    text: str  # its stems joined, for the fuzzy comparison


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

    def learn(self, texts: Iterable[str]) -> None:
        """Remember the words the content uses: typo correction only ever lands on these."""
        known = set(self._known) | set(self.stopwords) | set(self.lexicon.single_word_terms)
        for text in texts:
            known.update(plain(word) for word in words(text))
        self._known = frozenset(known)
        self._known_stems = frozenset(self.stem_all(sorted(known)))
        self._vocabulary = sorted(word for word in known if len(word) >= 3)

    def canonical_words(self, text: str) -> list[str]:
        """Words with typos corrected and slang mapped, stopwords still in."""
        corrected = [self.correct(word) for word in words(text)]
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
        return [str(stem) for stem in self._stemmer.stemWords(list(canonical))]

    def correct(self, word: str) -> str:
        """The closest known word for a likely typo; the word itself when nothing is close.

        One edit (a swapped pair counts as one: "freind") for words up to seven letters, two
        for longer ones. Short words are left alone: at three letters almost everything is one
        edit away.
        """
        bare = plain(word)
        if bare in self._known or len(bare) < 4 or not bare.isalpha() or not self._vocabulary:
            return word
        if self.stem_all([bare])[0] in self._known_stems:
            return word  # another form of a known word ("overdoses"), not a typo
        if self._dictionary is not None and bare in self._dictionary:
            return word  # a real word we don't use ("joke"): never bend it into "coke"
        edits = 1 if len(bare) < 8 else 2
        found = process.extractOne(
            bare, self._vocabulary, scorer=DamerauLevenshtein.distance, score_cutoff=edits
        )
        return found[0] if found else word


class Matcher:
    def __init__(
        self, entries: Sequence[Entry], analyser: Analyser, settings: MatchSettings | None = None
    ) -> None:
        self.settings = settings or MatchSettings()
        self.analyser = analyser
        self.ids = [entry.id for entry in entries]
        analyser.learn(text for entry in entries for text in _phrases_of(entry))

        stemmed = [[analyser.stems(text) for text in _phrases_of(entry)] for entry in entries]
        document_frequency: dict[str, int] = defaultdict(int)
        for phrases in stemmed:
            for stem in {stem for phrase in phrases for stem in phrase}:
                document_frequency[stem] += 1
        count = max(len(entries), 1)
        self._idf = {
            s: math.log((count + 1) / (df + 1)) + 1 for s, df in document_frequency.items()
        }
        self._unknown_idf = math.log(count + 1) + 1

        self._phrases: list[_Phrase] = []
        self._phrase_postings: dict[str, list[tuple[int, float]]] = defaultdict(list)
        self._entry_postings: dict[str, list[tuple[int, float]]] = defaultdict(list)
        self._phrases_by_entry: list[list[int]] = [[] for _ in entries]
        self._stems_of_entry = [{s for phrase in phrases for s in phrase} for phrases in stemmed]
        for index, phrases in enumerate(stemmed):
            centroid: dict[str, float] = defaultdict(float)
            for stems in phrases:
                vector = self._vector(stems)
                if not vector:
                    continue
                number = len(self._phrases)
                self._phrases.append(_Phrase(index, vector, " ".join(stems)))
                self._phrases_by_entry[index].append(number)
                for stem, weight in vector.items():
                    self._phrase_postings[stem].append((number, weight))
                    centroid[stem] += weight
            for stem, weight in _unit(centroid).items():
                self._entry_postings[stem].append((index, weight))

    def _vector(self, stems: Sequence[str], unknown_weight: float = 0.0) -> dict[str, float]:
        vector: dict[str, float] = {}
        for stem in stems:
            vector[stem] = self._idf.get(stem, unknown_weight)
        return _unit({stem: weight for stem, weight in vector.items() if weight > 0})

    def match(self, text: str) -> Match:
        return self._decide(self.rank(text))

    def rank(self, text: str) -> list[tuple[str, float]]:
        """The best few answers for a text with their scores, best first, before any threshold."""
        canonical = self.analyser.canonical_words(text)
        stems = self.analyser.stems_of(canonical)
        everyday = self.analyser.everyday_stems(canonical)
        query = self._vector(stems, unknown_weight=self._unknown_idf * UNKNOWN_WEIGHT)
        if not query:
            return []
        best_phrase: dict[int, float] = defaultdict(float)
        phrase_scores: dict[int, float] = defaultdict(float)
        for stem, weight in query.items():
            for phrase, phrase_weight in self._phrase_postings.get(stem, ()):
                phrase_scores[phrase] += weight * phrase_weight
        for phrase, score in phrase_scores.items():
            entry = self._phrases[phrase].entry
            if score > best_phrase[entry]:
                best_phrase[entry] = score
        whole: dict[int, float] = defaultdict(float)
        for stem, weight in query.items():
            for entry, entry_weight in self._entry_postings.get(stem, ()):
                whole[entry] += weight * entry_weight
        coarse = {e: PHRASE_WEIGHT * best_phrase[e] + WHOLE_WEIGHT * whole[e] for e in best_phrase}
        shortlist = sorted(coarse, key=coarse.__getitem__, reverse=True)[: self.settings.rerank]
        query_text = " ".join(stems)
        scored = []
        for entry in shortlist:
            similarity = max(
                fuzz.token_sort_ratio(query_text, self._phrases[p].text) / 100
                for p in self._phrases_by_entry[entry]
            )
            score = (1 - FUZZY_WEIGHT) * coarse[entry] + FUZZY_WEIGHT * similarity
            specific = (stem for stem in query if stem not in everyday)
            if not any(stem in self._stems_of_entry[entry] for stem in specific):
                score *= EVERYDAY_ONLY_FACTOR
            scored.append((100 * score, entry))
        scored.sort(reverse=True)
        return [(self.ids[entry], round(score, 1)) for score, entry in scored]

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


def _phrases_of(entry: Entry) -> list[str]:
    return [entry.title, *entry.meta.keywords, *entry.meta.examples]


def _unit(vector: dict[str, float]) -> dict[str, float]:
    norm = math.sqrt(sum(weight * weight for weight in vector.values()))
    return {key: weight / norm for key, weight in vector.items()} if norm else {}
