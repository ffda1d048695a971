"""Issue 17, defect 6: LMS tenants do not share one student-id space. Ids and e-mails an LMS
sends are resolved inside its own tenant, and no answer tells another tenant's students apart
from ids that exist nowhere. Before the fix, as tenant south: creating `north`'s id answered
409 "exists", an xAPI statement naming a north student answered 403 with that id, and GET or
a batch naming a north student answered 403 where an unknown id answers 404."""

from __future__ import annotations

import uuid
from typing import Any

import requests

from cli.common import store_for
from services import accounts
from services.settings import Settings
from tests.reliability.conftest import NOW, PASSWORD, Live
from tutor.access import Role

QUESTION = "alg-q-absolute-value-01"
ANSWERED = "http://adlnet.gov/expapi/verbs/answered"


def call(live: Live, who: str, method: str, path: str, **kw: Any) -> requests.Response:
    return requests.request(method, live.url + path, headers=live.headers(who), timeout=60,
                            **kw)


def create(live: Live, who: str, student_id: str, **extra: Any) -> dict[str, Any]:
    r = call(live, who, "POST", "/students", json={"id": student_id, **extra})
    assert r.status_code == 201, r.text
    return r.json()


def put_statement(live: Live, who: str, name: str, actor: dict[str, Any]) -> requests.Response:
    """xAPI PUT of one `answered` statement with a fixed id per ``name``."""
    sid = str(uuid.uuid5(uuid.NAMESPACE_URL, f"kgtutor-tenants:{name}"))
    body = {"actor": {"objectType": "Agent", **actor},
            "verb": {"id": ANSWERED, "display": {"en-US": "answered"}},
            "object": {"objectType": "Activity", "id": QUESTION},
            "result": {"success": True}, "timestamp": "2026-11-02T10:00:00Z"}
    return call(live, who, "PUT", f"/xapi/statements?statementId={sid}", json=body)


def student_token(live: Live, username: str, student_id: str) -> str:
    """A student account for ``student_id``, signed in."""
    with store_for(Settings(var_dir=live.var_dir)) as store:
        accounts.add_user(store, username, PASSWORD, Role.STUDENT, NOW, student_id=student_id)
    r = requests.post(live.url + "/auth/login", json={"username": username,
                                                      "password": PASSWORD}, timeout=30)
    assert r.status_code == 200, r.text
    return str(r.json()["access_token"])


def attempts(live: Live, who: str, student_id: str) -> int:
    r = call(live, who, "GET", f"/students/{student_id}/attempts")
    assert r.status_code == 200, r.text
    return len(r.json())


def shape(r: requests.Response, asked: str) -> tuple[int, str]:
    """A refusal with the asked-for id taken out: what a caller can tell apart."""
    return r.status_code, r.json()["detail"].replace(asked, "ID")


def test_an_id_another_tenant_holds_is_free_for_this_one(live: Live) -> None:
    mine = create(live, "north", "t6-s1", name="North One", email="one@north.example")
    theirs = create(live, "south", "t6-s1", name="South One")  # was 409 "exists"
    assert (mine["tenant"], theirs["tenant"]) == ("north", "south")
    assert mine["id"] != theirs["id"]
    assert call(live, "north", "GET", "/students/t6-s1").json()["name"] == "North One"
    assert call(live, "south", "GET", "/students/t6-s1").json()["name"] == "South One"
    # the id a response shows addresses the same student
    assert call(live, "south", "GET", f"/students/{theirs['id']}").json()["name"] == "South One"
    again = call(live, "south", "POST", "/students", json={"id": "t6-s1"})
    assert again.status_code == 409  # its own student, that it can see anyway
    seen_by_admin = [call(live, "admin", "GET", f"/students/{s['id']}").json()
                     for s in (mine, theirs)]
    assert [(s["name"], s["tenant"]) for s in seen_by_admin] == [
        ("North One", "north"), ("South One", "south")]


