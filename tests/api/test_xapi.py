"""xAPI over HTTP on the real graph: each verb's mapping, idempotency and conflicts, malformed
statements, actors (accounts, e-mail, LMS-created students), authorisation, the statement
feed and its paging, verbatim text; mostly through kgtutor's per-statement report
(``/xapi/statements/batch``), and xAPI 1.0.3's own POST (ids, whole or refused). A client
library speaking xAPI is tested in tests/reliability/test_xapi_spec.py."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import pytest

from graph.xapi import student_activity
from tutor.ports import GraphStore
from tutor.xapi import VERB_ANSWERED, VERB_COMPLETED, VERB_EXPERIENCED

Q_ABS = "alg-q-absolute-value-01"
Q_LINE = "alg-q-integers-number-line-01"
IGNORED_VERB = "http://adlnet.gov/expapi/verbs/attempted"
INJECTIONS = ("x' }) MATCH (n) DETACH DELETE n //", '"; MATCH (n) RETURN n')
T0 = "2020-02-01T10:00:00Z"
T0_MS = 1_580_551_200_000


def sid(name: str) -> str:
    """A fixed statement id per test name, so tests never collide."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"kgtutor-test:{name}"))


def statement(statement_id: str | None, actor: dict[str, Any], verb: str = VERB_ANSWERED,
              obj: str = Q_ABS, **extra: Any) -> dict[str, Any]:
    out = {"actor": actor, "verb": {"id": verb, "display": {"en-US": verb.rsplit("/", 1)[1]}},
           "object": {"objectType": "Activity", "id": obj}, "timestamp": T0, **extra}
    return out if statement_id is None else {"id": statement_id, **out}


def account(user_id: str, **extra: Any) -> dict[str, Any]:
    return {"objectType": "Agent", **extra,
            "account": {"homePage": "https://lms.example", "name": user_id}}


def _student(as_: Callable[..., Any], student_id: str, who: str = "admin", **extra: Any) -> None:
    r = as_(who).post("/students", json={"id": student_id, **extra})
    assert r.status_code == 201, r.json


def _attempts(store: GraphStore, *event_ids: str) -> dict[str, tuple[str, str, bool]]:
    rows = store.read("stored_attempts", {"ids": list(event_ids)})
    return {r["event_id"]: (r["student_id"], r["question_id"], r["correct"]) for r in rows}


def _statements(store: GraphStore, *keys: str) -> set[str]:
    return {r["id"] for r in store.read("stored_statements", {"ids": list(keys)})}


def _post(as_: Callable[..., Any], who: str, body: Any) -> Any:
    """kgtutor's extension, which reports each statement (xAPI's own POST answers ids)."""
    return as_(who).post("/xapi/statements/batch", json=body)


def test_answered_becomes_an_attempt(as_: Callable[..., Any], api_store: GraphStore) -> None:
    _student(as_, "t-x-ans")
    s = statement(sid("answered"), account("t-x-ans"),
                  obj=f"https://lms.example/course/questions/{Q_ABS}",
                  result={"success": True, "duration": "PT45S", "response": "7"})
    r = _post(as_, "admin", s)
    assert r.status_code == 200, r.json
    assert r.json == {"statements": [{"id": sid("answered"), "status": "created"}],
                      "created": 1, "existing": 0, "ignored": 0, "activity": 0, "rejected": 0}
    event = f"api:xapi:{sid('answered')}"
    assert _attempts(api_store, event) == {event: ("t-x-ans", Q_ABS, True)}
    (shown,) = as_("admin").get("/students/t-x-ans/attempts").json
    assert shown == {"event_id": f"xapi:{sid('answered')}", "question_id": Q_ABS,
                     "kp_ids": ["alg-kp-absolute-value"], "correct": True, "ts": T0_MS,
                     "duration_s": 45.0, "source": "xapi"}
    mastery = api_store.read("student_mastery", {"student_id": "t-x-ans"})
    assert [(m["kp_id"], m["attempts"]) for m in mastery] == [("alg-kp-absolute-value", 1)]
    assert student_activity(api_store, "t-x-ans") == (T0_MS, 1)


def test_mbox_actor_and_a_bare_question_id(as_: Callable[..., Any],
                                           api_store: GraphStore) -> None:
    _student(as_, "t-x-mbox", email="t-x-mbox@example.org")
    s = statement(sid("mbox"), {"mbox": "mailto:T-X-Mbox@Example.org"}, obj=Q_LINE,
                  result={"success": False})
    assert _post(as_, "admin", [s]).json["created"] == 1
    event = f"api:xapi:{sid('mbox')}"
    assert _attempts(api_store, event) == {event: ("t-x-mbox", Q_LINE, False)}


