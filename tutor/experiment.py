"""Experiments in real classes: arms, blocked randomisation, outcomes and the report's rules.

An ``Experiment`` compares practice policies (its arms: the product, ``kgtutor``, against the
simulated study's controls) on the students of some classes, with a pre-test, a post-test
(tests of ``tutor.assessment``) and a Likert questionnaire. It goes draft -> running -> ended.
Starting it assigns every member of its classes to exactly one arm, randomised within strata of
the pre-test score (``assign``: seeded, recorded, reproducible). A student who withdraws keeps
practising in their arm and leaves the analysis. Nothing here reads the graph.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from enum import StrEnum

import numpy as np

from tutor import statistics
from tutor.errors import InvalidInput

# the practice policies a real class can run: the product and the simulated study's controls
# (evaluation/policies.py) that need no hidden truth
ARMS = ("kgtutor", "fixed", "mastery", "random")
ADAPTIVE = "kgtutor"  # the arm whose students get affect re-routes and 15-minute adjustments
LIKERT = (1, 5)
# the default satisfaction scale (5-point Likert: 1 strongly disagree .. 5 strongly agree)
SATISFACTION = (
    "I enjoyed practising with kgtutor.",
    "The questions were at the right level for me.",
    "I understand the topics of this course better than before.",
    "I would like to keep practising this way.",
    "The practice was easy to use.",
)


class Phase(StrEnum):
    DRAFT = "draft"
    RUNNING = "running"
    ENDED = "ended"


@dataclass(frozen=True)
class Experiment:
    id: str
    name: str
    hypothesis: str
    class_ids: tuple[str, ...]
    arms: tuple[str, ...]
    pre_test_id: str
    post_test_id: str
    created_by: str
    created_at: int
    questionnaire: tuple[str, ...] = SATISFACTION
    starts_at: int | None = None  # when it started (set by ``start``)
    ends_at: int | None = None  # when it ended, or is planned to
    budget: int = 100  # practice questions per student the fixed schedule spreads over
    seed: int = 0  # of the randomisation, recorded so that anyone can redo it
    strata: int = 4  # pre-test score blocks
    phase: Phase = Phase.DRAFT
    version: int = 0

    def __post_init__(self) -> None:
        problems = []
        if not self.name.strip():
            problems.append("name: must not be blank")
        if len(self.arms) < 2 or len(set(self.arms)) != len(self.arms):
            problems.append("arms: at least two different arms")
        if unknown := [a for a in self.arms if a not in ARMS]:
            problems.append(f"arms: unknown {', '.join(unknown)} (one of {', '.join(ARMS)})")
        if not self.class_ids:
            problems.append("class_ids: at least one class")
        if self.pre_test_id == self.post_test_id:
            problems.append("post_test_id: must differ from the pre-test")
        if not 1 <= len(self.questionnaire) <= 30:
            problems.append("questionnaire: 1 to 30 items")
        if not 1 <= self.budget <= 10_000:
            problems.append("budget: 1 to 10000 questions")
        if not 1 <= self.strata <= 20:
            problems.append("strata: 1 to 20")
        if problems:
            raise InvalidInput("; ".join(problems))


def transition(x: Experiment, action: str, now: int) -> Experiment:
    if action == "start":
        if x.phase is not Phase.DRAFT:
            raise InvalidInput(f"a {x.phase} experiment cannot be started")
        return replace(x, phase=Phase.RUNNING, starts_at=now, version=x.version + 1)
    if action == "stop":
        if x.phase is not Phase.RUNNING:
            raise InvalidInput(f"a {x.phase} experiment cannot be stopped")
        return replace(x, phase=Phase.ENDED, ends_at=now, version=x.version + 1)
    raise InvalidInput(f"unknown action {action!r}: start or stop")


def assign(pre_scores: Mapping[str, float | None], arms: Sequence[str], seed: int,
           strata: int = 4) -> dict[str, tuple[str, int]]:
    """student -> (arm, stratum). Students are ranked by pre-test score (ties and order by id)
    and cut into ``strata`` blocks of equal size; those without a score form a last block.
    Within each block the students are shuffled and dealt to the arms in turn, from an arm
    drawn at random: every block, hence the whole, is balanced to within one student per arm,
    and the same scores and seed give the same assignment."""
    rng = random.Random(seed)
    scored = sorted((s for s, p in pre_scores.items() if p is not None),
                    key=lambda s: (pre_scores[s], s))
    blocks = [list(b) for b in np.array_split(np.array(scored, dtype=object),
                                              min(strata, max(len(scored), 1))) if len(b)]
    missing = sorted(s for s, p in pre_scores.items() if p is None)
    if missing:
        blocks.append(missing)
    out: dict[str, tuple[str, int]] = {}
    for stratum, block in enumerate(blocks):
        block = sorted(block)
        rng.shuffle(block)
        first = rng.randrange(len(arms))
        for i, student in enumerate(block):
            out[student] = (arms[(first + i) % len(arms)], stratum)
    return out


@dataclass(frozen=True)
class Outcome:
    """One enrolled student's measures (None where they have none)."""

    student_id: str
    arm: str
    stratum: int
    consent: bool | None  # None: never answered the consent question
    withdrawn: bool
    pre: float | None  # pre-test score, 0-100
    post: float | None  # post-test score, 0-100
    completion: float  # share of the course's chapters completed (every KP mastered)
    time_on_task_s: float  # practice time (answers' durations) while it ran
    answers: int  # practice answers while it ran
    likert: tuple[int, ...] | None  # the questionnaire's answers

    @property
    def included(self) -> bool:
        """In the analysis: consented, not withdrawn, and sat the post-test."""
        return bool(self.consent) and not self.withdrawn and self.post is not None

    @property
    def gain(self) -> float | None:
        return None if self.pre is None or self.post is None else self.post - self.pre

    @property
    def satisfaction(self) -> float | None:
        return None if not self.likert else float(np.mean(self.likert))


