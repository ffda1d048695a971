"""``/students/<id>/path``: start, read, tutor edits, refresh and history, over the seeded graph.

Each test plans on a student of its own (made here, in class 9A with a log-in), so the session's
shared graph never makes one test depend on another.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from flask.testing import FlaskClient

from graph.ingest import refresh_mastery
from services import accounts
from tests.api.conftest import NOW, PASSWORD
from tutor.access import Role
from tutor.ports import GraphStore

GOAL = "alg-kp-order-of-operations"
# its ancestors in curriculum order, then the goal itself
STEPS = ["alg-kp-integers-number-line", "alg-kp-absolute-value",
         "alg-kp-adding-subtracting-integers", "alg-kp-multiplying-dividing-integers",
         "alg-kp-exponents", GOAL]


@dataclass(frozen=True)
class Learner:
    id: str
    headers: dict[str, str]


@pytest.fixture
def learner(request: pytest.FixtureRequest, as_: Callable[..., Any], client: FlaskClient,
            api_store: GraphStore) -> Learner:
    """A new student of class 9A (tutor hpark) with an account of its own."""
    name = "c1p-" + request.node.name.removeprefix("test_")[:40].replace("_", "-")
    r = as_("hpark").post("/students", json={"id": name, "name": name,
                                             "class_ids": ["alg-class-9a"]})
    assert r.status_code == 201, r.json
    accounts.add_user(api_store, name, PASSWORD, Role.STUDENT, NOW, student_id=name)
    login = client.post("/auth/login", json={"username": name, "password": PASSWORD})
    return Learner(name, {"Authorization": f"Bearer {login.json['access_token']}"})


def url(student_id: str, tail: str = "") -> str:
    return f"/students/{student_id}/path{tail}"


def start(client: FlaskClient, who: Learner, goal: str = GOAL) -> Any:
    return client.post(url(who.id), json={"goal_kp": goal}, headers=who.headers)


def kps(body: dict[str, Any], status: str | None = None) -> list[str]:
    return [s["kp_id"] for s in body["steps"] if status is None or s["status"] == status]


def test_a_student_with_no_path_gets_a_404_problem(client: FlaskClient, learner: Learner
                                                   ) -> None:
    r = client.get(url(learner.id), headers=learner.headers)
    assert r.status_code == 404
    assert r.mimetype == "application/problem+json"
    assert "no learning path" in r.json["detail"]


def test_a_student_starts_their_own_path_and_a_second_start_keeps_it(
        client: FlaskClient, learner: Learner) -> None:
    first = start(client, learner)
    assert first.status_code == 201, first.json
    assert first.json["version"] == 1 and first.json["goal_kp"] == GOAL
    assert kps(first.json) == STEPS
    assert kps(first.json, "current") == [STEPS[0]]
    assert first.json["next_session"] == STEPS
    again = start(client, learner)
    assert again.status_code == 200
    assert again.json == first.json
    assert client.get(url(learner.id), headers=learner.headers).json == first.json


def test_students_cannot_start_paths_for_others_nor_edit_their_own(
        client: FlaskClient, learner: Learner, as_: Callable[..., Any]) -> None:
    r = as_("ben").post(url(learner.id), json={"goal_kp": GOAL})
    assert r.status_code == 403
    assert start(client, learner).status_code == 201
    for action in ("pin", "unpin", "remove"):
        r = client.post(url(learner.id, f"/{action}"), json={"kp_id": STEPS[1]},
                        headers=learner.headers)
        assert r.status_code == 403, action
        assert "tutor" in r.json["detail"]
    assert client.get(url(learner.id, "/history"), headers=learner.headers).json[0]["version"] == 1


def test_a_tutor_of_another_class_cannot_touch_the_path(
        client: FlaskClient, learner: Learner, as_: Callable[..., Any]) -> None:
    assert start(client, learner).status_code == 201
    trivera = as_("trivera")
    assert trivera.get(url(learner.id)).status_code == 403
    assert trivera.post(url(learner.id), json={"goal_kp": GOAL}).status_code == 403
    assert trivera.post(url(learner.id, "/pin"), json={"kp_id": STEPS[1]}).status_code == 403
    assert as_("trivera").post(url("alg-st-amara", "/pin"),
                               json={"kp_id": STEPS[1]}).status_code == 403
    # not a student of north's tenant: to it, no student at all
    assert as_("north").post(url(learner.id), json={"goal_kp": GOAL}).status_code == 404


def test_tutor_edits_make_new_versions_and_the_history_grows(
        client: FlaskClient, learner: Learner, as_: Callable[..., Any]) -> None:
    assert start(client, learner).status_code == 201
    hpark = as_("hpark")
    pinned = hpark.post(url(learner.id, "/pin"), json={"kp_id": STEPS[3]})
    assert pinned.status_code == 200, pinned.json
    assert pinned.json["version"] == 2 and pinned.json["reason"] == f"tutor pinned {STEPS[3]}"
    assert [s["pinned"] for s in pinned.json["steps"]] == [False, False, False, True, False,
                                                           False]
    again = hpark.post(url(learner.id, "/pin"), json={"kp_id": STEPS[3]})
    assert again.json["version"] == 2  # already pinned: no new version
    assert hpark.post(url(learner.id, "/unpin"), json={"kp_id": STEPS[3]}).json["version"] == 3
    removed = as_("admin").post(url(learner.id, "/remove"),
                                json={"kp_id": STEPS[1], "goal_kp": GOAL})
    assert removed.json["version"] == 4
    assert kps(removed.json, "removed") == [STEPS[1]]
    assert STEPS[1] not in removed.json["next_session"]
    history = client.get(url(learner.id, "/history"), headers=learner.headers)
    assert [p["version"] for p in history.json] == [4, 3, 2, 1]
    assert history.json[-1]["reason"] and history.json[0] == removed.json


def test_history_pages(client: FlaskClient, learner: Learner, as_: Callable[..., Any]) -> None:
    assert start(client, learner).status_code == 201
    as_("hpark").post(url(learner.id, "/pin"), json={"kp_id": STEPS[2]})
    as_("hpark").post(url(learner.id, "/pin"), json={"kp_id": STEPS[4]})
    pages = [client.get(url(learner.id, f"/history?page={n}&page_size=2"),
                        headers=learner.headers) for n in (1, 2)]
    assert [[p["version"] for p in page.json] for page in pages] == [[3, 2], [1]]
    meta = pages[0].headers["X-Pagination"]
    assert '"total": 3' in meta and '"total_pages": 2' in meta


def test_refresh_marks_mastered_steps_done(client: FlaskClient, learner: Learner,
                                           api_store: GraphStore) -> None:
    assert start(client, learner).status_code == 201
    unchanged = client.post(url(learner.id, "/refresh"), json={}, headers=learner.headers)
    assert unchanged.status_code == 200 and unchanged.json["version"] == 1
    api_store.write("create_attempts", {"rows": [
        {"event_id": f"{learner.id}-{i}", "student_id": learner.id,
         "question_id": f"alg-q-integers-number-line-0{i}", "correct": True, "ts": NOW + i,
         "seq": i, "duration_s": None, "source": "test"} for i in range(1, 5)]})
    refresh_mastery(api_store, [learner.id])
    r = client.post(url(learner.id, "/refresh"), json={"tau": 0.8}, headers=learner.headers)
    assert r.status_code == 200 and r.json["version"] == 2
    assert kps(r.json, "done") == [STEPS[0]] and kps(r.json, "current") == [STEPS[1]]


@pytest.mark.parametrize(("tail", "body", "field"), [
    ("", {"goal_kp": "alg-kp-nonexistent"}, "goal_kp"),
    ("", {}, "goal_kp"),
    ("", {"goal_kp": GOAL, "tau": 0}, "tau"),
    ("", {"goal_kp": GOAL, "tau": 1.5}, "tau"),
    ("/pin", {"kp_id": "alg-kp-nonexistent"}, "kp_id"),
    ("/remove", {"kp_id": STEPS[1], "goal_kp": "no/such"}, "goal_kp"),
    ("/refresh", {"tau": "high"}, "tau"),
])
def test_bad_bodies_are_422_naming_the_field(as_: Callable[..., Any], tail: str,
                                             body: dict[str, Any], field: str) -> None:
    r = as_("hpark").post(url("alg-st-amara", tail), json=body)
    assert r.status_code == 422, r.json
    assert r.mimetype == "application/problem+json"
    assert [e["field"] for e in r.json["errors"]] == [field]


def test_edits_a_path_does_not_allow_are_422(client: FlaskClient, learner: Learner,
                                             as_: Callable[..., Any]) -> None:
    assert start(client, learner).status_code == 201
    goal = as_("hpark").post(url(learner.id, "/remove"), json={"kp_id": GOAL})
    assert goal.status_code == 422 and "goal" in goal.json["detail"]
    off_path = as_("hpark").post(url(learner.id, "/pin"), json={"kp_id": "alg-kp-slope"})
    assert off_path.status_code == 422 and "not an open step" in off_path.json["detail"]
    assert as_("admin").get(url("alg-st-nobody")).status_code == 404
