"""Issue 17, defect 4: erasing affect removes every derived trace of it, and a student's whole
record can be exported and erased (API and CLI), leaving nothing of them in the graph. Before
the fix `Student.latest_emotion` and notification bodies survived the affect erasure, and no
export or erasure of the rest existed."""

from __future__ import annotations

import json
from typing import Any

import requests
from click.testing import CliRunner

from cli.common import store_for
from cli.main import main
from graph.affect import AFFECT_ERASED
from services.settings import Settings
from tests.reliability.conftest import Live

QUESTION = "alg-q-absolute-value-01"


def call(live: Live, method: str, path: str, **kw: Any) -> requests.Response:
    return requests.request(method, live.url + path, headers=live.headers(), timeout=60, **kw)


def make_student(live: Live, student_id: str) -> None:
    r = call(live, "POST", "/students", json={"id": student_id, "name": "Eve Example",
                                              "email": f"{student_id}@example.org"})
    assert r.status_code == 201, r.text
    r = call(live, "POST", "/attempts/batch", json={"attempts": [
        {"event_id": f"{student_id}-{i}", "student_id": student_id, "question_id": QUESTION,
         "correct": i % 2 == 0, "ts": f"2026-11-01T10:0{i}:00Z"} for i in range(3)]})
    assert r.status_code == 200 and r.json()["created"] == 3, r.text
    assert call(live, "PUT", f"/students/{student_id}/affect/consent",
                json={"consent": True}).status_code == 200
    assert call(live, "POST", f"/students/{student_id}/affect/emoji",
                json={"emoji": "upset"}).status_code in (200, 201)


def traces(live: Live, student_id: str) -> list[dict[str, Any]]:
    """Every node or edge of the graph that still names the student, anywhere."""
    with store_for(Settings(var_dir=live.var_dir)) as store:
        return [*store.read("student_node", {"student_id": student_id}),
                *store.read("student_record_edges", {"student_id": student_id}),
                *store.read("student_record_nodes", {"student_id": student_id})]


def test_affect_erasure_removes_what_was_derived_from_it(live: Live) -> None:
    make_student(live, "t-erase-affect")
    env = {"KGTUTOR_VAR": str(live.var_dir)}
    assert CliRunner().invoke(main, ["profiles", "refresh"], env=env).exit_code == 0
    with store_for(Settings(var_dir=live.var_dir)) as store:
        store.write("enqueue_notification", {
            "id": "n-erase-affect", "to": "tutor@example.org", "subject": "Eve needs help",
            "body": "Eve Example: affect negative (confidence 0.83)",
            "student_id": "t-erase-affect", "kind": "intervention", "next_try": 0,
            "created": 0})
    before = call(live, "GET", "/students/t-erase-affect/export").json()
    assert before["student"].get("latest_emotion") == "negative"
    assert call(live, "DELETE", "/students/t-erase-affect/affect").status_code == 200
    after = call(live, "GET", "/students/t-erase-affect/export").json()
    assert "latest_emotion" not in after["student"]
    assert not any(e["rel"] == "FELT" for e in after["edges"])
    notes = [n["props"] for n in after["nodes"] if n["kind"] == "Notification"]
    assert [n["body"] for n in notes] == [AFFECT_ERASED]  # the message was sent; its text goes
    assert "0.83" not in json.dumps(after)
    assert [e["rel"] for e in after["edges"]].count("ATTEMPTED") == 3  # the rest stays


def test_export_then_erase_leaves_nothing_of_the_student(live: Live) -> None:
    make_student(live, "t-erase-all")
    record = call(live, "GET", "/students/t-erase-all/export")
    assert record.status_code == 200, record.text
    body = record.json()
    rels = [e["rel"] for e in body["edges"]]
    assert rels.count("ATTEMPTED") == 3 and "MASTERY" in rels and "FELT" in rels
    assert body["student"]["email"] == "t-erase-all@example.org"
    assert "password_hash" not in record.text
    r = call(live, "DELETE", "/students/t-erase-all")
    assert r.status_code == 204, r.text
    assert traces(live, "t-erase-all") == []
    assert call(live, "GET", "/students/t-erase-all").status_code == 404
    assert call(live, "DELETE", "/students/t-erase-all").status_code == 404
    with store_for(Settings(var_dir=live.var_dir)) as store:
        ids = [f"api:t-erase-all-{i}" for i in range(3)]
        assert store.read("stored_attempts", {"ids": ids}) == []


def test_only_admins_and_the_students_tenant_may_erase(live: Live) -> None:
    make_student(live, "t-erase-guard")
    r = requests.delete(live.url + "/students/t-erase-guard", headers=live.headers("south"),
                        timeout=60)
    assert r.status_code in (403, 404), r.text
    assert traces(live, "t-erase-guard") != []


def test_the_cli_twins_export_and_erase(live: Live) -> None:
    make_student(live, "t-erase-cli")
    env = {"KGTUTOR_VAR": str(live.var_dir)}
    out = CliRunner().invoke(main, ["record", "export", "t-erase-cli"], env=env)
    assert out.exit_code == 0, out.output
    assert [e["rel"] for e in json.loads(out.output)["edges"]].count("ATTEMPTED") == 3
    out = CliRunner().invoke(main, ["record", "erase", "t-erase-cli", "--yes"], env=env)
    assert out.exit_code == 0 and "erased" in out.output
    assert traces(live, "t-erase-cli") == []
    out = CliRunner().invoke(main, ["record", "erase", "t-erase-cli", "--yes"], env=env)
    assert out.exit_code != 0 and "no student" in out.output


def test_erasure_takes_the_students_test_sittings_and_their_statements(live: Live) -> None:
    r = call(live, "POST", "/students", json={"id": "t-erase-test", "name": "Tess Taker",
                                              "class_ids": ["alg-class-9a"]})
    assert r.status_code == 201, r.text
    test = call(live, "POST", "/tests", json={
        "title": "Erasure quiz", "form": "fixed", "class_ids": ["alg-class-9a"],
        "question_ids": [QUESTION, "alg-q-absolute-value-02"]}).json()
    assert call(live, "POST", f"/tests/{test['id']}/publish").status_code == 200
    me = f"/students/t-erase-test/tests/{test['id']}"
    assert call(live, "POST", f"{me}/sittings").status_code == 201
    assert call(live, "POST", f"{me}/answers", json={"question_id": QUESTION,
                                                      "answer": "x"}).status_code == 200
    assert call(live, "POST", f"{me}/finish").status_code == 200
    body = call(live, "GET", "/students/t-erase-test/export").json()
    kinds = {n["kind"] for n in body["nodes"]}
    assert {"Sitting", "XapiStatement"} <= kinds
    assert "SAT" in {e["rel"] for e in body["edges"]}
    assert call(live, "DELETE", "/students/t-erase-test").status_code == 204
    assert traces(live, "t-erase-test") == []
    results = call(live, "GET", f"/tests/{test['id']}/results").json()
    assert results["students"] == [] and results["items"] == []
