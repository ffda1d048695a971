"""Tests of the simulated learner: BKT, gating, forgetting, fatigue, affect, seeds, fitting."""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from evaluation.course_learner import MAX_GUESS_SLIP, course_sim_params, draw_bkt
from evaluation.fit_learner import (
    FitConfig,
    LearnerFit,
    centred_shifts,
    fit_ability,
    fit_learner,
    kp_sequences,
)
from evaluation.learner import Learner, SimParams, fixed_form, standard_form
from models.bkt_em import BktSequences, EmConfig, fit_bkt, fit_many
from models.kt_data import Histories, KTData
from seeds.curriculum import load_curriculum
from tutor.affect import AffectReading, AffectSource, AffectTag
from tutor.errors import InvalidInput

DATA_DIR = Path(
    os.environ.get("KGTUTOR_DATA", Path(__file__).resolve().parents[2].parent / "shared" / "data")
)
LPP = DATA_DIR / "assist2009" / "lpp"
real = pytest.mark.skipif(not (LPP / "q_mat.npz").is_file(),
                          reason=f"ASSISTments 2009 lpp data not found at {LPP} (set KGTUTOR_DATA)")

A, B, C = 0, 1, 2  # KPs; B needs A


def params(**over: object) -> SimParams:
    """Three KPs (A -> B, C alone); items 0: A, 1: B, 2: C, 3: A and C, 4: C but harder."""
    base = dict(kp_ids=("a", "b", "c"), prior=np.zeros(3), learn=np.full(3, 0.3),
                guess=np.full(3, 0.2), slip=np.full(3, 0.1), prereqs=((), (A,), ()),
                item_ids=("qa", "qb", "qc", "qac", "qc-hard"),
                item_kps=((A,), (B,), (C,), (A, C), (C,)),
                item_shift=np.array([0.0, 0.0, 0.0, 0.0, 1.0]), gate=0.5, forget=0.0)
    base.update(over)
    return SimParams(**base)  # type: ignore[arg-type]


def learner(p: SimParams, mastered: list[bool] | None = None, seed: int = 0) -> Learner:
    return Learner(p, np.random.default_rng(seed), None if mastered is None else
                   np.array(mastered))


# --- BKT: answers and learning -----------------------------------------------------------------


def test_the_answer_comes_from_the_state_before_the_practice() -> None:
    p = params(guess=np.zeros(3), slip=np.zeros(3), learn=np.ones(3))
    s = learner(p, [False, False, False])
    assert s.answer(0) is False  # unmastered: no guessing
    assert s.true_mastery().tolist() == [True, False, False]  # learn = 1: learned after it
    assert s.answer(0) is True


def test_p_correct_is_bkt_emission_and_the_mean_over_an_items_kps() -> None:
    s = learner(params(), [True, False, False])
    assert s.p_correct(0) == pytest.approx(0.9)  # mastered: 1 - slip
    assert s.p_correct(2) == pytest.approx(0.2)  # unmastered: guess
    assert s.p_correct(3) == pytest.approx((0.9 + 0.2) / 2)


def test_learning_happens_at_the_learn_rate() -> None:
    p = params(learn=np.array([0.3, 0.0, 0.0]))
    rng = np.random.default_rng(1)
    learned = []
    for _ in range(4000):
        s = Learner(p, rng, np.zeros(3, bool))
        s.answer(0)
        learned.append(s.mastered[A])
    assert np.mean(learned) == pytest.approx(0.3, abs=0.03)


def test_prior_sets_the_starting_mastery() -> None:
    p = params(prior=np.array([0.0, 1.0, 0.5]))
    start = np.array([learner(p, seed=i).true_mastery() for i in range(2000)])
    assert start[:, A].sum() == 0 and start[:, B].all()
    assert start[:, C].mean() == pytest.approx(0.5, abs=0.04)


