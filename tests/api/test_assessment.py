"""Tests tutors publish and students sit, over HTTP on the real embedded graph, with a clock
the tests move: life cycle, access rules, fixed forms, blueprints, CAT, the server's clock,
idempotent answers, results and item analysis, placement, xAPI."""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from typing import Any

import pytest
from flask import Flask

from api import create_app
from graph.attempts import AttemptFilter, list_attempts
from graph.xapi import stored_attempts
from services.settings import Settings
from tests.api.assessment_bank import (
    CLASS,
    NEWCOMER,
    OTHER_TUTOR,
    OUTSIDER,
    PASSWORD,
    TUTOR,
    UNSTABLE,
    key,
    question_id,
    wrong,
)
from tests.api.conftest import NOW, callers
from tutor.ports import GraphStore

FORBIDDEN_KEYS = {"answer", "correct_answer", "key", "explanation"}


class Clock:
    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> int:
        return self.now

    def tick(self, seconds: float) -> None:
        self.now += int(seconds * 1000)


@pytest.fixture(scope="module")
def clock() -> Clock:
    return Clock()


@pytest.fixture(scope="module")
def tapp(api_settings: Settings, api_store: GraphStore, asmt: str, clock: Clock) -> Flask:
    return create_app(api_settings, store=api_store, clock=clock)


@pytest.fixture(scope="module")
def ttokens(tapp: Flask) -> dict[str, str]:
    c = tapp.test_client()
    out = {}
    for name in (TUTOR, OTHER_TUTOR, "admin", "amara", "asmt-s1", "asmt-s2", "asmt-s3",
                 "asmt-s4", OUTSIDER, NEWCOMER):
        r = c.post("/auth/login", json={"username": name, "password": PASSWORD})
        assert r.status_code == 200, r.json
        out[name] = r.json["access_token"]
    return out


@pytest.fixture
def who(tapp: Flask, ttokens: dict[str, str]) -> Callable[[str], Any]:
    return callers(tapp.test_client(), ttokens)


def no_key_anywhere(value: Any) -> None:
    """No response of the test API may carry an answer key or an explanation."""
    if isinstance(value, dict):
        assert not FORBIDDEN_KEYS & set(value), sorted(FORBIDDEN_KEYS & set(value))
        for v in value.values():
            no_key_anywhere(v)
    elif isinstance(value, list):
        for v in value:
            no_key_anywhere(v)


def ok(r: Any, status: int = 200) -> dict[str, Any]:
    assert r.status_code == status, (r.status_code, r.json)
    no_key_anywhere(r.json)
    return r.json


def problem(r: Any, status: int) -> dict[str, Any]:
    assert r.status_code == status, (r.status_code, r.json)
    assert r.mimetype == "application/problem+json"
    return r.json


def make_test(who: Callable[[str], Any], publish: bool = True, by: str = TUTOR,
              **settings: Any) -> dict[str, Any]:
    body = {"title": "Colours quiz", "form": "fixed", "class_ids": [CLASS],
            "question_ids": [question_id(1, 0), question_id(2, 0), question_id(3, 0)],
            **settings}
    test = ok(who(by).post("/tests", json=body), 201)
    if publish:
        test = ok(who(by).post(f"/tests/{test['id']}/publish"))
    return test


def start(who: Callable[[str], Any], student: str, test_id: str, status: int = 201
          ) -> dict[str, Any]:
    return ok(who(student).post(f"/students/{student}/tests/{test_id}/sittings"), status)


def answer(who: Callable[[str], Any], student: str, test_id: str, question: str,
           response: str) -> Any:
    return who(student).post(f"/students/{student}/tests/{test_id}/answers",
                             json={"question_id": question, "answer": response})


# --- life cycle and access -------------------------------------------------------------------


