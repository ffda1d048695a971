"""Knowledge maps: chapters, a chapter's KP graph with the prerequisites that lead into it,
and mastery overlays (a student's or a class's), as types and the pure assembly of a map.
The reads live in ``graph.maps``."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace


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


def knowledge_map(chapter_id: str, kps: Sequence[MapKP],
                  prerequisites: Sequence[tuple[MapEdge, MapKP]],
                  overlay: Mapping[str, MasteryStat] | None = None) -> KnowledgeMap:
    """The chapter's map: its KPs, then the KPs of other chapters that ``prerequisites`` (each
    edge with the KP it comes from) lead in from, drawn as external, by id; every KP with its
    mastery from ``overlay`` (None where it has none)."""
    overlay = overlay or {}
    external = {kp.id: kp for _, kp in prerequisites if kp.chapter_id != chapter_id}
    drawn = [*kps, *(replace(kp, external=True) for _, kp in sorted(external.items()))]
    return KnowledgeMap(chapter_id, tuple(replace(kp, mastery=_p(overlay, kp.id)) for kp in drawn),
                        tuple(edge for edge, _ in prerequisites))


def _p(overlay: Mapping[str, MasteryStat], kp_id: str) -> float | None:
    stat = overlay.get(kp_id)
    return stat.p if stat else None
