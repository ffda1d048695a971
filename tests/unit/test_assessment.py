"""The pure rules of tests: settings, life cycle, blueprint drawing, the clock, idempotent and
final answers, scoring, item analysis, and placement priors spread over the graph."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from services.assessment import Bank, cat_step
from tutor import assessment as rules
from tutor.assessment import Assessment, BlueprintPart, Form, Purpose, Status
from tutor.errors import InvalidInput, StateConflict, TimeUp
from tutor.mastery import BktParams
from tutor.placement import placement_priors, posterior

T0 = 1_800_000_000_000


def fixed(**changes: object) -> Assessment:
    base = Assessment("t1", "Quiz", Form.FIXED, "d", "tutor", T0, class_ids=("c1",),
                      question_ids=("q1", "q2", "q3"))
    return replace(base, **changes)  # type: ignore[arg-type]


def test_settings_that_cannot_work_together_are_refused_by_field() -> None:
    for changes, field in [({"question_ids": ()}, "question_ids"),
                           ({"question_ids": ("q1", "q1")}, "question_ids"),
                           ({"scope_ids": ("k1",)}, "scope_ids"),
                           ({"opens_at": T0, "closes_at": T0}, "closes_at"),
                           ({"time_limit_s": 0}, "time_limit_s"),
                           ({"attempts_allowed": 0}, "attempts_allowed"),
                           ({"title": " "}, "title"),
                           ({"blueprint": (BlueprintPart("k1", 0),)}, "blueprint")]:
        with pytest.raises(InvalidInput, match=field):
            fixed(**changes)
    with pytest.raises(InvalidInput, match="scope_ids"):
        Assessment("t2", "CAT", Form.ADAPTIVE, "d", "", T0)
    with pytest.raises(InvalidInput, match="at most"):
        fixed(question_ids=tuple(f"q{i}" for i in range(rules.MAX_ITEMS + 1)))


def test_life_cycle() -> None:
    draft = fixed()
    published = rules.transition(draft, "publish")
    assert (published.status, published.version) == (Status.PUBLISHED, 1)
    closed = rules.transition(published, "close")
    assert rules.transition(closed, "reopen").status is Status.PUBLISHED
    assert rules.transition(closed, "archive").status is Status.ARCHIVED
    for test, action in [(draft, "close"), (published, "archive"), (published, "publish"),
                         (draft, "delete")]:
        with pytest.raises(InvalidInput):
            rules.transition(test, action)
    with pytest.raises(InvalidInput, match="class"):
        rules.transition(fixed(class_ids=()), "publish")
    placement = Assessment("p", "P", Form.ADAPTIVE, "d", "", T0, purpose=Purpose.PLACEMENT,
                           scope_ids=("c1",))
    assert rules.transition(placement, "publish").status is Status.PUBLISHED  # no class needed


def test_availability_follows_status_window_and_attempts() -> None:
    test = fixed(status=Status.PUBLISHED, opens_at=T0 + 1000, closes_at=T0 + 5000,
                 attempts_allowed=2)
    assert rules.availability_problem(test, T0, 0) == "the test is not open yet"
    assert rules.availability_problem(test, T0 + 1000, 0) is None
    assert rules.availability_problem(test, T0 + 1000, 2) == "all 2 attempt(s) allowed are used"
    assert rules.availability_problem(test, T0 + 5000, 0) == "the test has closed"
    assert rules.availability_problem(fixed(), T0, 0) == "the test is draft"


def test_the_deadline_is_the_earlier_of_close_and_time_limit() -> None:
    assert rules.deadline(fixed(), T0) is None
    assert rules.deadline(fixed(time_limit_s=60), T0) == T0 + 60_000
    assert rules.deadline(fixed(time_limit_s=60, closes_at=T0 + 30_000), T0) == T0 + 30_000


def test_blueprint_draws_are_seeded_distinct_and_checked() -> None:
    test = fixed(question_ids=("q1",), blueprint=(BlueprintPart("k1", 2),
                                                   BlueprintPart("c1", 3)))
    pools = {"k1": ["q1", "q2", "q3", "q4"], "c1": ["q2", "q3", "q4", "q5", "q6", "q7"]}
    one = rules.draw_form(test, pools, "s1", 1)
    assert one == rules.draw_form(test, pools, "s1", 1)  # the same however often
    assert len(one) == len(set(one)) == 6 and one[0] == "q1"
    assert set(one[1:3]) <= set(pools["k1"]) and set(one[3:]) <= set(pools["c1"])
    draws = {rules.draw_form(test, pools, f"s{i}", 1) for i in range(20)}
    assert len(draws) > 1  # students differ
    with pytest.raises(InvalidInput, match="k1 has 3"):
        rules.draw_form(replace(test, blueprint=(BlueprintPart("k1", 4),)), pools, "s1", 1)


def test_answers_are_idempotent_final_where_they_must_be_and_refused_after_the_deadline(
        ) -> None:
    test = fixed(status=Status.PUBLISHED, time_limit_s=60)
    s = rules.start(test, "s1", 1, T0, ("q1", "q2", "q3"))
    s1 = rules.answer(test, s, "q1", "A", True, T0 + 1)
    assert s1 is not None and s1.version == s.version + 1
    assert rules.answer(test, s1, "q1", "A", True, T0 + 2) is None  # resent: nothing changes
    s2 = rules.answer(test, s1, "q1", "B", False, T0 + 3)  # back allowed: changed
    assert s2 is not None and s2.responses[0] == "B" and not s2.correct[0]
    with pytest.raises(InvalidInput):
        rules.answer(test, s2, "q9", "A", True, T0 + 4)
    with pytest.raises(TimeUp):
        rules.answer(test, s2, "q2", "A", True, T0 + 60_000)
    final = replace(test, allow_back=False)
    with pytest.raises(StateConflict):
        rules.answer(final, s1, "q1", "B", False, T0 + 3)
    with pytest.raises(InvalidInput, match="order"):
        rules.answer(final, s1, "q3", "B", False, T0 + 3)
    done = rules.finish(s2, T0 + 90_000)
    assert done.finished_at == T0 + 60_000  # the clock ended it at the deadline
    with pytest.raises(StateConflict):
        rules.answer(test, done, "q2", "A", True, T0 + 5)


def test_scoring_counts_unanswered_items_wrong() -> None:
    test = fixed(status=Status.PUBLISHED)
    s = rules.start(test, "s1", 1, T0, ("q1", "q2", "q3"))
    s = rules.answer(test, s, "q1", "A", True, T0) or s
    s = rules.answer(test, s, "q2", "A", False, T0) or s
    assert rules.score(s) == rules.Score(1, 3, 33.33)


def test_item_analysis_proportions_point_biserial_and_options() -> None:
    test = fixed(status=Status.PUBLISHED)
    marks = [(True, True, True), (True, True, False), (True, False, False),
             (False, False, False)]
    sittings = []
    for i, row in enumerate(marks):
        s = rules.start(test, f"s{i}", 1, T0, ("q1", "q2", "q3"))
        for q, right in zip(("q1", "q2", "q3"), row, strict=True):
            s = rules.answer(test, s, q, "A" if right else "B", right, T0) or s
        sittings.append(rules.finish(s, T0))
    stats = {x.question_id: x for x in rules.item_analysis(sittings)}
    assert [stats[q].p_correct for q in ("q1", "q2", "q3")] == [0.75, 0.5, 0.25]
    assert stats["q2"].options == {"A": 2, "B": 2}
    assert all(stats[q].discrimination > 0.5 for q in stats)  # a perfect Guttman pattern
    assert rules.point_biserial([1.0, 1.0], [2.0, 3.0]) is None


def test_placement_spreads_evidence_up_and_down_the_graph_without_counting_it_twice() -> None:
    pre = {"a": (), "b": ("a",), "c": ("b",), "x": (), "y": ("x",)}
    tau = 0.95
    priors = placement_priors(0.0, pre, {}, {"c": [True] * 4, "x": [False] * 3}, tau)
    base = BktParams().prior
    mastered_c = posterior(base, [True] * 4, BktParams())
    assert mastered_c >= tau
    assert priors["a"] == priors["b"] == pytest.approx(mastered_c)  # c known: a and b too
    assert priors["c"] == pytest.approx(base)  # its own answers come in through BKT later
    assert priors["y"] == pytest.approx(posterior(base, [False] * 3, BktParams()))  # x unknown
    assert priors["x"] == pytest.approx(base)
    able = placement_priors(2.0, pre, {}, {}, tau)
    weak = placement_priors(-2.0, pre, {}, {}, tau)
    assert all(weak[k] < base < able[k] for k in pre)  # θ moves every prior


@settings(max_examples=40, deadline=None)
@given(st.integers(1, 40), st.integers(1, 25), st.floats(-3, 3), st.integers(0, 10_000))
def test_a_served_cat_never_repeats_nor_overruns_and_asking_again_changes_nothing(
        n_items: int, max_items: int, theta: float, seed: int) -> None:
    """The server's CAT path (``services.assessment.cat_step`` over stored sittings): each
    next item is new, the sitting stops at ``max_items`` at the latest, and the item chosen
    for a stored state is the same however often it is asked for."""
    rng = np.random.default_rng(seed)
    a, b = rng.uniform(0.5, 2.5, n_items), rng.normal(0.0, 1.2, n_items)
    ids = tuple(f"q{i}" for i in range(n_items))
    bank = Bank(ids, ("k",) * n_items, a, b, 0)
    test = Assessment("cat", "CAT", Form.ADAPTIVE, "d", "", T0, Status.PUBLISHED,
                      scope_ids=("c",), max_items=max_items, se_stop=0.05)
    sitting = cat_step(bank, test, rules.start(test, "s1", 1, T0, ()))
    while sitting is not None and not sitting.finished:
        again = cat_step(bank, test, replace(sitting, items=sitting.items[:-1],
                                             responses=sitting.responses[:-1],
                                             correct=sitting.correct[:-1],
                                             answered_at=sitting.answered_at[:-1]))
        assert again is not None and again.items == sitting.items  # the same item again
        q = sitting.items[-1]
        p = 1 / (1 + np.exp(-a[ids.index(q)] * (theta - b[ids.index(q)])))
        right = bool(rng.random() < p)
        answered = rules.answer(test, sitting, q, "A" if right else "B", right, T0)
        assert answered is not None
        following = cat_step(bank, test, answered)
        if following is None:
            sitting = rules.finish(answered, T0)
            break
        sitting = following
    assert sitting is not None
    assert len(set(sitting.items)) == len(sitting.items) <= min(max_items, n_items)
