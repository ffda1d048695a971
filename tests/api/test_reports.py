"""Tutor reports over the API: a class of this module's own (a stuck student and one doing
fine) for mastery by chapter, students at risk, suggestions and e-mails; who may read them."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask

from api.context import EXTENSION
from graph.ingest import GraphData, ingest
from services import adjust
from tutor.mastery import Attempt
from tutor.ports import GraphStore

Caller = Callable[[str], Any]
CLASS = "c2-class-risk"
STUCK, FINE = "c2-st-stuck", "c2-st-fine"
EXPONENTS = [f"alg-q-exponents-0{i}" for i in range(1, 5)]
NUMBER_LINE = [f"alg-q-integers-number-line-0{i}" for i in range(1, 4)]
# one instant for the module: the answers fall in the hour before it, the adjustment runs at it
# (near the real clock, which the app reads)
T0 = int(time.time() * 1000)


@pytest.fixture(scope="module")
def risk_class(app: Flask, api_store: GraphStore, tokens: dict[str, str]) -> str:
    """A class taught by hpark: one student wrong four times on exponents, one always right."""
    api_store.write("upsert_classes", {"rows": [{"id": CLASS, "name": "Risk watch",
                                                 "dataset": "seed"}]})
    api_store.write("upsert_class_tutors", {"rows": [{"tutor_id": "alg-tutor-hpark",
                                                      "class_id": CLASS}]})
    c = app.test_client()
    for sid in (STUCK, FINE):
        r = c.post("/students", json={"id": sid, "name": sid, "class_ids": [CLASS]},
                   headers={"Authorization": f"Bearer {tokens['hpark']}"})
        assert r.status_code == 201, r.json
    start = T0 - 3_600_000
    answers = [(STUCK, q, False) for q in EXPONENTS] + [(FINE, q, True) for q in NUMBER_LINE]
    ingest(api_store, GraphData("seed", attempts=[
        Attempt(f"c2-{sid}-{i}", sid, q, ok, start + i * 60_000, i)
        for i, (sid, q, ok) in enumerate(answers)]))
    return CLASS


def test_the_class_report_finds_the_stuck_student(as_: Caller, risk_class: str) -> None:
    r = as_("hpark").get(f"/classes/{risk_class}/report")
    assert r.status_code == 200, r.json
    report = r.json
    assert report["name"] == "Risk watch" and report["at_risk"] == [STUCK]
    students = {s["student_id"]: s for s in report["students"]}
    assert set(students) == {STUCK, FINE}
    stuck = students[STUCK]
    assert stuck["at_risk"] and stuck["facts"]["stuck_kps"] == 1
    assert "stuck-on-a-kp" in {s["rule"] for s in stuck["suggestions"]}
    assert "answered wrong repeatedly" in stuck["reasons"][0]
    assert not students[FINE]["at_risk"] and students[FINE]["reasons"] == []


def test_class_mastery_by_chapter_matches_the_students_maps(as_: Caller,
                                                             risk_class: str) -> None:
    chapters = {c["chapter_id"]: c for c in
                as_("hpark").get(f"/classes/{risk_class}/report").json["chapters"]}
    assert set(chapters) == {"alg-ch-integers"}  # exponents and the number line live there
    integers = chapters["alg-ch-integers"]
    estimates = [kp for sid in (STUCK, FINE) for kp in
                 as_("hpark").get(f"/students/{sid}/map/alg-ch-integers").json["kps"]
                 if kp["mastery"] is not None]
    assert integers["students"] == 2 and integers["practised"] == 2
    assert integers["estimates"] == len(estimates) == 2
    assert integers["mastery"] == pytest.approx(sum(k["mastery"] for k in estimates) / 2)
    assert integers["mastered"] == sum(k["mastery"] >= 0.85 for k in estimates)
    assert integers["kps"] > integers["practised"]


def test_a_negative_feeling_reaches_the_tutor_and_the_reports(as_: Caller,
                                                              risk_class: str) -> None:
    assert as_("admin").put(f"/students/{STUCK}/affect/consent",
                            json={"consent": True}).status_code == 200
    r = as_("admin").post(f"/students/{STUCK}/affect/emoji", json={"emoji": "upset"})
    assert r.status_code == 201 and r.json["reaction"]["notify_tutor"] is True
    mails = as_("hpark").get(f"/students/{STUCK}/notifications")
    assert mails.status_code == 200 and "X-Pagination" in mails.headers
    assert [m["to"] for m in mails.json] == ["helena.park@example.org"]
    assert "may need support" in mails.json[0]["subject"]
    report = as_("hpark").get(f"/classes/{risk_class}/report").json
    assert [n["id"] for n in report["notifications"]] == [mails.json[0]["id"]]
    stuck = next(s for s in report["students"] if s["student_id"] == STUCK)
    assert stuck["suggestions"][0]["rule"] == "negative-affect"
    assert stuck["reasons"][0].startswith("feels negative")
    one = as_("hpark").get(f"/students/{STUCK}/report").json
    assert one["affect"][0]["tag"] == "negative" and one["profile"]["student_id"] == STUCK
    assert one["notifications"][0]["id"] == mails.json[0]["id"]
    # consent withdrawn: the kept tag no longer drives the class report
    as_("admin").put(f"/students/{STUCK}/affect/consent", json={"consent": False})
    report = as_("hpark").get(f"/classes/{risk_class}/report").json
    stuck = next(s for s in report["students"] if s["student_id"] == STUCK)
    assert stuck["facts"]["affect"] == "neutral" and stuck["at_risk"]
    assert "negative-affect" not in {s["rule"] for s in stuck["suggestions"]}
    assert as_("hpark").get(f"/students/{STUCK}/report").json["affect"] is None


def test_the_adjustment_audit_trail(app: Flask, as_: Caller, api_store: GraphStore,
                                    risk_class: str) -> None:
    assert as_("hpark").get(f"/students/{FINE}/adjustments").json == []
    recommender = app.extensions[EXTENSION].recommender
    run = adjust.run_once(api_store, recommender, T0, [STUCK])
    assert run.already_done == [] and [a.student_id for a in run.created] == [STUCK]
    r = as_("hpark").get(f"/students/{STUCK}/adjustments")
    assert r.status_code == 200 and len(r.json) == 1
    (trail,) = r.json
    assert trail["window"] == run.window and "stuck" in " ".join(trail["findings"])
    assert trail["actions"] and trail["reasons"]


def test_a_student_report_without_consent_has_no_affect(as_: Caller) -> None:
    r = as_("hpark").get("/students/alg-st-chloe/report")
    assert r.status_code == 200
    assert r.json["affect"] is None and r.json["profile"]["name"] == "Chloé Martin"
    assert {"progress", "accuracy", "stuck_kps"} <= set(r.json["facts"])


@pytest.mark.parametrize(("who", "url"), [
    ("trivera", "/classes/alg-class-9a/report"),  # tutor of another class
    ("trivera", f"/classes/{CLASS}/report"),
    ("trivera", "/students/alg-st-amara/report"),
    ("trivera", "/students/alg-st-amara/notifications"),
    ("amara", "/students/alg-st-amara/report"),  # tutor pages, not the student's
    ("amara", "/students/alg-st-amara/adjustments"),
    ("north", "/classes/alg-class-9a/report"),  # not its tenant's class: no class (404)
])
def test_reports_are_for_the_classs_tutors_and_admins(as_: Caller, risk_class: str,
                                                      who: str, url: str) -> None:
    r = as_(who).get(url)
    assert r.status_code == (404 if who == "north" else 403)
    assert r.mimetype == "application/problem+json"


def test_admins_read_every_class_report(as_: Caller) -> None:
    r = as_("admin").get("/classes/alg-class-evening/report")
    assert r.status_code == 200
    assert {"alg-st-ben", "alg-st-emma", "alg-st-grace"} <= {
        s["student_id"] for s in r.json["students"]}
    assert as_("admin").get("/classes/no-such-class/report").status_code == 404
