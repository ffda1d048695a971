"""Tests and sittings in the graph: an ``Assessment`` node (assigned to classes by
``ASSIGNED_TO``), a ``Sitting`` node per student attempt (``SAT`` from the student, ``OF`` to
the test; it names its student by property, so export and erasure find it), the question pools
tests draw from, and the prior mastery a placement writes (``PLACED`` edges).

Both nodes carry a version: a save names the version it read and changes nothing when another
write got there first (``save_*`` return False), so concurrent answers cannot both land.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from tutor.assessment import Assessment, BlueprintPart, Form, Purpose, Sitting, Status
from tutor.ports import GraphStore, Row


@dataclass(frozen=True)
class PoolItem:
    """A gradable question a test may draw: the scope (KP or chapter) it was found under."""

    scope_id: str
    question_id: str
    kp_id: str  # the KP it tests most
    dataset: str
    a: float | None  # 2PL discrimination; None until fitted
    b: float | None  # 2PL difficulty
    responses: int  # answers the fit rests on
    level: str


def save_test(store: GraphStore, test: Assessment, expected: int, now: int) -> bool:
    """Store ``test`` (its ``version`` is the new one) if the stored one is at ``expected``."""
    rows = store.write("save_assessment", {"id": test.id, "expected": expected, "now": now,
                                           "props": _test_props(test),
                                           "class_ids": list(test.class_ids)})
    return bool(rows)


def get_test(store: GraphStore, test_id: str) -> Assessment | None:
    rows = store.read("get_assessment", {"id": test_id})
    return _test(rows[0]["props"], rows[0]["class_ids"]) if rows else None


def list_tests(store: GraphStore, tutor_id: str, tenant: str, archived: bool,
               purpose: Purpose = Purpose.TEST) -> list[tuple[Assessment, int]]:
    """(test, sittings started) the caller may see; tutor id and tenant '' for all."""
    rows = store.read("list_assessments", {"tutor_id": tutor_id, "tenant": tenant,
                                           "archived": archived, "purpose": str(purpose)})
    return [(_test(r["props"], r["class_ids"]), int(r["sittings"])) for r in rows]


def student_tests(store: GraphStore, student_id: str) -> list[Assessment]:
    """The published and closed tests assigned to the student's classes."""
    rows = store.read("student_assessments", {"student_id": student_id})
    return [_test(r["props"], r["class_ids"]) for r in rows]


def save_sitting(store: GraphStore, sitting: Sitting, expected: int, now: int) -> bool:
    """Store ``sitting`` (its ``version`` is the new one) if the stored one is at ``expected``
    (0 for a new one); False when another write changed it first."""
    rows = store.write("save_sitting", {
        "id": sitting.id, "student_id": sitting.student_id, "test_id": sitting.test_id,
        "expected": expected, "now": now, "props": _sitting_props(sitting)})
    return bool(rows)


def student_sittings(store: GraphStore, student_id: str, test_id: str = "") -> list[Sitting]:
    """The student's sittings of one test ('' for all), by test then attempt number."""
    rows = store.read("student_sittings", {"student_id": student_id, "test_id": test_id})
    return [_sitting(r["props"]) for r in rows]


def sittings_of(store: GraphStore, test_id: str) -> list[tuple[Sitting, str]]:
    """(sitting, student name) of every sitting of a test."""
    rows = store.read("assessment_sittings", {"test_id": test_id})
    return [(_sitting(r["props"]), r["name"]) for r in rows]


def question_pool(store: GraphStore, scope_ids: Sequence[str]) -> list[PoolItem]:
    """Gradable questions under each KP or chapter id (one row per scope and question)."""
    rows = store.read("question_pool", {"scope_ids": list(scope_ids)})
    return [PoolItem(r["scope_id"], r["id"], r["kp_id"], r["dataset"],
                     None if r["a"] is None else float(r["a"]),
                     None if r["b"] is None else float(r["b"]), int(r["responses"]), r["level"])
            for r in rows]


def question_facts(store: GraphStore, question_ids: Iterable[str]) -> dict[str, tuple[str, bool]]:
    """question -> (dataset, gradable) for the ids that exist."""
    rows = store.read("question_facts", {"ids": sorted(set(question_ids))})
    return {r["id"]: (r["dataset"], bool(r["gradable"])) for r in rows}


