"""Whether a message is about drugs, using, the body and health, or this service at all.

The matcher ranks answers on the words a message shares with them, so an everyday message that
shares one word ("a crack in the pavement", "what time is it") gets an answer it has nothing to
do with. The reading step (reading.py) asks this check before it gives an answer the matcher is
not sure of: a message with no topic word gets the no-answer reply instead.

The vocabulary is data: `content/<lang>/topic-words.yaml` (words and phrases staff can add to),
the words the lexicon maps slang onto ("heroin", "naloxone"), and the uncommon words of the
answers' titles and keywords ("abscess", "marquis"). Words with an everyday sense ("crack",
"line", "shot", "gear") and the lexicon's street names that need context never count on their
own: such a word is about drugs only with a topic word near it (then that word is enough), or
with a word of using near it that is too common to count alone ("try gear", "took a bag").
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from bot.understanding.lexicon import CONTEXT_WINDOW
from bot.understanding.normalise import plain, words

if TYPE_CHECKING:
    from bot.understanding.matcher import Analyser

BLANK = ""  # stands in for an everyday word, so the words around it stay apart


class TopicWords:
    """Built once per language from its topic words, lexicon and answers; `in_message` is pure."""

    def __init__(
        self,
        analyser: Analyser,
        topic: Iterable[str],
        everyday: Iterable[str],
        answer_words: Iterable[str] = (),
        using: Iterable[str] = (),
        elsewhere: Iterable[str] = (),
    ) -> None:
        self.analyser = analyser
        lexicon = analyser.lexicon
        self.everyday = frozenset(plain(word) for term in everyday for word in words(term))
        self.everyday |= lexicon.contextual_words
        self.using = frozenset(plain(word) for term in using for word in words(term))
        self.elsewhere = frozenset(plain(word) for term in elsewhere for word in words(term))
        singles: set[str] = set()
        phrases: set[tuple[str, ...]] = set(lexicon.phrases)
        for term in topic:
            said = tuple(plain(word) for word in words(term))
            if len(said) == 1:
                singles.update(said)
            elif said:
                phrases.add(said)  # "first aid": the whole phrase, not "first" anywhere
        # What the lexicon maps onto and the answers' own uncommon words, everyday ones left out.
        derived = {*lexicon.canonical_words, *(plain(word) for word in answer_words)}
        singles.update(word for word in derived if self._specific(word))
        stems = analyser.stem_all(sorted(singles - self.everyday))
        self.stems = frozenset(stem for stem in stems if len(stem) > 1)  # "aed" stems to "a"
        self.phrases = frozenset(phrases)
        self._lengths = sorted({len(phrase) for phrase in phrases}, reverse=True)

    def _specific(self, word: str) -> bool:
        """A word only drug, health or service talk uses: not a stopword, not everyday."""
        analyser = self.analyser
        return (
            len(word) > 2
            and word.isalpha()
            and word not in analyser.stopwords
            and word not in self.everyday
            and not analyser.everyday_stems([word])
        )

    def in_message(self, corrected: Sequence[str]) -> bool:
        """Whether a message, its words typo-corrected but slang not yet mapped, has a topic
        word or phrase: "is the rock laced" has ("laced"), "mind the crack in the step"
        doesn't ("crack" is everyday, and nothing near it is about drugs)."""
        said = [plain(word) for word in corrected]
        if self._has_phrase(said) or self._everyday_in_use(said):
            return True
        # As typed, apostrophes and all: the lexicon tells "od'd" from "odd". Everyday words
        # never count here, nor any word next to a word of an everyday sense ("the spice rack").
        elsewhere = self._near_elsewhere(said)
        pairs = zip(corrected, said, strict=True)
        kept = [
            BLANK if bare in self.everyday or at in elsewhere else word
            for at, (word, bare) in enumerate(pairs)
        ]
        mapped = self.analyser.lexicon.apply(kept)
        meaningful = [w for w in mapped if w and w not in self.analyser.stopwords]
        return any(stem in self.stems for stem in self.analyser.stem_all(meaningful))

    def _near_elsewhere(self, said: list[str]) -> set[int]:
        """Where the words near a word of an everyday sense stand ("sewing machine")."""
        return {
            at
            for k, word in enumerate(said)
            if word in self.elsewhere
            for at in range(k - CONTEXT_WINDOW, k + CONTEXT_WINDOW + 1)
        }

    def _everyday_in_use(self, said: list[str]) -> bool:
        """An everyday word with a word of using near it: "want to try gear", "took a bag";
        not with a word of its everyday sense near too ("take a shot with my camera")."""
        near = [i for i, word in enumerate(said) if word in self.using]
        if not near:
            return False
        other = [i for i, word in enumerate(said) if word in self.elsewhere]
        return any(
            0 < abs(i - j) <= CONTEXT_WINDOW
            and not any(abs(i - k) <= CONTEXT_WINDOW for k in other)
            for i, word in enumerate(said)
            if word in self.everyday
            for j in near
        )

    def _has_phrase(self, said: list[str]) -> bool:
        for size in self._lengths:
            for start in range(len(said) - size + 1):
                if tuple(said[start : start + size]) in self.phrases:
                    return True
        return False


def answer_words(titles_and_keywords: Iterable[str]) -> list[str]:
    """The words of the answers' titles and keywords, for `TopicWords`' `answer_words`."""
    return [word for text in titles_and_keywords for word in words(text)]
