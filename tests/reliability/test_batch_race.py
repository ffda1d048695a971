"""Issue 17, defect 1: concurrent batches sharing an id each store what they can, report the
truth per item, and never leak internals. Before the fix, 4 of 8 batches racing on one shared
event id answered 409 naming FalkorDB and a query file, and stored nothing."""

from __future__ import annotations

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


def test_statements_racing_on_a_shared_id_report_one_creation(live: Live) -> None:
    shared = str(uuid.uuid4())

    def statement(statement_id: str) -> dict[str, Any]:
        return {"id": statement_id,
                "actor": {"objectType": "Agent",
                          "account": {"homePage": "https://lms.example", "name": STUDENT}},
                "verb": {"id": "http://adlnet.gov/expapi/verbs/answered"},
                "object": {"objectType": "Activity", "id": QUESTION},
                "result": {"success": True}, "timestamp": "2026-11-01T10:00:00Z"}

    bodies = [[statement(shared), *(statement(str(uuid.uuid4())) for _ in range(99))]
              for _ in range(CLIENTS)]
    responses = race(live, "/xapi/statements", bodies)
    for r in responses:
        assert r.status_code < 300, r.text
        assert not any(word in r.text.lower() for word in INTERNALS), r.text
    with store_for(Settings(var_dir=live.var_dir)) as store:
        ids = sorted({f"api:xapi:{s['id']}" for body in bodies for s in body})
        attempts = store.read("stored_attempts", {"ids": ids})
        statements = store.read("stored_statements", {"ids": [i.replace("xapi:", "", 1)
                                                              for i in ids]})
    assert len(attempts) == len(statements) == 1 + CLIENTS * 99
    created_shared = sum(1 for r in responses for item in _statement_items(r.json())
                         if item["id"] == shared and item["status"] == "created")
    assert created_shared == 1


def _statement_items(body: Any) -> list[dict[str, Any]]:
    """Per-statement results, wherever the response carries them."""
    if isinstance(body, dict):
        return body.get("statements") or body.get("items") or []
    return []
