"""Learning paths in the graph: every version is a ``LearningPath`` node (steps as parallel
lists, plus ``STEP`` edges to the KPs for the map), the newest of a student's goal marked
current; and the prerequisite subgraph a path is planned on."""

from __future__ import annotations

from tutor.errors import NotFound
from tutor.paths import LearningPath, PathStep, StepStatus
from tutor.ports import GraphStore, Row


def path_id(student_id: str, goal: str, version: int) -> str:
    return f"{student_id}|{goal}|{version}"


def save(store: GraphStore, path: LearningPath) -> bool:
    """Store ``path`` as its student's current version for its goal, in one query.

    Returns False, changing nothing, when that version is already stored: a retried save is
    harmless, and a concurrent re-route that got the version number first wins.
    """
    steps = path.steps
    rows = store.write("save_learning_path", {
        "id": path_id(path.student_id, path.goal_kp, path.version),
        "student_id": path.student_id, "goal": path.goal_kp, "version": path.version,
        "reason": path.reason, "ts": path.ts, "session_size": path.session_size,
        "kp_ids": [s.kp_id for s in steps], "statuses": [str(s.status) for s in steps],
        "pinned": [s.pinned for s in steps], "inserted": [s.inserted for s in steps],
    })
    if not rows:
        raise NotFound(f"no student {path.student_id!r} or no knowledge point {path.goal_kp!r}")
    return bool(rows[0]["created"])


def current(store: GraphStore, student_id: str, goal: str | None = None) -> LearningPath | None:
    """The student's current path to ``goal`` (or the most recent of any goal); None if none."""
    rows = store.read("current_learning_path", {"student_id": student_id, "goal": goal})
    return _path(rows[0]) if rows else None


def history(store: GraphStore, student_id: str, goal: str | None = None) -> list[LearningPath]:
    """Every stored version, newest first, each with the reason it was made."""
    rows = store.read("learning_path_history", {"student_id": student_id, "goal": goal})
    return [_path(r) for r in rows]


def prerequisite_subgraph(store: GraphStore, goal: str
                          ) -> tuple[dict[str, tuple[str, ...]], dict[str, int]]:
    """(kp -> its prerequisites, kp -> curriculum position) over ``goal`` and its ancestors."""
    rows = store.read("path_prerequisites", {"goal": goal})
    if not rows:
        raise NotFound(f"no knowledge point {goal!r}")
    prerequisites = {r["id"]: tuple(sorted(r["prerequisites"])) for r in rows}
    return prerequisites, {r["id"]: i for i, r in enumerate(rows)}  # rows in curriculum order


def _path(r: Row) -> LearningPath:
    steps = tuple(PathStep(k, StepStatus(s), bool(p), bool(i)) for k, s, p, i in
                  zip(r["kp_ids"], r["statuses"], r["pinned"], r["inserted"], strict=True))
    return LearningPath(r["student_id"], r["goal"], int(r["version"]), steps, r["reason"],
                        int(r["ts"]), r["session_size"])
