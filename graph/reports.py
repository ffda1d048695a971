"""What a class report reads from the graph: the class and its students, mastery by chapter,
and the e-mails sent about its students."""

from __future__ import annotations

from typing import Any

from tutor.ports import GraphStore


def class_roster(store: GraphStore, class_id: str) -> tuple[str, list[tuple[str, str]]] | None:
    """(the class's name, its students as (id, name) by id); None for an unknown class."""
    rows = store.read("class_roster", {"class_id": class_id})
    if not rows:
        return None
    return rows[0]["name"], [(s["id"], s["name"]) for s in rows[0]["students"]]


def chapter_mastery(store: GraphStore, class_id: str, threshold: float) -> list[dict[str, Any]]:
    """Per chapter the class practised, in curriculum order: the mean BKT mastery of its
    students' estimates, how many students and KPs they cover, and how many reach
    ``threshold``."""
    return store.read("class_chapter_mastery", {"class_id": class_id, "threshold": threshold})


def notifications(store: GraphStore, class_id: str, limit: int) -> list[dict[str, Any]]:
    """The newest ``limit`` notifications about the class's students, newest first."""
    return store.read("class_notifications", {"class_id": class_id, "limit": limit})
