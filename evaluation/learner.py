"""A simulated learner whose truth is known: the ground truth of the classroom study (issue 16).

The tutor never reads these parameters; it sees only the answers. Per KP the learner is in one of
two latent states, mastered or not, with BKT's parameters (prior, learn, guess, slip), and:

* **prerequisites gate learning**: while any prerequisite of a KP is not truly mastered, the
  chance to learn it from a practice opportunity is ``learn * gate``;
* **items vary**: question i shifts guess and slip on the logit scale by ``item_shift[i]``
  (a harder item: less guessing, more slips; the shifts are centred per KP, so a KP's fitted
  guess and slip stay its typical item's);
* **forgetting**: each new session, every mastered KP is lost with probability ``forget``;
* **fatigue**: after ``fatigue_after`` questions in a row, each further question adds
  ``fatigue_slip`` to the slip (up to ``fatigue_max``); a rest or a new session resets it;
* **affect**: reaching fatigue emits a "fatigued" reading and every ``confusion_after`` wrong
  answers in a row on one KP a "confused" one, as ``tutor.affect.AffectReading`` self-reports
  stamped with the learner's simulated clock, for the product's affect rules;
* **general ability**: each learner draws an ability ``a ~ N(0, ability_sd)`` that moves, on
  the logit scale, every KP's prior by ``a``, its guess by ``a`` and its slip by ``-a``: students
  differ in how much they know on arrival and in how reliably they answer, across KPs at once
  (the individualised prior of Pardos and Heffernan 2010, with IRT's one ability behind every
  answer); ``ability_sd`` is fitted on the data (``evaluation.fit_learner``). Each shift is taken
  around a centre chosen per KP so that the learners' mean prior, guess and slip stay the fitted
  ones (:func:`centred_logits`): shifting a chance's own logit pulls it towards 0.5 (before
  v11 only priors moved, uncentred: ASSIST2009's mean prior of 0.715 became 0.595 and the
  simulated learners answered right 5 points less often than the students they replayed).
  Learn rates stay the KP's: shifting them by the same ``a`` (measured: sd 2.75 on ASSIST2009)
  left most learners either knowing nearly everything or learning nearly nothing, and every
  policy's mean gain near 0;
* **learning off** (``learning=False``, the study's control): no learning and no forgetting.

An answer to an item that tests several KPs is right with the mean of the per-KP chances (each
KP's answers were fitted as if the item tested only it), and practises every one of them. The
order is BKT's: the answer comes from the state before the practice, then the transition.
All randomness comes from the ``numpy.random.Generator`` passed in: one seed, one trajectory.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cached_property

import numpy as np
from scipy.special import expit, logit

from tutor.affect import AffectReading, AffectSource, AffectTag
from tutor.errors import InvalidInput

ABILITY_NODES = 64  # Gauss-Hermite nodes of a mean over abilities


@dataclass(frozen=True, eq=False)
class SimParams:
    kp_ids: tuple[str, ...]
    prior: np.ndarray  # float (K,) P(mastered) before any practice
    learn: np.ndarray  # float (K,) P(unmastered -> mastered) per practice, prerequisites mastered
    guess: np.ndarray  # float (K,) P(right | unmastered) on a typical item
    slip: np.ndarray  # float (K,) P(wrong | mastered) on a typical item, rested
    prereqs: tuple[tuple[int, ...], ...]  # per KP, the indices of its prerequisites
    item_ids: tuple[str, ...]
    item_kps: tuple[tuple[int, ...], ...]  # per item, the KPs it tests (at least one)
    item_shift: np.ndarray  # float (I,) logit shift: guess - shift, slip + shift
    gate: float = 0.5  # learn multiplier while a prerequisite is not mastered
    ability_sd: float = 0.0  # sd of the learner's logit shift of every KP's prior
    forget: float = 0.02  # per new session, P(mastered -> unmastered) of each KP
    fatigue_after: int = 20  # questions in a row before fatigue raises slips
    fatigue_slip: float = 0.02  # slip added per question beyond fatigue_after
    fatigue_max: float = 0.25  # most slip fatigue adds
    confusion_after: int = 3  # wrong answers in a row on a KP that emit "confused"
    question_ms: int = 60_000  # simulated time per answer (affect readings' clock)
    rest_ms: int = 10 * 60_000
    session_gap_ms: int = 24 * 3_600_000
    learning: bool = True  # False: learn = 0 and no forgetting (the study's control)

    def __post_init__(self) -> None:
        _validate(self)

    @property
    def n_kps(self) -> int:
        return len(self.kp_ids)

    @property
    def n_items(self) -> int:
        return len(self.item_ids)

    @cached_property
    def arrival_logit(self) -> np.ndarray:
        """Per KP, the centre of the learners' prior logits (:func:`centred_logits`)."""
        return centred_logits(self.prior, self.ability_sd)

    @cached_property
    def able_guess_slip(self) -> tuple[tuple[tuple[float, float], ...], ...]:
        """Per item, per KP it tests: the centres of the (guess, slip) logits after the item's
        shift (:func:`centred_logits`), around which a learner's ability moves them."""
        guess = centred_logits(self.guess, self.ability_sd).tolist()
        slip = centred_logits(self.slip, self.ability_sd).tolist()
        return tuple(tuple((guess[k] - d, slip[k] + d) for k in kps)
                     for kps, d in zip(self.item_kps, self.item_shift.tolist(), strict=True))

    def arrival_prior(self, ability: float) -> np.ndarray:
        """P(known on arrival) of each KP for a learner of ``ability``: the prior itself for
        learners alike (``ability_sd`` 0), else the centred logit moved by ``ability``."""
        if self.ability_sd == 0.0:
            return self.prior
        moved = expit(self.arrival_logit + ability)
        return np.where((self.prior <= 0.0) | (self.prior >= 1.0), self.prior, moved)

    @cached_property
    def item_index(self) -> dict[str, int]:
        return {q: i for i, q in enumerate(self.item_ids)}

    @cached_property
    def item_guess_slip(self) -> tuple[tuple[tuple[float, float], ...], ...]:
        """Per item, per KP it tests: (guess, slip) after the item's shift, rested."""
        return tuple(tuple((_shifted(self.guess[k], -d), _shifted(self.slip[k], d)) for k in kps)
                     for kps, d in zip(self.item_kps, self.item_shift.tolist(), strict=True))


