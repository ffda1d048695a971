"""What the planner reads from the graph: the student's context in one round trip (the
resources of a plan come from ``graph.resources``)."""

from __future__ import annotations

from dataclasses import dataclass

from graph.adjust import actions_of
from graph.recommend import HISTORY_LIMIT, Kept, kept_of, learner_of
from tutor.affect import AffectReading, AffectSource, AffectTag
from tutor.affect_rules import AdaptAction
from tutor.errors import NotFound
from tutor.ports import GraphStore
from tutor.recommend_types import LearnerState


@dataclass(frozen=True)
class PlanContext:
    dataset: str
    learner: LearnerState
    affect: tuple[AffectReading, ...]  # tags since the time asked for, oldest first
    window: int | None  # the window of the student's latest adjustment; None: never adjusted
    actions: tuple[AdaptAction, ...]  # that adjustment's actions
    arm: Arm | None = None  # the student's arm in a running experiment
    # questions answered since that adjustment's window began, oldest first
    answered_since: tuple[str, ...] = ()
    kept: Kept | None = None  # the models' state kept for the student (graph.recommend)


@dataclass(frozen=True)
class Arm:
    experiment_id: str
    arm: str  # a practice policy of ``tutor.experiment.ARMS``
    budget: int  # the fixed schedule's questions
    answered: int  # practice answers since the experiment started


def context(store: GraphStore, student_id: str, since: int) -> PlanContext:
    """The recommender's view of the student, their affect tags since ``since`` (epoch ms)
    and their latest adjustment."""
    rows = store.read("plan_context", {"student_id": student_id, "since": since,
                                       "limit": HISTORY_LIMIT})
    if not rows:
        raise NotFound(f"no student {student_id!r}")
    row = rows[0]
    dataset, learner = learner_of(student_id, row)
    affect = tuple(AffectReading(AffectTag(a["tag"]), float(a["confidence"]),
                                 AffectSource(a["source"]), int(a["ts"])) for a in row["affect"])
    latest = row["adjustments"][0] if row["adjustments"] else None
    arms = [Arm(a["experiment_id"], a["arm"], int(a["budget"]), int(a["answered"]))
            for a in row.get("arms") or ()]
    window = int(latest["window"]) if latest else None
    since = () if window is None else tuple(
        q for q, ts in zip(reversed(row["answer_ids"]), reversed(row["answer_ts"]), strict=True)
        if ts is not None and int(ts) >= window)
    return PlanContext(dataset, learner, affect, window,
                       actions_of(latest["actions"]) if latest else (),
                       arms[0] if arms else None, since, kept_of(row))
