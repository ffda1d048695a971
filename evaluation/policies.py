"""The arms of the classroom study that are not the product: one small class each.

Every arm answers the same :class:`Policy` protocol: ``start`` for a new learner, then
``next_items`` with the answers so far and the affect readings emitted since the last call,
returning the item indices to practise in order (the runner asks again when they are used up
and at each new session); ``wants_rest`` says whether the plan just made asks for a rest.
``start`` also gets ``truth``, a function returning the learner's true mastery: only the
oracle calls it. The product's arm is ``evaluation.tutor_policy.KgTutor``.

* :class:`Fixed`, the paper's control: the KPs in curriculum order, the practice budget spread
  evenly over them, moving on whatever the mastery. Standardised, every learner gets the same
  questions per KP (the KP's most typical items, :class:`Bank`); with an ``rng`` each learner
  gets random questions of the KP instead (the historical cohort: each class its own teacher's
  assignment, so the logs cover the bank).
* :class:`SkillBuilder`: the historical cohort's practice (ASSISTments' skill builders).
* :class:`Mastery`, Cognitive-Tutor-style mastery learning: curriculum order, stay on a KP until
  BKT's estimate (the tutor's parameters, ``tutor.mastery.BktParams``) reaches 0.95, at most
  ``max_per_kp`` questions on one KP (ASSISTments' skill builders stop at 10 a day: without a
  cap one unlearnable KP would take the whole budget).
* :class:`RandomItems`: a uniformly random question each time.
* :class:`Recommended`: a fitted ``evaluation.baselines`` model (``markov``, ``usercf``), its
  top question the learner has not answered yet, after every answer.
* :class:`Oracle`, the upper bound: it reads the latent state and practises the question of
  largest immediate expected learning gain: summed over the item's KPs not truly mastered, the
  learn rate (times the gate while a prerequisite is not mastered) times what mastering the KP
  adds to a test answer (1 - slip - guess).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import NamedTuple, Protocol

import numpy as np

from evaluation.learner import SimParams
from evaluation.recommend_types import Recommender
from tutor.affect import AffectReading
from tutor.mastery import BktParams, bkt_update
from tutor.schedules import spread

Truth = Callable[[], np.ndarray]  # the learner's true mastery, bool (K,): the oracle's only


class Answer(NamedTuple):
    item: int
    correct: bool
    ts: int  # the learner's clock after the answer, epoch ms


class Policy(Protocol):
    def start(self, learner_id: int, truth: Truth, seen: Sequence[Answer] = ()) -> None:
        """A new learner; ``seen``: answers already recorded of them (a pre-test's), before
        the practice whose answers ``next_items`` is given."""

    def next_items(self, history: Sequence[Answer], signals: Sequence[AffectReading]
                   ) -> list[int]: ...

    def wants_rest(self) -> bool: ...


class Bank:
    """Per KP its items, most typical first: testing only that KP, then the smallest |shift|
    (the order of ``evaluation.learner.standard_form``)."""

    def __init__(self, params: SimParams) -> None:
        self.params = params
        members: list[list[int]] = [[] for _ in range(params.n_kps)]
        for i, kps in enumerate(params.item_kps):
            for k in kps:
                members[k].append(i)
        self.by_kp = [np.array(sorted(m, key=lambda i: (len(params.item_kps[i]) > 1,
                                                        abs(params.item_shift[i]), i)),
                               dtype=np.int64) for m in members]
        self.item_kps = item_skill_matrix(params)

    def typical(self, kp: int, j: int) -> int:
        """The KP's j-th most typical item (cycling when it has fewer)."""
        items = self.by_kp[kp]
        return int(items[j % len(items)])

    def has_items(self, kp: int) -> bool:
        return len(self.by_kp[kp]) > 0


class _Honest:
    """Start and rest for the arms that read only answers and never ask for a rest."""

    def start(self, learner_id: int, truth: Truth, seen: Sequence[Answer] = ()) -> None:
        self.learner_id, self.before = learner_id, tuple(seen)

    def wants_rest(self) -> bool:
        return False


def item_skill_matrix(params: SimParams) -> np.ndarray:
    """(I, W) KP indices per item, -1 pads (the models' layout)."""
    width = max(len(k) for k in params.item_kps)
    out = np.full((params.n_items, width), -1, dtype=np.int64)
    for i, kps in enumerate(params.item_kps):
        out[i, :len(kps)] = kps
    return out


class Fixed(_Honest):
    def __init__(self, bank: Bank, order: Sequence[int], budget: int,
                 rng: np.random.Generator | None = None) -> None:
        self.bank, self.budget, self.rng = bank, budget, rng
        self.order = [k for k in order if bank.has_items(k)]

    def start(self, learner_id: int, truth: Truth, seen: Sequence[Answer] = ()) -> None:
        super().start(learner_id, truth, seen)
        self.schedule: list[int] = []
        for kp, count in zip(self.order, spread(self.budget, len(self.order)), strict=True):
            if self.rng is None:
                self.schedule += [self.bank.typical(kp, j) for j in range(count)]
            else:
                items = self.bank.by_kp[kp]
                self.schedule += self.rng.choice(items, count, len(items) < count).tolist()

    def next_items(self, history: Sequence[Answer], signals: Sequence[AffectReading]
                   ) -> list[int]:
        return self.schedule[len(history):]


class SkillBuilder(_Honest):
    """The historical cohort's teachers, as ASSISTments ran them (the data the simulator is fitted
    on): "skill builders" in curriculum order from where the class stands (a random KP per
    learner), random questions of the KP until 3 right in a row or ``max_per_kp`` answers, then
    the next KP. Why not :class:`Fixed`: its logs hold one answer per learner and KP, while the
    real ASSIST2009 train logs hold a median of 4 (60 % of student-skill pairs have 3 or more,
    measured 2026-12-03); the tutor trains on historical logs, and logs with one answer per KP
    would deny it what the real ones give, every learn rate (``models.kp_bkt``)."""

    def __init__(self, bank: Bank, order: Sequence[int], rng: np.random.Generator,
                 in_a_row: int = 3, max_per_kp: int = 10) -> None:
        self.bank, self.rng, self.in_a_row, self.max_per_kp = bank, rng, in_a_row, max_per_kp
        self.order = [k for k in order if bank.has_items(k)]

    def start(self, learner_id: int, truth: Truth, seen: Sequence[Answer] = ()) -> None:
        super().start(learner_id, truth, seen)
        self.pos, self.run, self.asked, self.seen = int(self.rng.integers(len(self.order))), 0, 0, 0

    def next_items(self, history: Sequence[Answer], signals: Sequence[AffectReading]
                   ) -> list[int]:
        for a in history[self.seen:]:
            self.run = self.run + 1 if a.correct else 0
            if self.run >= self.in_a_row or self.asked >= self.max_per_kp:
                self.pos, self.run, self.asked = (self.pos + 1) % len(self.order), 0, 0
        self.seen = len(history)
        self.asked += 1
        return [int(self.rng.choice(self.bank.by_kp[self.order[self.pos]]))]


class Mastery(_Honest):
    def __init__(self, bank: Bank, order: Sequence[int], bkt: BktParams = BktParams(),
                 threshold: float = 0.95, max_per_kp: int = 10) -> None:
        self.bank, self.bkt, self.threshold, self.max_per_kp = bank, bkt, threshold, max_per_kp
        self.order = [k for k in order if bank.has_items(k)]

    def start(self, learner_id: int, truth: Truth, seen: Sequence[Answer] = ()) -> None:
        super().start(learner_id, truth, seen)
        self.p = np.full(self.bank.params.n_kps, self.bkt.prior)  # the tutor's BKT estimate
        self.asked = np.zeros(self.bank.params.n_kps, dtype=np.int64)
        self.seen = 0
        self._trace(self.before)

    def next_items(self, history: Sequence[Answer], signals: Sequence[AffectReading]
                   ) -> list[int]:
        self._trace(history[self.seen:])
        self.seen = len(history)
        kp = next((k for k in self.order
                   if self.p[k] < self.threshold and self.asked[k] < self.max_per_kp),
                  min(self.order, key=lambda k: self.p[k]))  # all done: the least sure KP
        self.asked[kp] += 1
        return [self.bank.typical(kp, int(self.asked[kp]) - 1)]

    def _trace(self, answers: Sequence[Answer]) -> None:
        for a in answers:
            for k in self.bank.params.item_kps[a.item]:
                self.p[k] = bkt_update(self.p[k], a.correct, self.bkt)


class RandomItems(_Honest):
    def __init__(self, n_items: int, seed: int = 0) -> None:
        self.n_items, self.seed = n_items, seed

    def start(self, learner_id: int, truth: Truth, seen: Sequence[Answer] = ()) -> None:
        super().start(learner_id, truth, seen)
        self.rng = np.random.default_rng([self.seed, learner_id])

    def next_items(self, history: Sequence[Answer], signals: Sequence[AffectReading]
                   ) -> list[int]:
        return [int(self.rng.integers(self.n_items))]


class Recommended(_Honest):
    """A fitted offline recommender (``recommend(items, correct, n, exclude)``) as an arm; its
    top question, asked again after every answer, as the product's arm is (``n`` = 1)."""

    def __init__(self, model: Recommender, n: int = 1) -> None:
        self.model, self.n = model, n

    def next_items(self, history: Sequence[Answer], signals: Sequence[AffectReading]
                   ) -> list[int]:
        answers = [*self.before, *history]
        items = np.array([a.item for a in answers], dtype=np.int64)
        correct = np.array([a.correct for a in answers], dtype=np.int64)
        return list(self.model.recommend(items, correct, self.n, set(items.tolist())))


class Oracle(_Honest):
    def __init__(self, bank: Bank, order: Sequence[int]) -> None:
        p = bank.params
        self.bank, self.first = bank, next(k for k in order if bank.has_items(k))
        self.value = np.clip(1.0 - p.slip - p.guess, 0.0, 1.0)  # (K,) test points per KP
        self.gated_learn = p.learn * p.gate
        self.needs = np.zeros((p.n_kps, p.n_kps))  # (K, K): row b has a 1 per prerequisite
        for b, pre in enumerate(p.prereqs):
            self.needs[b, list(pre)] = 1.0

    def start(self, learner_id: int, truth: Truth, seen: Sequence[Answer] = ()) -> None:
        super().start(learner_id, truth, seen)
        self.truth = truth

    def next_items(self, history: Sequence[Answer], signals: Sequence[AffectReading]
                   ) -> list[int]:
        mastered = self.truth()
        open_ = self.needs @ ~mastered == 0  # (K,) every prerequisite truly mastered
        learn = np.where(open_, self.bank.params.learn, self.gated_learn)
        gain = np.where(mastered, 0.0, learn * self.value)  # (K,)
        padded = np.append(gain, 0.0)[self.bank.item_kps]  # (I, W): the -1 pads read the 0
        per_item = padded.sum(axis=1)
        best = int(np.argmax(per_item))
        return [best if per_item[best] > 0 else self.bank.typical(self.first, len(history))]
