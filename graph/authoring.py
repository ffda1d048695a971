"""What authoring reads and writes beyond the importers' upserts (``graph.ingest``, which
writes chapters, KPs, questions and resources for authoring too): archiving, the prerequisite
graph's edges, question versions, who may edit which course, and the audit trail."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from tutor.ports import GraphStore, Row


def content_kind(store: GraphStore, item_id: str) -> tuple[str, str] | None:
    """(kind, dataset) of a chapter, KP, question or resource; None when there is none."""
    rows = store.read("content_dataset", {"id": item_id})
    return (rows[0]["kind"], rows[0]["dataset"] or "") if rows else None


def tutor_datasets(store: GraphStore, tutor_id: str) -> set[str]:
    """The courses of the classes the tutor teaches."""
    return {r["dataset"] for r in store.read("tutor_datasets", {"tutor_id": tutor_id})
            if r["dataset"]}


def prerequisite_edges(store: GraphStore, dataset: str) -> dict[str, list[str]]:
    """kp -> the KPs it is a prerequisite of, over the course."""
    return {r["id"]: list(r["after"]) for r in store.read("dataset_prerequisite_edges",
                                                          {"dataset": dataset})}


def add_prerequisite(store: GraphStore, before: str, after: str, who: str) -> bool:
    rows = store.write("add_prerequisite", {"before": before, "after": after, "who": who})
    return bool(rows and rows[0]["n"])


def remove_prerequisite(store: GraphStore, before: str, after: str) -> bool:
    rows = store.write("remove_prerequisite", {"before": before, "after": after})
    return bool(rows and rows[0]["n"])


def set_archived(store: GraphStore, item_id: str, archived: bool) -> bool:
    rows = store.write("set_archived", {"id": item_id, "archived": archived})
    return bool(rows and rows[0]["n"])


def question_version(store: GraphStore, question_id: str) -> Row | None:
    """answers, version, base_id, superseded_by, dataset of a question; None if none."""
    rows = store.read("question_answer_count", {"id": question_id})
    return rows[0] if rows and rows[0]["dataset"] is not None else None


def set_question_meta(store: GraphStore, question_id: str, meta: dict[str, Any],
                      kp_ids: Sequence[str], weights: Sequence[float] | None = None) -> None:
    """Type, tolerance, hints, tags, version; the KPs tested with their weights (default:
    heaviest first, summing to 1)."""
    n = len(kp_ids)
    if weights is None:
        weights = [2 * (n - i) / (n * (n + 1)) for i in range(n)]
    store.write("set_question_meta", {"id": question_id, **meta, "kp_ids": list(kp_ids),
                                      "weights": [float(w) for w in weights]})


def supersede(store: GraphStore, question_id: str, new_id: str) -> None:
    store.write("supersede_question", {"id": question_id, "new_id": new_id})


def audit(store: GraphStore, entry: dict[str, Any]) -> None:
    store.write("save_audit", entry)


def audit_trail(store: GraphStore, datasets: Sequence[str] | None, skip: int,
                limit: int) -> list[Row]:
    return store.read("list_audit", {"datasets": None if datasets is None else list(datasets),
                                     "skip": skip, "limit": limit})


def chapters(store: GraphStore, dataset: str) -> list[Row]:
    """A course's chapters, archived ones included."""
    return store.read("export_chapters", {"dataset": dataset})


def curriculum(store: GraphStore, dataset: str) -> dict[str, list[Row]]:
    """Everything of a course the curriculum document holds, archived and retired included."""
    return {section: store.read(f"export_{section}", {"dataset": dataset})
            for section in ("chapters", "kps", "prerequisites", "questions", "resources")}
