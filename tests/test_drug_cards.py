"""Each drug card is reached by its proper name and by street names (tests/eval/drug-names.yaml)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from bot.engine import Engine

ITEMS = yaml.safe_load((Path(__file__).parent / "eval" / "drug-names.yaml").read_text())


def test_there_are_at_least_17_drug_cards(engine: Engine) -> None:
    cards = [e for e in engine.language("en").entries.values() if e.meta.area == "drugs"]
    assert len(cards) >= 17
    assert {i["expect"][0] for i in ITEMS} >= {c.id for c in cards}


@pytest.mark.parametrize("item", ITEMS, ids=lambda item: item["text"])
def test_a_drug_name_reaches_its_card(engine: Engine, item: dict[str, object]) -> None:
    assert engine.read(str(item["text"])).shown in item["expect"]  # type: ignore[operator]
