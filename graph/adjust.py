"""Adjustments in the graph: who a 15-minute run looks at, each window's adjustment and a
student's audit trail.

An adjustment node is MERGEd on ``student|window`` with ON CREATE only: the first run to write
a window keeps it, and a later one learns that it did not create it. Actions are stored as a
JSON list (a list of maps is no property value).
"""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import Any

from graph.affect import reading_of
from graph.recommend import HISTORY_LIMIT, learner_of
from tutor.adjust import Adjustment
from tutor.affect import AffectReading
from tutor.affect_rules import AdaptAction
from tutor.ports import GraphStore
from tutor.recommend_types import LearnerState

Learner = tuple[str, LearnerState, tuple[AffectReading, ...]]  # dataset, state, affect tags


def active_students(store: GraphStore, since: int) -> list[str]:
    """Students who answered, reported a feeling or sent xAPI activity since ``since``."""
    return [r["id"] for r in store.read("active_students", {"since": since})]


def learners(store: GraphStore, student_ids: list[str], since: int) -> dict[str, Learner]:
    """What an adjustment reads of each of these students (an unknown one is left out): the
    recommender's view and the affect tags since ``since``, oldest first, in one round trip
    for the batch."""
    rows = store.read("adjust_learners", {"student_ids": student_ids, "since": since,
                                          "limit": HISTORY_LIMIT})
    out = {}
    for r in rows:
        dataset, state = learner_of(r["student_id"], r)
        out[r["student_id"]] = (dataset, state, tuple(map(reading_of, r["affect"])))
    return out


def save(store: GraphStore, adjustment: Adjustment, run_id: str, now: int) -> bool:
    """Store ``adjustment`` unless its window has one; True when this call created it."""
    rows = store.write("save_adjustment", {
        "id": f"{adjustment.student_id}|{adjustment.window}",
        "student_id": adjustment.student_id, "window": adjustment.window,
        "findings": list(adjustment.findings), "reasons": list(adjustment.reasons),
        "actions": json.dumps([asdict(a) for a in adjustment.actions]),
        "run_id": run_id, "ts": now})
    return bool(rows and rows[0]["created"])


def trail(store: GraphStore, student_id: str, limit: int) -> list[dict[str, Any]]:
    """The student's adjustments, newest window first, actions as plain dicts."""
    return [{**r, "actions": json.loads(r["actions"])}
            for r in store.read("student_adjustments", {"student_id": student_id,
                                                        "limit": limit})]


def actions_of(stored: str) -> tuple[AdaptAction, ...]:
    """The actions of a stored adjustment (its JSON list)."""
    return tuple(AdaptAction(a["kind"], tuple(a["kp_ids"]), a["count"], a["text"])
                 for a in json.loads(stored))
