"""A student's record as a whole: the export (right of access, one JSON document) and the
erasure (right to erasure: nothing of the student left, derived state included)."""

from __future__ import annotations

from typing import Any

from graph import records
from services.recommend import Recommender
from tutor.errors import NotFound
from tutor.ports import GraphStore


def export(store: GraphStore, student_id: str, now: int) -> dict[str, Any]:
    """Everything held about the student: the node, attempts, mastery, θ and profile (on the
    node), affect, paths, adjustments, notifications, xAPI statements, the account without
    its password hash."""
    found = records.export(store, student_id)
    if found is None:
        raise NotFound(f"no student {student_id!r}")
    return {"student_id": student_id, "exported": now, **found}


def erase(store: GraphStore, recommender: Recommender | None, student_id: str) -> None:
    """Delete the student and everything about them; aggregates read from the graph (peers'
    mastery, popularity) no longer count them, and cached ones are dropped."""
    if not records.erase(store, student_id):
        raise NotFound(f"no student {student_id!r}")
    if recommender is not None:
        recommender.invalidate()
