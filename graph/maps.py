"""Knowledge maps from the graph: chapters, a chapter's KP graph, mastery overlays, ancestors,
prerequisite chains, a student's frontier and the graph's size. The map itself is put
together by ``tutor.maps``; this module reads.

Reads about one student, class, chapter or KP raise ``NotFound`` when it does not exist, so
an empty answer always means "exists, but has none".
"""

from __future__ import annotations

from typing import Any

from tutor.errors import NotFound
from tutor.maps import ChapterSummary, KnowledgeMap, MapEdge, MapKP, MasteryStat, knowledge_map
from tutor.mastery import MASTERY_THRESHOLD
from tutor.ports import GraphStore
from tutor.recommend_types import FrontierKP


def chapters(store: GraphStore, dataset: str | None = None) -> list[ChapterSummary]:
    """Chapters of every dataset (or one), in curriculum order; [] for an unknown dataset."""
    rows = store.read("chapters", {"dataset": dataset})
    return [ChapterSummary(r["id"], r["name"], r["order"] or 0, r["area"] or "",
                           r["dataset"] or "", r["kps"]) for r in rows]


def chapter_map(store: GraphStore, chapter_id: str,
                overlay: dict[str, MasteryStat] | None = None) -> KnowledgeMap:
    """The chapter's KPs and the prerequisite edges into them, with an optional mastery overlay."""
    _require(store.read("chapter_exists", {"chapter_id": chapter_id}), f"chapter {chapter_id!r}")
    kps = [MapKP(r["id"], r["name"], r["chapter_id"], r["description"] or "", r["questions"])
           for r in store.read("chapter_kps", {"chapter_id": chapter_id})]
    edges = [(MapEdge(r["before"], r["after"], bool(r["inferred"]), r["confidence"] or 1.0),
              MapKP(r["before"], r["before_name"], r["before_chapter"]))
             for r in store.read("chapter_prerequisites", {"chapter_id": chapter_id})]
    return knowledge_map(chapter_id, kps, edges, overlay)


def student_overlay(store: GraphStore, student_id: str) -> dict[str, MasteryStat]:
    _require(store.read("student_exists", {"student_id": student_id}), f"student {student_id!r}")
    rows = store.read("student_mastery", {"student_id": student_id})
    return {r["kp_id"]: MasteryStat(r["kp_id"], r["p"], r["attempts"], r["last_ts"] or 0)
            for r in rows}


def class_overlay(store: GraphStore, class_id: str) -> dict[str, MasteryStat]:
    _require(store.read("class_exists", {"class_id": class_id}), f"class {class_id!r}")
    rows = store.read("class_mastery", {"class_id": class_id})
    return {r["kp_id"]: MasteryStat(r["kp_id"], r["p"], r["attempts"], r["last_ts"] or 0,
                                    r["students"]) for r in rows}


def mastery(store: GraphStore, student_id: str) -> dict[str, float]:
    """The student's BKT mastery per KP they have an estimate for ({} for an unknown id)."""
    return {r["kp_id"]: float(r["p"])
            for r in store.read("student_mastery", {"student_id": student_id})}


def kp_exists(store: GraphStore, kp_id: str) -> bool:
    return bool(store.read("kp_exists", {"kp_id": kp_id}))


def ancestors(store: GraphStore, kp_id: str) -> list[tuple[str, str]]:
    """Every KP that is a direct or indirect prerequisite of ``kp_id``, as (id, name)."""
    _require_kp(store, kp_id)
    return [(r["id"], r["name"]) for r in store.read("kp_ancestors", {"kp_id": kp_id})]


def prerequisite_chain(store: GraphStore, from_id: str, to_id: str) -> list[str]:
    """The shortest chain of prerequisites leading from ``from_id`` to ``to_id``; [] if none."""
    for kp_id in (from_id, to_id):
        _require_kp(store, kp_id)
    if from_id == to_id:
        return [from_id]
    rows = store.read("prerequisite_chain", {"from_id": from_id, "to_id": to_id})
    return list(rows[0]["chain"]) if rows and rows[0]["chain"] else []


def frontier(store: GraphStore, student_id: str,
             threshold: float = MASTERY_THRESHOLD) -> list[FrontierKP]:
    """KPs the student is ready for: not mastered, every prerequisite mastered."""
    _require(store.read("student_exists", {"student_id": student_id}), f"student {student_id!r}")
    rows = store.read("frontier", {"student_id": student_id, "threshold": threshold})
    return [FrontierKP(r["id"], r["name"], r["p"], tuple(sorted(r["prerequisites"])))
            for r in rows]


def graph_stats(store: GraphStore) -> dict[str, Any]:
    """Return ``{"nodes": {label: n}, "relationships": {type: n}, "attempts": n}``
    (the exact shape scripts outside the project read)."""
    nodes = {r["label"]: r["n"] for r in store.read("graph_stats_nodes")}
    rels = {r["type"]: r["n"] for r in store.read("graph_stats_relationships")}
    return {"nodes": nodes, "relationships": rels, "attempts": rels.get("ATTEMPTED", 0)}


def _require_kp(store: GraphStore, kp_id: str) -> None:
    _require(kp_exists(store, kp_id), f"knowledge point {kp_id!r}")


def _require(found: object, what: str) -> None:
    if not found:
        raise NotFound(f"no {what}")
