"""Learning paths and their re-routes on small hand-made graphs, and properties over random DAGs."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tutor.errors import InvalidInput
from tutor.paths import (
    LearningPath,
    StepStatus,
    next_session,
    on_confused,
    on_fatigue,
    on_mastery,
    pin,
    plan,
    remove,
    unpin,
)

TAU = 0.85
CHAIN = {"A": (), "B": ("A",), "C": ("B",), "D": ("C",)}
# A -> B, A -> C, B + C -> D (a diamond); Z is unrelated
DIAMOND = {"A": (), "B": ("A",), "C": ("A",), "D": ("B", "C"), "Z": ()}
# X's own prerequisites P <- Q <- R (R an ancestor of an ancestor); X <- B <- A on the path
DEEP = {"R": (), "Q": ("R",), "P": ("Q",), "A": (), "B": ("A",), "X": ("B", "P"), "G": ("X",)}


def kps(path: LearningPath, *statuses: StepStatus) -> list[str]:
    return [s.kp_id for s in path.steps if not statuses or s.status in statuses]


def status(path: LearningPath) -> dict[str, str]:
    return {s.kp_id: str(s.status) for s in path.steps}


def one_current(path: LearningPath) -> bool:
    current = kps(path, StepStatus.CURRENT)
    open_ = kps(path, StepStatus.CURRENT, StepStatus.TODO)
    return len(current) == (1 if open_ else 0) and (not open_ or open_[0] == current[0])


def test_a_chain_is_walked_in_order_with_the_first_step_current() -> None:
    p = plan("s", "D", CHAIN, {}, TAU, ts=5)
    assert kps(p) == ["A", "B", "C", "D"] and p.version == 1 and p.ts == 5
    assert status(p) == {"A": "current", "B": "todo", "C": "todo", "D": "todo"}
    assert "A, B, C" in p.reason and next_session(p) == ("A", "B", "C", "D")


def test_mastered_ancestors_are_left_out() -> None:
    p = plan("s", "D", DIAMOND, {"A": 0.9, "B": 0.86, "C": 0.5}, TAU, ts=1)
    assert kps(p) == ["C", "D"] and one_current(p)
    assert "Z" not in kps(plan("s", "D", DIAMOND, {}, TAU, ts=1))


def test_ties_follow_curriculum_order_then_id() -> None:
    assert kps(plan("s", "D", DIAMOND, {}, TAU, 1)) == ["A", "B", "C", "D"]
    ordered = plan("s", "D", DIAMOND, {}, TAU, 1, order={"A": 0, "C": 1, "B": 2, "D": 3})
    assert kps(ordered) == ["A", "C", "B", "D"]
    assert all(plan("s", "D", dict(reversed(DIAMOND.items())), {}, TAU, 1) ==
               plan("s", "D", DIAMOND, {}, TAU, 1) for _ in range(3))


def test_a_mastered_goal_is_done_and_nothing_is_current() -> None:
    p = plan("s", "A", CHAIN, {"A": 0.95}, TAU, 1)
    assert status(p) == {"A": "done"} and one_current(p) and next_session(p) == ()


@pytest.mark.parametrize("prereqs, goal", [({"A": ("B",), "B": ("A",), "C": ("A",)}, "C"),
                                           ({"A": ()}, "nope")])
def test_a_cycle_or_an_unknown_goal_is_invalid_input(prereqs: dict, goal: str) -> None:
    with pytest.raises(InvalidInput):
        plan("s", goal, prereqs, {}, TAU, 1)


def test_confusion_inserts_all_unmastered_ancestors_before_the_kp() -> None:
    p = on_mastery(plan("s", "G", DEEP, {"R": 0.9, "Q": 0.9, "P": 0.9}, TAU, 1),
                   {"A": 0.9, "B": 0.9}, TAU, 2)
    assert p is not None and kps(p, StepStatus.CURRENT) == ["X"]
    # P and R slipped below tau: both come back, R (an ancestor of an ancestor) first
    q = on_confused(p, "X", DEEP, {"A": 0.9, "B": 0.9, "Q": 0.9, "P": 0.3, "R": 0.2}, TAU, 3)
    assert q is not None and q.version == p.version + 1
    assert kps(q) == ["A", "B", "R", "P", "X", "G"]
    assert [s.kp_id for s in q.steps if s.inserted] == ["R", "P"]
    assert kps(q, StepStatus.CURRENT) == ["R"] and one_current(q)
    assert "confused on X" in q.reason and "R, P" in q.reason


def test_confusion_keeps_prerequisite_order_across_the_path() -> None:
    # Y (mastered at planning) is a prerequisite of both A, which is ahead, and X
    graph = {"Y": (), "A": ("Y",), "X": ("A", "Y"), "G": ("X",)}
    p = plan("s", "G", graph, {"Y": 0.9}, TAU, 1)
    q = on_confused(p, "X", graph, {}, TAU, 2)
    assert q is not None and kps(q) == ["Y", "A", "X", "G"] and status(q)["Y"] == "current"


def test_confusion_with_nothing_to_insert_changes_nothing() -> None:
    p = plan("s", "D", CHAIN, {}, TAU, 1)
    assert on_confused(p, "B", CHAIN, {}, TAU, 2) is None  # A is already on the path
    assert on_confused(p, "Z", CHAIN, {}, TAU, 2) is None  # not a step of this path


def test_mastery_skips_ahead_and_finishes_the_path() -> None:
    p = plan("s", "D", CHAIN, {}, TAU, 1)
    q = on_mastery(p, {"A": 0.9, "B": 0.88, "D": 0.2}, TAU, 2)
    assert q is not None and status(q) == {"A": "done", "B": "done", "C": "current", "D": "todo"}
    assert "mastered A, B" in q.reason and "current step C" in q.reason
    assert on_mastery(q, {"A": 0.9, "B": 0.88}, TAU, 3) is None
    done = on_mastery(q, {"C": 0.9, "D": 0.9}, TAU, 4)
    assert done is not None and "path complete" in done.reason and one_current(done)
    assert next_session(done) == ()


def test_fatigue_shortens_the_next_session_and_rest_restores_it() -> None:
    p = plan("s", "D", CHAIN, {}, TAU, 1)
    tired = on_fatigue(p, 2, 2)
    assert tired is not None and tired.session_size == 2 and next_session(tired) == ("A", "B")
    assert tired.steps == p.steps and "shortened to 2" in tired.reason
    assert on_fatigue(tired, 2, 3) is None
    rested = on_fatigue(tired, None, 4)
    assert rested is not None and next_session(rested) == ("A", "B", "C", "D")
    with pytest.raises(InvalidInput):
        on_fatigue(p, 0, 5)


def test_a_pinned_step_survives_re_routes() -> None:
    p = pin(plan("s", "G", DEEP, {"R": 0.9, "Q": 0.9}, TAU, 1), "P", 2)
    assert p is not None and kps(p) == ["A", "B", "P", "X", "G"] and pin(p, "P", 3) is None
    confused = on_confused(p, "X", DEEP, {}, TAU, 3)
    assert confused is not None and kps(confused) == ["A", "B", "R", "Q", "P", "X", "G"]
    assert [s.kp_id for s in confused.steps if s.pinned] == ["P"]
    tired = on_fatigue(confused, 1, 4)
    assert tired is not None and next_session(tired) == ("A", "P")  # pinned: in the session
    done = on_mastery(tired, {"A": 0.9, "B": 0.9}, TAU, 5)
    assert done is not None and next_session(done) == ("R", "P")
    loose = unpin(done, "P", 6)
    assert loose is not None and not any(s.pinned for s in loose.steps)
    assert next_session(loose) == ("R",) and unpin(loose, "P", 7) is None


def test_removing_keeps_the_step_as_removed_and_moves_current_on() -> None:
    p = plan("s", "D", CHAIN, {}, TAU, 1)
    q = remove(p, "A", 2)
    assert q is not None and status(q) == {"A": "removed", "B": "current", "C": "todo", "D": "todo"}
    assert "tutor removed A" in q.reason and one_current(q) and "A" not in next_session(q)
    assert remove(q, "A", 3) is None
    # a tutor's removal holds against a later confusion re-route
    assert on_confused(q, "B", CHAIN, {}, TAU, 4) is None


@pytest.mark.parametrize("kp", ["D", "nope"])
def test_the_goal_and_unknown_steps_cannot_be_removed(kp: str) -> None:
    with pytest.raises(InvalidInput):
        remove(plan("s", "D", CHAIN, {}, TAU, 1), kp, 2)


@st.composite
def dags(draw: st.DrawFn) -> tuple[dict[str, tuple[str, ...]], dict[str, float], list[str]]:
    n = draw(st.integers(1, 10))
    names = draw(st.permutations([f"k{i}" for i in range(n)]))  # ids unrelated to topo order
    edges = draw(st.lists(st.booleans(), min_size=n * n, max_size=n * n))
    graph = {names[j]: tuple(names[i] for i in range(j) if edges[i * n + j]) for j in range(n)}
    mastery = {k: draw(st.floats(0, 1)) for k in names}
    return graph, mastery, names


def respects_order(path: LearningPath, graph: dict[str, tuple[str, ...]]) -> bool:
    open_ = kps(path, StepStatus.CURRENT, StepStatus.TODO)
    pos = {k: i for i, k in enumerate(open_)}
    return all(pos[pre] < pos[k] for k in open_ for pre in graph[k] if pre in pos)


@settings(max_examples=150, deadline=None)
@given(dags(), st.data())
def test_paths_respect_prerequisites_on_random_dags(dag: tuple, data: st.DataObject) -> None:
    graph, mastery, names = dag
    goal = names[-1]
    p = plan("s", goal, graph, mastery, TAU, 1)
    assert kps(p)[-1] == goal and len(set(kps(p))) == len(p.steps)
    assert respects_order(p, graph) and one_current(p)
    assert all(mastery[k] < TAU for k in kps(p)[:-1])
    for step in range(3):  # confusion on an open step after mastery estimates dropped
        open_ = kps(p, StepStatus.CURRENT, StepStatus.TODO)
        if not open_:
            break
        lower = {k: v * data.draw(st.floats(0, 1)) for k, v in mastery.items()}
        q = on_confused(p, data.draw(st.sampled_from(open_)), graph, lower, TAU, 2 + step)
        p = q or p
        assert respects_order(p, graph) and one_current(p) and kps(p)[-1] == goal