def test_activity_verbs_mark_the_student_active(as_: Callable[..., Any],
                                                api_store: GraphStore) -> None:
    _student(as_, "t-x-act")
    body = [statement(sid("completed"), account("t-x-act"), VERB_COMPLETED,
                      "https://lms.example/units/1"),
            statement(sid("experienced"), account("t-x-act"), VERB_EXPERIENCED,
                      "https://lms.example/videos/2", timestamp="2020-02-01T11:00:00Z")]
    r = _post(as_, "admin", body)
    assert [i["status"] for i in r.json["statements"]] == ["activity", "activity"]
    assert (r.json["activity"], r.json["created"]) == (2, 0)
    assert student_activity(api_store, "t-x-act") == (T0_MS + 3_600_000, 2)
    assert as_("admin").get("/students/t-x-act/attempts").json == []  # no answers


def test_other_verbs_are_stored_and_ignored(as_: Callable[..., Any],
                                            api_store: GraphStore) -> None:
    s = statement(sid("ignored"), account("nobody-at-all"), IGNORED_VERB)
    r = _post(as_, "admin", s)
    (item,) = r.json["statements"]
    assert item["status"] == "ignored" and IGNORED_VERB in item["reason"]
    assert r.json["ignored"] == 1
    assert _statements(api_store, f"api:{sid('ignored')}") == {f"api:{sid('ignored')}"}


def test_resending_changes_nothing_and_other_content_conflicts(
        as_: Callable[..., Any], api_store: GraphStore) -> None:
    _student(as_, "t-x-idem")
    s = statement(sid("idem"), account("t-x-idem"), result={"success": True})
    assert _post(as_, "admin", s).json["created"] == 1
    again = _post(as_, "admin", [s, s])
    assert again.status_code == 200
    assert [i["status"] for i in again.json["statements"]] == ["existing", "existing"]
    # what a learning record store adds to a copy does not make it different
    copy = {**s, "stored": "2026-01-01T00:00:00Z", "version": "1.0.3"}
    assert _post(as_, "admin", copy).json["existing"] == 1
    changed = {**s, "result": {"success": False}}
    alone = _post(as_, "admin", changed)  # a conflict is an item's result, not a failed batch
    assert alone.status_code == 200
    assert [i["status"] for i in alone.json["statements"]] == ["conflict"]
    assert sid("idem") in alone.json["statements"][0]["reason"]
    other = statement(sid("idem-2"), account("t-x-idem"), obj=Q_LINE,
                      result={"success": True})
    mixed = _post(as_, "admin", [changed, other])
    assert mixed.status_code == 200
    assert [i["status"] for i in mixed.json["statements"]] == ["conflict", "created"]
    assert mixed.json["rejected"] == 1
    rows = as_("admin").get("/students/t-x-idem/attempts").json
    assert sorted((a["question_id"], a["correct"]) for a in rows) == [
        (Q_ABS, True), (Q_LINE, True)]


def test_statements_without_id_get_a_deterministic_one(as_: Callable[..., Any]) -> None:
    _student(as_, "t-x-noid")
    s = statement(None, account("t-x-noid"), result={"success": True})
    first = _post(as_, "admin", s).json["statements"][0]
    second = _post(as_, "admin", s).json["statements"][0]
    assert first["status"] == "created" and second["status"] == "existing"
    assert first["id"] == second["id"] and uuid.UUID(first["id"]).version == 5


def test_malformed_statements_refuse_the_whole_request(as_: Callable[..., Any],
                                                       api_store: GraphStore) -> None:
    good = statement(sid("good-but-refused"), account("alg-st-amara"), IGNORED_VERB)
    no_verb = statement(sid("no-verb"), account("x"))
    del no_verb["verb"]
    body = [good, no_verb, {**good, "id": "not-a-uuid"},
            {**good, "timestamp": "yesterday"}, {**good, "result": {"duration": "1 min"}}, 7]
    r = _post(as_, "admin", body)
    assert r.status_code == 422
    assert r.headers["Content-Type"] == "application/problem+json"
    assert {(e["index"], e["field"]) for e in r.json["errors"]} == {
        (1, "verb"), (2, "id"), (3, "timestamp"), (4, "result.duration"), (5, "")}
    assert all(e["message"] for e in r.json["errors"])
    assert _statements(api_store, f"api:{sid('good-but-refused')}") == set()
    assert _post(as_, "admin", []).status_code == 422
    assert _post(as_, "admin", [good] * 501).status_code == 422
    assert _post(as_, "admin", "text").status_code == 400


