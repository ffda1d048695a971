"""Attempts over HTTP on the real graph: single and batch ingestion, idempotency, conflicts,
authorisation before any write, tenant namespaces, the learning-data query, verbatim text."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from tutor.ports import GraphStore

Q_LINE = "alg-q-integers-number-line-01"  # KP alg-kp-integers-number-line, chapter integers
Q_ABS = "alg-q-absolute-value-01"  # KP alg-kp-absolute-value, chapter integers
Q_VAR = "alg-q-variables-and-expressions-01"  # chapter expressions
INJECTIONS = ("x' }) MATCH (n) DETACH DELETE n //", '"; MATCH (n) RETURN n')
# old timestamps, so the seed students' "last active" (read by other tests) does not move
T0 = "2020-01-01T00:00:00Z"
T0_MS = 1_577_836_800_000


def _stored(store: GraphStore, *event_ids: str) -> dict[str, tuple[str, str, bool]]:
    rows = store.read("stored_attempts", {"ids": list(event_ids)})
    return {r["event_id"]: (r["student_id"], r["question_id"], r["correct"]) for r in rows}


def _student(as_: Callable[..., Any], student_id: str, who: str = "admin") -> str:
    """Create the student (once per session) and answer its stored id: an LMS's student is
    stored in its tenant's namespace (docs/api.md, "Tenants")."""
    r = as_(who).post("/students", json={"id": student_id, "name": student_id})
    if r.status_code == 409:
        return str(as_(who).get(f"/students/{student_id}").json["id"])
    assert r.status_code == 201, r.json
    return str(r.json["id"])


def _mastery(store: GraphStore, student_id: str) -> dict[str, int]:
    rows = store.read("student_mastery", {"student_id": student_id})
    return {r["kp_id"]: r["attempts"] for r in rows}


def _ts(minute: int) -> str:
    return f"2020-01-01T00:{minute:02d}:00Z"


def test_single_attempt_created_existing_conflict(as_: Callable[..., Any],
                                                  api_store: GraphStore) -> None:
    url = "/students/alg-st-amara/attempts"
    before = _mastery(api_store, "alg-st-amara").get("alg-kp-integers-number-line", 0)
    body = {"event_id": "t-single-1", "question_id": Q_LINE, "correct": True, "ts": T0,
            "duration_s": 12.5}
    r = as_("amara").post(url, json=body)
    assert r.status_code == 201, r.json
    assert r.json == {"event_id": "t-single-1", "question_id": Q_LINE,
                      "kp_ids": ["alg-kp-integers-number-line"], "correct": True,
                      "ts": T0_MS, "duration_s": 12.5, "source": "api"}
    assert _mastery(api_store, "alg-st-amara")["alg-kp-integers-number-line"] == before + 1
    again = as_("hpark").post(url, json=body)  # amara's tutor re-sends it: same namespace
    assert again.status_code == 200 and again.json == r.json
    clash = as_("amara").post(url, json={**body, "correct": False})
    assert clash.status_code == 409
    assert clash.headers["Content-Type"] == "application/problem+json"
    assert _stored(api_store, "api:t-single-1") == {
        "api:t-single-1": ("alg-st-amara", Q_LINE, True)}
    assert _mastery(api_store, "alg-st-amara")["alg-kp-integers-number-line"] == before + 1


def test_default_time_is_the_clock_and_unknown_question_is_422(
        as_: Callable[..., Any], api_store: GraphStore) -> None:
    _student(as_, "t-att-clock")
    r = as_("admin").post("/students/t-att-clock/attempts",
                          json={"event_id": "c1", "question_id": Q_ABS, "correct": False})
    assert r.status_code == 201 and r.json["ts"] > T0_MS and r.json["duration_s"] is None
    bad = as_("admin").post("/students/t-att-clock/attempts",
                            json={"event_id": "c2", "question_id": "no-such-q",
                                  "correct": True})
    assert bad.status_code == 422 and bad.json["detail"].startswith("question_id:")
    missing = as_("admin").post("/students/t-att-clock/attempts", json={"event_id": "c3"})
    assert missing.status_code == 422
    assert {e["field"] for e in missing.json["errors"]} == {"question_id", "correct"}
    assert _stored(api_store, "api:c2", "api:c3") == {}


@pytest.mark.parametrize(("who", "student"), [
    ("amara", "alg-st-ben"),  # a student for another student
    ("trivera", "alg-st-amara"),  # amara is in 9A only; trivera teaches the evening group
    ("north", "alg-st-amara"),  # not a student of the LMS's tenant: to it, no student (404)
])
def test_posting_for_a_student_not_yours_is_refused(
        as_: Callable[..., Any], api_store: GraphStore, who: str, student: str) -> None:
    r = as_(who).post(f"/students/{student}/attempts",
                      json={"event_id": f"t-forbidden-{who}", "question_id": Q_LINE,
                            "correct": True, "ts": T0})
    assert r.status_code == (404 if who == "north" else 403)
    ns = "north" if who == "north" else "api"
    assert _stored(api_store, f"{ns}:t-forbidden-{who}") == {}


