"""Issue 17, defect 1: concurrent batches sharing an id each store what they can, report the
truth per item, and never leak internals. Before the fix, 4 of 8 batches racing on one shared
event id answered 409 naming FalkorDB and a query file, and stored nothing."""

from __future__ import annotations

import json
import threading
import uuid
from collections import Counter
from typing import Any

import requests

from cli.common import store_for
from services.settings import Settings
from tests.reliability.conftest import Live

CLIENTS = 8
STUDENT, QUESTION = "alg-st-amara", "alg-q-absolute-value-01"
KP = "alg-kp-absolute-value"  # the question's only KP
INTERNALS = ("falkordb", "cypher", ".cypher", "redis", "neo4j", "traceback")


def race(live: Live, path: str, bodies: list[Any]) -> list[requests.Response]:
    """POST every body at once from its own thread (a barrier lines them up)."""
    start = threading.Barrier(len(bodies))
    out: list[requests.Response | None] = [None] * len(bodies)

    def send(i: int) -> None:
        start.wait()
        out[i] = requests.post(live.url + path, json=bodies[i], headers=live.headers(),
                               timeout=120)

    threads = [threading.Thread(target=send, args=(i,)) for i in range(len(bodies))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert all(r is not None for r in out)
    return out  # type: ignore[return-value]


def test_batches_racing_on_a_shared_event_id_each_store_everything_else(live: Live) -> None:
    run = uuid.uuid4().hex[:8]
    shared = f"race-{run}-shared"
    bodies = [{"attempts": [
        {"event_id": event, "student_id": STUDENT, "question_id": QUESTION, "correct": True,
         "ts": "2026-11-01T10:00:00Z"}
        for event in [shared, *(f"race-{run}-{c}-{j}" for j in range(99))]]}
        for c in range(CLIENTS)]
    responses = race(live, "/attempts/batch", bodies)
    for r in responses:
        assert r.status_code == 200, r.text
        assert not any(word in r.text.lower() for word in INTERNALS), r.text
    reports = [r.json() for r in responses]
    assert sum(rep["created"] for rep in reports) == 1 + CLIENTS * 99
    statuses = Counter(item["status"] for rep in reports for item in rep["items"]
                       if item["event_id"] == shared)
    assert statuses == {"created": 1, "existing": CLIENTS - 1}
    for rep in reports:  # the counts are the items' statuses
        count = Counter(i["status"] for i in rep["items"])
        assert (rep["created"], rep["existing"]) == (count["created"], count["existing"])
    ids = [f"api:{a['event_id']}" for body in bodies for a in body["attempts"]]
    with store_for(Settings(var_dir=live.var_dir)) as store:
        stored = store.read("stored_attempts", {"ids": sorted(set(ids))})
    assert len(stored) == 1 + CLIENTS * 99  # nothing lost, nothing twice
    assert_derived_state_current(live)


def statement(statement_id: str) -> dict[str, Any]:
    return {"id": statement_id,
            "actor": {"objectType": "Agent",
                      "account": {"homePage": "https://lms.example", "name": STUDENT}},
            "verb": {"id": "http://adlnet.gov/expapi/verbs/answered"},
            "object": {"objectType": "Activity", "id": QUESTION},
            "result": {"success": True}, "timestamp": "2026-11-01T10:00:00Z"}


def race_statements(live: Live, path: str) -> tuple[list[list[Any]], list[Any]]:
    """8 batches of the same shared statement and 99 of their own, sent at once to ``path``;
    each must be stored whole (793 statements and attempts) and answered 200 with no
    internals named; returns the bodies and the answers."""
    shared = str(uuid.uuid4())
    bodies = [[statement(shared), *(statement(str(uuid.uuid4())) for _ in range(99))]
              for _ in range(CLIENTS)]
    responses = race(live, path, bodies)
    for r in responses:
        assert r.status_code == 200, r.text
        assert not any(word in r.text.lower() for word in INTERNALS), r.text
    with store_for(Settings(var_dir=live.var_dir)) as store:
        ids = sorted({f"api:xapi:{s['id']}" for body in bodies for s in body})
        attempts = store.read("stored_attempts", {"ids": ids})
        statements = store.read("stored_statements", {"ids": [i.replace("xapi:", "", 1)
                                                              for i in ids]})
    assert len(attempts) == len(statements) == 1 + CLIENTS * 99
    assert_derived_state_current(live)
    return bodies, [r.json() for r in responses]


def test_statements_racing_on_a_shared_id_report_one_creation(live: Live) -> None:
    """kgtutor's per-statement report: exactly one request created the shared statement."""
    bodies, reports = race_statements(live, "/xapi/statements/batch")
    shared = bodies[0][0]["id"]
    statuses = Counter(item["status"] for rep in reports for item in rep["statements"]
                       if item["id"] == shared)
    assert statuses == {"created": 1, "existing": CLIENTS - 1}
    for rep in reports:
        count = Counter(i["status"] for i in rep["statements"])
        assert (rep["created"], rep["existing"]) == (count["created"], count["existing"])
    assert sum(rep["created"] for rep in reports) == 1 + CLIENTS * 99


def test_xapi_posts_racing_on_a_shared_id_each_answer_their_ids(live: Live) -> None:
    """xAPI 1.0.3 POST: a statement another request stored first, unchanged, is no conflict:
    every request answers its ids in order."""
    bodies, answers = race_statements(live, "/xapi/statements")
    assert answers == [[s["id"] for s in body] for body in bodies]


def assert_derived_state_current(live: Live) -> None:
    """Mastery and theta of the racing student rest on every one of their stored answers."""
    with store_for(Settings(var_dir=live.var_dir)) as store:
        assert STUDENT not in {r["id"] for r in store.read("stale_students")}
        (answers,) = store.read("theta_answers", {"student_ids": [STUDENT]})
        (ability,) = store.read("student_abilities", {"student_ids": [STUDENT]})
        mastery = {m["kp_id"]: m["attempts"]
                   for m in store.read("student_mastery", {"student_id": STUDENT})}
    assert ability["responses"] == len(answers["correct"])
    r = requests.get(f"{live.url}/students/{STUDENT}/attempts",
                     params={"kp_id": KP, "page_size": 1}, headers=live.headers(), timeout=30)
    assert mastery[KP] == json.loads(r.headers["X-Pagination"])["total"]