def test_another_tenants_student_looks_like_no_student(live: Live) -> None:
    north = create(live, "north", "t6-only-north", name="Only North")["id"]
    for asked in ("t6-only-north", north, "alg-st-amara"):  # a north one, one no LMS owns
        for method, path in (("GET", "/students/{}"), ("GET", "/students/{}/attempts"),
                             ("PATCH", "/students/{}"), ("DELETE", "/students/{}"),
                             ("GET", "/students/{}/export")):
            kw = {"json": {"name": "stolen"}} if method == "PATCH" else {}
            seen = call(live, "south", method, path.format(asked), **kw)
            nowhere = call(live, "south", method, path.format("t6-nowhere"), **kw)
            assert shape(seen, asked) == shape(nowhere, "t6-nowhere"), (method, path, asked)
        batch = {"attempts": [{"event_id": "t6-b1", "student_id": asked,
                               "question_id": QUESTION, "correct": True}]}
        seen = call(live, "south", "POST", "/attempts/batch", json=batch)
        batch["attempts"][0]["student_id"] = "t6-nowhere"
        nowhere = call(live, "south", "POST", "/attempts/batch", json=batch)
        assert shape(seen, asked) == shape(nowhere, "t6-nowhere")
    assert call(live, "north", "GET", "/students/t6-only-north").json()["name"] == "Only North"
    assert attempts(live, "north", "t6-only-north") == 0


def test_an_xapi_actor_is_resolved_inside_the_callers_tenant(live: Live) -> None:
    create(live, "north", "t6-x1")
    r = put_statement(live, "south", "south-names-north",
                      {"account": {"homePage": "https://lms.example", "name": "t6-x1"}})
    assert r.status_code == 204, r.text  # was 403 naming north's student
    assert attempts(live, "north", "t6-x1") == 0  # north's student got nothing
    assert attempts(live, "south", "t6-x1") == 1  # south's own, created by the statement
    assert call(live, "south", "GET", "/students/t6-x1").json()["tenant"] == "south"
    r = put_statement(live, "north", "north-names-own",
                      {"account": {"homePage": "https://lms.example", "name": "t6-x1"}})
    assert r.status_code == 204, r.text
    assert (attempts(live, "north", "t6-x1"), attempts(live, "south", "t6-x1")) == (1, 1)


def test_an_email_is_resolved_inside_the_callers_tenant(live: Live) -> None:
    mia = create(live, "north", "t6-m1", email="mia@school.example")["id"]
    create(live, "south", "t6-m2", email="Mia@School.example")  # the same address, elsewhere
    create(live, "admin", "t6-m3", email="mia@school.example")  # and on no tenant
    for who, name in (("north", "north-mbox"), ("south", "south-mbox")):
        r = put_statement(live, who, name, {"mbox": "mailto:mia@school.example"})
        assert r.status_code == 204, (who, r.text)
    # Mia's own learning tool, signed in as her: her address names her, whoever else has it
    # (before, this failed "several students have this e-mail" once south registered it)
    live.tokens["mia"] = student_token(live, "t6-mia", mia)
    r = put_statement(live, "mia", "mia-own-mbox", {"mbox": "mailto:mia@school.example"})
    assert r.status_code == 204, r.text
    assert (attempts(live, "north", "t6-m1"), attempts(live, "south", "t6-m2"),
            attempts(live, "admin", "t6-m3")) == (2, 1, 0)
    # an address only another tenant holds is, for this one, an address nobody holds
    create(live, "north", "t6-m4", email="solo@north.example")
    seen = put_statement(live, "south", "south-mbox-solo", {"mbox": "mailto:solo@north.example"})
    nowhere = put_statement(live, "south", "south-mbox-none",
                            {"mbox": "mailto:nobody@nowhere.example"})
    assert seen.status_code == nowhere.status_code == 422
    assert {**seen.json(), "instance": ""} == {**nowhere.json(), "instance": ""}
    assert "t6-m4" not in seen.text


def test_stored_students_carry_their_tenant(live: Live) -> None:
    """The graph keeps one node per tenant's student, each with its tenant."""
    create(live, "north", "t6-g1")
    create(live, "south", "t6-g1")
    put_statement(live, "south", "south-new-g2",
                  {"account": {"homePage": "https://lms.example", "name": "t6-g2"}})
    put_statement(live, "north", "north-new-g2",
                  {"account": {"homePage": "https://lms.example", "name": "t6-g2"}})
    with store_for(Settings(var_dir=live.var_dir)) as store:
        rows = store.read("list_students", {
            "tenant": "", "tutor_id": "", "class_id": "", "min_mastery": None,
            "max_mastery": None, "active_since": None, "skip": 0, "limit": 100_000})[0]["page"]
    held = sorted((s["tenant"], s["id"]) for s in rows if s["id"].endswith(("t6-g1", "t6-g2")))
    assert [t for t, _ in held] == ["north", "north", "south", "south"]
    assert len({i for _, i in held}) == 4