def test_item_shift_moves_guess_down_and_slip_up_on_the_logit_scale() -> None:
    p = params()
    (g0, s0), = p.item_guess_slip[2]
    (g1, s1), = p.item_guess_slip[4]
    assert (g0, s0) == pytest.approx((0.2, 0.1))
    logit = lambda x: np.log(x / (1 - x))  # noqa: E731
    assert logit(g1) == pytest.approx(logit(0.2) - 1.0)
    assert logit(s1) == pytest.approx(logit(0.1) + 1.0)


# --- gating --------------------------------------------------------------------------------------


def test_an_unmastered_prerequisite_blocks_learning_when_the_gate_is_shut() -> None:
    p = params(learn=np.ones(3), gate=0.0)
    s = learner(p, [False, False, False])
    for _ in range(20):
        s.answer(1)
    assert not s.mastered[B]
    s.answer(0)  # learn A (learn = 1, no prerequisite)
    s.answer(1)
    assert s.mastered[B]


def test_the_gate_multiplies_the_learn_rate() -> None:
    p = params(learn=np.array([0.0, 0.6, 0.0]), gate=0.5)
    rng = np.random.default_rng(2)
    shut, open_ = [], []
    for _ in range(4000):
        s = Learner(p, rng, np.array([False, False, False]))
        s.answer(1)
        shut.append(s.mastered[B])
        s = Learner(p, rng, np.array([True, False, False]))
        s.answer(1)
        open_.append(s.mastered[B])
    assert np.mean(shut) == pytest.approx(0.3, abs=0.03)
    assert np.mean(open_) == pytest.approx(0.6, abs=0.03)


# --- forgetting, fatigue, affect ----------------------------------------------------------------


def test_forgetting_happens_between_sessions_only() -> None:
    s = learner(params(forget=1.0), [True, True, True])
    s.answer(2)
    s.rest()
    assert s.true_mastery().all()
    s.new_session()
    assert not s.true_mastery().any()
    rng = np.random.default_rng(3)
    kept = []
    for _ in range(3000):
        s = Learner(params(forget=0.2), rng, np.ones(3, bool))
        s.new_session()
        kept.append(s.mastered.mean())
    assert np.mean(kept) == pytest.approx(0.8, abs=0.02)


def test_fatigue_raises_slips_after_many_questions_and_a_rest_resets_it() -> None:
    p = params(fatigue_after=5, fatigue_slip=0.1, fatigue_max=0.3, learn=np.zeros(3))
    s = learner(p, [True, True, True])
    for _ in range(5):
        assert s.p_correct(2) == pytest.approx(0.9)
        s.answer(2)
    s.answer(2)
    assert s.p_correct(2) == pytest.approx(0.8)  # one question beyond: slip + 0.1
    for _ in range(10):
        s.answer(2)
    assert s.p_correct(2) == pytest.approx(0.6)  # capped at slip + fatigue_max
    s.rest()
    assert s.p_correct(2) == pytest.approx(0.9)
    for _ in range(8):
        s.answer(2)
    s.new_session()
    assert s.p_correct(2) == pytest.approx(0.9)


def test_fatigue_emits_one_fatigued_reading_per_sitting() -> None:
    p = params(fatigue_after=4, question_ms=1000)
    s = learner(p, [True, True, True])
    for _ in range(10):
        s.answer(2)
    signals = s.take_signals()
    assert [r.tag for r in signals] == [AffectTag.FATIGUED]
    assert signals[0] == AffectReading(AffectTag.FATIGUED, 1.0, AffectSource.SELF_REPORT, 4000,
                                       {"questions_in_a_row": 4.0})
    assert s.take_signals() == []
    s.rest()
    for _ in range(4):
        s.answer(2)
    assert [r.tag for r in s.take_signals()] == [AffectTag.FATIGUED]


def test_three_wrong_in_a_row_on_a_kp_emit_confused() -> None:
    p = params(guess=np.zeros(3), learn=np.zeros(3), fatigue_after=100)
    s = learner(p, [False, False, True])
    s.answer(0), s.answer(0)
    s.answer(2)  # right, but on another KP: A's streak goes on
    assert s.take_signals() == []
    s.answer(0)
    (reading,) = s.take_signals()
    assert reading.tag == AffectTag.CONFUSED and reading.measures == {"wrong_in_a_row": 3.0}
    s.answer(0), s.answer(0)
    assert s.take_signals() == []
    s.answer(0)
    assert [r.tag for r in s.take_signals()] == [AffectTag.CONFUSED]


