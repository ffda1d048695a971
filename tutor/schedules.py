"""The practice policies an experiment runs against the product, on the product's catalogue:
the simulated study's controls (``evaluation/policies.py``) that need no hidden truth.

* ``fixed``, the paper's control: the KPs in curriculum order, the budget spread evenly over
  them, each KP's most typical questions (testing that KP only, nearest its median difficulty),
  moving on whatever the mastery; after the budget it starts over.
* ``mastery``, mastery learning: the first KP in curriculum order whose mastery is under 0.95
  and that has had fewer than 10 of the latest answers, its typical questions not answered
  lately.
* ``random``: questions drawn at random, seeded by student and answer count.

Each returns the next ``n`` question ids; none adapts to affect, and none reads a model.
``next_questions`` picks by arm name, ``as_list`` gives them the recommender's shape.
"""

from __future__ import annotations

import math
import random
from collections.abc import Mapping, Sequence

import numpy as np

from tutor.recommend_types import (
    Catalogue,
    KPPick,
    LearnerState,
    RecConfig,
    Recommendation,
    RecommendationList,
)

MASTERED = 0.95
MAX_PER_KP = 10
RECENT = 10  # answers whose questions mastery learning does not repeat


def typical(catalogue: Catalogue) -> dict[str, list[str]]:
    """Per KP its questions, most typical first: testing that KP only, then nearest the KP's
    median difficulty, then by id."""
    members: dict[str, list[str]] = {}
    for q in catalogue.questions.values():
        for k in q.kp_ids:
            members.setdefault(k, []).append(q.id)
    out = {}
    for kp, ids in members.items():
        median = float(np.median([catalogue.questions[q].b for q in ids]))
        out[kp] = sorted(ids, key=lambda q: (len(catalogue.questions[q].kp_ids) > 1,
                                             abs(catalogue.questions[q].b - median), q))
    return out


def order(catalogue: Catalogue, by_kp: Mapping[str, list[str]]) -> list[str]:
    """The KPs with questions, in curriculum order."""
    return sorted((k for k in catalogue.kp_names if by_kp.get(k)),
                  key=lambda k: (catalogue.order.get(k, len(catalogue.order)), k))


def fixed(catalogue: Catalogue, answered: int, budget: int, n: int) -> list[str]:
    """The next ``n`` of the fixed schedule after ``answered`` practice answers."""
    by_kp = typical(catalogue)
    kps = order(catalogue, by_kp)
    schedule: list[str] = []
    for kp, count in zip(kps, spread(budget, len(kps)), strict=True):
        schedule += [by_kp[kp][j % len(by_kp[kp])] for j in range(count)]
    if not schedule:
        return []
    return [schedule[(answered + i) % len(schedule)] for i in range(n)]


def mastery(catalogue: Catalogue, mastered: Mapping[str, float],
            history: Sequence[tuple[str, bool]], n: int) -> list[str]:
    """The next ``n`` of mastery learning (``history`` oldest first)."""
    by_kp = typical(catalogue)
    recent = {q for q, _ in history[-RECENT:]}
    tries: dict[str, int] = {}
    for q, _ in history:
        for k in catalogue.questions[q].kp_ids if q in catalogue.questions else ():
            tries[k] = tries.get(k, 0) + 1
    for kp in order(catalogue, by_kp):
        if mastered.get(kp, 0.0) >= MASTERED or tries.get(kp, 0) >= MAX_PER_KP:
            continue
        fresh = [q for q in by_kp[kp] if q not in recent] or by_kp[kp]
        return fresh[:n]
    return []


def random_items(catalogue: Catalogue, student_id: str, answered: int, n: int) -> list[str]:
    """``n`` questions at random, the same for the same student and answer count."""
    ids = sorted(catalogue.questions)
    rng = random.Random(f"{student_id}|{answered}")
    return rng.sample(ids, min(n, len(ids)))


def next_questions(arm: str, catalogue: Catalogue, state: LearnerState, answered: int,
                   budget: int, n: int) -> list[str]:
    """The next ``n`` questions of a control arm (``answered``: practice answers since the
    experiment started)."""
    if arm == "fixed":
        return fixed(catalogue, answered, budget, n)
    if arm == "mastery":
        return mastery(catalogue, state.mastery, state.history, n)
    if arm == "random":
        return random_items(catalogue, state.student_id, answered, n)
    raise ValueError(f"no schedule for arm {arm!r}")


def spread(budget: int, n: int) -> list[int]:
    """``budget`` questions over ``n`` KPs as evenly as possible, the earlier ones first."""
    base, extra = divmod(budget, max(n, 1))
    return [base + (i < extra) for i in range(n)]


def as_list(catalogue: Catalogue, state: LearnerState, question_ids: Sequence[str],
            config: RecConfig) -> RecommendationList:
    """A schedule's questions in the recommender's shape, so that pages and clients see the
    same kind of list in every arm (blinding): P(correct) from IRT at the student's θ, reasons
    that name the KP and never the arm."""
    theta = state.theta or 0.0
    low, high = config.band
    items = []
    for q in question_ids:
        facts = catalogue.questions[q]
        kp = facts.kp_ids[0] if facts.kp_ids else ""
        p = 1.0 / (1.0 + math.exp(-facts.a * (theta - facts.b)))
        items.append(Recommendation(q, kp, p, None, p, facts.b, False, low <= p <= high,
                                    (f"practises {catalogue.kp_names.get(kp, kp)}",
                                     "next in your course plan")))
    picks = tuple(KPPick(k, 1.0, {}, ("next in your course plan",))
                  for k in dict.fromkeys(i.kp_id for i in items))
    band = (theta - math.log(high / (1 - high)), theta - math.log(low / (1 - low)))
    avg = float(np.mean([i.difficulty for i in items])) if items else None
    return RecommendationList(state.student_id, tuple(items), picks, config.band, band, avg,
                              all(i.in_band for i in items), False, ())
