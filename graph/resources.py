"""Resources in the graph: what a plan may show, who used which, and what came after."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from tutor.curriculum import ResourceLevel
from tutor.errors import NotFound
from tutor.ports import GraphStore
from tutor.resources import ResourceOption, Use, outcome


def candidates(store: GraphStore, dataset: str, kp_ids: Sequence[str]
               ) -> tuple[list[ResourceOption], list[ResourceOption]]:
    """(the course's support resources by id, every resource teaching one of ``kp_ids`` once
    per such KP): one round trip."""
    support, taught = [], []
    for r in store.read("resource_candidates", {"dataset": dataset,
                                                "kp_ids": list(dict.fromkeys(kp_ids))}):
        option = ResourceOption(r["id"], r["kp_id"], _level(r["level"]), r["title"] or "",
                                r["kind"] or "", r["url"] or "", r["minutes"])
        (taught if r["kp_id"] else support).append(option)
    return sorted(support, key=lambda o: o.id), taught


def uses(store: GraphStore, dataset: str, window: int) -> list[Use]:
    """Every use of the course's resources that an answer on the KP followed, with the share
    right of the ``window`` answers before it."""
    found = []
    for r in store.read("resource_uses", {"dataset": dataset}):
        answers = sorted((int(t), bool(c)) for t, c in r["answers"] if t is not None)
        seen = outcome(answers, int(r["ts"]), window)
        if seen is not None:
            found.append(Use(r["resource_id"], r["kp_id"], *seen))
    return found


def record_use(store: GraphStore, student_id: str, resource_id: str, ts: int
               ) -> dict[str, Any]:
    """Store that the student opened the resource at ``ts`` (idempotent per ts)."""
    rows = store.write("record_resource_use", {"student_id": student_id,
                                               "resource_id": resource_id, "ts": ts})
    if not rows:
        raise NotFound(f"no resource {resource_id!r}")
    return {"id": rows[0]["id"], "url": rows[0]["url"] or ""}


def resource(store: GraphStore, resource_id: str) -> dict[str, Any]:
    rows = store.read("get_resource", {"resource_id": resource_id})
    if not rows:
        raise NotFound(f"no resource {resource_id!r}")
    return rows[0]


def _level(level: str | None) -> ResourceLevel:
    return ResourceLevel(level) if level in set(ResourceLevel) else ResourceLevel.STANDARD