# --- seeds, learning off, the fixed form --------------------------------------------------------


def run(p: SimParams, seed: int, n: int = 60) -> tuple[list[bool], np.ndarray]:
    s = Learner(p, np.random.default_rng(seed))
    answers = []
    for t in range(n):
        answers.append(s.answer(t % p.n_items))
        if t % 20 == 19:
            s.new_session()
    return answers, s.true_mastery()


def test_the_same_seed_gives_the_same_trajectory() -> None:
    p = params(forget=0.1, prior=np.full(3, 0.4))
    a1, m1 = run(p, 7)
    a2, m2 = run(p, 7)
    assert a1 == a2 and m1.tolist() == m2.tolist()
    assert any(run(p, seed)[0] != a1 for seed in range(8, 12))


def test_learning_off_leaves_mastery_unchanged() -> None:
    p = params(learning=False, learn=np.ones(3), forget=1.0, prior=np.full(3, 0.5))
    s = Learner(p, np.random.default_rng(4))
    start = s.true_mastery()
    for t in range(200):
        s.answer(t % p.n_items)
        if t % 25 == 24:
            s.new_session()
    assert s.true_mastery().tolist() == start.tolist()


ACTIONS = st.lists(st.one_of(st.integers(0, 4), st.sampled_from(["rest", "session"])),
                   max_size=60)


@settings(max_examples=60, deadline=None)
@given(first=ACTIONS, second=ACTIONS, seed=st.integers(0, 2**32 - 1))
def test_with_learning_off_no_practice_changes_the_expected_post_test(
        first: list, second: list, seed: int) -> None:
    p = params(learning=False, learn=np.full(3, 0.9), forget=0.5, prior=np.full(3, 0.5),
               fatigue_after=3)
    form = standard_form(p)
    start = Learner(p, np.random.default_rng(seed)).true_mastery()
    scores = []
    for actions in (first, second):
        s = Learner(p, np.random.default_rng(seed + 1), start)
        pre = fixed_form(s, form)
        for a in actions:
            s.rest() if a == "rest" else s.new_session() if a == "session" else s.answer(a)
        assert fixed_form(s, form) == pytest.approx(pre)
        scores.append(fixed_form(s, form))
    assert scores[0] == pytest.approx(scores[1])


def test_the_fixed_form_covers_every_kp_and_changes_nothing() -> None:
    p = params(fatigue_after=1, learn=np.zeros(3))
    form = standard_form(p)
    assert form.tolist() == [0, 1, 2]  # single-KP, typical items first
    assert standard_form(p, per_kp=2).tolist() == [0, 3, 1, 2, 4]
    s = learner(p, [True, False, True])
    s.answer(1), s.answer(1)  # tired now
    state = (s.true_mastery().tolist(), s.clock_ms, s.in_a_row, len(s.signals))
    assert fixed_form(s, form) == pytest.approx(100 * (0.9 + 0.2 + 0.9) / 3)  # taken rested
    sampled = fixed_form(s, form, np.random.default_rng(0))
    assert sampled * 3 / 100 == pytest.approx(round(sampled * 3 / 100))  # 0, 1, 2 or 3 right
    assert (s.true_mastery().tolist(), s.clock_ms, s.in_a_row, len(s.signals)) == state
    with pytest.raises(InvalidInput):
        fixed_form(s, np.array([], dtype=np.int64))


@pytest.mark.parametrize("bad", [dict(prior=np.array([0.1, 1.2, 0.1])),
                                 dict(prereqs=((), (B,), ())),
                                 dict(item_kps=((A,), (B,), (C,), (), (C,))),
                                 dict(item_shift=np.zeros(3)), dict(gate=1.5),
                                 dict(fatigue_after=0)])
def test_params_are_validated(bad: dict) -> None:
    with pytest.raises(InvalidInput):
        params(**bad)


# --- fitting -------------------------------------------------------------------------------------


