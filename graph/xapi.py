"""Graph reads and writes of API ingestion: lookups that decide what is new, xAPI statements.

Attempts themselves are written by ``graph.ingest`` (the one write path, which also refreshes
mastery); this module answers what ingestion must know first (which questions and students
exist, what an event or statement id holds already) and keeps the raw statements.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any
from uuid import uuid4

from graph.ingest import RACE_RETRIES
from tutor.errors import ConstraintViolation
from tutor.ports import GraphStore

# (student id, question id, correct): what an event id must keep meaning
AttemptKey = tuple[str, str, bool]


def known_questions(store: GraphStore, ids: Iterable[str]) -> set[str]:
    return {r["id"] for r in store.read("known_questions", {"ids": sorted(set(ids))})}


def known_students(store: GraphStore, ids: Iterable[str]) -> dict[str, str]:
    """Student id -> owning tenant ('' for none), for the ids that exist."""
    rows = store.read("known_students", {"ids": sorted(set(ids))})
    return {r["id"]: r["tenant"] for r in rows}


def students_by_email(store: GraphStore, emails: Iterable[str], tenant: str,
                      tutor_id: str = "", student_id: str = "") -> dict[str, list[str]]:
    """Lower-cased e-mail -> ids of the students with it, among those the caller may name:
    ``tenant``'s, ``tutor_id``'s classes', or ``student_id`` alone ('' for no restriction)."""
    out: dict[str, list[str]] = {}
    rows = store.read("students_by_email", {"emails": sorted(set(emails)), "tenant": tenant,
                                            "tutor_id": tutor_id, "student_id": student_id})
    for row in rows:
        out.setdefault(row["email"], []).append(row["id"])
    return out


def stored_attempts(store: GraphStore, event_ids: Iterable[str]) -> dict[str, AttemptKey]:
    rows = store.read("stored_attempts", {"ids": sorted(set(event_ids))})
    return {r["event_id"]: (r["student_id"], r["question_id"], bool(r["correct"]))
            for r in rows}


def attempt_checks(store: GraphStore, question_ids: Iterable[str], student_ids: Iterable[str],
                   event_ids: Iterable[str]) -> tuple[set[str], set[str], dict[str, AttemptKey]]:
    """:func:`known_questions`, the students of :func:`known_students` and
    :func:`stored_attempts` in one round trip: what an answer's ingestion checks."""
    row = store.read("attempt_checks", {"question_ids": sorted(set(question_ids)),
                                        "student_ids": sorted(set(student_ids)),
                                        "event_ids": sorted(set(event_ids))})[0]
    stored = zip(row["event_ids"], row["stored_students"], row["stored_questions"],
                 row["stored_correct"], strict=True)
    return (set(row["questions"]), set(row["students"]),
            {e: (s, q, bool(c)) for e, s, q, c in stored})


def tenant_dataset(store: GraphStore, tenant: str) -> str | None:
    rows = store.read("tenant_dataset", {"tenant": tenant})
    return rows[0]["dataset"] if rows else None


def ensure_students(store: GraphStore, rows: Sequence[Mapping[str, Any]]) -> None:
    """Create these students (id, name, email, tenant, dataset, now) unless they exist."""
    if rows:
        store.write("ensure_students", {"rows": list(rows)})


def stored_statements(store: GraphStore, ids: Iterable[str]) -> dict[str, str]:
    """Stored statement id -> the digest of its content."""
    rows = store.read("stored_statements", {"ids": sorted(set(ids))})
    return {r["id"]: r["digest"] for r in rows}


def save_statements(store: GraphStore, rows: Sequence[Mapping[str, Any]]) -> set[str]:
    """Store statements, then link each to its student (rows with a ``student_id``); return
    the ids this call created (the others were stored first, by this or a concurrent request).
    A write that loses a race on the unique id fails whole and is run again."""
    if not rows:
        return set()
    batch = uuid4().hex
    for attempt in range(RACE_RETRIES):
        try:
            created = {r["id"] for r in store.write("save_statements",
                                                     {"rows": list(rows), "batch": batch})}
            break
        except ConstraintViolation:
            if attempt == RACE_RETRIES - 1:
                raise
    links = [{"id": r["id"], "student_id": r["student_id"], "ts": r["ts"]}
             for r in rows if r["student_id"] and r["id"] in created]
    if links:
        store.write("link_statement_students", {"rows": links})
    return created


def list_statements(store: GraphStore, tenant: str | None, stored: int, after_id: str | None,
                    limit: int) -> list[dict[str, Any]]:
    """Statements stored after ``stored`` (or at it, with a larger id than ``after_id``)."""
    return store.read("list_statements", {"tenant": tenant, "stored": stored,
                                          "after_id": after_id, "limit": limit})


def student_activity(store: GraphStore, student_id: str) -> tuple[int | None, int]:
    """(epoch ms of the student's latest xAPI statement or None, statements sent)."""
    rows = store.read("student_xapi_activity", {"student_id": student_id})
    return (rows[0]["last_activity"], rows[0]["statements"]) if rows else (None, 0)
