"""Answers for one mix of two substances (`content/<lang>/mixes/*.yaml`).

"Can I take molly on sertraline" deserves an answer about that pair, not the general mixing
page. `substances.yaml` names the substances (with the words people use for them, read
through the lexicon like every message), their classes and the class rules for pairs no file
lists; every other file in the folder lists pairs, each with a risk, why, what to do, and the
sources that say it. Staff edit these tables like any other content.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from pydantic import Field

from bot.content.files import ContentError, read_model, read_yaml
from bot.content.kit import Id, Strict, Words
from bot.content.model import Source
from bot.content.problems import Problem, error

FOLDER = "mixes"
GENERAL_ANSWER = "mixing-risks"  # the answer about mixing in general
SUBSTANCES_FILE = "substances.yaml"


class Risk(StrEnum):
    DANGEROUS = "dangerous"
    CAUTION = "caution"
    LOW = "low"  # low risk known
    UNKNOWN = "unknown"  # not known


class Substance(Strict):
    name: str = Field(min_length=1)
    kind: Id = Field(alias="class")
    card: str = ""  # the drug card's answer id; "" when there is none
    words: Words = []
    # A message with one of these words doesn't name this substance by its words alone:
    # "how much water should i drink on molly, can you drink too much" is not about alcohol.
    not_with: Words = []


class _Advice(Strict):
    risk: Risk
    why: str = Field(min_length=1)
    what_to_do: str = Field(min_length=1)
    sources: list[Source] = Field(min_length=1)


class Rule(_Advice):
    classes: list[Id] = Field(min_length=2, max_length=2)


class Pair(_Advice):
    drugs: list[Id] = Field(min_length=2, max_length=2)


class _SubstancesFile(Strict):
    substances: dict[str, Substance] = Field(min_length=1)
    rules: list[Rule] = []
    comparing: Words = []  # words that ask to compare two drugs, not to mix them ("than")
    mixing: Words = []  # words that ask about taking the two together ("mixing the two")
    # words for a drug the message doesn't name ("pills"): counted only towards three drugs,
    # and not with a drug of `unnamed_not_with` named ("benzos or sleeping pills" is one drug)
    unnamed: Words = []
    unnamed_not_with: list[str] = []


class _PairsFile(Strict):
    pairs: list[Pair] = []


@dataclass(frozen=True)
class Mix:
    """The answer for one pair: the two substances, in id order, and the advice."""

    first: str
    second: str
    advice: _Advice
    by_rule: bool  # True: from the class rules, not a listed pair

    @property
    def id(self) -> str:
        return f"mix:{self.first}+{self.second}"


@dataclass(frozen=True)
class MixTable:
    substances: dict[str, Substance]
    pairs: dict[frozenset[str], Pair]
    rules: dict[frozenset[str], Rule]
    comparing: tuple[str, ...] = ()
    mixing: tuple[str, ...] = ()
    unnamed: tuple[str, ...] = ()
    unnamed_not_with: frozenset[str] = frozenset()

    @property
    def related_answers(self) -> frozenset[str]:
        """Answers a mix answer is more specific than: the drug cards and general mixing."""
        return frozenset({GENERAL_ANSWER, *(s.card for s in self.substances.values() if s.card)})

    def lookup(self, a: str, b: str) -> Mix | None:
        """The listed pair, else the rule for the two classes, else None."""
        if a == b or a not in self.substances or b not in self.substances:
            return None
        first, second = sorted((a, b))
        pair = self.pairs.get(frozenset((a, b)))
        if pair is not None:
            return Mix(first, second, pair, by_rule=False)
        rule = self.rules.get(frozenset((self.substances[a].kind, self.substances[b].kind)))
        return Mix(first, second, rule, by_rule=True) if rule is not None else None


def load_mixes(files: list[Path]) -> tuple[MixTable | None, list[Problem]]:
    """The language's mix table from its files; None when it has no substances file."""
    substances_path = next((p for p in files if p.name == SUBSTANCES_FILE), None)
    if substances_path is None:
        return None, []
    problems: list[Problem] = []
    head = read_model(substances_path, _SubstancesFile, problems)
    if head is None:
        return None, problems
    for name in (i for i in head.unnamed_not_with if i not in head.substances):
        message = f"unnamed_not_with: unknown substance {name!r}"
        problems.append(error(substances_path, 1, message))
    rules: dict[frozenset[str], Rule] = {}
    for rule in head.rules:
        rules[frozenset(rule.classes)] = rule
    pairs: dict[frozenset[str], Pair] = {}
    for path in files:
        if path == substances_path:
            continue
        found = read_model(path, _PairsFile, problems)
        for index, pair in enumerate(found.pairs if found else []):
            unknown = [d for d in pair.drugs if d not in head.substances]
            if unknown or pair.drugs[0] == pair.drugs[1]:
                what = f"unknown substance {unknown[0]!r}" if unknown else "the same drug twice"
                problems.append(error(path, _line(path, index), f"pairs.{index}: {what}"))
                continue
            key = frozenset(pair.drugs)
            if key in pairs:
                problems.append(error(path, _line(path, index), f"pairs.{index}: listed twice"))
                continue
            pairs[key] = pair
    table = MixTable(
        head.substances,
        pairs,
        rules,
        tuple(head.comparing),
        tuple(head.mixing),
        tuple(head.unnamed),
        frozenset(head.unnamed_not_with),
    )
    return table, problems


def _line(path: Path, index: int) -> int:
    try:
        return read_yaml(path).lines.get(f"pairs.{index}", 1)
    except ContentError:
        return 1