def simulated_sequences(rng: np.random.Generator, n: int, length: int) -> BktSequences:
    """Answers of ``n`` students on one KP: prior 0.3, learn 0.3 open / 0.05 gated,
    guess 0.2, slip 0.1; the first half of every sequence is gated."""
    correct, classes = [], []
    for _ in range(n):
        known = rng.random() < 0.3
        for t in range(length):
            correct.append(int(rng.random() < (0.9 if known else 0.2)))
            gated = t < length // 2
            classes.append(int(gated))
            known = known or rng.random() < (0.05 if gated else 0.3)
    return BktSequences(np.array(correct), np.full(n, length), np.array(classes), 2)


def test_em_recovers_the_parameters_of_simulated_answers() -> None:
    seqs = simulated_sequences(np.random.default_rng(5), 200, 8)
    fit = fit_bkt(seqs, seed=0, config=EmConfig(max_iter=40))
    assert fit.prior == pytest.approx(0.3, abs=0.1)
    assert fit.guess == pytest.approx(0.2, abs=0.07)
    assert fit.slip == pytest.approx(0.1, abs=0.07)
    assert fit.learns[0] == pytest.approx(0.3, abs=0.12)
    assert fit.learns[1] < fit.learns[0] / 2
    assert fit_bkt(seqs, seed=0, config=EmConfig(max_iter=40)).loglike == fit.loglike


def test_fits_in_worker_processes_equal_fits_in_this_one() -> None:
    rng = np.random.default_rng(8)
    jobs = [(simulated_sequences(rng, 30, 4), 0), (simulated_sequences(rng, 40, 4), 1)]
    config = EmConfig(max_iter=10)
    here = fit_many(jobs, config, workers=1)
    there = fit_many(jobs, config, workers=2)
    assert [f.loglike for f in here] == [f.loglike for f in there]
    assert here[0].loglike != here[1].loglike


def test_em_rejects_inconsistent_sequences() -> None:
    with pytest.raises(InvalidInput):
        fit_bkt(BktSequences(np.array([0, 1]), np.array([3]), np.zeros(2, int)), seed=0)
    with pytest.raises(InvalidInput):
        fit_bkt(BktSequences(np.array([0, 1]), np.array([2]), np.array([0, 1])), seed=0)


def test_kp_sequences_split_answers_by_kp_and_flag_gated_ones() -> None:
    item_skills = np.array([[0, -1], [1, -1], [0, 1]])
    h = Histories(("s",), (np.array([0, 1, 2, 1]),), (np.array([1, 0, 1, 1]),))
    gate = np.array([[-1, 1]])  # KP 1's prerequisite was mastered at position 1
    seqs = kp_sequences(h, item_skills, gate)
    (a0, g0), = seqs[0]
    (a1, g1), = seqs[1]
    assert a0.tolist() == [1, 1] and not g0.any()
    assert a1.tolist() == [0, 1, 1] and g1.tolist() == [True, False, False]


def test_shifts_are_centred_per_kp_with_response_weights() -> None:
    item_skills = np.array([[0, -1], [0, -1], [1, -1], [0, 1]])
    b = np.array([1.0, 3.0, -2.0, 0.0])
    w = np.array([3.0, 1.0, 1.0, 0.0])
    shift = centred_shifts(item_skills, b, w, max_shift=4.0)
    assert np.average(shift[:2], weights=w[:2]) == pytest.approx(0.0)  # KP 0: centre 1.5
    assert shift[2] == pytest.approx(0.0)
    assert shift[3] == pytest.approx(0.0 - (1.5 - 2.0) / 2)
    assert centred_shifts(item_skills, b * 10, w, 4.0).max() == 4.0


def cohort(p: SimParams, n: int, length: int, seed: int) -> KTData:
    """KTData of ``n`` simulated students practising items in curriculum order."""
    rng = np.random.default_rng(seed)
    items, correct = [], []
    for _ in range(n):
        s = Learner(p, rng)
        seq = np.repeat(np.arange(p.n_items), length)
        items.append(seq)
        correct.append(np.array([int(s.answer(int(i))) for i in seq]))
    skills = np.full((p.n_items, 2), -1)
    for i, kps in enumerate(p.item_kps):
        skills[i, :len(kps)] = kps
    train = Histories(tuple(f"s{i}" for i in range(n)), tuple(items), tuple(correct))
    return KTData(p.item_ids, p.kp_ids, skills, p.kp_ids, train, train.subset([]))


