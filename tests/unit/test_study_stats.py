"""The classroom study's statistics against values computed by hand."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats as scipy_stats

from tutor.statistics import (
    change,
    cohens_d,
    compare,
    holm,
    paired,
    rel_gain,
    welch,
    with_holm,
)

A = np.array([2.0, 4.0, 6.0])  # mean 4, variance (ddof 1) 4
B = np.array([1.0, 2.0, 3.0])  # mean 2, variance 1


def test_welch_t_and_p_by_hand() -> None:
    t, p = welch(A, B)
    # t = (4 - 2) / sqrt(4/3 + 1/3); Welch-Satterthwaite df = (5/3)^2 / ((4/3)^2/2 + (1/3)^2/2)
    df = (5 / 3) ** 2 / ((4 / 3) ** 2 / 2 + (1 / 3) ** 2 / 2)
    assert t == pytest.approx(2 / math.sqrt(5 / 3))
    assert df == pytest.approx(2.941176, rel=1e-6)
    assert p == pytest.approx(2 * scipy_stats.t.sf(2 / math.sqrt(5 / 3), df))


def test_cohens_d_and_its_interval_by_hand() -> None:
    d, ci = cohens_d(A, B)
    # pooled sd = sqrt((2*4 + 2*1) / 4) = sqrt(2.5); se = sqrt(6/9 + d^2 / 12) = sqrt(0.8)
    assert d == pytest.approx(2 / math.sqrt(2.5))
    assert ci == pytest.approx([d - 1.959964 * math.sqrt(0.8), d + 1.959964 * math.sqrt(0.8)],
                               abs=1e-5)
    assert ci == pytest.approx([-0.48811, 3.01793], abs=1e-4)


def test_holm_steps_down_and_stays_monotone() -> None:
    adjusted = holm({"a": 0.01, "b": 0.04, "c": 0.03, "none": None})
    # sorted 0.01, 0.03, 0.04 times 3, 2, 1: 0.03, 0.06, 0.04 -> running max 0.03, 0.06, 0.06
    assert adjusted == pytest.approx({"a": 0.03, "b": 0.06, "c": 0.06, "none": None})
    assert holm({"x": 0.6, "y": 0.7}) == pytest.approx({"x": 1.0, "y": 1.0})


def test_relative_gain_and_one_comparison() -> None:
    assert rel_gain(A, B) == pytest.approx(1.0)
    assert rel_gain(A, np.zeros(3)) is None
    both = with_holm({"k_vs_a": compare(A, B), "k_vs_b": compare(B, A)})
    assert set(both["k_vs_a"]) == {"rel_gain", "t", "p", "p_holm", "d", "d_ci95"}
    assert both["k_vs_a"]["p_holm"] == pytest.approx(min(1.0, 2 * both["k_vs_a"]["p"]))


def test_identical_groups_without_spread_are_no_difference_not_nan() -> None:
    same = np.full(5, 60.0)
    assert welch(same, same) == (0.0, 1.0)
    assert cohens_d(same, same) == (0.0, [0.0, 0.0])
    assert cohens_d(same, same + 1) == (None, None)
    assert welch(same[:1], same) == (None, None)


def test_paired_difference_by_hand() -> None:
    # diffs 1, 2, 3: mean 2, sd 1, se 1/sqrt(3), t = 2 sqrt(3), df 2
    got = paired(A, B)
    assert got["diff"] == pytest.approx(2.0) and got["se"] == pytest.approx(1 / math.sqrt(3))
    assert got["t"] == pytest.approx(2 * math.sqrt(3))
    assert got["p"] == pytest.approx(2 * scipy_stats.t.sf(2 * math.sqrt(3), 2))
    assert paired(A, A) == {"diff": 0.0, "se": 0.0, "t": 0.0, "p": 1.0}
    assert paired(A, A - 1)["p"] is None and paired(A[:1], B[:1])["diff"] is None


def test_change_scores_remove_what_each_member_brought() -> None:
    rng = np.random.default_rng(3)
    pre_a, pre_b = rng.normal(60, 18, 200), rng.normal(60, 18, 200)
    post_a, post_b = pre_a + 3 + rng.normal(0, 2, 200), pre_b + rng.normal(0, 2, 200)
    on_post = compare(post_a, post_b)
    on_change = change(post_a - pre_a, post_b - pre_b)
    t, p = scipy_stats.ttest_ind(post_a - pre_a, post_b - pre_b, equal_var=False)
    assert on_change["t"] == pytest.approx(t) and on_change["p"] == pytest.approx(p)
    assert on_change["diff"] == pytest.approx(np.mean(post_a - pre_a) - np.mean(post_b - pre_b))
    assert on_change["p"] < 1e-20 < on_post["p"]  # the spread the pre-test explains is gone
    assert on_change["d"] == pytest.approx(cohens_d(post_a - pre_a, post_b - pre_b)[0])
