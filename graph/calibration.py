"""The IRT refits of each course: how many answers it has now and had at its last refit."""

from __future__ import annotations

from typing import Any

from tutor.ports import GraphStore


def state(store: GraphStore, dataset: str | None = None) -> list[dict[str, Any]]:
    """Per course with answers (or the one asked): answers, fitted_answers, fitted_at,
    fitted_questions."""
    return store.read("calibration_state", {"dataset": dataset})


def save(store: GraphStore, dataset: str, answers: int, questions: int, students: int,
         ts: int) -> None:
    store.write("save_calibration", {"dataset": dataset, "answers": answers, "ts": ts,
                                     "questions": questions, "students": students})
