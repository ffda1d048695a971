"""Per-KP BKT fits (models.kp_bkt) and the expected-gain signal they feed (tutor.kp_ranking)."""

from __future__ import annotations

import numpy as np

from models.kp_bkt import KpBktConfig, fit_kp_bkt
from tutor.kp_ranking import expected_gains
from tutor.mastery import BktParams
from tutor.recommend_types import Catalogue, QuestionFacts


def simulate(rng: np.random.Generator, truth: list[BktParams], students: int, answers: int
             ) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """Each student answers ``answers`` questions on each KP in turn (item k tests KP k)."""
    items, correct = [], []
    for _ in range(students):
        seq, ok = [], []
        for k, b in enumerate(truth):
            known = rng.random() < b.prior
            for _ in range(answers):
                seq.append(k)
                ok.append(int(rng.random() < ((1 - b.slip) if known else b.guess)))
                known = known or rng.random() < b.learn
        items.append(np.array(seq))
        correct.append(np.array(ok))
    return items, correct


def test_learn_rates_are_recovered_and_ordered() -> None:
    truth = [BktParams(prior=0.3, learn=0.05, guess=0.15, slip=0.1),
             BktParams(prior=0.3, learn=0.4, guess=0.15, slip=0.1)]
    items, correct = simulate(np.random.default_rng(1), truth, 300, 8)
    fit = fit_kp_bkt(items, correct, [(0,), (1,)], 2, KpBktConfig(max_students=300))
    slow, fast = fit.params
    assert fit.own.all()
    assert abs(slow.learn - 0.05) < 0.05 and abs(fast.learn - 0.4) < 0.12
    assert abs(fast.prior - 0.3) < 0.1 and abs(fast.guess - 0.15) < 0.08


def test_a_kp_with_too_few_students_gets_the_pooled_fit() -> None:
    truth = [BktParams(0.3, 0.2, 0.15, 0.1)] * 3
    items, correct = simulate(np.random.default_rng(2), truth, 60, 6)
    keep = [np.ones(18, dtype=bool) if j < 5 else s != 2 for j, s in enumerate(items)]
    items = [s[m] for s, m in zip(items, keep, strict=True)]  # KP 2: 5 students only
    correct = [c[m] for c, m in zip(correct, keep, strict=True)]
    fit = fit_kp_bkt(items, correct, [(0,), (1,), (2,)], 3, KpBktConfig(min_students=20))
    assert list(fit.own) == [True, True, False]
    assert fit.params[2].learn == np.median([fit.params[0].learn, fit.params[1].learn])


def test_one_answer_per_student_and_kp_fits_no_learn_rate_of_its_own() -> None:
    """Without repeated practice the learn rate is not identifiable: the fit runs, and every
    KP's learn rate stays whatever EM lands on, which the tests of the study report as such."""
    truth = [BktParams(0.5, 0.3, 0.2, 0.1)] * 2
    items, correct = simulate(np.random.default_rng(3), truth, 200, 1)
    fit = fit_kp_bkt(items, correct, [(0,), (1,)], 2)
    assert len(fit.params) == 2 and all(0 <= p.learn <= 1 for p in fit.params)


def test_expected_gain_prefers_the_faster_learnt_kp_at_equal_mastery() -> None:
    questions = {q: QuestionFacts(q, (q[0],), 1.0, 0.0) for q in ("A0", "B0", "C0")}
    catalogue = Catalogue({"A": "A", "B": "B", "C": "C"}, {}, {"A": 0, "B": 1, "C": 2},
                          questions, kp_bkt={"A": BktParams(0.3, 0.05, 0.2, 0.1),
                                             "B": BktParams(0.3, 0.4, 0.2, 0.1)})
    gains = expected_gains(catalogue, ["A", "B", "C"], {"A": 0.2, "B": 0.2, "C": 0.2})
    assert gains["B"] == 1.0 and gains["A"] < gains["C"] < gains["B"]  # C: the defaults (0.1)
    # a KP already likely known gains little whatever its rate
    gains = expected_gains(catalogue, ["A", "B"], {"A": 0.2, "B": 0.97})
    assert gains["A"] == 1.0 and gains["B"] < 0.5
