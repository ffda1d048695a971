"""Tutor-intervention suggestions from the declarative rule table ``interventions.yaml``.

Conditions are rule-engine expressions (a maintained library that parses a small typed
language: no ``eval``); every fact has a declared type, so a misspelt fact or a comparison of
a string with a number fails when the table is loaded.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from importlib import resources
from typing import Any

import rule_engine
import yaml

from tutor.errors import InvalidInput


@dataclass(frozen=True)
class Suggestion:
    """An intervention a tutor could make, from the rule table; lower priority comes first."""

    rule: str
    text: str
    priority: int

_T = rule_engine.DataType
FACTS: dict[str, Any] = {
    "progress": _T.FLOAT,  # progress model's expected progress, percent
    "has_progress": _T.BOOLEAN,  # False when no progress model covers the student
    "affect": _T.STRING,  # the fused affect tag, "neutral" when none
    "affect_confidence": _T.FLOAT,
    "mastery_mean": _T.FLOAT,  # over the KPs practised
    "stuck_kps": _T.FLOAT,  # unmastered KPs with repeated wrong answers lately
    "accuracy": _T.FLOAT,  # share right of the last 20 answers
    "attempts_7d": _T.FLOAT,
    "days_inactive": _T.FLOAT,
    "time_spent_h": _T.FLOAT,  # all time
}


@dataclass(frozen=True)
class InterventionRule:
    name: str
    when: rule_engine.Rule
    text: str
    priority: int


def parse_rules(raw: Sequence[Mapping[str, Any]]) -> tuple[InterventionRule, ...]:
    """Validate a rule table; errors name the rule and what is wrong."""
    context = rule_engine.Context(type_resolver=rule_engine.type_resolver_from_dict(FACTS))
    rules = []
    for i, entry in enumerate(raw):
        name = str(entry.get("rule", f"#{i + 1}"))
        missing = {"rule", "when", "suggest", "priority"} - set(entry)
        if missing:
            raise InvalidInput(f"intervention rule {name}: missing {', '.join(sorted(missing))}")
        try:
            when = rule_engine.Rule(str(entry["when"]), context=context)
        except rule_engine.errors.EngineError as e:
            raise InvalidInput(f"intervention rule {name}: {entry['when']!r}: {e.message}"
                               ) from None
        rules.append(InterventionRule(name, when, str(entry["suggest"]), int(entry["priority"])))
    return tuple(rules)


@cache
def default_rules() -> tuple[InterventionRule, ...]:
    text = resources.files("tutor").joinpath("interventions.yaml").read_text(encoding="utf-8")
    return parse_rules(yaml.safe_load(text))


def suggest(facts: Mapping[str, float | bool | str],
            rules: Sequence[InterventionRule] | None = None) -> list[Suggestion]:
    """The suggestions whose condition holds for these facts, most urgent first."""
    missing = set(FACTS) - set(facts)
    if missing:
        raise InvalidInput(f"intervention facts missing: {', '.join(sorted(missing))}")
    values = {k: Decimal(str(v)) if FACTS[k] is _T.FLOAT else v for k, v in facts.items()
              if k in FACTS}
    hits = [Suggestion(r.name, r.text, r.priority)
            for r in (default_rules() if rules is None else rules) if r.when.matches(values)]
    return sorted(hits, key=lambda s: (s.priority, s.rule))