def test_lms_creates_its_own_students(as_: Callable[..., Any], api_store: GraphStore) -> None:
    s = statement(sid("lms-new"), account("t-x-north-new", name="Nia North"),
                  result={"success": True})
    r = _post(as_, "north", s)
    assert r.json["created"] == 1, r.json
    student = as_("north").get("/students/t-x-north-new").json
    assert (student["tenant"], student["dataset"], student["name"]) == (
        "north", "seed", "Nia North")
    event = f"north:xapi:{sid('lms-new')}"
    assert _attempts(api_store, event) == {event: ("north:t-x-north-new", Q_ABS, True)}
    # an e-mail alone cannot name a new student
    unknown = statement(sid("lms-mbox"), {"mbox": "mailto:nobody@example.org"},
                        result={"success": True})
    item = _post(as_, "north", unknown).json["statements"][0]
    assert item["status"] == "rejected" and "mbox" in item["reason"]


def test_other_callers_cannot_create_students(as_: Callable[..., Any],
                                              api_store: GraphStore) -> None:
    body = [statement(sid("unknown-actor"), account("t-x-ghost"), result={"success": True}),
            statement(sid("unknown-q"), account("alg-st-amara"), obj="no-such-question",
                      result={"success": True}),
            statement(sid("no-success"), account("alg-st-amara"))]
    r = _post(as_, "admin", body)
    reasons = [(i["status"], i["reason"]) for i in r.json["statements"]]
    assert [s for s, _ in reasons] == ["rejected"] * 3
    assert "t-x-ghost" in reasons[0][1] and "no-such-question" in reasons[1][1]
    assert "result.success" in reasons[2][1]
    assert as_("admin").get("/students/t-x-ghost").status_code == 404
    assert _statements(api_store, *(f"api:{sid(n)}" for n in (
        "unknown-actor", "unknown-q", "no-success"))) == set()


@pytest.mark.parametrize(("who", "student"), [  # LMS tenants: tests/reliability/test_tenants.py
    ("amara", "alg-st-ben"),  # a student for another student
    ("trivera", "alg-st-amara"),  # not in the tutor's classes
])
def test_statements_about_students_not_yours_write_nothing(
        as_: Callable[..., Any], api_store: GraphStore, who: str, student: str) -> None:
    name = f"forbidden-{who}-{student}"
    body = [statement(sid(name + "-ok"), account("t-x-ok"), IGNORED_VERB),
            statement(sid(name), account(student), result={"success": True})]
    r = _post(as_, who, body)
    assert r.status_code == 403
    assert _statements(api_store, f"api:{sid(name)}", f"api:{sid(name + '-ok')}") == set()
    assert _attempts(api_store, f"api:xapi:{sid(name)}") == {}


def test_students_may_send_their_own(as_: Callable[..., Any]) -> None:
    s = statement(sid("own"), account("alg-st-amara"), VERB_EXPERIENCED,
                  "https://lms.example/videos/1")
    assert _post(as_, "amara", s).json["activity"] == 1


def _walk(as_: Callable[..., Any], who: str, url: str) -> list[dict[str, Any]]:
    seen: list[dict[str, Any]] = []
    while url:
        r = as_(who).get(url)
        assert r.status_code == 200, r.json
        assert len(r.json["statements"]) <= 2
        seen += r.json["statements"]
        url = r.json["more"]
    return seen


def test_the_feed_is_scoped_paged_and_verbatim(as_: Callable[..., Any]) -> None:
    ids = [sid(f"feed-north-{i}") for i in range(3)]
    sent = [statement(i, account("t-x-feed"), IGNORED_VERB) for i in ids]
    assert _post(as_, "north", sent).json["ignored"] == 3
    south = sid("feed-south")
    assert _post(as_, "south", statement(south, account("x"), IGNORED_VERB)).status_code == 200
    north_feed = _walk(as_, "north", "/xapi/statements?limit=2")
    by_id = {s["id"]: s for s in north_feed}
    assert len(by_id) == len(north_feed) and set(ids) <= set(by_id) and south not in by_id
    for original in sent:
        shown = dict(by_id[original["id"]])
        assert shown.pop("stored").endswith("Z") and shown == original
    stored = [s["stored"] for s in north_feed]
    assert stored == sorted(stored)
    everything = {s["id"] for s in _walk(as_, "admin", "/xapi/statements?limit=2")}
    assert set(ids) | {south} <= everything
    future = as_("admin").get("/xapi/statements?since=2999-01-01T00:00:00Z").json
    assert future == {"statements": [], "more": ""}
    assert as_("hpark").get("/xapi/statements").status_code == 403
    assert as_("amara").get("/xapi/statements").status_code == 403
    assert as_("admin").get("/xapi/statements?cursor=garbage").status_code == 422


