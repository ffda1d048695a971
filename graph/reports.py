"""What a class report reads from the graph: the class and its students, mastery by chapter,
and the e-mails sent about its students."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from graph.affect import reading_of
from graph.recommend import HISTORY_LIMIT, learner_of
from tutor.affect import AffectReading
from tutor.ports import GraphStore
from tutor.recommend_types import LearnerState


@dataclass(frozen=True)
class ClassLearner:
    """One student of a class as the report reads them (``class_learners``)."""

    student_id: str
    name: str
    dataset: str
    state: LearnerState
    affect: tuple[AffectReading, ...]  # since the window asked for, oldest first
    consent: bool
    profile: dict[str, Any]  # attempts_7d, time_spent_s, last_active (None before a refresh)
    chapter_mastery: dict[str, float]  # chapter -> mean mastery of its KPs with an estimate


def class_learners(store: GraphStore, class_id: str, since: int) -> list[ClassLearner]:
    """Every student of the class, in one round trip whatever the class's size."""
    rows = store.read("class_learners", {"class_id": class_id, "since": since,
                                         "limit": HISTORY_LIMIT})
    out = []
    for r in rows:
        dataset, state = learner_of(r["student_id"], r)
        affect = tuple(map(reading_of, r["affect"]))
        out.append(ClassLearner(r["student_id"], r["name"], dataset, state, affect,
                                bool(r["consent"]), {k: r[k] for k in (
                                    "attempts_7d", "time_spent_s", "last_active")},
                                _chapter_means(r["mastery_chapters"], r["mastery_p"])))
    return out


def _chapter_means(chapters: list[str], p: list[float]) -> dict[str, float]:
    """Mean mastery per chapter of the estimates in one (those of no chapter left out)."""
    sums: dict[str, list[float]] = {}
    for chapter, value in zip(chapters, p, strict=True):
        if chapter:
            acc = sums.setdefault(chapter, [0.0, 0.0])
            acc[0] += float(value)
            acc[1] += 1.0
    return {c: total / n for c, (total, n) in sums.items()}


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