def test_a_draft_is_seen_by_its_tutor_only_and_published_by_class(who: Any) -> None:
    test = make_test(who, publish=False)
    assert (test["status"], test["dataset"], test["length"]) == ("draft", "asmt", 3)
    listed = lambda s: [t["test"]["id"] for t in ok(who(s).get(f"/students/{s}/tests"))]  # noqa: E731
    assert test["id"] not in listed("asmt-s1")
    problem(who("asmt-s1").post(f"/students/asmt-s1/tests/{test['id']}/sittings"), 404)
    assert test["id"] in [t["id"] for t in ok(who(TUTOR).get("/tests"))]
    assert test["id"] not in [t["id"] for t in ok(who(OTHER_TUTOR).get("/tests"))]
    problem(who(OTHER_TUTOR).get(f"/tests/{test['id']}"), 404)  # not theirs: not even there
    problem(who("asmt-s1").get(f"/tests/{test['id']}"), 404)  # students use their own URLs

    published = ok(who(TUTOR).post(f"/tests/{test['id']}/publish"))
    assert published["status"] == "published" and published["version"] == test["version"] + 1
    mine = next(t for t in ok(who("asmt-s1").get("/students/asmt-s1/tests"))
                if t["test"]["id"] == test["id"])
    assert mine["available"] and mine["sittings"] == []
    assert test["id"] not in listed(OUTSIDER)  # another class
    problem(who(OUTSIDER).post(f"/students/{OUTSIDER}/tests/{test['id']}/sittings"), 404)
    problem(who("asmt-s1").get(f"/students/asmt-s2/tests/{test['id']}/sitting"), 403)
    problem(who(TUTOR).post(f"/tests/{test['id']}/archive"), 422)  # close it first
    assert ok(who(TUTOR).post(f"/tests/{test['id']}/close"))["status"] == "closed"
    assert ok(who(TUTOR).post(f"/tests/{test['id']}/archive"))["status"] == "archived"
    assert test["id"] not in [t["id"] for t in ok(who(TUTOR).get("/tests"))]
    assert test["id"] in [t["id"] for t in ok(who(TUTOR).get("/tests?archived=true"))]


def test_bad_settings_are_422_and_name_the_field(who: Any) -> None:
    base = {"title": "T", "form": "fixed", "class_ids": [CLASS]}
    cases = [
        ({**base}, "question_ids"),
        ({**base, "question_ids": ["asmt-q-none"]}, "question_ids"),
        ({**base, "question_ids": [question_id(1, 1), question_id(1, 1)]}, "question_ids"),
        ({**base, "form": "adaptive"}, "scope_ids"),
        ({**base, "blueprint": [{"scope_id": "asmt-k1", "count": 11}]}, None),
        ({**base, "question_ids": [question_id(1, 1), "alg-q-integers-number-line-01"]},
         "one dataset"),
        ({**base, "question_ids": [question_id(1, 1)], "opens_at": "2026-12-02T10:00:00Z",
          "closes_at": "2026-12-01T10:00:00Z"}, "closes_at"),
        ({**base, "form": "fixed", "purpose": "placement",
          "question_ids": [question_id(1, 1)]}, "placement"),
    ]
    for body, field in cases:
        r = who(TUTOR).post("/tests", json=body)
        if field is None:  # a blueprint asking more than the pool holds: refused at start
            test = ok(r, 201)
            ok(who(TUTOR).post(f"/tests/{test['id']}/publish"))
            problem(who("asmt-s1").post(f"/students/asmt-s1/tests/{test['id']}/sittings"), 422)
            continue
        assert field in problem(r, 422)["detail"], (body, r.json)
    unpublishable = ok(who(TUTOR).post("/tests", json={
        **base, "class_ids": [], "question_ids": [question_id(1, 1)]}), 201)
    assert "class" in problem(who(TUTOR).post(f"/tests/{unpublishable['id']}/publish"),
                              422)["detail"]
    problem(who(OTHER_TUTOR).post("/tests", json={**base, "question_ids": [question_id(1, 1)]}),
            403)  # not a class of theirs
    problem(who("asmt-s1").post("/tests", json={**base, "question_ids": [question_id(1, 1)]}),
            403)


def test_edits_follow_the_life_cycle_and_the_version(who: Any) -> None:
    test = make_test(who, publish=False)
    edited = ok(who(TUTOR).patch(f"/tests/{test['id']}", json={
        "question_ids": [question_id(4, 1)], "version": test["version"]}))
    assert edited["question_ids"] == [question_id(4, 1)]
    problem(who(TUTOR).patch(f"/tests/{test['id']}", json={
        "title": "again", "version": test["version"]}), 409)  # read before the edit
    ok(who(TUTOR).post(f"/tests/{test['id']}/publish"))
    problem(who(TUTOR).patch(f"/tests/{test['id']}",
                               json={"question_ids": [question_id(4, 2)]}), 422)
    assert ok(who(TUTOR).patch(f"/tests/{test['id']}", json={"title": "Renamed"}))[
        "title"] == "Renamed"


# --- sitting a fixed form --------------------------------------------------------------------


