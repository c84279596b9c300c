"""Typed messages that ask for a place go to the services finder (`content/<lang>/finder.yaml`).

"needle exchange near me", "where can i get narcan", "methadone clinic": the person wants an
address and opening hours, not an explanation. A message is routed when it has a place phrase
and a phrase of a service type; the first type listed in the file wins. The phrases are data so
that staff can add the words their people use, like the emergency phrases.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from pydantic import Field

from bot.content.files import read_model_doc
from bot.content.kit import Phrases, Strict
from bot.content.problems import Problem
from bot.understanding.phrases import PhraseSet

FILE_NAME = "finder.yaml"


class NeedRule(Strict):
    answer: str = Field(min_length=1)
    phrases: Phrases
    # The service type to look up when the entry's name is not one: "test-strips" finds
    # drug-checking services but links to the test strips answer.
    kind: str | None = None


class RoutingRules(Strict):
    places: Phrases
    types: dict[str, NeedRule] = {}
    general: NeedRule | None = None


@dataclass(frozen=True)
class RoutingFile:
    path: Path
    rules: RoutingRules
    lines: dict[str, int]


@dataclass(frozen=True)
class Need:
    """What a message asks for: a service type (None: services in general) and its answer."""

    kind: str | None
    answer: str


def load_routing(path: Path) -> tuple[RoutingFile | None, list[Problem]]:
    """The language's routing phrases; a missing file means no free-text routing."""
    if not path.exists():
        return None, []
    rules, doc, problems = read_model_doc(path, RoutingRules)
    if rules is None or doc is None:
        return None, problems
    return RoutingFile(path, rules, doc.lines), []


class Router:
    """Finds the need in a message; built once per language with its normaliser."""

    def __init__(self, rules: RoutingRules | None, normalise: Callable[[str], list[str]]) -> None:
        self._normalise = normalise
        self._places = PhraseSet(rules.places if rules else (), normalise)
        self._needs: list[tuple[Need, PhraseSet]] = []
        if rules is None:
            return
        for kind, rule in rules.types.items():
            need = Need(rule.kind or kind, rule.answer)
            self._needs.append((need, PhraseSet(rule.phrases, normalise)))
        if rules.general is not None:
            general = rules.general
            self._needs.append((Need(None, general.answer), PhraseSet(general.phrases, normalise)))

    def need_in(self, text: str) -> Need | None:
        return self.need_in_words(self._normalise(text))

    def need_in_words(self, words: list[str]) -> Need | None:
        """As `need_in`, for a message already normalised the same way."""
        if not self._places:
            return None
        if not self._places.found_in(words):
            return None
        return self.type_in_words(words)

    def type_in_words(self, words: list[str]) -> Need | None:
        """The service type a message names, place phrase or not ("needle exchange E8 1HY":
        the place is the postcode)."""
        for need, phrases in self._needs:
            if phrases.found_in(words):
                return need
        return None
