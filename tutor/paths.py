"""Learning paths: a student's route to a goal KP through the prerequisite graph, re-routed as
the student masters KPs, gets confused or tired, or a tutor pins or removes a step.

A new path is the goal's unmastered ancestors in topological order (ties broken by curriculum
order, then id), then the goal. Every change returns a NEW ``LearningPath`` (version + 1, a
reason naming the KPs) so the graph keeps the history; a change that would change nothing
returns ``None``, so no empty version is ever stored. Re-routes only insert steps or change
statuses, never drop or reorder one: pinned steps keep their place, and a pinned step always
belongs to the next session, however short fatigue makes it. Exactly one step is CURRENT (the
first open one) unless none is open.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from enum import StrEnum

import networkx as nx

from tutor.errors import InvalidInput


class StepStatus(StrEnum):
    DONE = "done"  # mastered
    CURRENT = "current"
    TODO = "todo"
    REMOVED = "removed"  # a tutor took it out; kept so the map can show it

@dataclass(frozen=True)
class PathStep:
    kp_id: str
    status: StepStatus
    pinned: bool = False  # a tutor fixed it in place: re-routing never drops it
    inserted: bool = False  # put in by a re-route (a prerequisite of a confusing KP)

@dataclass(frozen=True)
class LearningPath:
    """One version of a student's path to a goal KP; every re-route writes a new version."""

    student_id: str
    goal_kp: str
    version: int
    steps: tuple[PathStep, ...]
    reason: str  # why this version exists ("created", "confused on ...", ...)
    ts: int  # epoch milliseconds
    session_size: int | None = None  # steps in the next session when fatigue shortened it

OPEN = (StepStatus.CURRENT, StepStatus.TODO)
Prerequisites = Mapping[str, tuple[str, ...]]  # kp -> its direct prerequisites


def plan(student_id: str, goal: str, prerequisites: Prerequisites, mastery: Mapping[str, float],
         tau: float, ts: int, order: Mapping[str, int] | None = None) -> LearningPath:
    """Version 1 of the path to ``goal``: its unmastered ancestors in order, then the goal."""
    graph = _graph(prerequisites)
    if goal not in graph:
        raise InvalidInput(f"goal {goal!r} is not in the prerequisite graph")
    kps = [k for k in _ancestors(graph, goal, order) if not _mastered(k, mastery, tau)]
    steps = [PathStep(k, StepStatus.TODO) for k in kps]
    goal_done = _mastered(goal, mastery, tau)
    steps.append(PathStep(goal, StepStatus.DONE if goal_done else StepStatus.TODO))
    reason = f"created: {_names(kps)} before goal {goal}" if kps else f"created: goal {goal}"
    return LearningPath(student_id, goal, 1, _with_current(steps), reason, ts)


def on_confused(path: LearningPath, kp: str, prerequisites: Prerequisites,
                mastery: Mapping[str, float], tau: float, ts: int,
                order: Mapping[str, int] | None = None) -> LearningPath | None:
    """Insert the unmastered ancestors of the confusing open step ``kp`` that are not open on
    the path (nor removed by a tutor), each right before the first open step needing it."""
    if _open_index(path, kp) is None:
        return None  # confusion on a KP that is not (or no longer) ahead on this path
    graph = _graph(prerequisites)
    skip = {s.kp_id for s in path.steps if s.status is not StepStatus.DONE}
    new = [a for a in (_ancestors(graph, kp, order) if kp in graph else [])
           if a not in skip and not _mastered(a, mastery, tau)]
    if not new:
        return None
    steps = list(path.steps)
    for a in new:  # before the first open step it is a prerequisite of: order stays valid
        needs = nx.descendants(graph, a)
        at = next(i for i, s in enumerate(steps) if s.status in OPEN and s.kp_id in needs)
        steps.insert(at, PathStep(a, StepStatus.TODO, inserted=True))
    return _next(path, steps, f"confused on {kp}: inserted prerequisites {_names(new)}", ts)


def on_mastery(path: LearningPath, mastery: Mapping[str, float], tau: float,
               ts: int) -> LearningPath | None:
    """Mark the open steps now mastered as done; the current step skips ahead past them.
    Done steps stay done even if an estimate later drops (confusion re-inserts those)."""
    done = [s.kp_id for s in path.steps if s.status in OPEN and _mastered(s.kp_id, mastery, tau)]
    if not done:
        return None
    steps = [replace(s, status=StepStatus.DONE) if s.status in OPEN and s.kp_id in done else s
             for s in path.steps]  # a path is short: list membership is fine
    new = _next(path, steps, "", ts)
    return replace(new, reason=f"mastered {_names(done)}: {_where(new)}")