def test_a_fixed_form_is_sat_answered_idempotently_scored_and_recorded(
        who: Any, api_store: GraphStore) -> None:
    test = make_test(who)
    tid, items = test["id"], test["question_ids"]
    p = start(who, "asmt-s1", tid)
    assert p["question"]["id"] == items[0] and p["question"]["position"] == 1
    assert p["question"]["options"] and p["sitting"]["score"] is None
    assert start(who, "asmt-s1", tid, 200)["sitting"]["id"] == p["sitting"]["id"]  # resumed

    first = ok(answer(who, "asmt-s1", tid, items[0], key(items[0])))
    assert first["changed"] and first["question"]["id"] == items[1]
    assert not ok(answer(who, "asmt-s1", tid, items[0], key(items[0])))["changed"]  # resent
    ok(answer(who, "asmt-s1", tid, items[1], key(items[1])))
    changed = ok(answer(who, "asmt-s1", tid, items[1], wrong(items[1])))  # back is allowed
    assert changed["changed"] and changed["items"][1]["response"] == wrong(items[1])
    back = ok(who("asmt-s1").get(f"/students/asmt-s1/tests/{tid}/sitting?position=1"))
    assert back["question"]["id"] == items[0] and back["question"]["response"] == key(items[0])
    problem(answer(who, "asmt-s1", tid, question_id(6, 9), "red"), 422)  # not on the form

    done = ok(who("asmt-s1").post(f"/students/asmt-s1/tests/{tid}/finish"))
    assert done["sitting"]["finished"] and done["question"] is None
    assert done["sitting"]["score"] == {"right": 1, "items": 3, "percent": 33.33}
    assert [r["correct"] for r in done["sitting"]["review"]] == [True, False, False]
    assert not ok(answer(who, "asmt-s1", tid, items[0], key(items[0])))["changed"]
    assert problem(answer(who, "asmt-s1", tid, items[2], "red"), 409)  # handed in

    sitting = done["sitting"]["id"]
    stored = stored_attempts(api_store, [f"test:{sitting}:{i}" for i in range(3)])
    assert stored == {f"test:{sitting}:0": ("asmt-s1", items[0], True),
                      f"test:{sitting}:1": ("asmt-s1", items[1], False)}  # unanswered: none
    _, rows = list_attempts(api_store, "asmt-s1", AttemptFilter(), 0, 100)
    assert {r["source"] for r in rows if r["event_id"].startswith("test:")} == {"test"}
    problem(who("asmt-s1").post(f"/students/asmt-s1/tests/{tid}/sittings"), 409)  # 1 allowed

    feed = ok(who("admin").get("/xapi/statements?limit=500"))["statements"]
    mine = [s for s in feed if s.get("context", {}).get("registration")
            and s["actor"]["account"]["name"] == "asmt-s1"
            and tid in str(s)]
    verbs = sorted(s["verb"]["display"]["en"] for s in mine)
    assert verbs == ["answered", "answered", "completed"]
    completed = next(s for s in mine if s["verb"]["display"]["en"] == "completed")
    assert completed["result"]["score"] == {"raw": 1, "min": 0, "max": 3, "scaled": 0.3333}


def test_without_back_answers_are_final_in_order_and_the_last_one_hands_in(who: Any) -> None:
    test = make_test(who, allow_back=False)
    tid, items = test["id"], test["question_ids"]
    start(who, "asmt-s2", tid)
    problem(answer(who, "asmt-s2", tid, items[1], "red"), 422)  # out of order
    ok(answer(who, "asmt-s2", tid, items[0], "red"))
    problem(answer(who, "asmt-s2", tid, items[0], "green"), 409)
    ok(answer(who, "asmt-s2", tid, items[1], key(items[1])))
    last = ok(answer(who, "asmt-s2", tid, items[2], key(items[2])))
    assert last["sitting"]["finished"] and last["items"][2]["answered"]


def test_the_server_clock_refuses_answers_past_the_time_limit(who: Any, clock: Clock) -> None:
    test = make_test(who, time_limit_s=60)
    tid, items = test["id"], test["question_ids"]
    p = start(who, "asmt-s3", tid)
    assert p["time_left_s"] == 60.0
    clock.tick(30)
    assert ok(answer(who, "asmt-s3", tid, items[0], key(items[0])))["time_left_s"] == 30.0
    clock.tick(31)
    late = problem(answer(who, "asmt-s3", tid, items[1], key(items[1])), 409)
    assert late["title"] == "Time is up"
    now = ok(who("asmt-s3").get(f"/students/asmt-s3/tests/{tid}/sitting"))
    assert now["sitting"]["finished"] and now["sitting"]["score"]["right"] == 1
    assert now["sitting"]["finished_at"] == now["sitting"]["deadline"]  # ended by the clock


