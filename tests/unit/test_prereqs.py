"""Prerequisite inference: recovers a known chain; always a small, acyclic, inferred graph."""

from __future__ import annotations

from dataclasses import replace

import networkx as nx
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from models.kt_data import Histories
from tutor.errors import InvalidInput
from tutor.prereqs import (
    PrereqInferenceConfig,
    infer_prerequisites,
    milestones,
    wilson_lower,
)

SKILLS = ("kp:a", "kp:b", "kp:c", "kp:d")
CHAIN = {1: (0,), 2: (1,)}  # b needs a, c needs b; d stands alone
ITEM_SKILLS = np.repeat(np.arange(4), 5).reshape(-1, 1)  # 5 questions per KP


def chain_students(n: int, seed: int = 0) -> Histories:
    """Students practise KPs in random order; a KP is learnable only once its parents are known."""
    rng = np.random.default_rng(seed)
    items, correct = [], []
    for _ in range(n):
        known: set[int] = set()
        its, oks = [], []
        for k in rng.permutation(4):
            for _ in range(8):
                its.append(int(k) * 5 + int(rng.integers(5)))
                oks.append(int(rng.random() < (0.9 if k in known else 0.2)))
                if all(p in known for p in CHAIN.get(int(k), ())) and rng.random() < 0.4:
                    known.add(int(k))
        items.append(np.array(its, dtype=np.int64))
        correct.append(np.array(oks, dtype=np.int64))
    return Histories(tuple(f"s{i}" for i in range(n)), tuple(items), tuple(correct))


def pairs(result) -> set[tuple[str, str]]:
    return {(e.before, e.after) for e in result.edges}


def test_recovers_a_known_chain_and_no_reverse_edges() -> None:
    result = infer_prerequisites(chain_students(400), ITEM_SKILLS, SKILLS)
    found = pairs(result)
    assert {("kp:a", "kp:b"), ("kp:b", "kp:c")} <= found
    assert not found & {("kp:b", "kp:a"), ("kp:c", "kp:b"), ("kp:c", "kp:a")}
    assert not any("kp:d" in pair for pair in found)
    assert all(e.inferred and 0.0 < e.confidence <= 1.0 for e in result.edges)


def test_transitive_reduction_drops_the_implied_edge() -> None:
    data = chain_students(400)
    loose = PrereqInferenceConfig(min_confidence=0.01, transitive_reduction=False)
    full = infer_prerequisites(data, ITEM_SKILLS, SKILLS, loose)
    reduced = infer_prerequisites(data, ITEM_SKILLS, SKILLS,
                                  replace(loose, transitive_reduction=True))
    assert ("kp:a", "kp:c") in pairs(full) and ("kp:a", "kp:c") not in pairs(reduced)
    assert {("kp:a", "kp:b"), ("kp:b", "kp:c")} <= pairs(reduced)
    assert reduced.report.dropped_reduction >= 1


def test_is_deterministic() -> None:
    data = chain_students(150, seed=3)
    assert infer_prerequisites(data, ITEM_SKILLS, SKILLS) == infer_prerequisites(
        data, ITEM_SKILLS, SKILLS)


def test_empty_input_gives_no_edges() -> None:
    none = Histories((), (), ())
    empty = Histories(("s",), (np.zeros(0, dtype=np.int64),), (np.zeros(0, dtype=np.int64),))
    for data in (none, empty):
        result = infer_prerequisites(data, ITEM_SKILLS, SKILLS)
        assert result.edges == () and result.report.candidates == 0


def test_streak_mastery_is_the_answer_that_completes_the_run() -> None:
    data = Histories(("s",), (np.array([0, 1, 2, 3, 4, 5]),), (np.array([1, 0, 1, 1, 1, 0]),))
    ms = milestones(data, ITEM_SKILLS, 4)
    assert ms.first_attempt[0, 0] == 0 and ms.first_mastery[0, 0] == 4
    assert ms.early_success[0, 0] == pytest.approx(2 / 3)
    assert ms.early_success[0, 1] == 0.0 and np.isnan(ms.early_success[0, 2])


def test_wilson_lower_bound() -> None:
    assert wilson_lower(np.array(0), np.array(0), 1.96) == 0.0
    assert 0.825 < float(wilson_lower(np.array(90), np.array(100), 1.96)) < 0.826


@pytest.mark.parametrize("config", [PrereqInferenceConfig(mastery_rule="elo"),
                                    PrereqInferenceConfig(streak=0)])
def test_rejects_a_bad_config(config: PrereqInferenceConfig) -> None:
    with pytest.raises(InvalidInput):
        infer_prerequisites(chain_students(5), ITEM_SKILLS, SKILLS, config)


def test_rejects_unknown_items_and_skills() -> None:
    bad = Histories(("s",), (np.array([99]),), (np.array([1]),))
    with pytest.raises(InvalidInput, match="item"):
        infer_prerequisites(bad, ITEM_SKILLS, SKILLS)
    with pytest.raises(InvalidInput, match="skill"):
        infer_prerequisites(chain_students(5), ITEM_SKILLS, SKILLS[:2])


@st.composite
def random_logs(draw):
    n_skills = draw(st.integers(2, 6))
    n_items = draw(st.integers(1, 8))
    skills = draw(st.lists(st.lists(st.integers(-1, n_skills - 1), min_size=2, max_size=2),
                           min_size=n_items, max_size=n_items))
    n_students = draw(st.integers(0, 12))
    items, correct = [], []
    for _ in range(n_students):
        t = draw(st.integers(0, 30))
        items.append(np.array(draw(st.lists(st.integers(0, n_items - 1), min_size=t,
                                            max_size=t)), dtype=np.int64))
        correct.append(np.array(draw(st.lists(st.integers(0, 1), min_size=t, max_size=t)),
                                dtype=np.int64))
    hist = Histories(tuple(f"s{i}" for i in range(n_students)), tuple(items), tuple(correct))
    return hist, np.array(skills, dtype=np.int64), tuple(f"kp:{k}" for k in range(n_skills))


@settings(max_examples=60, deadline=None)
@given(random_logs(), st.integers(0, 2), st.booleans(), st.sampled_from(["streak", "bkt"]))
def test_always_a_small_dag_of_real_skills(logs, max_parents, reduce, rule) -> None:
    hist, item_skills, skill_ids = logs
    config = PrereqInferenceConfig(mastery_rule=rule, streak=1, min_students=1, min_group=1,
                                   z=0.5, full_lift=0.05, min_confidence=0.01,
                                   max_parents=max_parents, transitive_reduction=reduce)
    result = infer_prerequisites(hist, item_skills, skill_ids, config)
    g = nx.DiGraph((e.before, e.after) for e in result.edges)
    assert nx.is_directed_acyclic_graph(g)
    assert all(e.inferred and 0.0 <= e.confidence <= 1.0 for e in result.edges)
    assert all({e.before, e.after} <= set(skill_ids) for e in result.edges)
    assert all(d <= max_parents for _, d in g.in_degree())
    assert len(result.edges) == result.report.kept
    r = result.report
    assert r.candidates == r.kept + r.dropped_cycle + r.dropped_reduction + r.dropped_parent_cap
