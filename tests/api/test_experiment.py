"""An experiment over HTTP on the real graph: set up on the "asmt" class with a pre- and a
post-test, consent, randomisation at the start, arms honoured in the plan, blinding, a
withdrawal left out of the analysis, the questionnaire, the report, its CSV and figure."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask

from api import create_app
from services.settings import Settings
from tests.api.assessment_bank import CLASS, OTHER_TUTOR, PASSWORD, STUDENTS, TUTOR, key, wrong
from tests.api.assessment_bank import question_id as q
from tests.api.conftest import callers
from tests.api.test_assessment import Clock
from tutor.ports import GraphStore


@pytest.fixture(scope="module")
def clock() -> Clock:
    return Clock()


@pytest.fixture(scope="module")
def xapp(api_settings: Settings, api_store: GraphStore, asmt: str, clock: Clock) -> Flask:
    return create_app(api_settings, store=api_store, clock=clock)


@pytest.fixture(scope="module")
def who(xapp: Flask) -> Callable[[str], Any]:
    c = xapp.test_client()
    tokens = {}
    for name in (TUTOR, OTHER_TUTOR, "admin", *STUDENTS):
        r = c.post("/auth/login", json={"username": name, "password": PASSWORD})
        assert r.status_code == 200, r.json
        tokens[name] = r.json["access_token"]
    return callers(c, tokens)


def ok(r: Any, status: int = 200) -> Any:
    assert r.status_code == status, (r.status_code, r.get_data(as_text=True)[:500])
    return r.json


def problem(r: Any, status: int) -> dict[str, Any]:
    assert r.status_code == status, (r.status_code, r.json)
    return r.json


def sit(who: Callable[[str], Any], student: str, test: dict, right: int) -> None:
    base = f"/students/{student}/tests/{test['id']}"
    ok(who(student).post(f"{base}/sittings"), 201)
    for i, question in enumerate(test["question_ids"]):
        ok(who(student).post(f"{base}/answers", json={
            "question_id": question, "answer": key(question) if i < right else wrong(question)}))
    ok(who(student).post(f"{base}/finish"))


def test_an_experiment_from_consent_to_report(who: Callable[[str], Any], clock: Clock,
                                              api_store: GraphStore) -> None:
    tests = []
    for name, kp in (("Pre", 3), ("Post", 6)):
        made = ok(who(TUTOR).post("/tests", json={
            "title": f"{name}-test", "form": "fixed", "class_ids": [CLASS],
            "question_ids": [q(kp, 7), q(kp, 8), q(kp, 9)]}), 201)
        ok(who(TUTOR).post(f"/tests/{made['id']}/publish"))
        tests.append(made)
    pre, post = tests
    x = ok(who(TUTOR).post("/experiments", json={
        "name": "Colours study", "hypothesis": "kgtutor beats the fixed schedule",
        "class_ids": [CLASS], "arms": ["kgtutor", "fixed"], "pre_test_id": pre["id"],
        "post_test_id": post["id"], "seed": 7, "budget": 30}), 201)
    xid = x["id"]
    assert x["phase"] == "draft" and len(x["questionnaire"]) == 5  # the default scale
    problem(who(OTHER_TUTOR).get(f"/experiments/{xid}"), 404)
    problem(who("asmt-s1").get(f"/experiments/{xid}"), 404)
    problem(who("asmt-s1").get("/experiments"), 403)

    for i, s in enumerate(STUDENTS):
        assert ok(who(s).put(f"/students/{s}/experiments/{xid}/consent",
                             json={"consent": True})) == {"consent": True, "withdrawn": False}
        sit(who, s, pre, right=i % 4)
    mine = ok(who("asmt-s1").get("/students/asmt-s1/experiments"))
    listed = next(e for e in mine if e["id"] == xid)
    assert "arm" not in listed and "hypothesis" not in listed  # blind
    assert listed["questionnaire"] == []  # not before it ends
    problem(who("asmt-s1").get("/students/asmt-s2/experiments"), 403)

    clock.tick(60)
    running = ok(who(TUTOR).post(f"/experiments/{xid}/start"))
    assert running["phase"] == "running" and running["seed"] == 7
    arms = {r["student_id"]: r["arm"] for r in api_store.read("experiment_outcomes", {
        "id": xid, "from": 0, "to": 2**62, "tau": 0.85})}
    assert set(arms) == set(STUDENTS) and sorted(arms.values()) == [
        "fixed", "fixed", "kgtutor", "kgtutor"]  # 4 students: 2 per arm, exactly one each
    problem(who(TUTOR).post(f"/experiments/{xid}/start"), 422)

    fixed = sorted(s for s, a in arms.items() if a == "fixed")
    product = sorted(s for s, a in arms.items() if a == "kgtutor")
    f_plan = ok(who(fixed[0]).get(f"/students/{fixed[0]}/recommendations"))
    k_plan = ok(who(product[0]).get(f"/students/{product[0]}/recommendations"))
    assert set(f_plan) == set(k_plan)  # the same shape in every arm
    assert all("next in your course plan" in i["reasons"] for i in f_plan["items"])
    assert {i["kp_id"] for i in f_plan["items"]} == {"asmt-k1"}  # curriculum order, first KP
    assert not any("next in your course plan" in i["reasons"] for i in k_plan["items"])
    assert "fixed" not in str(f_plan) and "kgtutor" not in str(f_plan["items"])

    for s in STUDENTS:
        plan = ok(who(s).get(f"/students/{s}/recommendations"))
        question = plan["items"][0]["question_id"]
        ok(who(s).post(f"/students/{s}/answers", json={
            "question_id": question, "answer": key(question), "duration_s": 30.0}), 201)
    nxt = ok(who(fixed[0]).get(f"/students/{fixed[0]}/recommendations"))
    assert nxt["items"][0]["question_id"] == f_plan["items"][1]["question_id"]  # the schedule

    withdrawn = fixed[1]
    assert ok(who(withdrawn).put(f"/students/{withdrawn}/experiments/{xid}/consent",
                                 json={"consent": False})) == {"consent": False,
                                                               "withdrawn": True}
    for i, s in enumerate(STUDENTS):
        sit(who, s, post, right=1 + i % 3)
    problem(who("asmt-s1").post(f"/students/asmt-s1/experiments/{xid}/questionnaire",
                                json={"answers": [4, 4, 4, 4, 4]}), 409)  # not ended
    clock.tick(60)
    ok(who(TUTOR).post(f"/experiments/{xid}/stop"))
    for i, s in enumerate(STUDENTS):
        items = next(e for e in ok(who(s).get(f"/students/{s}/experiments"))
                     if e["id"] == xid)["questionnaire"]
        assert len(items) == 5
        answers = [min(5, 1 + i + j % 2) for j in range(5)]
        assert ok(who(s).post(f"/students/{s}/experiments/{xid}/questionnaire",
                              json={"answers": answers}), 201) == {"stored": True}
        assert ok(who(s).post(f"/students/{s}/experiments/{xid}/questionnaire",
                              json={"answers": answers})) == {"stored": False}  # a resend
    problem(who("asmt-s1").post(f"/students/asmt-s1/experiments/{xid}/questionnaire",
                                json={"answers": [5, 5, 5, 5, 5]}), 409)
    problem(who("asmt-s1").post(f"/students/asmt-s1/experiments/{xid}/questionnaire",
                                json={"answers": [5, 5]}), 422)

    report = ok(who(TUTOR).get(f"/experiments/{xid}/report"))
    assert (report["enrolled"], report["analysed"]) == (4, 3)  # the withdrawal is left out
    assert report["arms"]["fixed"]["attrition"]["withdrawn"] == 1
    assert report["arms"]["kgtutor"]["n"] == 2 and report["arms"]["fixed"]["n"] == 1
    assert report["arms"]["kgtutor"]["time_on_task_s"]["mean"] == 30.0
    assert "kgtutor_vs_fixed" in report["comparisons"]
    assert report["cronbach_alpha"] is not None
    problem(who("asmt-s1").get(f"/experiments/{xid}/report"), 404)
    problem(who(OTHER_TUTOR).get(f"/experiments/{xid}/report"), 404)

    exported = who(TUTOR).get(f"/experiments/{xid}/export.csv")
    assert exported.status_code == 200 and exported.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(exported.get_data(as_text=True))))
    assert {r["student_id"] for r in rows} == set(STUDENTS)
    assert {r["student_id"]: r["included"] for r in rows}[withdrawn] == "False"
    assert all(r["q5"] for r in rows)
    figure = who(TUTOR).get(f"/experiments/{xid}/figure.svg")
    assert figure.status_code == 200 and figure.mimetype == "image/svg+xml"
    assert b"<svg" in figure.data[:500]
