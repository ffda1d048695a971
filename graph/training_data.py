"""What a model trains on when it trains on the graph (`kgtutor train ... --dataset NAME`): a
dataset's stored answers, questions with the KPs they test, and KPs in curriculum order, as the
domain objects the file readers produce too. graph/ does not import models/: the caller builds
the arrays (``services.training_data``)."""

from __future__ import annotations

from dataclasses import dataclass

from tutor.curriculum import Tests
from tutor.mastery import Attempt
from tutor.ports import GraphStore


@dataclass(frozen=True)
class StoredLogs:
    attempts: tuple[Attempt, ...]
    tests: tuple[Tests, ...]
    question_ids: tuple[str, ...]  # questions testing at least one KP, by id
    kp_ids: tuple[str, ...]  # curriculum order
    kp_names: tuple[str, ...]


def stored_logs(store: GraphStore, dataset: str) -> StoredLogs:
    """The dataset's answers to questions that test a KP (others carry nothing to learn)."""
    kps = store.read("rec_kps", {"dataset": dataset})
    questions = store.read("rec_questions", {"dataset": dataset})
    known = {q["id"] for q in questions}
    attempts = tuple(
        Attempt(r["event_id"], r["student_id"], r["question_id"], bool(r["correct"]),
                int(r["ts"] or 0), int(r["seq"] or 0))
        for r in store.read("dataset_attempts", {"dataset": dataset})
        if r["question_id"] in known)
    return StoredLogs(attempts,
                      tuple(Tests(q["id"], k) for q in questions for k in sorted(q["kp_ids"])),
                      tuple(q["id"] for q in questions), tuple(k["id"] for k in kps),
                      tuple(k["name"] for k in kps))