def test_closing_stops_answers_and_sittings_outside_the_window(who: Any, clock: Clock) -> None:
    at = lambda ms: datetime.fromtimestamp(ms / 1000, UTC).isoformat()  # noqa: E731
    later = make_test(who, opens_at=at(clock.now + 3_600_000))
    assert "not open yet" in problem(who("asmt-s4").post(
        f"/students/asmt-s4/tests/{later['id']}/sittings"), 409)["detail"]
    closing = make_test(who, closes_at=at(clock.now + 10_000))
    start(who, "asmt-s4", closing["id"])
    clock.tick(11)
    assert problem(answer(who, "asmt-s4", closing["id"], closing["question_ids"][0], "red"),
                   409)["title"] == "Time is up"
    manual = make_test(who)
    start(who, "asmt-s4", manual["id"])
    ok(who(TUTOR).post(f"/tests/{manual['id']}/close"))
    assert "closed" in problem(answer(who, "asmt-s4", manual["id"],
                                      manual["question_ids"][0], "red"), 409)["detail"]


def test_a_blueprint_draws_per_student_and_keeps_each_draw(who: Any) -> None:
    test = make_test(who, question_ids=[question_id(6, 9)],
                     blueprint=[{"scope_id": "asmt-k1", "count": 3},
                                {"scope_id": "asmt-ch2", "count": 4}])
    assert test["length"] == 8
    forms = {}
    for s in ("asmt-s1", "asmt-s2", "asmt-s3", "asmt-s4"):
        p = start(who, s, test["id"])
        items = [i["question_id"] for i in p["items"]]
        assert items == [i["question_id"] for i in start(who, s, test["id"], 200)["items"]]
        assert len(items) == len(set(items)) == 8 and items[0] == question_id(6, 9)
        assert all(q.startswith("asmt-q1-") for q in items[1:4])
        assert all(q[6] in "456" for q in items[4:])
        forms[s] = items
    assert len({tuple(f) for f in forms.values()}) > 1  # students do not all get one draw


# --- adaptive --------------------------------------------------------------------------------


def test_a_cat_chooses_from_server_state_never_repeats_and_stops(who: Any) -> None:
    test = ok(who(TUTOR).post("/tests", json={
        "title": "Adaptive", "form": "adaptive", "class_ids": [CLASS],
        "scope_ids": ["asmt-ch1", "asmt-ch2"], "max_items": 8, "se_stop": 0.05}), 201)
    assert test["bank"] == {"items": 60 - UNSTABLE, "excluded": UNSTABLE}
    ok(who(TUTOR).post(f"/tests/{test['id']}/publish"))
    tid = test["id"]
    p = start(who, "asmt-s2", tid)
    unstable = {question_id(1, n) for n in range(UNSTABLE)}
    seen = []
    while p["question"] is not None:
        q = p["question"]["id"]
        assert q not in unstable and q not in seen
        again = ok(who("asmt-s2").get(f"/students/asmt-s2/tests/{tid}/sitting"))
        assert again["question"]["id"] == q  # asking again cannot fish for another item
        seen.append(q)
        right = len(seen) % 2 == 1
        p = ok(answer(who, "asmt-s2", tid, q, key(q) if right else wrong(q)))
        if p["question"] is not None:
            problem(answer(who, "asmt-s2", tid, q, wrong(q) if right else key(q)), 409)
    assert len(seen) == 8 and p["sitting"]["finished"]  # max_items (the SE goal is unreachable)
    assert p["sitting"]["theta"] is not None and p["sitting"]["se"] > 0.05
    assert p["items"] == []  # a CAT shows no list to go back through


# --- results -----------------------------------------------------------------------------------


