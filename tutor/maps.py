"""Knowledge-map operations over any GraphStore: chapters, a chapter's KP graph, overlays,
ancestors, prerequisite chains and a student's frontier."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tutor.errors import NotFound
from tutor.ports import GraphStore
from tutor.recommend_types import FrontierKP


@dataclass(frozen=True)
class ChapterSummary:
    id: str
    name: str
    order: int
    area: str
    dataset: str
    kps: int

@dataclass(frozen=True)
class MapKP:
    id: str
    name: str
    chapter_id: str
    description: str = ""
    questions: int = 0
    mastery: float | None = None  # from the overlay, when one was asked for
    external: bool = False  # a prerequisite that lives in another chapter

@dataclass(frozen=True)
class MapEdge:
    before: str
    after: str
    inferred: bool = False
    confidence: float = 1.0

@dataclass(frozen=True)
class MasteryStat:
    kp_id: str
    p: float
    attempts: int
    last_ts: int = 0
    students: int = 1  # >1 for a class overlay: how many students practised the KP

@dataclass(frozen=True)
class KnowledgeMap:
    chapter_id: str
    kps: tuple[MapKP, ...]
    edges: tuple[MapEdge, ...]

DEFAULT_MASTERY_THRESHOLD = 0.85  # P(known) from BKT at which a KP counts as mastered


def chapters(store: GraphStore, dataset: str | None = None) -> list[ChapterSummary]:
    rows = store.read("chapters", {"dataset": dataset})
    return [ChapterSummary(r["id"], r["name"], r["order"] or 0, r["area"] or "",
                           r["dataset"] or "", r["kps"]) for r in rows]


def chapter_map(store: GraphStore, chapter_id: str,
                overlay: dict[str, MasteryStat] | None = None) -> KnowledgeMap:
    """The chapter's KPs and the prerequisite edges into them, with an optional mastery overlay."""
    _require(store, "chapter_exists", {"chapter_id": chapter_id}, f"chapter {chapter_id!r}")
    overlay = overlay or {}
    kps = [MapKP(r["id"], r["name"], r["chapter_id"], r["description"] or "", r["questions"],
                 _p(overlay, r["id"]))
           for r in store.read("chapter_kps", {"chapter_id": chapter_id})]
    edge_rows = store.read("chapter_prerequisites", {"chapter_id": chapter_id})
    external = {r["before"]: r for r in edge_rows if r["before_chapter"] != chapter_id}
    kps += [MapKP(kp_id, r["before_name"], r["before_chapter"], mastery=_p(overlay, kp_id),
                  external=True) for kp_id, r in sorted(external.items())]
    edges = [MapEdge(r["before"], r["after"], bool(r["inferred"]), r["confidence"] or 1.0)
             for r in edge_rows]
    return KnowledgeMap(chapter_id, tuple(kps), tuple(edges))


def student_overlay(store: GraphStore, student_id: str) -> dict[str, MasteryStat]:
    _require(store, "student_exists", {"student_id": student_id}, f"student {student_id!r}")
    rows = store.read("student_mastery", {"student_id": student_id})
    return {r["kp_id"]: MasteryStat(r["kp_id"], r["p"], r["attempts"], r["last_ts"] or 0)
            for r in rows}


def class_overlay(store: GraphStore, class_id: str) -> dict[str, MasteryStat]:
    _require(store, "class_exists", {"class_id": class_id}, f"class {class_id!r}")
    rows = store.read("class_mastery", {"class_id": class_id})
    return {r["kp_id"]: MasteryStat(r["kp_id"], r["p"], r["attempts"], r["last_ts"] or 0,
                                    r["students"]) for r in rows}


def ancestors(store: GraphStore, kp_id: str) -> list[tuple[str, str]]:
    """Every KP that is a direct or indirect prerequisite of ``kp_id``, as (id, name)."""
    _require(store, "kp_exists", {"kp_id": kp_id}, f"knowledge point {kp_id!r}")
    return [(r["id"], r["name"]) for r in store.read("kp_ancestors", {"kp_id": kp_id})]


def prerequisite_chain(store: GraphStore, from_id: str, to_id: str) -> list[str]:
    """The shortest chain of prerequisites leading from ``from_id`` to ``to_id``; [] if none."""
    for kp_id in (from_id, to_id):
        _require(store, "kp_exists", {"kp_id": kp_id}, f"knowledge point {kp_id!r}")
    if from_id == to_id:
        return [from_id]
    rows = store.read("prerequisite_chain", {"from_id": from_id, "to_id": to_id})
    return list(rows[0]["chain"]) if rows and rows[0]["chain"] else []


def frontier(store: GraphStore, student_id: str,
             threshold: float = DEFAULT_MASTERY_THRESHOLD) -> list[FrontierKP]:
    """KPs the student is ready for: not mastered, every prerequisite mastered."""
    _require(store, "student_exists", {"student_id": student_id}, f"student {student_id!r}")
    rows = store.read("frontier", {"student_id": student_id, "threshold": threshold})
    return [FrontierKP(r["id"], r["name"], r["p"], tuple(sorted(r["prerequisites"])))
            for r in rows]


def _p(overlay: dict[str, MasteryStat], kp_id: str) -> float | None:
    stat = overlay.get(kp_id)
    return stat.p if stat else None


def _require(store: GraphStore, query: str, params: dict[str, str], what: str) -> None:
    if not store.read(query, params):
        raise NotFound(f"no {what}")


def graph_stats(store: GraphStore) -> dict[str, Any]:
    """Return ``{"nodes": {label: n}, "relationships": {type: n}, "attempts": n}``
    (the exact shape scripts outside the project read)."""
    nodes = {r["label"]: r["n"] for r in store.read("graph_stats_nodes")}
    rels = {r["type"]: r["n"] for r in store.read("graph_stats_relationships")}
    return {"nodes": nodes, "relationships": rels, "attempts": rels.get("ATTEMPTED", 0)}
