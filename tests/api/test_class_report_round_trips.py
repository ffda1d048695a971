"""``GET /classes/{id}/report`` counted at the graph: the same handful of round trips for a class
of 2 and of 12 (issue 18, "no N+1": it was 4 reads per student), and the same facts per student
as the one-student read gives."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask

from api import create_app
from graph import affect as affect_store
from graph.ingest import GraphData, ingest
from graph.recommend import load_learner
from services import adjust, profiles
from services.recommend import Recommender
from services.settings import Settings
from tests.api.test_recommend_round_trips import NOW, CountingStore
from tutor.adjust import assess, window_of
from tutor.affect import self_report
from tutor.mastery import Attempt
from tutor.ports import GraphStore

CLASS = "cr-class"
QUESTIONS = [f"alg-q-exponents-0{i}" for i in range(1, 5)]
MAX_ROUND_TRIPS = 6  # the gate's 2, the class, its learners, chapter mastery, e-mails


def _add_students(store: GraphStore, first: int, count: int) -> None:
    for i in range(first, first + count):
        sid = f"cr-st-{i:02d}"
        store.write("create_student", {"id": sid, "name": f"Student {i}", "email": "",
                                       "tenant": "", "dataset": "seed", "now": NOW})
        store.write("upsert_memberships", {"rows": [{"student_id": sid, "class_id": CLASS}]})
        ingest(store, GraphData("seed", attempts=[
            Attempt(f"cr-{i}-{j}", sid, q, (i + j) % 3 == 0, NOW - 900_000 + j * 1000, j)
            for j, q in enumerate(QUESTIONS)]))
        if i % 2:
            affect_store.set_consent(store, sid, True, NOW)
            affect_store.record(store, sid, self_report("upset", NOW - 60_000))


def _report(app: Flask, token: str) -> dict[str, Any]:
    r = app.test_client().get(f"/classes/{CLASS}/report",
                              headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 200, r.json
    return r.json


def test_the_class_report_reads_the_same_whatever_the_class_size(
        api_settings: Settings, api_store: GraphStore, tokens: dict[str, str]) -> None:
    api_store.write("upsert_classes", {"rows": [{"id": CLASS, "name": "Report round trips",
                                                 "dataset": "seed"}]})
    counting = CountingStore(api_store)
    recommender = Recommender(counting)
    app = create_app(api_settings, store=counting, recommender=recommender, clock=lambda: NOW)
    reads = []
    for first, count in ((0, 2), (2, 10)):
        _add_students(api_store, first, count)
        _report(app, tokens["admin"])  # the dataset's catalogue is cached after the first
        counting.reset()
        report = _report(app, tokens["admin"])
        # the caches' version check runs at most every 0.5 s, whatever the request: on a slow
        # machine it may fall inside either report, so it is not one of the report's reads
        assert counting.reads.pop("cache_version", 0) <= 1
        reads.append(sum(counting.reads.values()))
        assert sum(counting.writes.values()) == 0
    assert len(report["students"]) == 12
    assert reads[0] == reads[1] <= MAX_ROUND_TRIPS, counting.reads
    catalogue, _ = recommender.catalogue("seed")
    for row in report["students"]:  # the batched read gives each student's own facts
        own = profiles.intervention_facts(api_store, recommender, row["student_id"], NOW)
        assert row["facts"] == own, row["student_id"]
        by_chapter: dict[str, list[float]] = {}  # and their heat map row: mean per chapter
        for kp, p in load_learner(api_store, row["student_id"])[1].mastery.items():
            by_chapter.setdefault(catalogue.chapters[kp], []).append(p)
        assert row["chapter_mastery"] == pytest.approx(
            {c: sum(ps) / len(ps) for c, ps in by_chapter.items()}), row["student_id"]
    upset = {r["student_id"] for r in report["students"] if r["facts"]["affect"] == "negative"}
    assert upset == {f"cr-st-{i:02d}" for i in range(1, 12, 2)}


def test_the_adjustment_reads_a_batch_of_students_in_one_round_trip(
        api_store: GraphStore) -> None:
    """The 15-minute run reads its students as the class report does (it was 3 reads per
    student: the learner, the affect consent, the tags), and finds what the one-student
    snapshot finds for each."""
    students = [f"adj-rt-{i:02d}" for i in range(7)]
    for i, sid in enumerate(students):
        api_store.write("create_student", {"id": sid, "name": f"Student {i}", "email": "",
                                           "tenant": "", "dataset": "seed", "now": NOW})
        ingest(api_store, GraphData("seed", attempts=[
            Attempt(f"adj-rt-{i}-{j}", sid, q, (i + j) % 3 == 0, NOW - 900_000 + j * 1000, j)
            for j, q in enumerate(QUESTIONS * 2)]))
        if i % 2:
            affect_store.set_consent(api_store, sid, True, NOW)
            affect_store.record(api_store, sid, self_report("upset", NOW - 60_000))
    alone = Recommender(api_store)
    expected = {s: assess(adjust.snapshot(api_store, alone, s, NOW), window_of(NOW))
                for s in students}
    counting = CountingStore(api_store)
    run = adjust.run_once(counting, Recommender(counting), NOW, students)
    assert counting.reads["adjust_learners"] == 1
    assert not {"rec_learner", "affect_history", "get_affect_consent"} & set(counting.reads)
    assert {a.student_id: a for a in run.created} == expected
    assert any(a.findings for a in run.created)
