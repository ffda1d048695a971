"""Students, classes and tutors in the graph: existence checks, the scoped student list,
student records and class membership, the classes a caller sees, a student's tutors.

Scopes are plain values: ``tenant`` (an LMS account's) and ``tutor_id`` (a tutor's) restrict a
list when not '', so an admin passes '' for both. Who may ask is decided in ``api.gate``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from tutor.access import tenant_student_id
from tutor.ports import GraphStore


@dataclass(frozen=True)
class StudentFilter:
    """What ``list_students`` keeps; None or '' means no restriction."""

    tenant: str = ""
    tutor_id: str = ""
    class_id: str = ""
    min_mastery: float | None = None  # mean BKT mastery at least this
    max_mastery: float | None = None
    active_since: int | None = None  # epoch ms of the latest answer


def student_exists(store: GraphStore, student_id: str) -> bool:
    return bool(store.read("student_exists", {"student_id": student_id}))


def tenant_students(store: GraphStore, tenant: str, ids: Iterable[str]) -> dict[str, str]:
    """Id an LMS of ``tenant`` names a student with -> the student's stored id, for those the
    tenant holds: a stored id the tenant owns is itself (so the id a response shows addresses
    its student), else the tenant's own ``tenant_student_id``. Another tenant's student, or
    one no tenant owns, is not found; nor is anything for an empty tenant."""
    wanted = sorted(set(ids))
    if not tenant or not wanted:
        return {}
    rows = [{"id": i, "keys": [i, tenant_student_id(tenant, i)]} for i in wanted]
    found: dict[str, str] = {}
    for row in store.read("tenant_students", {"tenant": tenant, "rows": rows}):
        if found.get(row["id"]) != row["id"]:  # the exact stored id wins
            found[row["id"]] = row["key"]
    return found


def class_exists(store: GraphStore, class_id: str) -> bool:
    return bool(store.read("class_exists", {"class_id": class_id}))


def all_students(store: GraphStore) -> list[tuple[str, str]]:
    """(id, dataset or '') of every student, by id."""
    return [(r["id"], r["dataset"] or "") for r in store.read("all_students")]


def list_students(store: GraphStore, where: StudentFilter, skip: int, limit: int
                  ) -> tuple[int, list[dict[str, Any]]]:
    """(how many match, the page of them from ``skip``), by id, with a mastery summary."""
    row = store.read("list_students", {
        "tenant": where.tenant, "tutor_id": where.tutor_id, "class_id": where.class_id,
        "min_mastery": where.min_mastery, "max_mastery": where.max_mastery,
        "active_since": where.active_since, "skip": skip, "limit": limit})[0]
    return int(row["total"]), row["page"]


def get_student(store: GraphStore, student_id: str) -> dict[str, Any] | None:
    """The record with classes, consent and a mastery summary; None for an unknown id."""
    rows = store.read("get_student", {"student_id": student_id})
    return rows[0] if rows else None


def create_student(store: GraphStore, student_id: str, name: str, email: str, tenant: str,
                   dataset: str, now: int) -> None:
    """Create a student; an existing id raises ``ConstraintViolation`` (unique constraint)."""
    store.write("create_student", {"id": student_id, "name": name, "email": email,
                                   "tenant": tenant, "dataset": dataset, "now": now})


def update_student(store: GraphStore, student_id: str, name: str | None,
                   email: str | None) -> None:
    """Change the fields given (None keeps the stored value)."""
    store.write("update_student", {"student_id": student_id, "name": name, "email": email})


def join_classes(store: GraphStore, student_id: str, class_ids: Iterable[str]) -> None:
    """Make the student a member of each existing class (idempotent)."""
    rows = [{"student_id": student_id, "class_id": c} for c in class_ids]
    if rows:
        store.write("upsert_memberships", {"rows": rows})


def list_classes(store: GraphStore, tutor_id: str, tenant: str) -> list[dict[str, Any]]:
    """Classes with their student counts, by name (a tutor's, a tenant's, or all)."""
    return store.read("list_classes", {"tutor_id": tutor_id, "tenant": tenant})


def create_class(store: GraphStore, class_id: str, name: str, dataset: str, now: int) -> None:
    """Create a class; an existing id raises ``ConstraintViolation``."""
    store.write("create_class", {"id": class_id, "name": name, "dataset": dataset, "now": now})


def add_class_tutor(store: GraphStore, tutor_id: str, class_ids: Iterable[str]) -> None:
    """Have the tutor teach each existing class (idempotent)."""
    store.write("upsert_class_tutors", {"rows": [{"tutor_id": tutor_id, "class_id": c}
                                                 for c in class_ids]})


def student_tutors(store: GraphStore, student_id: str) -> list[dict[str, Any]]:
    """The tutors (id, name, email) of the student's classes, by id."""
    return store.read("student_tutors", {"student_id": student_id})
