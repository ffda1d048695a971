"""What the practice and tutor pages read: questions as a learner sees them, answer keys for
grading, resources to study after a wrong answer, KP pages and a class's struggling students.

A question's answer is read only by ``answer_key``, never with the question, so no page can
show it by accident.
"""

from __future__ import annotations

from typing import Any

from tutor.ports import GraphStore


def question(store: GraphStore, question_id: str) -> dict[str, Any] | None:
    """Text, options, level and the KPs tested (heaviest first); never the answer."""
    rows = store.read("get_question", {"question_id": question_id})
    return rows[0] if rows else None


def answer_key(store: GraphStore, question_id: str) -> tuple[str, str]:
    """(answer, explanation) of an existing question; '' where none is stored."""
    row = store.read("question_key", {"question_id": question_id})[0]
    return row["answer"], row["explanation"]


def grading_key(store: GraphStore, question_id: str) -> tuple[str, str, float]:
    """(type, answer, tolerance) of a question: what ``tutor.authoring.grade`` needs."""
    rows = store.read("grading_key", {"question_id": question_id})
    if not rows:
        return "choice", "", 0.0
    return rows[0]["type"], rows[0]["answer"], float(rows[0]["tolerance"])


def kp_page(store: GraphStore, kp_id: str, questions: int) -> dict[str, Any] | None:
    """The KP with its chapter, direct prerequisites and unlocks, up to ``questions`` of its
    questions (basic first) and the resources teaching it (basic first); None if no such KP."""
    found = store.read("kp_detail", {"kp_id": kp_id})
    if not found:
        return None
    return {**found[0],
            "questions": store.read("kp_questions", {"kp_id": kp_id, "limit": questions}),
            "resources": store.read("kp_resources", {"kp_ids": [kp_id], "kinds": [],
                                                     "levels": []})}


def struggling(store: GraphStore, class_id: str, kp_id: str, below: float, recent: int,
               wrong: int) -> list[dict[str, Any]]:
    """The class's students who practised the KP with mastery under ``below``, or ``wrong``
    wrong among their latest ``recent`` answers on it; worst first."""
    return store.read("class_kp_struggling", {"class_id": class_id, "kp_id": kp_id,
                                              "below": below, "recent": recent, "wrong": wrong})
