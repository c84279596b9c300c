"""Finding the answer a message asks for.

Each answer's title, keywords and examples are turned into weighted word vectors (TF-IDF over
stems, after the slang lexicon and typo correction). A message is scored against every answer
by how well it matches the closest single example and the answer as a whole, then the best few
are re-ranked with rapidfuzz's string similarity, which is kind to word order and partial words.

Scores run 0-100. Words the content has never seen count against a match, which is what lets
"what's the weather" fall below the threshold instead of reaching the nearest answer.
"""

from __future__ import annotations

import heapq
import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import snowballstemmer
from rapidfuzz import fuzz, process
from rapidfuzz.distance import DamerauLevenshtein, Levenshtein
from spellchecker import SpellChecker

from bot.content.model import Entry
from bot.understanding.lexicon import Lexicon
from bot.understanding.normalise import plain, words

try:
    import Stemmer as _FastStemmer
except ImportError:  # pragma: no cover - PyStemmer is a dependency; this is a fallback
    _FastStemmer = None

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
# At most this many unknown words of one message are looked up for typos.
MAX_CORRECTIONS = 40


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
        self._stemmer = _stemmer(language)
        self._dictionary = _dictionary(language)
        self._vocabulary: list[str] = []
        self._near_length: dict[int, list[str]] = {}  # a length → the words a typo of it may be
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
        self._near_length = _by_length(self._vocabulary)

    def canonical_words(self, text: str) -> list[str]:
        """Words with typos corrected and slang mapped, stopwords still in.

        Only the first MAX_CORRECTIONS unknown words are looked up for typos (each look-up
        scans the vocabulary); the rest are kept as typed. Real questions are far shorter, and
        this keeps a 4,096-character message of gibberish from costing a third of a second.
        """
        corrected: list[str] = []
        budget = MAX_CORRECTIONS
        looked_up: dict[str, str] = {}  # this message's repeated words, for this call only
        for word in words(text):
            if budget and self._may_be_typo(plain(word)):
                budget -= 1
                if word not in looked_up:
                    looked_up[word] = self._closest(word)
                corrected.append(looked_up[word])
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
        missing = list(dict.fromkeys(word for word in canonical if word not in table))
        if not missing:
            return [table[word] for word in canonical]
        fresh = dict(zip(missing, map(str, self._stemmer.stemWords(missing)), strict=True))
        # A stemmer keeps the last word it stemmed: overwrite it, so no message word stays.
        self._stemmer.stemWord("x" * max(len(word.encode()) for word in missing))
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
                    centroid[stem] += weight
            for stem, weight in _unit(centroid).items():
                self._entry_postings[stem].append((index, weight))
        # Per stem: (entry, weight in the entry as a whole, highest weight in any one of its
        # phrases). The last bounds how well an entry's closest phrase can match a message, so
        # `rank` scores phrases only of the entries that can still make the shortlist.
        heaviest: dict[tuple[str, int], float] = defaultdict(float)
        for phrase in self._phrases:
            for stem, weight in phrase.vector.items():
                key = (stem, phrase.entry)
                heaviest[key] = max(heaviest[key], weight)
        self._entry_bounds = {
            stem: [(entry, weight, heaviest[stem, entry]) for entry, weight in postings]
            for stem, postings in self._entry_postings.items()
        }
        self._texts_by_entry = [
            [self._phrases[p].text for p in ps] for ps in self._phrases_by_entry
        ]

    def _vector(self, stems: Sequence[str], unknown_weight: float = 0.0) -> dict[str, float]:
        vector: dict[str, float] = {}
        for stem in stems:
            vector[stem] = self._idf.get(stem, unknown_weight)
        return _unit({stem: weight for stem, weight in vector.items() if weight > 0})

    def match(self, text: str) -> Match:
        return self.match_words(self.analyser.canonical_words(text))

    def match_words(self, canonical: Sequence[str]) -> Match:
        """As `match`, for a message already turned into canonical words."""
        return self._decide(self.rank_words(canonical))

    def rank_words(self, canonical: Sequence[str]) -> list[tuple[str, float]]:
        stems = self.analyser.stems_of(canonical)
        everyday = self.analyser.everyday_stems(canonical)
        query = self._vector(stems, unknown_weight=self._unknown_idf * UNKNOWN_WEIGHT)
        if not query:
            return []
        # The answer as a whole exactly; its closest phrase first only as an upper bound.
        whole: dict[int, float] = {}
        bound: dict[int, float] = {}
        for stem, weight in query.items():
            for entry, entry_weight, phrase_weight in self._entry_bounds.get(stem, ()):
                whole[entry] = whole.get(entry, 0.0) + weight * entry_weight
                bound[entry] = bound.get(entry, 0.0) + weight * phrase_weight
        # Score the closest phrase exactly, best bound first, until no bound can beat the
        # shortlist. Ties keep the order entries were first met in, as a full sort would.
        waiting = [
            (-(PHRASE_WEIGHT * bound[e] + WHOLE_WEIGHT * whole[e]), first, e)
            for first, e in enumerate(whole)
        ]
        heapq.heapify(waiting)
        terms = list(query.items())
        size = self.settings.rerank
        best: list[tuple[float, int, int]] = []  # a min-heap of (coarse, -first, entry)
        coarse: dict[int, float] = {}
        while waiting and (len(best) < size or best[0][0] <= -waiting[0][0]):
            _, first, entry = heapq.heappop(waiting)
            best_phrase = 0.0
            for number in self._phrases_by_entry[entry]:
                vector = self._phrases[number].vector
                score = 0.0
                if len(vector) < len(terms):  # a long message: walk the phrase's few stems
                    for stem, phrase_weight in vector.items():
                        in_query = query.get(stem)
                        if in_query is not None:
                            score += in_query * phrase_weight
                else:
                    for stem, weight in terms:
                        in_phrase = vector.get(stem)
                        if in_phrase is not None:
                            score += weight * in_phrase
                if score > best_phrase:
                    best_phrase = score
            coarse[entry] = PHRASE_WEIGHT * best_phrase + WHOLE_WEIGHT * whole[entry]
            item = (coarse[entry], -first, entry)
            if len(best) < size:
                heapq.heappush(best, item)
            elif item > best[0]:
                heapq.heapreplace(best, item)
        shortlist = [entry for _, _, entry in sorted(best, reverse=True)]
        query_text = " ".join(stems)
        specific = [stem for stem in query if stem not in everyday]
        scored = []
        for entry in shortlist:
            closest = process.extractOne(
                query_text, self._texts_by_entry[entry], scorer=fuzz.token_sort_ratio
            )
            similarity = closest[1] / 100 if closest else 0.0
            score = (1 - FUZZY_WEIGHT) * coarse[entry] + FUZZY_WEIGHT * similarity
            if self._stems_of_entry[entry].isdisjoint(specific):
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