def test_batch_reports_stores_and_is_idempotent(as_: Callable[..., Any],
                                                api_store: GraphStore) -> None:
    for sid in ("t-batch-a", "t-batch-b"):
        _student(as_, sid)
    as_("admin").post("/students/t-batch-a/attempts",
                      json={"event_id": "b-taken", "question_id": Q_LINE, "correct": True,
                            "ts": T0})
    attempts = [
        {"event_id": "b1", "student_id": "t-batch-a", "question_id": Q_LINE, "correct": True,
         "ts": _ts(1), "duration_s": 3.0},
        {"event_id": "b2", "student_id": "t-batch-b", "question_id": Q_ABS, "correct": False,
         "ts": _ts(2)},
        {"event_id": "b3", "student_id": "t-batch-a", "question_id": "no-such-q",
         "correct": True, "ts": _ts(3)},
        {"event_id": "b-taken", "student_id": "t-batch-a", "question_id": Q_LINE,
         "correct": False, "ts": _ts(4)},  # stored before with another answer
        {"event_id": "b1", "student_id": "t-batch-a", "question_id": Q_LINE, "correct": True,
         "ts": _ts(1)},  # a repeat inside the batch
    ]
    r = as_("admin").post("/attempts/batch", json={"attempts": attempts})
    assert r.status_code == 200, r.json
    assert {k: r.json[k] for k in ("created", "existing", "rejected")} == {
        "created": 2, "existing": 1, "rejected": 2}
    assert [p["index"] for p in r.json["problems"]] == [2, 3]
    assert [i["status"] for i in r.json["items"]] == [
        "created", "created", "rejected", "conflict", "existing"]
    assert "no-such-q" in r.json["problems"][0]["reason"]
    assert "b-taken" in r.json["problems"][1]["reason"]
    ids = ("api:b1", "api:b2", "api:b3", "api:b-taken")
    stored = _stored(api_store, *ids)
    assert stored == {"api:b1": ("t-batch-a", Q_LINE, True),
                      "api:b2": ("t-batch-b", Q_ABS, False),
                      "api:b-taken": ("t-batch-a", Q_LINE, True)}
    assert _mastery(api_store, "t-batch-b") == {"alg-kp-absolute-value": 1}
    valid = attempts[:2]
    again = as_("admin").post("/attempts/batch", json={"attempts": valid})
    assert again.json == {"created": 0, "existing": 2, "rejected": 0, "problems": [],
                          "items": [{"index": 0, "event_id": "b1", "status": "existing"},
                                    {"index": 1, "event_id": "b2", "status": "existing"}]}
    assert _stored(api_store, *ids) == stored
    assert _mastery(api_store, "t-batch-a") == {"alg-kp-integers-number-line": 2}


@pytest.mark.parametrize(("who", "students"), [
    ("ben", ["alg-st-ben", "alg-st-amara"]),
    ("trivera", ["alg-st-emma", "alg-st-amara"]),  # emma is hers, amara is not
    ("north", ["t-north-1", "alg-st-amara"]),  # amara is no student of north's: 404
])
def test_batch_with_one_forbidden_student_writes_nothing(
        as_: Callable[..., Any], api_store: GraphStore, who: str, students: list[str]) -> None:
    _student(as_, "t-north-1", "north")
    attempts = [{"event_id": f"t-forb-{who}-{i}", "student_id": sid, "question_id": Q_LINE,
                 "correct": True, "ts": _ts(10 + i)} for i, sid in enumerate(students)]
    r = as_(who).post("/attempts/batch", json={"attempts": attempts})
    assert r.status_code == (404 if who == "north" else 403)
    ns = "north" if who == "north" else "api"
    assert _stored(api_store, *(f"{ns}:{a['event_id']}" for a in attempts)) == {}


def test_batch_limits_and_unknown_students(as_: Callable[..., Any]) -> None:
    one = {"event_id": "x", "student_id": "alg-st-amara", "question_id": Q_LINE,
           "correct": True}
    too_many = as_("admin").post("/attempts/batch", json={"attempts": [one] * 1001})
    assert too_many.status_code == 422
    assert as_("admin").post("/attempts/batch", json={"attempts": []}).status_code == 422
    unknown = as_("admin").post("/attempts/batch",
                                json={"attempts": [{**one, "student_id": "nobody-here"}]})
    assert unknown.status_code == 404


