"""Learning-path services for the CLI and the web API: read what a re-route needs from the
graph, run the pure function of ``tutor.paths``, store the new version if anything changed.

Every service returns the student's path as it now stands (the old version when nothing
changed). ``goal=None`` means the student's most recently changed current path.
"""

from __future__ import annotations

from collections.abc import Callable

from graph import maps, roster
from graph import paths as path_store
from tutor import paths
from tutor.errors import NotFound
from tutor.paths import LearningPath
from tutor.ports import GraphStore

Reroute = Callable[[LearningPath], LearningPath | None]


def start(store: GraphStore, student_id: str, goal: str, tau: float, now: int) -> LearningPath:
    """Plan the path to ``goal``; a student already on a path to it keeps that one."""
    _require_student(store, student_id)
    existing = path_store.current(store, student_id, goal)
    if existing is not None:
        return existing
    prerequisites, order = path_store.prerequisite_subgraph(store, goal)
    path = paths.plan(student_id, goal, prerequisites, maps.mastery(store, student_id), tau, now,
                      order)
    return _store(store, path, path)


def reroute_confused(store: GraphStore, student_id: str, kp: str, tau: float, now: int,
                     goal: str | None = None) -> LearningPath:
    """The student is confused on ``kp``: put its unmastered prerequisites before it."""
    _require_kp(store, kp)
    path = _current(store, student_id, goal)
    prerequisites, order = path_store.prerequisite_subgraph(store, path.goal_kp)
    mastery = maps.mastery(store, student_id)
    return _store(store, path, paths.on_confused(path, kp, prerequisites, mastery, tau, now,
                                                 order))


def refresh_mastery(store: GraphStore, student_id: str, tau: float, now: int,
                    goal: str | None = None) -> LearningPath:
    """Mark the steps the student has mastered since as done, and skip ahead."""
    path = _current(store, student_id, goal)
    return _store(store, path, paths.on_mastery(path, maps.mastery(store, student_id), tau, now))


def fatigue(store: GraphStore, student_id: str, session_size: int | None, now: int,
            goal: str | None = None) -> LearningPath:
    """Shorten the next session (``None``: full sessions again)."""
    return _apply(store, student_id, goal, lambda p: paths.on_fatigue(p, session_size, now))


def tutor_pin(store: GraphStore, student_id: str, kp: str, now: int,
              goal: str | None = None) -> LearningPath:
    _require_kp(store, kp)
    return _apply(store, student_id, goal, lambda p: paths.pin(p, kp, now))


def tutor_unpin(store: GraphStore, student_id: str, kp: str, now: int,
                goal: str | None = None) -> LearningPath:
    _require_kp(store, kp)
    return _apply(store, student_id, goal, lambda p: paths.unpin(p, kp, now))


def tutor_remove(store: GraphStore, student_id: str, kp: str, now: int,
                 goal: str | None = None) -> LearningPath:
    _require_kp(store, kp)
    return _apply(store, student_id, goal, lambda p: paths.remove(p, kp, now))


def current(store: GraphStore, student_id: str, goal: str | None = None) -> LearningPath:
    """The current path; NotFound when the student has none (to that goal)."""
    return _current(store, student_id, goal)


def history(store: GraphStore, student_id: str, goal: str | None = None) -> list[LearningPath]:
    """All versions, newest first; NotFound for an unknown student."""
    _require_student(store, student_id)
    return path_store.history(store, student_id, goal)


def _apply(store: GraphStore, student_id: str, goal: str | None,
           reroute: Reroute) -> LearningPath:
    path = _current(store, student_id, goal)
    return _store(store, path, reroute(path))


def _store(store: GraphStore, old: LearningPath, new: LearningPath | None) -> LearningPath:
    if new is None:
        return old
    if path_store.save(store, new):
        return new
    # another re-route stored this version number first: what is stored wins
    return path_store.current(store, new.student_id, new.goal_kp) or new


def _current(store: GraphStore, student_id: str, goal: str | None) -> LearningPath:
    _require_student(store, student_id)
    path = path_store.current(store, student_id, goal)
    if path is None:
        to = f" to {goal}" if goal else ""
        raise NotFound(f"student {student_id!r} has no learning path{to} (start one first)")
    return path


def _require_student(store: GraphStore, student_id: str) -> None:
    if not roster.student_exists(store, student_id):
        raise NotFound(f"no student {student_id!r}")


def _require_kp(store: GraphStore, kp_id: str) -> None:
    if not maps.kp_exists(store, kp_id):
        raise NotFound(f"no knowledge point {kp_id!r}")