def test_results_per_student_kp_and_item(who: Any) -> None:
    test = make_test(who)
    tid, items = test["id"], test["question_ids"]
    plans = {"asmt-s1": [True, True, False], "asmt-s2": [True, False, False],
             "asmt-s3": [True, True, True]}
    for s, marks in plans.items():
        start(who, s, tid)
        for q, right in zip(items, marks, strict=True):
            ok(answer(who, s, tid, q, key(q) if right else wrong(q)))
        ok(who(s).post(f"/students/{s}/tests/{tid}/finish"))
    found = ok(who(TUTOR).get(f"/tests/{tid}/results"))
    by_student = {r["student_id"]: r for r in found["students"]}
    assert {s: r["score"]["right"] for s, r in by_student.items()} == {
        "asmt-s1": 2, "asmt-s2": 1, "asmt-s3": 3}
    stats = {i["question_id"]: i for i in found["items"]}
    assert [stats[q]["p_correct"] for q in items] == [1.0, 2 / 3, 1 / 3]
    assert stats[items[0]]["discrimination"] is None  # everyone right: no variance
    assert stats[items[1]]["discrimination"] > 0  # the stronger students got it
    assert stats[items[2]]["options"] == {key(items[2]): 1, wrong(items[2]): 2}
    assert stats[items[0]]["text"].startswith("Which colour")
    assert {k["kp_id"]: k["answered"] for k in found["kps"]} == {
        "asmt-k1": 3, "asmt-k2": 3, "asmt-k3": 3}
    problem(who(OTHER_TUTOR).get(f"/tests/{tid}/results"), 404)
    problem(who("asmt-s1").get(f"/tests/{tid}/results"), 404)
    hidden = make_test(who, show_results=False)
    start(who, "asmt-s1", hidden["id"])
    ok(who("asmt-s1").post(f"/students/asmt-s1/tests/{hidden['id']}/finish"))
    mine = next(t for t in ok(who("asmt-s1").get("/students/asmt-s1/tests"))
                if t["test"]["id"] == hidden["id"])
    assert mine["sittings"][0]["finished"] and mine["sittings"][0]["score"] is None
    theirs = next(t for t in ok(who(TUTOR).get("/students/asmt-s1/tests"))
                  if t["test"]["id"] == hidden["id"])
    assert theirs["sittings"][0]["score"] is not None  # the tutor sees it


# --- placement ---------------------------------------------------------------------------------


def test_placement_sets_theta_and_prior_mastery_that_recommendations_start_from(
        who: Any, api_store: GraphStore) -> None:
    s = NEWCOMER
    offer = ok(who(s).get(f"/students/{s}/placement"))
    assert offer["offered"] and offer["placed_at"] is None
    before = ok(who(s).get(f"/students/{s}/recommendations"))
    p = ok(who(s).post(f"/students/{s}/placement"), 201)
    assert p["test"]["purpose"] == "placement"
    while p["question"] is not None:
        q = p["question"]["id"]
        p = ok(answer(who, s, p["test"]["id"], q, key(q)))  # knows everything
    assert p["sitting"]["finished"] and p["sitting"]["theta"] > 1
    after = ok(who(s).get(f"/students/{s}/placement"))
    assert not after["offered"] and after["placed_at"]
    recs = ok(who(s).get(f"/students/{s}/recommendations"))
    day = after["placed_at"][:10]
    assert any(f"placed by test on {day}" in n for n in recs["notes"])
    assert recs != before
    roots = {"asmt-k1", "asmt-k4"}
    assert {r["kp_id"] for r in before["items"]} <= roots  # unknown: from the roots
    assert not {r["kp_id"] for r in recs["items"]} & roots  # placed past them
    assert any("placed by test on" in reason for r in recs["items"] for reason in r["reasons"])
    problem(who(s).post(f"/students/{s}/placement"), 409)  # placed once
    problem(who("amara").post(f"/students/{NEWCOMER}/placement"), 403)


def test_concurrent_answers_to_one_item_store_exactly_one(who: Any, tapp: Flask,
                                                          ttokens: dict[str, str]) -> None:
    """Eight requests answer a CAT's item at once, half right and half wrong: one lands, the
    ones with the same answer are told it was stored already, the others get 409."""
    test = ok(who(TUTOR).post("/tests", json={
        "title": "Race", "form": "adaptive", "class_ids": [CLASS], "scope_ids": ["asmt-ch1"],
        "max_items": 3}), 201)
    ok(who(TUTOR).post(f"/tests/{test['id']}/publish"))
    q = start(who, "asmt-s1", test["id"])["question"]["id"]
    url = f"/students/asmt-s1/tests/{test['id']}/answers"
    headers = {"Authorization": f"Bearer {ttokens['asmt-s1']}"}
    barrier = threading.Barrier(8)

    def post(i: int) -> Any:
        client = tapp.test_client()
        barrier.wait()
        return client.post(url, headers=headers, json={
            "question_id": q, "answer": key(q) if i % 2 else wrong(q)})

    with ThreadPoolExecutor(8) as pool:
        replies = list(pool.map(post, range(8)))
    landed = [r for r in replies if r.status_code == 200 and r.json["changed"]]
    assert len(landed) == 1
    winner = landed[0].json["sitting"]
    for r in replies:
        assert r.status_code in (200, 409), r.json
    now = ok(who("asmt-s1").get(f"/students/asmt-s1/tests/{test['id']}/sitting"))
    assert now["sitting"] == winner and now["sitting"]["answered"] == 1
    assert now["question"]["id"] != q  # the CAT moved on once, from the stored answer
