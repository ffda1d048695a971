"""The tutor learns from every answer at once: after each answer through the API, the student's
theta, the answered KP's mastery and the next list all move, on the real seeded graph; a
re-sent event moves nothing, and every way in (practice page, attempts, xAPI) does the same."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from flask import Flask
from flask.testing import FlaskClient

from api import create_app
from graph import maps
from graph import practice as practice_store
from services import accounts
from services.settings import Settings
from tests.api.conftest import NOW, PASSWORD, Clients
from tutor.ability import item_params, theta_from_responses
from tutor.access import Role
from tutor.mastery import BktParams
from tutor.ports import GraphStore
from tutor.question_selection import logit

STUDENT, ACCOUNT = "t-learn-st", "t-learn"
CLOCK = 1_577_836_800_000  # old, a second per reading: answers keep their order


@pytest.fixture(scope="module")
def learner(api_settings: Settings, api_store: GraphStore,
            lms_clients: Clients) -> Callable[[str], Any]:
    """``learner(url)``-style calls as a fresh student of class 9A with an account of their
    own, on an app whose clock moves a second per reading."""
    ticks = itertools.count(CLOCK, 1000)
    app: Flask = create_app(api_settings, store=api_store, clock=lambda: next(ticks))
    client = app.test_client()
    admin = _login(client, "admin")
    r = client.post("/students", json={"id": STUDENT, "class_ids": ["alg-class-9a"]},
                    headers=admin)
    assert r.status_code == 201, r.json
    accounts.add_user(api_store, ACCOUNT, PASSWORD, Role.STUDENT, NOW, student_id=STUDENT)
    own = _login(client, ACCOUNT)

    def call(method: str, url: str, **kw: Any) -> Any:
        return getattr(client, method)(url, headers=admin if kw.pop("admin", False) else own,
                                       **kw)
    return call


def _login(client: FlaskClient, name: str) -> dict[str, str]:
    r = client.post("/auth/login", json={"username": name, "password": PASSWORD})
    assert r.status_code == 200, r.json
    return {"Authorization": f"Bearer {r.json['access_token']}"}


def _ability(store: GraphStore, student_id: str) -> tuple[float | None, int | None]:
    (row,) = store.read("student_abilities", {"student_ids": [student_id]})
    return row["theta"], row["responses"]


def _plan(call: Callable[..., Any]) -> dict[str, Any]:
    r = call("get", f"/students/{STUDENT}/recommendations")
    assert r.status_code == 200, r.json
    return r.json


def _theta_of(plan: dict[str, Any]) -> float:
    """The ability a plan was made for: its difficulty band is theta - logit(band)."""
    return plan["difficulty_band"][0] + float(logit(plan["band"][1]))


def _answer(call: Callable[..., Any], store: GraphStore, question_id: str, right: bool,
            event_id: str) -> Any:
    key, _ = practice_store.answer_key(store, question_id)
    return call("post", f"/students/{STUDENT}/answers", json={
        "question_id": question_id, "answer": key if right else f"not {key}",
        "event_id": event_id})


def test_three_answers_in_a_row_move_theta_mastery_and_the_list(
        learner: Callable[..., Any], api_store: GraphStore) -> None:
    before = _plan(learner)
    assert _ability(api_store, STUDENT) == (None, None)  # no answer yet: the prior
    assert _theta_of(before) == pytest.approx(0.0)
    first, second = (item["question_id"] for item in before["items"][:2])
    kp = before["items"][0]["kp_id"]
    other = next(q["id"] for q in practice_store.kp_page(api_store, kp, 50)["questions"]
                 if q["id"] not in (first, second))
    thetas, plans = [0.0], [before]
    for n, (question, right) in enumerate([(first, True), (second, True), (other, False)]):
        kp_of = learner("get", f"/questions/{question}").json["kp_ids"][0]
        mastery_before = maps.mastery(api_store, STUDENT).get(kp_of, BktParams().prior)
        r = _answer(learner, api_store, question, right, f"learn-{n}")
        assert r.status_code == 201, r.json
        assert r.json["correct"] is right
        # the answered KP's mastery: up after a right answer, down after a wrong one
        assert (r.json["mastery"] > mastery_before) is right
        theta, responses = _ability(api_store, STUDENT)
        assert responses == n + 1
        assert (theta > thetas[-1]) is right  # theta: up after a right answer, down after a wrong
        plans.append(_plan(learner))
        assert _theta_of(plans[-1]) == pytest.approx(theta)  # the next list sees the new theta
        thetas.append(theta)
    assert [i["question_id"] for i in plans[-1]["items"]] != [
        i["question_id"] for i in before["items"]]
    assert first not in {i["question_id"] for i in plans[-1]["items"]}  # right recently
    # theta is the MAP over every stored answer, items at their level's difficulty
    levels = [learner("get", f"/questions/{q}").json["level"] for q in (first, second, other)]
    a, b = np.array([item_params(None, None, level) for level in levels]).T
    assert thetas[-1] == pytest.approx(theta_from_responses(a, b, np.array([1.0, 1.0, 0.0]))[0])


def test_a_resent_answer_moves_nothing(learner: Callable[..., Any],
                                       api_store: GraphStore) -> None:
    question = _plan(learner)["items"][0]["question_id"]
    first = _answer(learner, api_store, question, False, "learn-resent")
    assert first.status_code == 201, first.json
    ability, mastery, plan = (_ability(api_store, STUDENT), maps.mastery(api_store, STUDENT),
                              _plan(learner))
    again = _answer(learner, api_store, question, False, "learn-resent")
    assert again.status_code == 200 and again.json == first.json
    assert _ability(api_store, STUDENT) == ability
    assert maps.mastery(api_store, STUDENT) == mastery
    assert _plan(learner)["items"] == plan["items"]


def test_every_way_in_moves_theta(learner: Callable[..., Any], api_store: GraphStore) -> None:
    """An attempt posted by the LMS-style endpoints and an xAPI statement count the same."""
    theta, responses = _ability(api_store, STUDENT)
    question = _plan(learner)["items"][0]["question_id"]
    r = learner("post", f"/students/{STUDENT}/attempts",
                json={"event_id": "learn-attempt", "question_id": question, "correct": True})
    assert r.status_code == 201, r.json
    after_attempt, n = _ability(api_store, STUDENT)
    assert n == responses + 1 and after_attempt > theta
    statement = {"id": "5d4b3f0e-6c1a-4a7e-9a43-3b8f2a6c7d10",
                 "actor": {"objectType": "Agent",
                           "account": {"homePage": "https://lms.example", "name": STUDENT}},
                 "verb": {"id": "http://adlnet.gov/expapi/verbs/answered"},
                 "object": {"objectType": "Activity", "id": question},
                 "result": {"success": False}}
    r = learner("post", "/xapi/statements", json=statement, admin=True)
    assert r.status_code == 200 and r.json == [statement["id"]], r.json
    after_xapi, n = _ability(api_store, STUDENT)
    assert n == responses + 2 and after_xapi < after_attempt
