"""Simulator parameters for a course with no responses, such as the demo seed curriculum.

Per-KP BKT parameters are drawn: with a reference fit (``evaluation.fit_learner.LearnerFit``,
e.g. on ASSIST2009) as whole rows of its own fitted KPs, so prior, learn, guess and slip keep
their joint distribution; without one around ``POOLED_DEFAULTS``, the medians of the ASSIST2009
fit, jittered on the logit scale by that fit's spread (``LOGIT_SD``), so a fresh clone with no
data folder still gets varied, data-shaped learners. The prerequisites are the course's own.
Item shifts follow the question's level as the graph's default difficulties do
(``graph.recommend.LEVEL_DIFFICULTY``: basic -1, standard 0, challenge +1), centred per KP.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np

from evaluation.learner import SimParams
from tutor.curriculum import KnowledgePoint, Prerequisite, Question, ResourceLevel, Tests
from tutor.errors import InvalidInput

if TYPE_CHECKING:
    from evaluation.fit_learner import LearnerFit

# Medians over the 96 own-fit KPs of fit_learner(FitConfig()) on the ASSIST2009 lpp train split,
# and the gate and general-ability spread (of centred priors, guesses and slips) it estimated.
POOLED_DEFAULTS = {"prior": 0.73, "learn": 0.18, "guess": 0.15, "slip": 0.22, "gate": 0.27,
                   "ability_sd": 1.0}
# Robust spread of the same KPs on the logit scale: (logit q90 - logit q10) / 2.563.
LOGIT_SD = {"prior": 1.2, "learn": 2.5, "guess": 2.5, "slip": 0.7}
LEVEL_SHIFT = {ResourceLevel.BASIC: -1.0, ResourceLevel.STANDARD: 0.0,
               ResourceLevel.CHALLENGE: 1.0}
MAX_GUESS_SLIP = 0.45  # drawn guess and slip stay below: no degenerate KP


class Course(Protocol):
    """What the builder reads of a course (``seeds.curriculum.Curriculum`` has it)."""

    @property
    def kps(self) -> Sequence[KnowledgePoint]: ...
    @property
    def prerequisites(self) -> Sequence[Prerequisite]: ...
    @property
    def questions(self) -> Sequence[Question]: ...
    @property
    def tests(self) -> Sequence[Tests]: ...


def course_sim_params(course: Course, rng: np.random.Generator,
                      reference: LearnerFit | None = None, **settings: Any) -> SimParams:
    """Parameters for ``course``; ``settings`` override SimParams' other fields (forget...)."""
    kp_ids = tuple(k.id for k in course.kps)
    index = {k: i for i, k in enumerate(kp_ids)}
    unknown = [p for p in course.prerequisites if p.before not in index or p.after not in index]
    if unknown:
        raise InvalidInput(f"prerequisite {unknown[0].before} -> {unknown[0].after} names a KP "
                           "the course does not have")
    prereqs = [sorted({index[p.before] for p in course.prerequisites if p.after == k})
               for k in kp_ids]
    tested: dict[str, set[int]] = {}
    for t in course.tests:
        if t.kp_id in index:
            tested.setdefault(t.question_id, set()).add(index[t.kp_id])
    questions = [q for q in course.questions if tested.get(q.id)]
    item_kps = tuple(tuple(sorted(tested[q.id])) for q in questions)
    raw = np.array([LEVEL_SHIFT.get(q.level, 0.0) for q in questions])
    params = SimParams(kp_ids=kp_ids, **draw_bkt(len(kp_ids), rng, reference),
                       prereqs=tuple(tuple(p) for p in prereqs),
                       item_ids=tuple(q.id for q in questions), item_kps=item_kps,
                       item_shift=raw - _kp_centres(item_kps, raw, len(kp_ids)),
                       gate=reference.params.gate if reference else POOLED_DEFAULTS["gate"],
                       ability_sd=(reference.params.ability_sd if reference
                                   else POOLED_DEFAULTS["ability_sd"]))
    return replace(params, **settings) if settings else params


def draw_bkt(n: int, rng: np.random.Generator, reference: LearnerFit | None = None
             ) -> dict[str, np.ndarray]:
    """``n`` KPs' prior, learn, guess and slip, from the reference's KPs or the defaults."""
    if reference is not None and reference.own.any():
        rows = rng.choice(np.flatnonzero(reference.own), size=n, replace=True)
        return {p: getattr(reference.params, p)[rows].copy()
                for p in ("prior", "learn", "guess", "slip")}
    out = {}
    for p, sd in LOGIT_SD.items():
        centre = np.log(POOLED_DEFAULTS[p] / (1 - POOLED_DEFAULTS[p]))
        out[p] = 1 / (1 + np.exp(-(centre + sd * rng.standard_normal(n))))
    for p in ("guess", "slip"):
        out[p] = np.minimum(out[p], MAX_GUESS_SLIP)
    return out


def _kp_centres(item_kps: tuple[tuple[int, ...], ...], raw: np.ndarray, n_kps: int
                ) -> np.ndarray:
    """Per item, the mean raw shift of its KPs' items (so shifts are centred per KP)."""
    if not item_kps:
        return np.zeros(0)
    rows = np.repeat(np.arange(len(item_kps)), [len(k) for k in item_kps])
    kps = np.concatenate([np.array(k) for k in item_kps])
    centre = np.bincount(kps, raw[rows], n_kps) / np.maximum(np.bincount(kps, None, n_kps), 1)
    return np.bincount(rows, centre[kps], len(item_kps)) / np.bincount(rows, None, len(item_kps))
