"""LTI in the graph: PyLTI1p3's short-lived login state, launches mapped to students, tutors
and classes, and what a score passback needs to find again (the resource link's grade
service). Only reads and writes; ``services.lti`` decides what they mean."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from tutor.ports import GraphStore


@dataclass(frozen=True)
class StoredLink:
    """A student's launch of one resource link: where and how to send their score."""

    issuer: str
    client_id: str
    deployment_id: str
    resource_link_id: str
    title: str
    lti_user_id: str  # the platform's ``sub``: the AGS ``userId`` of the score
    lineitem: str | None  # the line item the platform bound to the link, if any
    lineitems: str | None  # the context's line items container, if any
    scopes: tuple[str, ...]
    since: int  # epoch ms of the first launch: the score covers answers from then on


def put_state(store: GraphStore, key: str, value: str, expires: int) -> None:
    store.write("lti_put_state", {"key": key, "value": value, "expires": expires})


def get_state(store: GraphStore, key: str, now: int) -> str | None:
    rows = store.read("lti_get_state", {"key": key, "now": now})
    return rows[0]["value"] if rows else None


def take_state(store: GraphStore, key: str, now: int) -> bool:
    """Delete a state entry; True if it existed and had not expired (one use only)."""
    rows = store.write("lti_take_state", {"key": key, "now": now})
    return bool(rows and rows[0]["live"])


def purge_state(store: GraphStore, now: int) -> int:
    rows = store.write("lti_purge_state", {"now": now})
    return int(rows[0]["n"]) if rows else 0


def learner_launch(store: GraphStore, student_id: str, tenant: str, dataset: str,
                   name: str | None, email: str | None, classes: Sequence[Mapping[str, str]],
                   link: Mapping[str, Any], now: int) -> dict[str, Any]:
    """Create or rename the student, join the class, keep the link; one transaction."""
    return store.write("lti_learner_launch", {
        "student_id": student_id, "tenant": tenant, "dataset": dataset, "name": name,
        "email": email, "classes": list(classes), "link": dict(link), "now": now})[0]


def instructor_launch(store: GraphStore, tutor_id: str, tenant: str, dataset: str,
                      name: str | None, email: str | None,
                      classes: Sequence[Mapping[str, str]], now: int) -> dict[str, Any]:
    """Create or rename the tutor and have them teach the class; one transaction."""
    return store.write("lti_instructor_launch", {
        "tutor_id": tutor_id, "tenant": tenant, "dataset": dataset, "name": name,
        "email": email, "classes": list(classes), "now": now})[0]


def student_link(store: GraphStore, student_id: str, resource_link_id: str | None,
                 test_id: str | None = None) -> StoredLink | None:
    """The named resource link of the student (or the one launching ``test_id``), else the
    one they launched last."""
    rows = store.read("lti_student_launch", {"student_id": student_id,
                                             "resource_link_id": resource_link_id,
                                             "test_id": test_id})
    if not rows:
        return None
    return StoredLink(**{**rows[0], "scopes": tuple(rows[0]["scopes"])})


def practice_since(store: GraphStore, student_id: str, since: int) -> tuple[int, int]:
    """(answers, correct answers) of the student from ``since`` (epoch ms) on."""
    row = store.read("lti_practice_since", {"student_id": student_id, "since": since})[0]
    return int(row["answers"]), int(row["correct"] or 0)
