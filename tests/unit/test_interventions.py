"""The intervention rule table, tested as a table; bad tables fail when loaded."""

from __future__ import annotations

import pytest

from tutor.errors import InvalidInput
from tutor.interventions import FACTS, default_rules, parse_rules, suggest

CALM = {"progress": 60.0, "has_progress": True, "affect": "neutral", "affect_confidence": 0.0,
        "mastery_mean": 0.6, "stuck_kps": 0.0, "accuracy": 0.7, "attempts_7d": 10.0,
        "days_inactive": 1.0, "time_spent_h": 1.0}


@pytest.mark.parametrize(("changes", "rules"), [
    ({}, []),
    ({"affect": "negative"}, ["negative-affect"]),
    ({"stuck_kps": 2.0}, ["stuck-on-a-kp"]),
    ({"progress": 30.0}, ["lagging"]),
    ({"progress": 30.0, "affect": "confused"}, ["lagging-and-confused", "lagging"]),
    ({"progress": 30.0, "has_progress": False}, []),
    ({"attempts_7d": 25.0, "accuracy": 0.4}, ["low-accuracy"]),
    ({"attempts_7d": 5.0, "accuracy": 0.4}, []),
    ({"affect": "fatigued", "time_spent_h": 3.0}, ["fatigued-long-sessions"]),
    ({"days_inactive": 9.0}, ["inactive"]),
    ({"progress": 90.0, "accuracy": 0.9}, ["thriving"]),
    ({"affect": "negative", "days_inactive": 8.0, "stuck_kps": 1.0},
     ["negative-affect", "stuck-on-a-kp", "inactive"]),
])
def test_rule_table(changes: dict, rules: list[str]) -> None:
    found = suggest({**CALM, **changes})
    assert [s.rule for s in found] == rules
    assert all(s.text for s in found)
    assert [s.priority for s in found] == sorted(s.priority for s in found)


def test_the_shipped_table_uses_only_declared_facts() -> None:
    assert len(default_rules()) >= 8
    assert set(CALM) == set(FACTS)


@pytest.mark.parametrize(("when", "error"), [
    ("progres < 40", "progres"),  # a misspelt fact
    ("affect < 40", "mismatch"),  # a string compared with a number
    ("__import__('os').system('true')", "intervention rule x"),  # no Python is evaluated
])
def test_a_bad_rule_is_refused_at_load(when: str, error: str) -> None:
    with pytest.raises(InvalidInput, match=error):
        parse_rules([{"rule": "x", "when": when, "suggest": "s", "priority": 1}])


def test_missing_keys_and_facts_are_named() -> None:
    with pytest.raises(InvalidInput, match="missing priority"):
        parse_rules([{"rule": "x", "when": "progress < 1", "suggest": "s"}])
    with pytest.raises(InvalidInput, match="accuracy"):
        suggest({k: v for k, v in CALM.items() if k != "accuracy"})