def on_fatigue(path: LearningPath, session_size: int | None, ts: int) -> LearningPath | None:
    """Shorten the next session to ``session_size`` steps (``None``: back to full length)."""
    if session_size is not None and session_size < 1:
        raise InvalidInput(f"session size {session_size} must be at least 1")
    if session_size == path.session_size or current_kp(path) is None:
        return None
    new = replace(_next(path, path.steps, "", ts), session_size=session_size)
    if session_size is None:
        return replace(new, reason="rested: next sessions back to full length")
    return replace(new, reason=f"fatigued: next session shortened to {session_size} "
                               f"step(s): {_names(next_session(new))}")


def pin(path: LearningPath, kp: str, ts: int) -> LearningPath | None:
    """A tutor fixes the open step ``kp`` in place (and in the next session)."""
    i = _require_open(path, kp)
    if path.steps[i].pinned:
        return None
    return _next(path, _with_step(path, i, pinned=True), f"tutor pinned {kp}", ts)


def unpin(path: LearningPath, kp: str, ts: int) -> LearningPath | None:
    i = _require_open(path, kp)
    if not path.steps[i].pinned:
        return None
    return _next(path, _with_step(path, i, pinned=False), f"tutor unpinned {kp}", ts)


def remove(path: LearningPath, kp: str, ts: int) -> LearningPath | None:
    """A tutor takes the open step ``kp`` out; it stays listed as removed for the timeline."""
    if kp == path.goal_kp:
        raise InvalidInput(f"{kp} is the goal of the path: it cannot be removed")
    if _open_index(path, kp) is None and any(s.kp_id == kp and s.status is StepStatus.REMOVED
                                             for s in path.steps):
        return None
    i = _require_open(path, kp)
    new = _next(path, _with_step(path, i, status=StepStatus.REMOVED, pinned=False), "", ts)
    return replace(new, reason=f"tutor removed {kp}: {_where(new)}")


def next_session(path: LearningPath) -> tuple[str, ...]:
    """The KPs of the next session: the current and following open steps, at most
    ``session_size`` of them when fatigue set one, plus every pinned open step."""
    steps = [s for s in path.steps if s.status in OPEN]
    limit = len(steps) if path.session_size is None else path.session_size
    return tuple(s.kp_id for i, s in enumerate(steps) if i < limit or s.pinned)


def current_kp(path: LearningPath) -> str | None:
    return next((s.kp_id for s in path.steps if s.status is StepStatus.CURRENT), None)


def _graph(prerequisites: Prerequisites) -> nx.DiGraph:
    graph = nx.DiGraph()
    graph.add_nodes_from(prerequisites)
    graph.add_edges_from((pre, kp) for kp, pres in prerequisites.items() for pre in pres)
    return graph


def _ancestors(graph: nx.DiGraph, kp: str, order: Mapping[str, int] | None) -> list[str]:
    """``kp``'s ancestors in topological order, ties by curriculum order then id."""
    sub = graph.subgraph(nx.ancestors(graph, kp) | {kp})
    rank = order or {}
    try:
        ordered = list(nx.lexicographical_topological_sort(
            sub, key=lambda k: (rank.get(k, len(rank)), k)))
    except nx.NetworkXUnfeasible:
        cycle = " -> ".join(u for u, _ in nx.find_cycle(sub))
        raise InvalidInput(f"prerequisite cycle before {kp}: {cycle}") from None
    return [k for k in ordered if k != kp]


def _where(path: LearningPath) -> str:
    now = current_kp(path)
    return f"current step {now}" if now else "path complete"


def _mastered(kp: str, mastery: Mapping[str, float], tau: float) -> bool:
    if not 0 < tau <= 1:
        raise InvalidInput(f"mastery threshold {tau} must lie in (0, 1]")
    return mastery.get(kp, 0.0) >= tau


def _open_index(path: LearningPath, kp: str) -> int | None:
    return next((i for i, s in enumerate(path.steps) if s.kp_id == kp and s.status in OPEN), None)


def _require_open(path: LearningPath, kp: str) -> int:
    i = _open_index(path, kp)
    if i is None:
        raise InvalidInput(f"{kp} is not an open step of the path to {path.goal_kp}")
    return i


def _with_step(path: LearningPath, i: int, **changes: object) -> list[PathStep]:
    steps = list(path.steps)
    steps[i] = replace(steps[i], **changes)  # type: ignore[arg-type]
    return steps


def _with_current(steps: Iterable[PathStep]) -> tuple[PathStep, ...]:
    """The first open step is current, every other open step todo."""
    out, seen = [], False
    for s in steps:
        if s.status in OPEN:
            s = replace(s, status=StepStatus.TODO if seen else StepStatus.CURRENT)
            seen = True
        out.append(s)
    return tuple(out)


def _next(path: LearningPath, steps: Iterable[PathStep], reason: str, ts: int) -> LearningPath:
    return replace(path, version=path.version + 1, steps=_with_current(steps), reason=reason,
                   ts=ts)


def _names(kps: Iterable[str], shown: int = 6) -> str:
    kps = list(kps)
    more = f" and {len(kps) - shown} more" if len(kps) > shown else ""
    return ", ".join(kps[:shown]) + more
