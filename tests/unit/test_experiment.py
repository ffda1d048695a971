"""Experiments' pure parts: blocked randomisation, Cronbach's alpha, the report's statistics
against scipy, and the control arms' schedules."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pytest
from scipy import stats

from tutor import schedules
from tutor.errors import InvalidInput
from tutor.experiment import Experiment, Outcome, Phase, assign, report, transition
from tutor.recommend_types import Catalogue, LearnerState, QuestionFacts, RecConfig
from tutor.statistics import anova_p, cronbach_alpha


def test_blocked_randomisation_balances_every_stratum_and_repeats_under_its_seed() -> None:
    rng = np.random.default_rng(3)
    scores = {f"s{i:02d}": float(rng.integers(0, 101)) for i in range(41)}
    scores.update({"late1": None, "late2": None, "late3": None})
    arms = ("kgtutor", "fixed")
    out = assign(scores, arms, seed=11, strata=4)
    assert set(out) == set(scores)  # everyone, in exactly one arm
    assert assign(scores, arms, seed=11, strata=4) == out  # reproducible
    assert assign(dict(reversed(list(scores.items()))), arms, seed=11, strata=4) == out
    assert assign(scores, arms, seed=12, strata=4) != out
    by_stratum: dict[int, Counter] = {}
    for arm, stratum in out.values():
        by_stratum.setdefault(stratum, Counter())[arm] += 1
    assert len(by_stratum) == 5  # 4 score blocks and the students without a pre-test
    for counts in by_stratum.values():
        assert max(counts.values()) - min(counts[a] for a in arms) <= 1
    assert {out[s][1] for s in ("late1", "late2", "late3")} == {4}
    low = sorted(scores, key=lambda s: (scores[s] is None, scores[s] or 0, s))[:10]
    assert {out[s][1] for s in low} == {0}  # the lowest scores share the first stratum
    pre = {arm: [scores[s] for s, (a, _) in out.items() if a == arm and scores[s] is not None]
           for arm in arms}
    assert abs(np.mean(pre["kgtutor"]) - np.mean(pre["fixed"])) < 8  # blocking balances


def test_three_arms_deal_in_turn() -> None:
    out = assign({f"s{i}": float(i) for i in range(30)}, ("kgtutor", "fixed", "random"), 1, 1)
    assert Counter(a for a, _ in out.values()) == {"kgtutor": 10, "fixed": 10, "random": 10}


def test_cronbachs_alpha_matches_hoyts_anova_and_textbook_cases() -> None:
    # Hoyt (1941): alpha = (MS_persons - MS_residual) / MS_persons of the persons x items ANOVA
    rng = np.random.default_rng(0)
    trait = rng.normal(size=(60, 1))
    x = np.clip(np.round(3 + trait + rng.normal(scale=0.8, size=(60, 5))), 1, 5)
    n, k = x.shape
    grand = x.mean()
    ss_persons = k * ((x.mean(axis=1) - grand) ** 2).sum()
    ss_items = n * ((x.mean(axis=0) - grand) ** 2).sum()
    ss_residual = ((x - grand) ** 2).sum() - ss_persons - ss_items
    ms_persons, ms_residual = ss_persons / (n - 1), ss_residual / ((n - 1) * (k - 1))
    assert cronbach_alpha(x) == pytest.approx((ms_persons - ms_residual) / ms_persons)
    assert cronbach_alpha(np.array([[1, 2], [2, 3], [3, 4]])) == pytest.approx(1.0)
    # two items that disagree exactly: the total never varies beyond the items: alpha < 0
    assert cronbach_alpha(np.array([[1, 3], [2, 2], [3, 1], [2, 3]])) < 0
    assert cronbach_alpha(np.array([[3, 3], [3, 3]])) is None
    assert cronbach_alpha(np.array([[1, 2, 3]])) is None


def outcome(student: str, arm: str, post: float | None, pre: float = 50.0,
            consent: bool | None = True, withdrawn: bool = False,
            likert: tuple[int, ...] | None = (4, 4, 5)) -> Outcome:
    return Outcome(student, arm, 0, consent, withdrawn, pre, post, 0.5, 600.0, 20, likert)


def test_the_report_uses_scipys_statistics_and_leaves_out_who_must_be() -> None:
    rng = np.random.default_rng(1)
    a, b = rng.normal(70, 10, 25), rng.normal(62, 12, 22)
    outcomes = ([outcome(f"a{i}", "kgtutor", float(v)) for i, v in enumerate(a)]
                + [outcome(f"b{i}", "fixed", float(v)) for i, v in enumerate(b)]
                + [outcome("w", "kgtutor", 100.0, withdrawn=True),
                   outcome("n", "fixed", 0.0, consent=None),
                   outcome("gone", "fixed", None)])
    r = report(("kgtutor", "fixed"), outcomes)
    assert (r["enrolled"], r["analysed"]) == (50, 47)
    assert r["arms"]["kgtutor"]["attrition"] == {"no_consent": 0, "withdrawn": 1,
                                                 "no_post_test": 0}
    assert r["arms"]["fixed"]["attrition"] == {"no_consent": 1, "withdrawn": 0,
                                               "no_post_test": 1}
    assert r["arms"]["kgtutor"]["post_test"]["mean"] == pytest.approx(a.mean())
    # the reference is the first arm, compared with each other one (as evaluate learning)
    c = r["comparisons"]["kgtutor_vs_fixed"]
    assert r["by_measure"]["post"] == r["comparisons"]
    t, p = stats.ttest_ind(a, b, equal_var=False)
    assert (c["t"], c["p"]) == (pytest.approx(t), pytest.approx(p))
    assert c["p_holm"] == pytest.approx(p)  # a family of one
    pooled = np.sqrt(((len(a) - 1) * a.var(ddof=1) + (len(b) - 1) * b.var(ddof=1))
                     / (len(a) + len(b) - 2))
    assert c["d"] == pytest.approx((a.mean() - b.mean()) / pooled)
    assert c["d_ci95"][0] < c["d"] < c["d_ci95"][1]
    assert r["balance_p"] == 1.0  # every pre-test 50
    assert r["cronbach_alpha"] is None  # identical answers: the total never varies


def test_anova_balance_for_three_arms_is_scipys() -> None:
    groups = [np.array([1.0, 2, 3, 4]), np.array([2.0, 3, 4, 5]), np.array([5.0, 6, 7, 9])]
    assert anova_p(groups) == pytest.approx(stats.f_oneway(*groups).pvalue)


def test_an_experiment_checks_its_settings_and_life() -> None:
    x = Experiment("x", "Study", "", ("c",), ("kgtutor", "fixed"), "pre", "post", "t", 0)
    with pytest.raises(InvalidInput, match="arms"):
        Experiment("x", "S", "", ("c",), ("kgtutor", "kgtutor"), "pre", "post", "t", 0)
    with pytest.raises(InvalidInput, match="oracle"):
        Experiment("x", "S", "", ("c",), ("kgtutor", "oracle"), "pre", "post", "t", 0)
    with pytest.raises(InvalidInput, match="post_test_id"):
        Experiment("x", "S", "", ("c",), ("kgtutor", "fixed"), "pre", "pre", "t", 0)
    running = transition(x, "start", 5)
    assert (running.phase, running.starts_at) == (Phase.RUNNING, 5)
    assert transition(running, "stop", 9).ends_at == 9
    with pytest.raises(InvalidInput):
        transition(running, "start", 6)


def catalogue() -> Catalogue:
    kps = ["k1", "k2", "k3"]
    questions = {f"q{k}{i}": QuestionFacts(f"q{k}{i}", (f"k{k}",), 1.0, (i - 2) * 0.5)
                 for k in (1, 2, 3) for i in range(5)}
    return Catalogue({k: k.upper() for k in kps}, {"k1": (), "k2": ("k1",), "k3": ("k2",)},
                     {k: i for i, k in enumerate(kps)}, questions)


def test_the_fixed_schedule_spreads_its_budget_in_curriculum_order() -> None:
    cat = catalogue()
    first = schedules.fixed(cat, 0, 9, 9)
    assert [q[:2] for q in first] == ["q1"] * 3 + ["q2"] * 3 + ["q3"] * 3
    assert first[0] == "q12"  # the KP's median difficulty first
    assert schedules.fixed(cat, 4, 9, 2) == first[4:6]  # moves on whatever the mastery
    assert schedules.fixed(cat, 9, 9, 1) == first[:1]  # then starts over


def test_mastery_learning_stays_until_mastered_then_moves_on() -> None:
    cat = catalogue()
    assert schedules.mastery(cat, {}, (), 2)[0].startswith("q1")
    assert schedules.mastery(cat, {"k1": 0.96}, (), 2)[0].startswith("q2")
    tried = tuple((f"q1{i % 5}", False) for i in range(10))  # 10 tries on k1: move on
    assert schedules.mastery(cat, {}, tried, 1)[0].startswith("q2")
    state = LearnerState("s", {}, (), theta=0.0)
    shaped = schedules.as_list(cat, state, ["q12", "q24"], RecConfig())
    assert [r.kp_id for r in shaped.items] == ["k1", "k2"]
    assert all("fixed" not in " ".join(r.reasons) for r in shaped.items)  # blind to the arm
    assert schedules.random_items(cat, "s", 3, 4) == schedules.random_items(cat, "s", 3, 4)


def test_a_report_before_anyone_sat_anything_is_valid_json() -> None:
    import json

    r = report(("kgtutor", "fixed"), [])
    text = json.dumps(r, allow_nan=False)  # no NaN anywhere
    assert r["analysed"] == 0 and "NaN" not in text
    assert r["comparisons"]["kgtutor_vs_fixed"]["rel_gain"] is None
