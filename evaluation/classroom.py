"""One simulated learner through the study's protocol, and the cohorts around it.

:func:`practise`: the pre-test, ``sessions`` sessions of ``per_session`` questions chosen by a
policy (a new session between them: fatigue resets, forgetting; a rest when the plan asks for
one), a test after each session, the last being the post-test. A policy's list is practised in
order; the policy is asked again when it runs out and at each new session. Tests are the fixed
form over every KP (``evaluation.learner.standard_form``), scored as the learner's **expected**
score (mean P(right), rested, no learning): a true score, so the comparison is not blurred by
the noise of drawing answers, and with learning switched off a post-test equals its pre-test.
No policy sees the tests' answers: every arm starts knowing only the historical cohort; with
``pretest_seen`` (`evaluate learning --pretest seen`) each is given the pre-test's drawn answers
at its start, as the product records a sitting's answers as attempts.

Per learner (:class:`Outcome`): post-test (0-100), normalised gain (post - pre) / (100 - pre),
completion (the share of chapters whose every KP is truly mastered at the end), over-practice
(questions whose every KP was already truly mastered), questions to mastery (over the KPs
learnt during practice, the mean number of questions on the KP up to the one it was learnt
from), questions answered, rests, and the test after each session (the learning curve).

:func:`assign`: randomised blocks. Learners are sorted by pre-test and cut into blocks of as
many learners as arms; inside each block the arms are shuffled. Every arm gets the same number
of learners and pre-tests balanced to within a block, which a plain shuffle of 100 per arm does
not guarantee (its imbalance alone has |d| ≈ 0.14 at one sd).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from evaluation.learner import Learner, SimParams, fixed_form, form_answers
from evaluation.policies import Answer, Policy
from models.kt_data import Histories


@dataclass(frozen=True)
class Practice:
    sessions: int = 4
    per_session: int = 25

    @property
    def budget(self) -> int:
        return self.sessions * self.per_session


@dataclass(frozen=True)
class Outcome:
    pre: float
    post: float
    gain: float | None  # None when the pre-test was already 100
    completion: float
    overpractice: int
    to_mastery: float | None  # None when no KP was learnt
    questions: int
    rests: int
    curve: tuple[float, ...]  # pre-test, then the test after each session


def practise(policy: Policy, learner: Learner, learner_id: int, practice: Practice,
             form: np.ndarray, chapters: Sequence[Sequence[int]],
             pretest_seen: bool = False) -> Outcome:
    """Run one learner through the protocol under ``policy`` (module docstring); with
    ``pretest_seen`` the policy is given the pre-test's drawn answers (``pretest_answers``)."""
    item_kps = learner.params.item_kps
    curve = [fixed_form(learner, form)]
    policy.start(learner_id, learner.true_mastery,
                 pretest_answers(learner, form) if pretest_seen else ())
    history: list[Answer] = []
    asked = np.zeros(learner.params.n_kps, dtype=np.int64)
    learnt_after: list[int] = []
    over = rests = 0
    for session in range(practice.sessions):
        if session:
            learner.new_session()
        queue: list[int] = []
        for _ in range(practice.per_session):
            if not queue:
                queue = list(policy.next_items(history, learner.take_signals()))
                if policy.wants_rest():
                    learner.rest()
                    rests += 1
                if not queue:
                    break  # the policy has nothing to practise: the session ends early
            item = queue.pop(0)
            kps = list(item_kps[item])
            before = learner.mastered[kps].copy()
            over += bool(before.all())
            correct = learner.answer(item)
            asked[kps] += 1
            learnt_after += asked[kps][~before & learner.mastered[kps]].tolist()
            history.append(Answer(item, correct, learner.clock_ms))
        curve.append(fixed_form(learner, form))
    pre, post = curve[0], curve[-1]
    mastered = learner.mastered
    return Outcome(pre, post, (post - pre) / (100.0 - pre) if pre < 100.0 else None,
                   float(np.mean([mastered[list(c)].all() for c in chapters])), over,
                   float(np.mean(learnt_after)) if learnt_after else None, len(history), rests,
                   tuple(curve))


def pretest_answers(learner: Learner, form: np.ndarray) -> list[Answer]:
    """The pre-test as a tutor that records a sitting sees it: one drawn answer per item of
    the form (rested, no learning), time-stamped in the milliseconds before practice starts,
    so they fall in an earlier 15-minute window. Drawn with the learner's own generator."""
    answers = form_answers(learner, form, learner.rng)
    start = learner.clock_ms - len(form)
    return [Answer(int(i), bool(c), start + n)
            for n, (i, c) in enumerate(zip(form, answers, strict=True))]


def simulate_logs(params: SimParams, policy: Policy, n: int, practice: Practice,
                  rng: np.random.Generator) -> Histories:
    """The answers of ``n`` learners practising under ``policy``: a historical cohort's logs."""
    items, correct = [], []
    for j in range(n):
        learner = Learner(params, np.random.default_rng(rng.integers(2**63)))
        policy.start(j, learner.true_mastery)
        history: list[Answer] = []
        for session in range(practice.sessions):
            if session:
                learner.new_session()
            queue: list[int] = []
            for _ in range(practice.per_session):
                queue = queue or list(policy.next_items(history, learner.take_signals()))
                if not queue:
                    break
                item = queue.pop(0)
                history.append(Answer(item, learner.answer(item), learner.clock_ms))
        items.append(np.array([a.item for a in history], dtype=np.int64))
        correct.append(np.array([a.correct for a in history], dtype=np.int64))
    return Histories(tuple(f"h{j}" for j in range(n)), tuple(items), tuple(correct))


def assign(pre: np.ndarray, arms: int, rng: np.random.Generator) -> np.ndarray:
    """Arm index per learner by randomised blocks on the pre-test (``len(pre)`` must be a
    multiple of ``arms``)."""
    order = np.argsort(pre, kind="stable")
    out = np.empty(len(pre), dtype=np.int64)
    for start in range(0, len(pre), arms):
        block = order[start:start + arms]
        out[block] = rng.permutation(arms)[:len(block)]
    return out
