"""Taxonomy terms → the bot's service types, from `content/service-types.yaml`.

Real directories never tag a service "syringe-services": a 211 says `RX-8450.5000-510 Methadone
Clinics`, Open Eligibility says "Needle Exchange", a spreadsheet says "Needle exchange". The
mapping is a file staff can edit, so a new code is a line of YAML, not a release. It also says
which national lines fit a need when nothing local is listed (`fallback`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from bot.content.files import read_model
from bot.content.kit import Id, Strict
from bot.content.problems import Problem

FILE_NAME = "service-types.yaml"
_CODE_BOUNDARY = ".-"


class TypeTerms(Strict):
    codes: list[str] = []
    names: list[str] = []


class TypeMapping(Strict):
    types: dict[Id, TypeTerms] = {}
    fallback: dict[Id, list[Id]] = {}


def fold(text: str) -> str:
    """A term as it is compared: lower case, punctuation and runs of spaces as one space."""
    return " ".join(re.sub(r"[^\w&]+", " ", text.casefold()).split())


@dataclass(frozen=True)
class Mapper:
    """Finds the types a service's taxonomy terms map to."""

    codes: tuple[tuple[str, str], ...]  # (code, type), longest code first
    names: dict[str, str]  # folded name → type
    order: dict[str, int]
    fallback: dict[str, tuple[str, ...]]

    @classmethod
    def build(cls, mapping: TypeMapping, known: frozenset[str] = frozenset()) -> Mapper:
        codes: list[tuple[str, str]] = []
        names: dict[str, str] = {}
        for kind, terms in mapping.types.items():
            codes.extend((code.strip().upper(), kind) for code in terms.codes if code.strip())
            for name in (kind, kind.replace("-", " "), *terms.names):
                names.setdefault(fold(name), kind)
        for kind in known:  # a type id written as it is ("needle-exchange" is not one)
            names.setdefault(fold(kind), kind)
        codes.sort(key=lambda pair: -len(pair[0]))
        order = {kind: index for index, kind in enumerate(mapping.types)}
        fallback = {kind: tuple(kinds) for kind, kinds in mapping.fallback.items()}
        return cls(tuple(codes), names, order, fallback)

    def kind_of(self, code: str = "", name: str = "") -> str | None:
        """The type of one term: its code (the longest mapped prefix), else its name."""
        code = code.strip().upper()
        if code:
            for mapped, kind in self.codes:
                if code == mapped or (
                    code.startswith(mapped) and code[len(mapped)] in _CODE_BOUNDARY
                ):
                    return kind
        folded = fold(name)
        if folded:
            return self.names.get(folded)
        return None

    def kinds_of(self, terms: list[tuple[str, str]]) -> list[str]:
        """Every type of a service's (code, name) terms, in the mapping file's order."""
        found = {kind for code, name in terms if (kind := self.kind_of(code, name))}
        return sorted(found, key=lambda kind: self.order.get(kind, len(self.order)))

    def fallback_for(self, kind: str) -> tuple[str, ...]:
        return self.fallback.get(kind, (kind,))


def read_mapping(path: Path) -> tuple[TypeMapping | None, list[Problem]]:
    """The mapping file, or its problems as `path:line`."""
    problems: list[Problem] = []
    return read_model(path, TypeMapping, problems), problems