def question_kps(store: GraphStore, question_ids: Iterable[str]
                 ) -> dict[str, list[tuple[str, str]]]:
    """question -> [(kp id, kp name)], heaviest first."""
    out: dict[str, list[tuple[str, str]]] = {}
    for r in store.read("question_kps", {"ids": sorted(set(question_ids))}):
        out.setdefault(r["question_id"], []).append((r["kp_id"], r["name"]))
    return out


def save_placement(store: GraphStore, student_id: str, priors: Mapping[str, float], ts: int,
                   sitting_id: str) -> int:
    """Replace the student's placed prior mastery; return the KPs written."""
    rows = store.write("save_placement", {
        "student_id": student_id, "ts": ts, "sitting_id": sitting_id,
        "rows": [{"kp_id": k, "p": float(p)} for k, p in sorted(priors.items())]})
    return int(rows[0]["n"]) if rows else 0


def placement_state(store: GraphStore, student_id: str) -> tuple[int | None, bool] | None:
    """(epoch ms the student was placed, or None; whether they have answered anything); None
    for an unknown student."""
    rows = store.read("placement_state", {"student_id": student_id})
    if not rows:
        return None
    placed = rows[0]["placed_at"]
    return (None if placed is None else int(placed)), bool(rows[0]["attempts"])


def _test_props(t: Assessment) -> dict[str, Any]:
    return {"id": t.id, "title": t.title, "form": str(t.form), "dataset": t.dataset,
            "created_by": t.created_by, "created_at": t.created_at, "status": str(t.status),
            "purpose": str(t.purpose), "question_ids": list(t.question_ids),
            "blueprint_scopes": [p.scope_id for p in t.blueprint],
            "blueprint_counts": [p.count for p in t.blueprint],
            "scope_ids": list(t.scope_ids), "opens_at": t.opens_at, "closes_at": t.closes_at,
            "time_limit_s": t.time_limit_s, "attempts_allowed": t.attempts_allowed,
            "show_results": t.show_results, "allow_back": t.allow_back,
            "max_items": t.max_items, "se_stop": t.se_stop, "version": t.version}


def _test(p: Row, class_ids: Sequence[str]) -> Assessment:
    return Assessment(
        p["id"], p["title"], Form(p["form"]), p["dataset"], p["created_by"],
        int(p["created_at"]), Status(p["status"]), Purpose(p["purpose"]), tuple(class_ids),
        tuple(p.get("question_ids") or ()),
        tuple(BlueprintPart(s, int(n)) for s, n in zip(
            p.get("blueprint_scopes") or (), p.get("blueprint_counts") or (), strict=True)),
        tuple(p.get("scope_ids") or ()), _int(p.get("opens_at")), _int(p.get("closes_at")),
        _int(p.get("time_limit_s")), int(p["attempts_allowed"]), bool(p["show_results"]),
        bool(p["allow_back"]), int(p["max_items"]), float(p["se_stop"]), int(p["version"]))


def _sitting_props(s: Sitting) -> dict[str, Any]:
    return {"test_id": s.test_id, "student_id": s.student_id, "number": s.number,
            "started_at": s.started_at, "deadline": s.deadline, "items": list(s.items),
            "responses": list(s.responses), "correct": list(s.correct),
            "answered_at": list(s.answered_at), "finished_at": s.finished_at, "theta": s.theta,
            "se": s.se, "recorded": s.recorded, "version": s.version}


def _sitting(p: Row) -> Sitting:
    return Sitting(p["id"], p["test_id"], p["student_id"], int(p["number"]),
                   int(p["started_at"]), _int(p.get("deadline")), tuple(p.get("items") or ()),
                   tuple(p.get("responses") or ()), tuple(bool(c) for c in p.get("correct") or ()),
                   tuple(int(t) for t in p.get("answered_at") or ()), _int(p.get("finished_at")),
                   _float(p.get("theta")), _float(p.get("se")), bool(p.get("recorded")),
                   int(p["version"]))


def _int(v: Any) -> int | None:
    return None if v is None else int(v)


def _float(v: Any) -> float | None:
    return None if v is None else float(v)