class Learner:
    """One simulated student: latent mastery per KP, fatigue, a clock and pending affect."""

    def __init__(self, params: SimParams, rng: np.random.Generator,
                 mastered: np.ndarray | None = None, clock_ms: int = 0,
                 ability: float | None = None):
        self.params = params
        self.rng = rng
        # drawn only when the learners differ, so ability_sd 0 keeps every trajectory as before
        self.ability = (ability if ability is not None
                        else float(rng.normal(0.0, params.ability_sd)) if params.ability_sd
                        else 0.0)
        self.mastered = (rng.random(params.n_kps) < params.arrival_prior(self.ability)
                         if mastered is None else np.array(mastered, dtype=bool))
        self.wrong_streak = np.zeros(params.n_kps, dtype=np.int64)  # per KP, wrong in a row
        self.in_a_row = 0  # questions since the last rest or session start
        self.clock_ms = clock_ms
        self.signals: list[AffectReading] = []  # emitted, not yet taken

    def p_correct(self, item: int) -> float:
        """P(right answer) to ``item`` now, fatigue included."""
        extra = self.fatigue_slip()
        total = 0.0
        kps = self.params.item_kps[item]
        a = self.ability
        if a == 0.0:
            for k, (g, s) in zip(kps, self.params.item_guess_slip[item], strict=True):
                total += (1.0 - min(1.0, s + extra)) if self.mastered[k] else g
        else:
            for k, (g, s) in zip(kps, self.params.able_guess_slip[item], strict=True):
                total += ((1.0 - min(1.0, 1.0 / (1.0 + math.exp(a - s)) + extra))
                          if self.mastered[k] else 1.0 / (1.0 + math.exp(-(g + a))))
        return total / len(kps)

    def fatigue_slip(self) -> float:
        p = self.params
        return min(p.fatigue_max, p.fatigue_slip * max(0, self.in_a_row - p.fatigue_after))

    def answer(self, item: int) -> bool:
        """Answer ``item`` (an index into ``params.item_ids``), then learn from the practice."""
        correct = bool(self.rng.random() < self.p_correct(item))
        kps = self.params.item_kps[item]
        if self.params.learning:
            self._practise(kps)
        self.in_a_row += 1
        self.clock_ms += self.params.question_ms
        self._affect(kps, correct)
        return correct

    def rest(self) -> None:
        """A break within the session: fatigue resets."""
        self.in_a_row = 0
        self.clock_ms += self.params.rest_ms

    def new_session(self) -> None:
        """The next session: fatigue and wrong streaks reset; mastered KPs may be forgotten."""
        if self.params.learning and self.params.forget > 0:
            self.mastered &= ~(self.rng.random(self.params.n_kps) < self.params.forget)
        self.in_a_row = 0
        self.wrong_streak[:] = 0
        self.clock_ms += self.params.session_gap_ms

    def true_mastery(self) -> np.ndarray:
        return self.mastered.copy()

    def take_signals(self) -> list[AffectReading]:
        """The affect readings emitted since the last call."""
        out, self.signals = self.signals, []
        return out

    def _practise(self, kps: tuple[int, ...]) -> None:
        p = self.params
        for k in kps:
            if self.mastered[k]:
                continue
            rate = p.learn[k] * (p.gate if self._gated(k) else 1.0)
            if rate > 0 and self.rng.random() < rate:
                self.mastered[k] = True

    def _gated(self, kp: int) -> bool:
        return not all(self.mastered[a] for a in self.params.prereqs[kp])

    def _affect(self, kps: tuple[int, ...], correct: bool) -> None:
        idx = list(kps)
        if correct:
            self.wrong_streak[idx] = 0
        else:
            self.wrong_streak[idx] += 1
            streaks = self.wrong_streak[idx]
            if (streaks % self.params.confusion_after == 0).any():
                self._emit(AffectTag.CONFUSED, wrong_in_a_row=float(streaks.max()))
        if self.in_a_row == self.params.fatigue_after:
            self._emit(AffectTag.FATIGUED, questions_in_a_row=float(self.in_a_row))

    def _emit(self, tag: AffectTag, **measures: float) -> None:
        self.signals.append(AffectReading(tag, 1.0, AffectSource.SELF_REPORT, self.clock_ms,
                                          measures))


