"""The practice endpoints on the real seeded graph: classes per role, questions without their
answers, graded answers stored once with feedback, KP pages, a class's struggling students."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask

from api import create_app, practice
from services.settings import Settings
from tests.api.conftest import Clients
from tutor.mastery import BktParams, bkt_trace
from tutor.ports import GraphStore

Q_LINE = "alg-q-integers-number-line-01"  # answer '-3', KP alg-kp-integers-number-line
KP_LINE = "alg-kp-integers-number-line"
KP_ABS = "alg-kp-absolute-value"  # after number line; before adding and subtracting
CLASS_9A, EVENING = "alg-class-9a", "alg-class-evening"
# an old clock (a second per reading, so answers keep their order), so that the seed students'
# "last active" (read by other tests) does not move
CLOCK = 1_577_836_800_000
PROBLEM = "application/problem+json"


@pytest.fixture(scope="module")
def practice_app(api_settings: Settings, api_store: GraphStore, lms_clients: Clients) -> Flask:
    ticks = itertools.count(CLOCK, 1000)
    return create_app(api_settings, store=api_store, clock=lambda: next(ticks))


@pytest.fixture
def call(practice_app: Flask, tokens: dict[str, str]) -> Callable[..., Any]:
    """``call("hpark").get(url)``: the practice app's test client as that account."""
    client = practice_app.test_client()

    class Caller:
        def __init__(self, name: str) -> None:
            self.headers = {"Authorization": f"Bearer {tokens[name]}"} if name else {}

        def __getattr__(self, method: str) -> Callable[..., Any]:
            return lambda url, **kw: getattr(client, method)(url, headers=self.headers, **kw)

    return Caller


def _student(call: Callable[..., Any], student_id: str, who: str = "admin",
             classes: tuple[str, ...] = ()) -> None:
    r = call(who).post("/students", json={"id": student_id, "name": student_id.title(),
                                          "class_ids": list(classes)})
    assert r.status_code == 201, r.json


def _stored(store: GraphStore, *event_ids: str) -> dict[str, tuple[str, str, bool]]:
    rows = store.read("stored_attempts", {"ids": list(event_ids)})
    return {r["event_id"]: (r["student_id"], r["question_id"], r["correct"]) for r in rows}


def _roster_size(store: GraphStore, class_id: str) -> int:
    return len(store.read("class_roster", {"class_id": class_id})[0]["students"])


def test_classes_per_role(call: Callable[..., Any], api_store: GraphStore) -> None:
    hpark = call("hpark").get("/classes")
    assert hpark.status_code == 200
    assert [c["id"] for c in hpark.json] == [CLASS_9A, EVENING]  # by name: "Class 9A" < "Evening"
    assert hpark.json[0] == {"id": CLASS_9A, "name": "Algebra 1 - Class 9A",
                             "students": _roster_size(api_store, CLASS_9A)}
    assert [c["id"] for c in call("trivera").get("/classes").json] == [EVENING]
    everything = call("admin").get("/classes").json
    assert {CLASS_9A, EVENING} <= {c["id"] for c in everything}
    assert [c["name"] for c in everything] == sorted(c["name"] for c in everything)
    assert not {CLASS_9A, EVENING} & {c["id"] for c in call("north").get("/classes").json}
    denied = call("amara").get("/classes")
    assert denied.status_code == 403 and denied.headers["Content-Type"] == PROBLEM
    assert call("").get("/classes").status_code == 401


def test_question_never_shows_its_answer(call: Callable[..., Any]) -> None:
    r = call("amara").get(f"/questions/{Q_LINE}")
    assert r.status_code == 200
    assert r.json == {"id": Q_LINE, "text": "Which number is greater: -7 or -3?",
                      "options": ["They are equal", "It cannot be determined", "-7", "-3"],
                      "level": "basic", "kp_ids": [KP_LINE], "type": "choice", "hints": [],
                      "kp_names": [r.json["kp_names"][0]]}
    assert r.json["kp_names"][0] and "right of -7" not in r.text  # no explanation either
    missing = call("hpark").get("/questions/no-such-question")
    assert missing.status_code == 404 and missing.headers["Content-Type"] == PROBLEM


def test_right_then_wrong_answer_feedback_and_idempotency(call: Callable[..., Any],
                                                          api_store: GraphStore) -> None:
    _student(call, "t-prac-solo")
    url = "/students/t-prac-solo/answers"
    right = call("admin").post(url, json={"question_id": Q_LINE, "answer": " -3 ",
                                          "event_id": "prac-r1", "duration_s": 9.5})
    assert right.status_code == 201, right.json
    assert right.json == {"correct": True, "correct_answer": "-3",
                          "explanation": right.json["explanation"], "kp_id": KP_LINE,
                          "mastery": pytest.approx(bkt_trace([True])), "resources": []}
    assert "right of -7" in right.json["explanation"]

    wrong_body = {"question_id": Q_LINE, "answer": "-7", "event_id": "prac-w1"}
    wrong = call("admin").post(url, json=wrong_body)
    assert wrong.status_code == 201 and wrong.json["correct"] is False
    assert wrong.json["mastery"] == pytest.approx(bkt_trace([True, False]))
    teaching = {r["id"]: r for r in api_store.read(
        "kp_resources", {"kp_ids": [KP_LINE], "kinds": [], "levels": []})}
    shown = wrong.json["resources"]
    assert 1 <= len(shown) <= 3 and {r["id"] for r in shown} <= set(teaching)
    assert (shown[0]["kind"], shown[0]["level"]) in {("video", "basic"),
                                                      ("worked_example", "basic")}
    assert set(shown[0]) == {"id", "title", "kind", "level", "url", "kp_id", "minutes",
                             "score", "challenge", "reasons"}
    assert any("your mastery of" in reason for reason in shown[0]["reasons"])

    again = call("admin").post(url, json=wrong_body)  # re-sent: nothing new stored
    assert again.status_code == 200 and again.json == wrong.json
    assert _stored(api_store, "api:prac-r1", "api:prac-w1") == {
        "api:prac-r1": ("t-prac-solo", Q_LINE, True),
        "api:prac-w1": ("t-prac-solo", Q_LINE, False)}
    attempts = {r["kp_id"]: r["attempts"] for r in
                api_store.read("student_mastery", {"student_id": "t-prac-solo"})}
    assert attempts == {KP_LINE: 2}
    clash = call("admin").post(url, json={**wrong_body, "answer": "-3"})
    assert clash.status_code == 409 and clash.headers["Content-Type"] == PROBLEM