def test_injection_strings_are_stored_verbatim(as_: Callable[..., Any],
                                               api_store: GraphStore) -> None:
    before = {r["label"]: r["n"] for r in api_store.read("graph_stats_nodes")}
    sent = []
    for i, text in enumerate(INJECTIONS):
        s = statement(sid(f"inj-{i}"), account(text, name=text), IGNORED_VERB,
                      f"https://lms.example/{i}", result={"response": text},
                      context={"extensions": {"https://lms.example/note": text}})
        s["verb"]["display"] = {"en-US": text}
        s["object"]["definition"] = {"name": {"en-US": text}}
        sent.append(s)
    assert _post(as_, "admin", sent).json["ignored"] == 2
    feed = {s["id"]: s for s in _walk(as_, "admin", "/xapi/statements?limit=2")}
    for original in sent:
        shown = dict(feed[original["id"]])
        shown.pop("stored")
        assert shown == original
    rejected = [statement(sid(f"inj-q-{i}"), account("alg-st-amara"), obj=text,
                          result={"success": True}) for i, text in enumerate(INJECTIONS)]
    items = _post(as_, "admin", rejected).json["statements"]
    assert all(text in i["reason"] for text, i in zip(INJECTIONS, items, strict=True))
    for i, text in enumerate(INJECTIONS):  # an LMS cannot make a student of such a name
        item = _post(as_, "north", statement(sid(f"inj-lms-{i}"), account(text),
                                             result={"success": True})).json["statements"][0]
        assert item["status"] == "rejected" and text in item["reason"]
    after = {r["label"]: r["n"] for r in api_store.read("graph_stats_nodes")}
    assert after["XapiStatement"] == before.get("XapiStatement", 0) + 2
    assert {k: v for k, v in after.items() if k != "XapiStatement"} == {
        k: v for k, v in before.items() if k != "XapiStatement"}


def test_xapi_post_answers_ids_and_stores_a_request_whole_or_not_at_all(
        as_: Callable[..., Any], api_store: GraphStore) -> None:
    """xAPI 1.0.3 POST Statements: 200 with the ids in order; a re-sent identical statement is
    fine; one stored with other content (409), one kgtutor cannot use (422) or two with one id
    (400) refuse the whole request."""
    _student(as_, "t-x-spec")
    first = statement(sid("spec-1"), account("t-x-spec"), result={"success": True})
    no_id = statement(None, account("t-x-spec"), obj=Q_LINE, result={"success": False})
    r = as_("admin").post("/xapi/statements", json=[first, no_id])
    assert r.status_code == 200, r.json
    assert r.headers["X-Experience-API-Version"] == "1.0.3"
    assert r.json[0] == sid("spec-1") and uuid.UUID(r.json[1]).version == 5
    assert as_("admin").post("/xapi/statements", json=[first, no_id]).json == r.json
    fresh = statement(sid("spec-2"), account("t-x-spec"), result={"success": True})
    changed = {**first, "result": {"success": False}}
    refused = {
        409: [fresh, changed],
        422: [fresh, statement(sid("spec-3"), account("t-x-spec"), obj="no-such-question",
                               result={"success": True})],
        400: [fresh, {**fresh, "result": {"success": False}}],
    }
    for status, body in refused.items():
        r = as_("admin").post("/xapi/statements", json=body)
        assert r.status_code == status, r.json
        assert r.headers["Content-Type"] == "application/problem+json"
    assert r.json["detail"] and "cypher" not in str(r.json).lower()
    assert _statements(api_store, f"api:{sid('spec-2')}", f"api:{sid('spec-3')}") == set()
    assert _attempts(api_store, f"api:xapi:{sid('spec-2')}") == {}
    unusable = as_("admin").post("/xapi/statements", json=refused[422]).json
    assert [(e["index"], e["field"]) for e in unusable["errors"]] == [(1, "object.id")]


def test_every_xapi_response_carries_the_version(as_: Callable[..., Any]) -> None:
    for r in (as_("admin").get("/xapi/no-such-resource"), as_("admin").delete(
            "/xapi/statements"), as_("admin").get("/xapi/about")):
        assert r.headers["X-Experience-API-Version"] == "1.0.3", r.status_code
    assert "X-Experience-API-Version" not in as_("admin").get("/health").headers