def test_event_ids_are_namespaced_by_tenant(as_: Callable[..., Any],
                                            api_store: GraphStore) -> None:
    north = _student(as_, "t-ns-north", "north")
    south = _student(as_, "t-ns-south", "south")
    body = {"event_id": "shared-1", "question_id": Q_LINE, "correct": True, "ts": T0}
    for tenant in ("north", "south"):
        r = as_(tenant).post(f"/students/t-ns-{tenant}/attempts", json=body)
        assert r.status_code == 201 and r.json["event_id"] == "shared-1"
    # the same id from a non-LMS caller is a third, separate event
    _student(as_, "t-ns-api")
    assert as_("admin").post("/students/t-ns-api/attempts", json=body).status_code == 201
    assert _stored(api_store, "north:shared-1", "south:shared-1", "api:shared-1") == {
        "north:shared-1": (north, Q_LINE, True),
        "south:shared-1": (south, Q_LINE, True),
        "api:shared-1": ("t-ns-api", Q_LINE, True)}
    own = as_("north").get("/students/t-ns-north/attempts").json
    assert [a["event_id"] for a in own] == ["shared-1"]
    assert as_("south").get(f"/students/{north}/attempts").status_code == 404
    seen_by_admin = as_("admin").get(f"/students/{north}/attempts").json
    assert [a["event_id"] for a in seen_by_admin] == ["north:shared-1"]


def test_learning_data_filters_and_pages(as_: Callable[..., Any]) -> None:
    sid = "t-filter-st"
    _student(as_, sid)
    plan = [(Q_LINE, True, 1), (Q_ABS, False, 2), (Q_VAR, True, 3), (Q_LINE, False, 4),
            (Q_VAR, False, 5)]
    batch = [{"event_id": f"f{m}", "student_id": sid, "question_id": q, "correct": c,
              "ts": _ts(m), "duration_s": float(m)} for q, c, m in plan]
    assert as_("admin").post("/attempts/batch", json={"attempts": batch}).json["created"] == 5
    url = f"/students/{sid}/attempts"

    def ids(**query: Any) -> list[str]:
        r = as_("admin").get(url, query_string=query)
        assert r.status_code == 200, r.json
        return [a["event_id"] for a in r.json]

    assert ids() == ["f5", "f4", "f3", "f2", "f1"]  # newest first
    assert ids(correct="true") == ["f3", "f1"]
    assert ids(kp_id="alg-kp-integers-number-line") == ["f4", "f1"]
    assert ids(chapter_id="alg-ch-integers") == ["f4", "f2", "f1"]
    assert ids(chapter_id="alg-ch-expressions", correct="false") == ["f5"]
    assert ids(**{"from": _ts(2), "to": _ts(4)}) == ["f4", "f3", "f2"]
    assert ids(**{"from": _ts(2), "chapter_id": "alg-ch-integers", "correct": "false"}) == [
        "f4", "f2"]
    assert ids(kp_id="no-such-kp") == []
    page = as_("admin").get(url, query_string={"page": 2, "page_size": 2})
    assert [a["event_id"] for a in page.json] == ["f3", "f2"]
    meta = json.loads(page.headers["X-Pagination"])
    assert meta["total"] == 5 and meta["total_pages"] == 3
    first = as_("admin").get(url, query_string={"page_size": 1}).json[0]
    assert first == {"event_id": "f5", "question_id": Q_VAR,
                     "kp_ids": ["alg-kp-variables-and-expressions"], "correct": False,
                     "ts": T0_MS + 5 * 60_000, "duration_s": 5.0, "source": "api"}
    assert as_("admin").get(url, query_string={"from": "yesterday"}).status_code == 422


def test_students_read_their_own_attempts_only(as_: Callable[..., Any]) -> None:
    mine = as_("ben").get("/students/alg-st-ben/attempts?page_size=3")
    assert mine.status_code == 200 and len(mine.json) == 3
    assert as_("ben").get("/students/alg-st-amara/attempts").status_code == 403
    assert as_("hpark").get("/students/alg-st-ben/attempts").status_code == 200


def test_injection_strings_are_stored_verbatim(as_: Callable[..., Any],
                                               api_store: GraphStore) -> None:
    before = {r["label"]: r["n"] for r in api_store.read("graph_stats_nodes")}
    sid = "t-inj-st"
    _student(as_, sid)
    for i, text in enumerate(INJECTIONS):
        r = as_("admin").post(f"/students/{sid}/attempts",
                              json={"event_id": text, "question_id": Q_LINE, "correct": True,
                                    "ts": _ts(20 + i)})
        assert r.status_code == 201 and r.json["event_id"] == text
    batch = [{"event_id": f"inj-q-{i}", "student_id": sid, "question_id": text,
              "correct": True} for i, text in enumerate(INJECTIONS)]
    r = as_("admin").post("/attempts/batch", json={"attempts": batch})
    assert r.json["rejected"] == 2
    assert all(text in p["reason"] for text, p in zip(INJECTIONS, r.json["problems"],
                                                      strict=True))
    listed = [a["event_id"] for a in as_("admin").get(f"/students/{sid}/attempts").json]
    assert listed == list(reversed(INJECTIONS))
    after = {r["label"]: r["n"] for r in api_store.read("graph_stats_nodes")}
    assert after["Student"] == before["Student"] + 1
    assert {k: v for k, v in after.items() if k != "Student"} == {
        k: v for k, v in before.items() if k != "Student"}