MEASURES = ("post", "gain", "completion", "time_on_task_s", "satisfaction")


def report(arms: Sequence[str], outcomes: Sequence[Outcome]) -> dict:
    """The arms side by side (every measure's n, mean and sd over the analysed students),
    attrition per arm, the first arm against each other one on every measure (Welch's t, Holm
    over the family of that measure, Cohen's d and its 95 % CI: ``tutor.statistics``; the
    post-test's family is ``comparisons``, keyed ``kgtutor_vs_fixed`` as in ``evaluate
    learning``, every measure's ``by_measure``), the
    questionnaire's Cronbach's alpha, and a balance check: the pre-test compared between arms
    (Welch for two arms, one-way ANOVA for more; a small p means the arms differ)."""
    included = [o for o in outcomes if o.included]
    per_arm: dict[str, dict] = {}
    for arm in arms:
        mine = [o for o in outcomes if o.arm == arm]
        kept = [o for o in mine if o.included]
        per_arm[arm] = {"enrolled": len(mine), "n": len(kept),
                        "attrition": _attrition(mine),
                        **{m: _summary(_values(kept, m)) for m in MEASURES}}
        per_arm[arm]["post_test"] = per_arm[arm]["post"]
    by_measure: dict[str, dict] = {}
    for measure in MEASURES:
        reference = np.array(_values([o for o in included if o.arm == arms[0]], measure))
        family = {f"{arms[0]}_vs_{arm}": statistics.compare(
            reference, np.array(_values([o for o in included if o.arm == arm], measure)))
            for arm in arms[1:]}
        by_measure[measure] = statistics.with_holm(family)
    complete = [o.likert for o in included if o.likert]
    alpha = statistics.cronbach_alpha(np.array(complete)) if complete else None
    pre = [np.array([o.pre for o in included if o.arm == arm and o.pre is not None])
           for arm in arms]
    return {"arms": per_arm, "comparisons": by_measure["post"], "by_measure": by_measure,
            "cronbach_alpha": alpha,
            "balance_p": _balance(pre), "analysed": len(included), "enrolled": len(outcomes)}


def _values(outcomes: Sequence[Outcome], measure: str) -> list[float]:
    return [float(v) for o in outcomes if (v := getattr(o, measure)) is not None]


def _summary(values: list[float]) -> dict:
    if not values:
        return {"n": 0, "mean": None, "sd": None}
    return {"n": len(values), "mean": float(np.mean(values)),
            "sd": float(np.std(values, ddof=1)) if len(values) > 1 else None}


def _attrition(mine: Sequence[Outcome]) -> dict:
    return {"no_consent": sum(not o.consent and not o.withdrawn for o in mine),
            "withdrawn": sum(o.withdrawn for o in mine),
            "no_post_test": sum(bool(o.consent) and not o.withdrawn and o.post is None
                                for o in mine)}


def _balance(groups: list[np.ndarray]) -> float | None:
    groups = [g for g in groups if len(g) >= 2]
    if len(groups) < 2:
        return None
    if len(groups) == 2:
        return statistics.welch(groups[0], groups[1])[1]
    return statistics.anova_p(groups)