def test_default_event_id_is_fresh(call: Callable[..., Any], api_store: GraphStore) -> None:
    _student(call, "t-prac-fresh")
    for _ in range(2):
        r = call("admin").post("/students/t-prac-fresh/answers",
                               json={"question_id": Q_LINE, "answer": "-3"})
        assert r.status_code == 201
    assert r.json["mastery"] == pytest.approx(bkt_trace([True, True]))


def test_who_may_answer(call: Callable[..., Any], api_store: GraphStore) -> None:
    own = call("amara").post("/students/alg-st-amara/answers",
                             json={"question_id": Q_LINE, "answer": "-3",
                                   "event_id": "prac-amara-1"})
    assert own.status_code == 201 and own.json["correct"] is True
    for who in ("amara", "hpark"):  # another student's; a tutor (answers are the student's)
        r = call(who).post("/students/alg-st-ben/answers",
                           json={"question_id": Q_LINE, "answer": "-3",
                                 "event_id": f"prac-ben-{who}"})
        assert r.status_code == 403 and r.headers["Content-Type"] == PROBLEM
    assert _stored(api_store, "api:prac-ben-amara", "api:prac-ben-hpark") == {}


def test_ungradable_and_unknown_questions_are_422(call: Callable[..., Any],
                                                  api_store: GraphStore) -> None:
    api_store.write("upsert_questions", {"rows": [{
        "id": "t-prac-open-q", "text": "Explain why.", "options": [], "answer": "",
        "explanation": "", "level": "standard", "dataset": "algebra"}]})
    _student(call, "t-prac-422")
    url = "/students/t-prac-422/answers"
    open_q = call("admin").post(url, json={"question_id": "t-prac-open-q", "answer": "x"})
    assert open_q.status_code == 422
    assert open_q.json["detail"] == "this question cannot be graded here"
    unknown = call("admin").post(url, json={"question_id": "no-such-q", "answer": "x"})
    assert unknown.status_code == 422 and unknown.json["detail"].startswith("question_id:")
    missing = call("admin").post(url, json={"question_id": Q_LINE})
    assert missing.status_code == 422
    assert {e["field"] for e in missing.json["errors"]} == {"answer"}
    assert api_store.read("student_mastery", {"student_id": "t-prac-422"}) == []


def test_kp_page(call: Callable[..., Any]) -> None:
    r = call("ben").get(f"/kps/{KP_ABS}")
    assert r.status_code == 200
    kp = r.json
    assert kp["id"] == KP_ABS and kp["name"] and kp["chapter_id"]
    assert kp["prerequisites"] == [KP_LINE]
    assert "alg-kp-adding-subtracting-integers" in kp["unlocks"]
    assert kp["questions"] and all(q["id"].startswith("alg-q-absolute-value-")
                                   for q in kp["questions"])
    assert set(kp["questions"][0]) == {"id", "text", "level"}
    ids = [x["id"] for x in kp["resources"]]
    assert {"alg-res-reading-absolute-value", "alg-res-video-number-line"} <= set(ids)
    assert len(ids) == len(set(ids))
    missing = call("ben").get("/kps/no-such-kp")
    assert missing.status_code == 404 and missing.headers["Content-Type"] == PROBLEM


def test_struggling_students_of_a_class(call: Callable[..., Any]) -> None:
    _student(call, "t-prac-weak", "hpark", (CLASS_9A,))
    _student(call, "t-prac-strong", "hpark", (CLASS_9A,))
    for n, (student, answer) in enumerate([("t-prac-weak", "-7"), ("t-prac-weak", "0"),
                                           ("t-prac-strong", "-3"), ("t-prac-strong", "-3"),
                                           ("t-prac-strong", "-3")]):
        r = call("admin").post(f"/students/{student}/answers",
                               json={"question_id": Q_LINE, "answer": answer,
                                     "event_id": f"prac-class-{n}"})
        assert r.status_code == 201
    url = f"/classes/{CLASS_9A}/kps/{KP_LINE}/struggling"
    rows = call("hpark").get(url).json
    weak = next(r for r in rows if r["student_id"] == "t-prac-weak")
    assert weak == {"student_id": "t-prac-weak", "name": "T-Prac-Weak", "attempts": 2,
                    "wrong_recent": 2, "mastery": pytest.approx(bkt_trace([False, False]))}
    assert "t-prac-strong" not in {r["student_id"] for r in rows}
    assert bkt_trace([True] * 3) >= practice.STRUGGLING_BELOW > BktParams().prior
    assert all(r["mastery"] < practice.STRUGGLING_BELOW or r["wrong_recent"] >= 2
               for r in rows)
    assert [r["mastery"] for r in rows] == sorted(r["mastery"] for r in rows)
    denied = call("trivera").get(url)
    assert denied.status_code == 403 and denied.headers["Content-Type"] == PROBLEM
    assert call("hpark").get(f"/classes/{CLASS_9A}/kps/no-such-kp/struggling").status_code == 404
