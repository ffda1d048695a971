"""Resources in the graph: what a plan may show, who used which, and what came after."""

from __future__ import annotations

from typing import Any

from tutor.curriculum import ResourceLevel
from tutor.errors import NotFound
from tutor.ports import GraphStore
from tutor.resources import ResourceOption, Use, outcome


def candidates(store: GraphStore, dataset: str
               ) -> tuple[list[ResourceOption], dict[str, list[ResourceOption]]]:
    """(the course's support resources by id, the resources teaching each of its KPs by id):
    everything a plan may show, in one round trip."""
    support: list[ResourceOption] = []
    taught: dict[str, list[ResourceOption]] = {}
    for r in store.read("resource_candidates", {"dataset": dataset}):
        option = ResourceOption(r["id"], r["kp_id"], _level(r["level"]), r["title"] or "",
                                r["kind"] or "", r["url"] or "", r["minutes"])
        if r["kp_id"]:
            taught.setdefault(r["kp_id"], []).append(option)
        else:
            support.append(option)
    return (sorted(support, key=lambda o: o.id),
            {k: sorted(v, key=lambda o: o.id) for k, v in taught.items()})


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