def test_fit_learner_recovers_a_simulated_cohort() -> None:
    truth = params(prior=np.full(3, 0.2), learn=np.full(3, 0.25), item_shift=np.zeros(5),
                   fatigue_after=1000)
    kt = cohort(truth, 120, 6, seed=6)
    fit = fit_learner(kt, FitConfig(workers=1, em=EmConfig(max_iter=40)))
    p = fit.params
    assert fit.own.all() and p.kp_ids == truth.kp_ids and p.item_ids == truth.item_ids
    assert np.median(p.guess) == pytest.approx(0.2, abs=0.08)
    assert np.median(p.slip) == pytest.approx(0.1, abs=0.08)
    assert np.median(p.learn) == pytest.approx(0.25, abs=0.12)
    assert 0.0 <= p.gate <= 1.0
    assert fit.report["answers_total"] == 120 * 6 * 6  # item 3 counts for A and C
    assert {"seconds_bkt", "median_learn", "gate_kps"} <= fit.report.keys()


@real
def test_real_sequences_cover_every_answer_and_kp() -> None:
    from models.sources import load_responses

    kt = load_responses(LPP)
    seqs = kp_sequences(kt.train, kt.item_skills, np.full((len(kt.train), kt.n_skills), -1))
    per_answer = (kt.item_skills[np.concatenate(kt.train.items)] >= 0).sum()
    assert sum(len(a) for s in seqs for a, _ in s) == per_answer
    assert all(not g.any() for s in seqs for _, g in s)


# --- a course with no data: the demo curriculum --------------------------------------------------


def test_the_demo_curriculum_gets_parameters_without_any_data() -> None:
    course = load_curriculum()
    p = course_sim_params(course, np.random.default_rng(0))
    assert p.n_kps == len(course.kps) and p.n_items == len(course.questions)
    assert sum(len(x) for x in p.prereqs) == len(course.prerequisites)
    assert p.guess.max() <= MAX_GUESS_SLIP and p.slip.max() <= MAX_GUESS_SLIP
    single = [i for i, kps in enumerate(p.item_kps) if len(kps) == 1]
    by_kp = {}
    for i in single:
        by_kp.setdefault(p.item_kps[i][0], []).append(p.item_shift[i])
    assert max(abs(np.mean(v)) for v in by_kp.values()) < 0.5
    again = course_sim_params(course, np.random.default_rng(0), forget=0.0)
    assert np.array_equal(again.learn, p.learn) and again.forget == 0.0
    s = Learner(p, np.random.default_rng(1))
    for t in range(50):
        s.answer(t % p.n_items)
    assert 0.0 <= fixed_form(s, standard_form(p)) <= 100.0


def test_a_reference_fit_lends_its_own_kps_rows() -> None:
    ref = params(prior=np.array([0.1, 0.2, 0.3]), learn=np.array([0.4, 0.5, 0.6]), gate=0.2)
    fit = LearnerFit(ref, np.array([True, False, True]), np.array([]), {})
    drawn = draw_bkt(50, np.random.default_rng(0), fit)
    assert set(drawn["prior"].tolist()) <= {0.1, 0.3}
    assert all((pr, le) in {(0.1, 0.4), (0.3, 0.6)}
               for pr, le in zip(drawn["prior"], drawn["learn"], strict=True))
    p = course_sim_params(load_curriculum(), np.random.default_rng(0), fit)
    assert p.gate == 0.2
    assert replace(p, learning=False).learning is False


# --- general ability ---------------------------------------------------------------------------


