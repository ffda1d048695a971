"""Authoring over HTTP on the real graph ("asmt" course): who may edit which course, chapters
and KPs, prerequisites with cycle refusal naming the cycle, questions of three types graded as
written, versions that keep old attempts on theirs, archiving, the audit trail, and an edit
reaching the recommender's catalogue at once."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask

from api import create_app
from graph import cache_version
from graph.xapi import stored_attempts
from services.settings import Settings
from tests.api.assessment_bank import PASSWORD, TUTOR
from tests.api.conftest import callers
from tutor.ports import GraphStore


@pytest.fixture(scope="module")
def aapp(api_settings: Settings, api_store: GraphStore, asmt: str) -> Flask:
    return create_app(api_settings, store=api_store)


@pytest.fixture(scope="module")
def who(aapp: Flask) -> Callable[[str], Any]:
    c = aapp.test_client()
    tokens = {}
    for name in (TUTOR, "hpark", "admin", "asmt-s2"):
        r = c.post("/auth/login", json={"username": name, "password": PASSWORD})
        assert r.status_code == 200, r.json
        tokens[name] = r.json["access_token"]
    return callers(c, tokens)


def ok(r: Any, status: int = 200) -> Any:
    assert r.status_code == status, (r.status_code, r.json)
    return r.json


def problem(r: Any, status: int) -> dict[str, Any]:
    assert r.status_code == status, (r.status_code, r.json)
    assert r.mimetype == "application/problem+json"
    return r.json


def test_only_the_tutors_of_a_course_and_admins_edit_it(who: Callable[[str], Any]) -> None:
    body = {"name": "Mixing", "chapter_id": "asmt-ch1"}
    problem(who("asmt-s2").post("/kps", json=body), 403)
    assert "asmt" in problem(who("hpark").post("/kps", json=body), 403)["detail"]
    problem(who(TUTOR).post("/kps", json={**body, "chapter_id": "alg-ch-integers"}), 403)
    made = ok(who(TUTOR).post("/kps", json={**body, "id": "asmt-k-mix"}), 201)
    assert made == {"id": "asmt-k-mix"}
    problem(who(TUTOR).post("/kps", json={**body, "id": "asmt-k-mix"}), 409)  # taken
    problem(who(TUTOR).post("/kps", json={**body, "chapter_id": "asmt-ch-none"}), 404)
    ok(who("admin").patch("/kps/asmt-k-mix", json={"description": "Colours mixed"}))
    page = ok(who("asmt-s2").get("/kps/asmt-k-mix"))
    assert (page["name"], page["description"], page["chapter_id"]) == (
        "Mixing", "Colours mixed", "asmt-ch1")


def test_a_prerequisite_that_closes_a_cycle_is_refused_naming_it(
        who: Callable[[str], Any]) -> None:
    ok(who(TUTOR).post("/kps", json={"id": "asmt-k-c", "name": "C", "chapter_id": "asmt-ch2"}),
       201)
    ok(who(TUTOR).post("/prerequisites", json={"before": "asmt-k3", "after": "asmt-k-c"}), 201)
    refused = problem(who(TUTOR).post("/prerequisites", json={
        "before": "asmt-k-c", "after": "asmt-k1"}), 409)
    assert "cycle" in refused["detail"]
    for kp in ("asmt-k1", "asmt-k2", "asmt-k3", "asmt-k-c"):
        assert kp in refused["detail"]
    problem(who(TUTOR).post("/prerequisites", json={"before": "asmt-k1", "after": "asmt-k1"}),
            409)
    problem(who(TUTOR).post("/prerequisites", json={
        "before": "asmt-k1", "after": "alg-kp-exponents"}), 422)  # two courses
    page = ok(who("asmt-s2").get("/kps/asmt-k-c"))
    assert page["prerequisites"] == ["asmt-k3"]
    ok(who(TUTOR).post("/prerequisites/remove", json={"before": "asmt-k3",
                                                      "after": "asmt-k-c"}))
    assert ok(who("asmt-s2").get("/kps/asmt-k-c"))["prerequisites"] == []
    problem(who(TUTOR).post("/prerequisites/remove", json={"before": "asmt-k3",
                                                           "after": "asmt-k-c"}), 404)


def test_questions_grade_by_type_and_answered_ones_get_a_new_version(
        who: Callable[[str], Any], aapp: Flask, api_store: GraphStore) -> None:
    numeric = {"id": "asmt-q-num", "stem": "What is $0.5 + 0.25$?", "type": "numeric",
               "answer": "0.75", "tolerance": 0.01, "kp_ids": ["asmt-k4"],
               "explanation": "Add the decimals.", "hints": ["Line up the points"]}
    before = cache_version.current(api_store)
    assert ok(who(TUTOR).post("/questions", json=numeric), 201) == {
        "id": "asmt-q-num", "version": 1, "replaces": None}
    assert cache_version.current(api_store) > before  # every worker reloads its catalogue
    with aapp.app_context():
        from api.context import services
        catalogue, _ = services().recommender.catalogue("asmt")
    assert "asmt-q-num" in catalogue.questions  # the next recommendation can use it
    shown = ok(who("asmt-s2").get("/questions/asmt-q-num"))
    assert shown["type"] == "numeric" and "answer" not in shown
    wrong = {"stem": "x", "type": "numeric", "answer": "seven", "kp_ids": ["asmt-k4"]}
    assert "number" in problem(who(TUTOR).post("/questions", json=wrong), 422)["detail"]
    choice = {"stem": "Pick", "type": "choice", "answer": "d", "choices": ["a", "b"],
              "kp_ids": ["asmt-k4"]}
    assert "choices" in problem(who(TUTOR).post("/questions", json=choice), 422)["detail"]

    answer = ok(who("admin").post("/students/asmt-s2/answers", json={
        "question_id": "asmt-q-num", "answer": "0,755", "event_id": "auth-num-1"}), 201)
    assert answer["correct"]  # within the tolerance, with a decimal comma
    assert not ok(who("admin").post("/students/asmt-s2/answers", json={
        "question_id": "asmt-q-num", "answer": "0.8", "event_id": "auth-num-2"}), 201)[
        "correct"]
    short = {"id": "asmt-q-short", "stem": "Name the colour of grass", "type": "short",
             "answer": "Green", "kp_ids": ["asmt-k5"]}
    ok(who(TUTOR).post("/questions", json=short), 201)
    assert ok(who("admin").post("/students/asmt-s2/answers", json={
        "question_id": "asmt-q-short", "answer": "  green "}), 201)["correct"]

    edited = ok(who(TUTOR).put("/questions/asmt-q-num", json={**numeric,
                                                               "answer": "0.80"}))
    assert edited == {"id": "asmt-q-num~v2", "version": 2, "replaces": "asmt-q-num"}
    kept = stored_attempts(api_store, ["api:auth-num-1", "api:auth-num-2"])
    assert {q for _, q, _ in kept.values()} == {"asmt-q-num"}  # old answers on the old one
    listed = [q["id"] for q in ok(who("asmt-s2").get("/kps/asmt-k4"))["questions"]]
    assert "asmt-q-num~v2" in listed and "asmt-q-num" not in listed
    problem(who(TUTOR).put("/questions/asmt-q-num", json=numeric), 409)  # edit the newest
    again = ok(who(TUTOR).put("/questions/asmt-q-num~v2", json={**numeric, "answer": "0.8"}))
    assert again["id"] == "asmt-q-num~v2"  # unanswered: edited in place


def test_archiving_keeps_answers_and_leaves_plans(who: Callable[[str], Any],
                                                  api_store: GraphStore) -> None:
    ok(who(TUTOR).post("/kps", json={"id": "asmt-k-old", "name": "Old",
                                      "chapter_id": "asmt-ch2"}), 201)
    ok(who(TUTOR).patch("/kps/asmt-k-old", json={"archived": True}))
    kps = {r["id"] for r in api_store.read("rec_kps", {"dataset": "asmt"})}
    assert "asmt-k-old" not in kps and "asmt-k1" in kps
    ok(who(TUTOR).post("/chapters", json={"id": "asmt-ch-x", "name": "Extra", "order": 3,
                                          "dataset": "asmt"}), 201)
    ok(who(TUTOR).patch("/chapters/asmt-ch-x", json={"name": "Extras", "archived": True}))
    assert "asmt-ch-x" not in {c["id"] for c in ok(who("asmt-s2").get(
        "/chapters?dataset=asmt"))}
    kept = {c["id"]: c for c in api_store.read("export_chapters", {"dataset": "asmt"})}
    assert (kept["asmt-ch-x"]["name"], kept["asmt-ch-x"]["archived"]) == ("Extras", True)


def test_resources_and_the_audit_trail(who: Callable[[str], Any]) -> None:
    made = ok(who(TUTOR).post("/resources", json={
        "id": "asmt-r-video", "title": "Colours in 3 minutes", "kind": "video",
        "url": "https://example.org/colours", "kp_ids": ["asmt-k1"], "level": "basic",
        "minutes": 3}), 201)
    assert made["kind"] == "video"
    ok(who(TUTOR).put("/resources/asmt-r-video", json={
        "title": "Colours in 4 minutes", "kind": "text", "body": "Red, green, blue.",
        "kp_ids": ["asmt-k1"]}))
    page = ok(who("asmt-s2").get("/kps/asmt-k1"))
    assert "Colours in 4 minutes" in [r["title"] for r in page["resources"]]
    trail = ok(who(TUTOR).get("/audit?page_size=100"))
    actions = {(e["action"], e["target"]) for e in trail}
    assert ("create resource", "asmt-r-video") in actions
    assert ("edit resource", "asmt-r-video") in actions
    assert all(e["dataset"] == "asmt" for e in trail)
    assert {e["who"] for e in trail} >= {TUTOR}
    assert ok(who("hpark").get("/audit")) == [] or all(
        e["dataset"] != "asmt" for e in ok(who("hpark").get("/audit")))
    problem(who("asmt-s2").get("/audit"), 403)
