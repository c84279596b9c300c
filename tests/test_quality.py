"""The floors for answer quality on the labelled messages in tests/eval/en.yaml.

`python benchmarks/quality.py --misses` shows which messages go wrong and why.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import Config
from bot.engine import build_engine
from bot.tools.evaluation import Report, evaluate, load_set

EVAL = Path(__file__).parent / "eval" / "en.yaml"


@pytest.fixture(scope="module")
def report() -> Report:
    return evaluate(build_engine(Config()), load_set(EVAL), "en")


def test_the_set_has_the_mix_it_promises(report: Report) -> None:
    kinds = [outcome.kind for outcome in report.outcomes]
    assert len(kinds) >= 250
    assert kinds.count("emergency") >= 40
    assert kinds.count("overdose-info") >= 30
    assert kinds.count("out-of-scope") >= 40


def test_top1_accuracy_is_at_least_90_percent(report: Report) -> None:
    assert report.top1 >= 0.90


def test_every_emergency_is_recognised(report: Report) -> None:
    missed = [o.text for o in report.outcomes if o.kind == "emergency" and not o.emergency]
    assert missed == []


def test_false_emergencies_stay_at_or_below_5_percent(report: Report) -> None:
    assert report.false_emergency_rate <= 0.05


def test_out_of_scope_messages_get_no_answer(report: Report) -> None:
    assert report.out_of_scope_rejection >= 0.85


def test_emergencies_in_the_second_set_are_recognised_too() -> None:
    """A second set, written without sight of the content: no emergency may be missed there."""
    unseen = evaluate(build_engine(Config()), load_set(EVAL.with_name("en-unseen.yaml")), "en")
    missed = [o.text for o in unseen.outcomes if o.kind == "emergency" and not o.emergency]
    assert missed == []
    assert unseen.false_emergency_rate <= 0.05


def test_answer_or_offer_counts_the_answers_the_reply_links_to() -> None:
    """A related answer under the reply is a tap away; an answer no button opens is not."""
    engine = build_engine(Config())
    items: list[dict[str, object]] = [
        {"text": "how do i use narcan", "expect": ["rescue-breathing"], "kind": "info"},
        {"text": "how do i use narcan", "expect": ["tolerance"], "kind": "info"},
    ]
    related, unrelated = evaluate(engine, items, "en").outcomes
    assert related.shown == "naloxone-how" and not related.correct
    assert related.answered_or_offered
    assert not unrelated.answered_or_offered