def test_ability_moves_every_prior_on_the_logit_scale() -> None:
    p = params(prior=np.full(3, 0.5), learn=np.full(3, 0.3), ability_sd=1.0)
    assert learner(p, seed=3).ability != 0.0
    # the starting mastery follows the shifted prior: over many learners, its mean
    able = [Learner(p, np.random.default_rng(i)) for i in range(4000)]
    high = [x.mastered.mean() for x in able if x.ability > 1.0]
    low = [x.mastered.mean() for x in able if x.ability < -1.0]
    assert np.mean(high) > 0.8 > 0.2 > np.mean(low)


def test_learners_who_differ_in_ability_still_know_each_kp_as_often_as_its_prior() -> None:
    """The spread moves learners around the prior, not the population's mean off it."""
    prior = np.array([0.0, 0.1, 0.5, 0.715, 0.95, 1.0])
    p = params(kp_ids=tuple("abcdef"), prior=prior, learn=np.full(6, 0.3),
               guess=np.full(6, 0.2), slip=np.full(6, 0.1), prereqs=((),) * 6,
               item_kps=((0,), (1,), (2,), (3,), (4,)), ability_sd=4.25)
    known = np.mean([Learner(p, np.random.default_rng(i)).mastered for i in range(20000)], 0)
    assert known == pytest.approx(prior, abs=0.012)  # 20,000 draws: se <= 0.0036
    assert p.arrival_prior(0.0)[3] > 0.9  # the typical learner of a 0.715 KP knows it
    uncentred = 1 / (1 + np.exp(-(np.log(0.715 / 0.285) + 4.25 * np.random.default_rng(0)
                                  .standard_normal(20000))))
    assert uncentred.mean() < 0.62  # what shifting the prior's own logit gave


def test_ability_moves_guesses_and_slips_around_the_fitted_ones() -> None:
    p = params(guess=np.full(3, 0.2), slip=np.full(3, 0.1), item_shift=np.zeros(5),
               ability_sd=1.5)
    rng = np.random.default_rng(0)
    learners = [Learner(p, rng, mastered=np.array([k, k, k]), ability=float(a))
                for k in (False, True) for a in rng.normal(0.0, 1.5, 20000)]
    unknown = np.mean([x.p_correct(0) for x in learners[:20000]])
    known = np.mean([x.p_correct(0) for x in learners[20000:]])
    assert unknown == pytest.approx(0.2, abs=0.01) and known == pytest.approx(0.9, abs=0.01)
    able = Learner(p, rng, mastered=np.array([True, False, True]), ability=2.0)
    weak = Learner(p, rng, mastered=np.array([True, False, True]), ability=-2.0)
    assert able.p_correct(0) > 0.9 > weak.p_correct(0)  # fewer slips
    assert able.p_correct(1) > 0.2 > weak.p_correct(1)  # better guesses
    form = np.arange(5)
    assert fixed_form(able, form) > fixed_form(weak, form)  # the test is taken as who they are


def test_no_ability_spread_keeps_every_trajectory_as_before() -> None:
    p = params(prior=np.full(3, 0.4))
    a, b = learner(p, seed=5), learner(replace(p, ability_sd=0.0), seed=5)
    assert a.ability == b.ability == 0.0
    assert [a.answer(i % 5) for i in range(30)] == [b.answer(i % 5) for i in range(30)]


def test_the_ability_spread_is_found_by_matching_the_variance_of_right_answer_rates() -> None:
    config = FitConfig(ability_grid=(0.0, 1.0, 2.0, 3.0))
    found = {}
    for sd in (0.0, 2.0):
        truth = params(prior=np.full(3, 0.3), learn=np.full(3, 0.05), item_shift=np.zeros(5),
                       fatigue_after=1000, ability_sd=sd)  # `cohort` has no sessions
        found[sd] = fit_ability(cohort(truth, 1000, 8, seed=7), replace(truth, ability_sd=0.0),
                                config)
    # a moment estimate on 1,000 students: the right neighbourhood, and in the right order
    assert found[0.0][0] <= 1.0 <= found[2.0][0] and abs(found[2.0][0] - 2.0) <= 1.0
    for _, spread in found.values():
        assert spread["rate_variance_sim"] == pytest.approx(spread["rate_variance_real"],
                                                            rel=0.2)
