"""``GET /students/{id}/recommendations`` counted at the graph: a bounded number of round trips,
and no write, for a student whose plan uses every input (a negative feeling, an adjustment of
this window, answers), on the real seeded graph behind a counting GraphStore."""

from __future__ import annotations

import queue
import threading
from collections import Counter
from collections.abc import Mapping
from typing import Any

import pytest
from flask import Flask

from api import create_app
from graph import affect as affect_store
from graph import cache_version
from graph.ingest import GraphData, ingest
from services import adjust
from services import plan as services_plan
from services.recommend import Predictors, Recommender
from services.settings import Settings
from tests.api.conftest import Clients
from tutor.adjust import WINDOW_MS
from tutor.affect import self_report
from tutor.mastery import Attempt
from tutor.ports import GraphStore, Row

CLASS, STUDENT = "rt-class", "rt-st-upset"
NOW = 1_795_000_000_000 - 1_795_000_000_000 % WINDOW_MS + 5 * 60_000  # 5 min into a window
EXPONENTS = [f"alg-q-exponents-0{i}" for i in range(1, 5)]
# graph round trips of one GET with the dataset's catalogue cached: the gate's 1 (token
# revoked? may the caller see the student? in one query since 2026-12-04) and the plan's 2
# (the student's context, the resources). Before the planner read its context in one query
# it was 11 on this student: gate 2, learner 1, affect 2 (consent, history), adjustment 1,
# resources 2, the tutor e-mail 2 reads (name, tutors) and 1 write
MAX_ROUND_TRIPS = 3


class CountingStore:
    """A GraphStore that counts every read and write by query name and passes it on."""

    def __init__(self, inner: GraphStore) -> None:
        self.inner = inner
        self.reads: Counter[str] = Counter()
        self.writes: Counter[str] = Counter()

    def read(self, query: str, params: Mapping[str, Any] | None = None) -> list[Row]:
        self.reads[query] += 1
        return self.inner.read(query, params)

    def write(self, query: str, params: Mapping[str, Any] | None = None) -> list[Row]:
        self.writes[query] += 1
        return self.inner.write(query, params)

    def ensure_schema(self) -> None:
        self.inner.ensure_schema()

    def close(self) -> None:
        self.inner.close()

    def reset(self) -> None:
        self.reads.clear()
        self.writes.clear()


@pytest.fixture(scope="module")
def counted(api_settings: Settings, api_store: GraphStore, lms_clients: Clients
            ) -> tuple[Flask, CountingStore]:
    """An app on the counting store, its clock in this module's window, and an upset student
    of a class of hpark's, stuck on exponents, with this window's adjustment stored."""
    api_store.write("upsert_classes", {"rows": [{"id": CLASS, "name": "Round trips",
                                                 "dataset": "seed"}]})
    api_store.write("upsert_class_tutors", {"rows": [{"tutor_id": "alg-tutor-hpark",
                                                      "class_id": CLASS}]})
    api_store.write("create_student", {"id": STUDENT, "name": "Upset", "email": "",
                                       "tenant": "", "dataset": "seed", "now": NOW})
    api_store.write("upsert_memberships", {"rows": [{"student_id": STUDENT,
                                                     "class_id": CLASS}]})
    ingest(api_store, GraphData("seed", attempts=[
        Attempt(f"rt-{i}", STUDENT, q, False, NOW - 600_000 + i * 1000, i)
        for i, q in enumerate(EXPONENTS)]))
    affect_store.set_consent(api_store, STUDENT, True, NOW)
    affect_store.record(api_store, STUDENT, self_report("upset", NOW - 60_000))
    counting = CountingStore(api_store)
    app = create_app(api_settings, store=counting, recommender=Recommender(counting),
                     clock=lambda: NOW)
    run = adjust.run_once(api_store, app.extensions["kgtutor"].recommender, NOW, [STUDENT])
    assert run.created and run.emails_queued == 1  # the job's e-mail, not the GET's
    return app, counting


def _get(app: Flask, token: str) -> dict[str, Any]:
    r = app.test_client().get(f"/students/{STUDENT}/recommendations",
                              headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 200, r.json
    return r.json


def test_the_plan_uses_every_input(counted: tuple[Flask, CountingStore],
                                   tokens: dict[str, str]) -> None:
    plan = _get(counted[0], tokens["hpark"])
    kinds = {a["kind"] for a in plan["actions"]}
    assert {"support_resources", "notify_tutor", "practice_set"} <= kinds
    assert plan["affect"]["tag"] == "negative"
    assert any(r["kind"] == "support" for r in plan["resources"])


def test_a_recommendations_get_writes_nothing_in_bounded_round_trips(
        counted: tuple[Flask, CountingStore], tokens: dict[str, str]) -> None:
    app, store = counted
    store.reset()
    first = _get(app, tokens["hpark"])
    assert sum(store.writes.values()) == 0, store.writes
    store.reset()
    again = _get(app, tokens["hpark"])
    assert again == first  # asking again changes nothing either
    assert sum(store.writes.values()) == 0, store.writes
    assert sum(store.reads.values()) <= MAX_ROUND_TRIPS, store.reads
    assert store.reads["token_revoked_student_access"] == 1
    assert not {"token_revoked", "student_access"} & set(store.reads), store.reads


def test_a_warmed_worker_plans_without_reading_the_course(
        counted: tuple[Flask, CountingStore], api_store: GraphStore) -> None:
    """`kgtutor serve` warms each worker before its first request: what plans read once per
    dataset and keep is read then, so the first plans (a class opening the practice page
    together) read only their student."""
    counting = CountingStore(api_store)
    recommender = Recommender(counting, {"seed": Predictors()})  # a dataset with its models
    assert services_plan.warm(counting, recommender) == ["seed"]
    course = set(counting.reads) - {"cache_version"}
    assert {"rec_questions", "question_texts"} <= course
    counting.reset()
    services_plan.plan(counting, recommender, STUDENT, NOW)
    assert not course & set(counting.reads), counting.reads
    assert counting.reads["plan_context"] == 1


def test_a_worker_reads_the_courses_again_when_the_version_moves(
        counted: tuple[Flask, CountingStore], api_store: GraphStore) -> None:
    """After an import, a refit or an edit elsewhere (the cache version moves), each worker
    reads the courses again by itself (`kgtutor serve` runs ``keep_warm`` in each), so the
    first plans after it read only their student, as after the warm-up."""
    counting = CountingStore(api_store)
    recommender = Recommender(counting, {"seed": Predictors()})
    seen = services_plan.courses_version(counting)
    services_plan.warm(counting, recommender)
    stop, done = threading.Event(), queue.Queue[list[str]]()
    keeper = threading.Thread(target=services_plan.keep_warm, daemon=True, args=(
        counting, recommender, stop, seen, lambda datasets, _s: done.put(datasets)))
    keeper.start()
    try:
        counting.reset()
        cache_version.bump(api_store)  # as an import or a refit through another process does
        assert done.get(timeout=30) == ["seed"]
        assert {"rec_questions", "question_texts"} <= set(counting.reads), counting.reads
        counting.reset()
        services_plan.plan(counting, recommender, STUDENT, NOW)
        assert counting.reads["plan_context"] == 1
        assert not {"rec_questions", "question_texts"} & set(counting.reads), counting.reads
        assert done.empty()  # nothing moved since: nothing read again
    finally:
        stop.set()
        keeper.join(timeout=10)
    assert not keeper.is_alive()
