"""Answers for one mix of two substances: the tables hold every pair with a source, and the
messages people send about a mix get the answer for that pair."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.content.layers import BUNDLED_CONTENT
from bot.content.mixes import load_mixes
from bot.conversation import protocol as p
from bot.engine import Engine
from bot.library import load_library
from bot.tools.client import Shown


@pytest.fixture(scope="module")
def table():  # type: ignore[no-untyped-def]
    table = load_library(BUNDLED_CONTENT).languages["en"].mixes
    assert table is not None
    return table


def test_at_least_150_listed_pairs_each_with_a_source(table) -> None:  # type: ignore[no-untyped-def]
    assert len(table.pairs) >= 150
    assert all(pair.sources for pair in table.pairs.values())


def test_every_pair_of_the_known_substances_has_an_answer(table) -> None:  # type: ignore[no-untyped-def]
    ids = sorted(table.substances)
    missing = [(a, b) for i, a in enumerate(ids) for b in ids[i + 1 :] if not table.lookup(a, b)]
    assert missing == []


@pytest.mark.parametrize(
    ("text", "names", "words"),
    [
        ("can i mix ketamine and alcohol", ("Ketamine", "Alcohol"), ()),
        ("coke and a few pints", ("Cocaine", "Alcohol"), ("cocaethylene",)),
        ("poppers and viagra", ("Poppers", "Viagra"), ("blood pressure",)),
        ("ketamine and weed together", ("Ketamine", "Cannabis"), ()),
        ("can i take molly on sertraline", ("MDMA", "SSRI"), ()),
    ],
)
def test_a_mix_question_names_both_substances(
    engine: Engine, text: str, names: tuple[str, ...], words: tuple[str, ...]
) -> None:
    reading = engine.read(text)
    assert reading.mix is not None, text
    shown = Shown.of(engine.language("en").text(text)).text
    for name in (*names, *words):
        assert name.casefold() in shown.casefold(), (text, name)
    assert "Sources" in shown


def test_one_substance_is_not_a_mix(engine: Engine) -> None:
    assert engine.read("is crack cocaine stronger than powder").mix is None
    assert engine.read("what does ketamine do").mix is None


def test_two_depressants_not_listed_fall_back_to_the_class_rule(table) -> None:  # type: ignore[no-untyped-def]
    rule = table.rules.get(frozenset(("depressant",)))
    assert rule is not None and rule.risk == "dangerous"


@pytest.mark.parametrize(
    ("text", "mix"),
    [
        ("off to a chemsex party, tina and g both going round, how bad is mixing the two",
         "mix:ghb+meth"),
        ("viagra and poppers together at a party, is that ok", "mix:poppers+viagra"),
        ("nos balloons and a few pints at once, is that risky", "mix:alcohol+nitrous"),
    ],
)  # fmt: skip
def test_words_that_ask_about_the_two_together_get_the_mix(
    engine: Engine, text: str, mix: str
) -> None:
    """Another answer fits these well (safer sex, the drug's card), but they ask about the pair."""
    reading = engine.read(text)
    assert reading.mix is not None and reading.mix.id == mix, (text, reading.shown)


def test_a_question_about_testing_for_one_drug_in_another_is_not_a_mix(engine: Engine) -> None:
    assert engine.read("do fent strips pick up nitazenes").mix is None


def test_three_drugs_or_more_get_the_general_mixing_answer(engine: Engine) -> None:
    reading = engine.read("did mandy, coke and ket on the same night, was that bad")
    assert reading.mix is None and reading.shown == "mixing-risks"
    # "pills" names no drug, but with two named it makes three (substances.yaml `unnamed`)
    assert engine.read("pills, ket and drink at the festival, which combos are worst").shown == (
        "mixing-risks"
    )
    assert engine.read("pills and ket at the same party").shown != "mixing-risks"
    assert engine.read("is fent stronger than heroin or nitazenes").shown != "mixing-risks"


def test_water_is_not_alcohol(engine: Engine) -> None:
    """substances.yaml: alcohol `not_with: [water]`."""
    reading = engine.read("how much water should i drink on molly, heard you can drink too much")
    assert reading.mix is None and reading.shown == "mdma"
    assert engine.read("coke and a few pints").mix is not None


def test_a_mix_answer_offers_the_answer_the_matcher_found(engine: Engine) -> None:
    """Two drugs named in a question the safer sex answer fits: the mix, and safer sex a tap
    away."""
    english = engine.language("en")
    text = "mixing tina and g at a chemsex party, how do i stay safe"
    reading = english.read(text)
    assert reading.mix is not None and reading.match.entry_id == "safer-sex"
    buttons = [b.data for b in english.reply_to(reading, text).button_list]
    assert p.data(p.ANSWER, "safer-sex") in buttons


def test_an_unknown_substance_in_unnamed_not_with_is_reported(tmp_path: Path) -> None:
    substances = (BUNDLED_CONTENT / "en" / "mixes" / "substances.yaml").read_text()
    broken = tmp_path / "substances.yaml"
    broken.write_text(
        substances.replace("unnamed_not_with: [benzos,", "unnamed_not_with: [benzoz,")
    )
    table, problems = load_mixes([broken])
    assert table is not None
    assert any("unknown substance 'benzoz'" in p.message for p in problems)