def standard_form(params: SimParams, per_kp: int = 1) -> np.ndarray:
    """A fixed form over every KP that has items: per KP its ``per_kp`` most typical items.

    Items testing only that KP come first, then the smallest |shift|, then the lowest index,
    so every learner sits the same standardised form.
    """
    form: list[int] = []
    for k in range(params.n_kps):
        items = [i for i, kps in enumerate(params.item_kps) if k in kps]
        items.sort(key=lambda i: (len(params.item_kps[i]) > 1, abs(params.item_shift[i]), i))
        form.extend(items[:per_kp])
    return np.array(form, dtype=np.int64)


def fixed_form(learner: Learner, form: np.ndarray, rng: np.random.Generator | None = None
               ) -> float:
    """The learner's score (0-100) on ``form``, taken rested and without learning.

    With no ``rng`` the score is the expected one (the mean P(right)); with one the answers are
    drawn from it. The learner's state, clock and signals are left as they were.
    """
    probs = _form_probs(learner, form)
    answers = probs if rng is None else (rng.random(len(probs)) < probs).astype(float)
    return float(100.0 * answers.mean())


def form_answers(learner: Learner, form: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """The learner's drawn answers (bool, one per item of ``form``), taken as
    :func:`fixed_form` takes the test: rested, without learning, the learner left as it was.
    What a tutor that records a sitting's answers (the product does) would see of it."""
    return rng.random(len(form)) < _form_probs(learner, form)


def _form_probs(learner: Learner, form: np.ndarray) -> np.ndarray:
    if len(form) == 0:
        raise InvalidInput("the test form has no items")
    rested = Learner(learner.params, np.random.default_rng(0), learner.mastered,
                     ability=learner.ability)
    return np.array([rested.p_correct(int(i)) for i in form])


def centred_logits(p: np.ndarray, sd: float) -> np.ndarray:
    """Per entry, the logit ``c`` with ``E[sigmoid(c + a)] = p`` over ``a ~ N(0, sd)`` (64-node
    Gauss-Hermite quadrature, Newton's steps from the probit approximation ``logit(p) *
    sqrt(1 + pi sd^2 / 8)``); entries of 0 or 1 keep a logit of -+60."""
    inside = (p > 0.0) & (p < 1.0)
    target = np.clip(p, 1e-12, 1.0 - 1e-12)
    c = logit(target)
    if sd == 0.0:
        return c
    nodes, weights = np.polynomial.hermite_e.hermegauss(ABILITY_NODES)
    a, w = sd * nodes, weights / weights.sum()
    c = np.clip(c * math.sqrt(1.0 + math.pi * sd ** 2 / 8.0), -60.0, 60.0)
    for _ in range(60):
        q = expit(c[:, None] + a[None, :])
        step = ((q * w).sum(1) - target) / np.maximum((q * (1.0 - q) * w).sum(1), 1e-12)
        c = np.clip(c - step, -60.0, 60.0)
        if np.abs(step[inside]).max(initial=0.0) < 1e-10:
            break
    return np.where(inside, c, np.where(p >= 1.0, 60.0, -60.0))


def _shifted(p: float, shift: float) -> float:
    """``p`` moved by ``shift`` on the logit scale (0 and 1 stay put)."""
    if p <= 0.0 or p >= 1.0:
        return float(p)
    return 1.0 / (1.0 + math.exp(-(math.log(p / (1.0 - p)) + shift)))


def _validate(p: SimParams) -> None:
    k, n = p.n_kps, p.n_items
    for name in ("prior", "learn", "guess", "slip"):
        values = getattr(p, name)
        if values.shape != (k,) or not np.all((values >= 0) & (values <= 1)):
            raise InvalidInput(f"SimParams.{name} must be {k} probabilities")
    if len(p.prereqs) != k or any(a < 0 or a >= k or a == b for b, pre in enumerate(p.prereqs)
                                  for a in pre):
        raise InvalidInput(f"SimParams.prereqs must list, per KP, other KPs among 0..{k - 1}")
    if len(p.item_kps) != n or p.item_shift.shape != (n,):
        raise InvalidInput(f"SimParams: item_kps and item_shift must have {n} entries")
    if any(not kps or min(kps) < 0 or max(kps) >= k for kps in p.item_kps):
        raise InvalidInput("SimParams.item_kps: every item tests at least one known KP")
    for name in ("gate", "forget", "fatigue_slip", "fatigue_max"):
        if not 0.0 <= getattr(p, name) <= 1.0:
            raise InvalidInput(f"SimParams.{name} must lie in [0, 1]")
    if not 0.0 <= p.ability_sd <= 10.0:
        raise InvalidInput("SimParams.ability_sd must lie in [0, 10]")
    if p.fatigue_after < 1 or p.confusion_after < 1:
        raise InvalidInput("SimParams: fatigue_after and confusion_after must be >= 1")
