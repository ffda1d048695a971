"""Stored attempts as the learning-data API reads them: one by event id, a student's filtered
and paged. They are written by ``graph.ingest``, the one write path."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tutor.ports import GraphStore


@dataclass(frozen=True)
class AttemptFilter:
    """What ``list_attempts`` keeps; None means no restriction."""

    from_ts: int | None = None  # epoch ms, inclusive
    to_ts: int | None = None
    kp_id: str | None = None  # questions testing this KP
    chapter_id: str | None = None  # questions of this chapter's KPs
    correct: bool | None = None


def get_attempt(store: GraphStore, event_id: str) -> dict[str, Any] | None:
    """The stored attempt with this (namespaced) event id, with its question's KPs."""
    rows = store.read("get_attempt", {"event_id": event_id})
    return rows[0] if rows else None


def list_attempts(store: GraphStore, student_id: str, where: AttemptFilter, skip: int,
                  limit: int) -> tuple[int, list[dict[str, Any]]]:
    """(how many match, the page from ``skip``), newest first."""
    row = store.read("list_attempts", {
        "student_id": student_id, "from_ts": where.from_ts, "to_ts": where.to_ts,
        "kp_id": where.kp_id, "chapter_id": where.chapter_id, "correct": where.correct,
        "skip": skip, "limit": limit})[0]
    return int(row["total"]), row["page"]
