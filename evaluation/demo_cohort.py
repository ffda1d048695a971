"""A simulated historical cohort on the demo curriculum: what `make demo` loads when no real
data set is there, so the demo's own students meet a tutor trained on logs (calibrated item
parameters, BKT fitted per KP) rather than on defaults.

The learners are the classroom study's (``evaluation.learner``, parameters drawn for the seed
curriculum by ``evaluation.domains.demo_domain``), practising as the real logs do
(``evaluation.policies.SkillBuilder``): 4 sessions of 25 questions, a day apart. Deterministic:
one seed, one cohort, so re-running the import changes nothing (event ids are positions).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from evaluation.classroom import Practice, simulate_logs
from evaluation.domains import curriculum_order, demo_domain
from evaluation.learner import SimParams
from evaluation.policies import Bank, SkillBuilder
from models.kt_data import Histories
from tutor.mastery import Attempt
from tutor.roster import Student

START_MS = 1_767_225_600_000  # 2026-01-01T00:00Z: the cohort's first session
SOURCE = "simulated-cohort"


@dataclass(frozen=True)
class Cohort:
    params: SimParams
    logs: Histories  # item indices and 0/1 answers per learner
    students: tuple[Student, ...]
    attempts: tuple[Attempt, ...]


PRACTICE = Practice()


def demo_cohort(students: int = 300, seed: int = 0, practice: Practice = PRACTICE) -> Cohort:
    """``students`` simulated learners' answers on the seed curriculum, as graph rows."""
    params = demo_domain(seed).params
    bank = Bank(params)
    order = curriculum_order(params.prereqs)
    rng = np.random.default_rng([seed, 16])
    logs = simulate_logs(params, SkillBuilder(bank, order, rng), students, practice, rng)
    ids = [f"demo-cohort-{j:04d}" for j in range(students)]
    people = tuple(Student(sid, f"Simulated learner {j + 1}", source=SOURCE)
                   for j, sid in enumerate(ids))
    attempts = []
    for sid, items, correct in zip(ids, logs.items, logs.correct, strict=True):
        for t, (i, c) in enumerate(zip(items.tolist(), correct.tolist(), strict=True)):
            session, within = divmod(t, practice.per_session)
            ts = START_MS + session * 86_400_000 + within * 60_000
            attempts.append(Attempt(f"{SOURCE}:{sid}:{t}", sid, params.item_ids[i], bool(c),
                                    ts=ts, seq=t, source=SOURCE))
    return Cohort(params, Histories(tuple(ids), logs.items, logs.correct), people,
                  tuple(attempts))
