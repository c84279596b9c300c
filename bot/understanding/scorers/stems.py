"""Method "stems", the first scorer: weighted word vectors over stems, fuzzy re-ranked.

Each answer's title, keywords and examples are turned into weighted word vectors (TF-IDF over
stems, after the slang lexicon and typo correction). A message is scored against every answer
by how well it matches the closest single example and the answer as a whole, then the best few
are re-ranked with rapidfuzz's string similarity, which is kind to word order and partial words.

Scores run 0-100. Words the content has never seen count against a match, which is what lets
"what's the weather" fall below the threshold instead of reaching the nearest answer. It needs
nothing but the standard library and rapidfuzz, indexes 5,000 answers in a few seconds and
answers them within the latency targets, so it is also what other methods fall back on for
large libraries.
"""

from __future__ import annotations

import heapq
import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from rapidfuzz import fuzz, process

from bot.content.model import Entry
from bot.understanding.scorers.base import Ranked, phrases_of

if TYPE_CHECKING:
    from bot.understanding.matcher import Analyser

# How a score is made (0-1 each, weighted to 0-100): the closest single example, the answer's
# words as a whole, and rapidfuzz's similarity to the closest example. Words the content has
# never seen weigh UNKNOWN_WEIGHT times the rarest known word.
PHRASE_WEIGHT = 0.4
WHOLE_WEIGHT = 0.6
FUZZY_WEIGHT = 0.25
UNKNOWN_WEIGHT = 1.3
# Everyday words ("good", "time", "cool") can't carry a match on their own: an answer that
# shares only such words with a message gets its score multiplied by this.
EVERYDAY_ONLY_FACTOR = 0.8


@dataclass(frozen=True)
class _Phrase:
    entry: int
    vector: dict[str, float]
    text: str  # its stems joined, for the fuzzy comparison


class StemScorer:
    """Method "stems": the closest example and the answer as a whole, fuzzy re-ranked."""

    def __init__(self, entries: Sequence[Entry], analyser: Analyser, rerank: int = 8) -> None:
        self.analyser = analyser
        self.rerank = rerank
        self.ids = [entry.id for entry in entries]

        stemmed = [[analyser.stems(text) for text in phrases_of(entry)] for entry in entries]
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

    def rank(self, canonical: Sequence[str]) -> Ranked:
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
        size = self.rerank
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


def _unit(vector: dict[str, float]) -> dict[str, float]:
    norm = math.sqrt(sum(weight * weight for weight in vector.values()))
    return {key: weight / norm for key, weight in vector.items()} if norm else {}
