"""LTI 1.3 end to end: the tests act as the platform (tests/lti_platform.py, real HTTP on
loopback, real RS256 id_tokens) and drive OIDC login -> launch -> score passback through the
kgtutor app with the Flask test client, which keeps the cookies a browser would."""

from __future__ import annotations

import base64
import json
import re
import time
from collections.abc import Iterator
from dataclasses import replace
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient

from api import create_app
from services import accounts
from services.settings import Settings
from tests.api.conftest import NOW
from tests.lti_platform import (
    CLAIM,
    INSTRUCTOR,
    LEARNER,
    MENTOR,
    SCOPE,
    Platform,
    pem,
    rsa_key,
)
from tutor.errors import DataFormatError
from tutor.ports import GraphStore

TENANT = "lti-east"
CLIENT_ID = "kgtutor-client-1"
DEPLOYMENT = "deployment-1"
JSON = {"Accept": "application/json"}


@pytest.fixture(scope="module")
def platform() -> Iterator[Platform]:
    p = Platform(CLIENT_ID, DEPLOYMENT).start()
    yield p
    p.stop()


@pytest.fixture(scope="module")
def lti_app(api_settings: Settings, api_store: GraphStore, lms_clients: Any,
            platform: Platform, tmp_path_factory: pytest.TempPathFactory) -> Flask:
    folder = tmp_path_factory.mktemp("lti")
    (folder / "tool.pem").write_text(pem(rsa_key()))
    config = {platform.issuer: [platform.registration(TENANT, "tool.pem")]}
    (folder / "lti.json").write_text(json.dumps(config))
    app = create_app(replace(api_settings, lti_config=folder / "lti.json"), store=api_store)
    platform.tool_jwks = app.test_client().get("/lti/jwks").json  # what an admin registers
    return app


@pytest.fixture
def c(lti_app: Flask) -> FlaskClient:
    """A browser of its own: a fresh cookie jar per test."""
    return lti_app.test_client()


def login(c: FlaskClient, platform: Platform) -> dict[str, str]:
    """The platform's OIDC login initiation; returns the tool's authorisation request."""
    r = c.post("/lti/login", data={
        "iss": platform.issuer, "login_hint": "hint-1", "client_id": CLIENT_ID,
        "target_link_uri": "http://localhost/lti/launch", "lti_deployment_id": DEPLOYMENT})
    assert r.status_code == 302, r.data
    location = urlsplit(r.headers["Location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == platform.issuer + "/auth"
    return dict(parse_qsl(location.query))


def launch(c: FlaskClient, platform: Platform, sub: str, roles: list[str],
           headers: dict[str, str] = JSON, **claims: Any) -> Any:
    auth = login(c, platform)
    token = platform.id_token(auth["nonce"], sub, roles, **claims)
    return c.post("/lti/launch", data={"id_token": token, "state": auth["state"]},
                  headers=headers)


def bearer(launched: Any) -> dict[str, str]:
    return {"Authorization": f"Bearer {launched.json['access_token']}"}


def problem(r: Any, status: int) -> dict[str, Any]:
    assert r.status_code == status, (r.status_code, r.data)
    assert r.mimetype == "application/problem+json"
    return r.json


def kg(part: str) -> str:
    return f"lti:{TENANT}:{part}"


def exists(store: GraphStore, student: str = "", class_: str = "") -> bool:
    return bool(store.read("student_exists", {"student_id": kg(student)})
                or store.read("class_exists", {"class_id": kg(class_)}))


def practise(store: GraphStore, student_id: str, answers: list[bool], ts: int) -> None:
    questions = [q["id"] for q in store.read("rec_questions", {"dataset": "seed"})]
    store.write("create_attempts", {"rows": [
        {"event_id": f"{student_id}-{ts}-{i}", "student_id": student_id,
         "question_id": questions[i], "correct": ok, "ts": ts + i, "seq": i,
         "duration_s": 5.0, "source": "test"} for i, ok in enumerate(answers)]})


def now_ms() -> int:
    return time.time_ns() // 1_000_000


# --- configuration, key set, login -------------------------------------------------------

def test_lti_endpoints_answer_404_when_lti_is_off(client: FlaskClient, as_: Any) -> None:
    assert problem(client.get("/lti/jwks"), 404)["detail"] == "LTI is not configured"
    problem(client.get("/lti/login", query_string={"iss": "x", "login_hint": "y"}), 404)
    problem(as_("admin").post("/students/alg-st-amara/lti/score", json={}), 404)


def test_a_registration_without_tenant_stops_the_app(
        api_settings: Settings, api_store: GraphStore, platform: Platform,
        tmp_path_factory: pytest.TempPathFactory) -> None:
    folder = tmp_path_factory.mktemp("lti-bad")
    (folder / "tool.pem").write_text(pem(rsa_key()))
    entry = {k: v for k, v in platform.registration("x", "tool.pem").items() if k != "tenant"}
    (folder / "lti.json").write_text(json.dumps({platform.issuer: [entry]}))
    with pytest.raises(DataFormatError, match="needs a \"tenant\""):
        create_app(replace(api_settings, lti_config=folder / "lti.json"), store=api_store)


def test_jwks_publishes_the_public_half_of_the_configured_key(c: FlaskClient) -> None:
    keys = c.get("/lti/jwks").json["keys"]
    assert len(keys) == 1
    assert keys[0]["kty"] == "RSA" and keys[0]["alg"] == "RS256" and keys[0]["kid"]
    assert "d" not in keys[0] and "p" not in keys[0]  # no private parts


def test_login_redirects_to_the_platform_with_state_and_nonce(
        c: FlaskClient, platform: Platform) -> None:
    auth = login(c, platform)
    assert auth["client_id"] == CLIENT_ID and auth["login_hint"] == "hint-1"
    assert auth["redirect_uri"] == "http://localhost/lti/launch"
    assert (auth["scope"], auth["response_type"], auth["response_mode"], auth["prompt"]) == (
        "openid", "id_token", "form_post", "none")
    assert auth["state"].startswith("state-") and len(auth["nonce"]) >= 32
    assert c.get_cookie("lti1p3-" + auth["state"]).value == auth["state"]
    assert c.get_cookie("lti1p3-session-id") is not None
    r = c.get("/lti/login", query_string={"iss": platform.issuer, "login_hint": "h"})
    assert r.status_code == 302 and "nonce=" in r.headers["Location"]


def test_login_refuses_unknown_issuers_and_missing_hints(c: FlaskClient,
                                                         platform: Platform) -> None:
    r = c.post("/lti/login", data={"iss": "https://lms.invalid", "login_hint": "h"})
    assert "LTI login refused" in problem(r, 400)["detail"]
    problem(c.post("/lti/login", data={"iss": platform.issuer}), 422)


# --- launches ----------------------------------------------------------------------------

def test_learner_launch_maps_to_a_student_of_the_context_class(
        c: FlaskClient, platform: Platform) -> None:
    r = launch(c, platform, "learner-1", [LEARNER], context="course-1")
    assert r.status_code == 200, r.json
    assert r.headers["Cache-Control"] == "no-store"
    body = r.json
    assert (body["role"], body["student_id"], body["tenant"], body["class_id"]) == (
        "student", kg("learner-1"), TENANT, kg("course-1"))
    assert body["links"]["recommendations"] == f"/students/{kg('learner-1')}/recommendations"
    me = c.get(f"/students/{kg('learner-1')}", headers=bearer(r)).json
    assert (me["name"], me["email"], me["tenant"], me["dataset"], me["classes"]) == (
        "User learner-1", "learner-1@lms.test", TENANT, "seed", [kg("course-1")])
    assert c.get("/auth/me", headers=bearer(r)).json["student_id"] == kg("learner-1")
    problem(c.get("/students/alg-st-amara", headers=bearer(r)), 403)  # not another student


def test_launch_page_carries_the_token_in_a_json_block(c: FlaskClient,
                                                       platform: Platform) -> None:
    r = launch(c, platform, "learner-html", [LEARNER], headers={},
               name="</script><script>alert(1)</script>")
    assert r.status_code == 200 and r.mimetype == "text/html"
    page = r.get_data(as_text=True)
    assert "<script>alert(1)" not in page  # escaped in text and in the JSON block
    block = re.search(r'id="kgtutor-launch">(.*?)</script>', page, re.S)
    assert block is not None
    data = json.loads(block.group(1))
    assert data["student_id"] == kg("learner-html")
    me = c.get("/auth/me", headers={"Authorization": f"Bearer {data['access_token']}"})
    assert me.json["role"] == "student"


def test_relaunch_changes_names_only(c: FlaskClient, platform: Platform,
                                     api_store: GraphStore) -> None:
    assert launch(c, platform, "learner-2", [LEARNER], context="course-2").status_code == 200
    before = api_store.read("get_student", {"student_id": kg("learner-2")})[0]
    r = launch(c, platform, "learner-2", [LEARNER], context="course-2", name="Renamed Two")
    assert r.status_code == 200
    after = api_store.read("get_student", {"student_id": kg("learner-2")})[0]
    assert after == {**before, "name": "Renamed Two"}


def test_instructor_launch_maps_to_the_tutor_of_the_context_class(
        c: FlaskClient, platform: Platform, api_store: GraphStore) -> None:
    assert launch(c, platform, "learner-3", [LEARNER], context="course-3").status_code == 200
    r = launch(c, platform, "teacher-3", [INSTRUCTOR], context="course-3")
    assert r.status_code == 200, r.json
    assert (r.json["role"], r.json["tutor_id"], r.json["class_id"]) == (
        "tutor", kg("teacher-3"), kg("course-3"))
    assert r.json["links"]["class_report"] == f"/classes/{kg('course-3')}/report"
    tutor = bearer(r)
    assert c.get(f"/students/{kg('learner-3')}", headers=tutor).status_code == 200
    listed = c.get("/students", headers=tutor, query_string={"class_id": kg("course-3")})
    assert [s["id"] for s in listed.json] == [kg("learner-3")]
    problem(c.get("/students/alg-st-amara", headers=tutor), 403)
    assert api_store.read("class_access", {"class_id": kg("course-3"),
                                           "tutor_id": kg("teacher-3")}) == [
        {"class_id": kg("course-3"), "tenant": TENANT, "taught": True}]


def test_the_tenants_lms_client_sees_lti_students_and_others_do_not(
        c: FlaskClient, platform: Platform, api_store: GraphStore,
        tokens: dict[str, str]) -> None:
    assert launch(c, platform, "learner-t", [LEARNER]).status_code == 200
    client_id, secret = accounts.add_client(api_store, "East LMS", TENANT, NOW)
    east = c.post("/auth/token", json={"client_id": client_id, "client_secret": secret})
    assert c.get(f"/students/{kg('learner-t')}", headers=bearer(east)).status_code == 200
    # another tenant's LMS cannot tell the student from one that does not exist
    problem(c.get(f"/students/{kg('learner-t')}",
                  headers={"Authorization": f"Bearer {tokens['north']}"}), 404)


def _tampered(token: str) -> str:
    head, body, sig = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    claims["sub"] = "bad-tampered-2"
    raw = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    return f"{head}.{raw}.{sig}"


REFUSED = {  # case -> (claims for Platform.id_token, what the refusal says)
    "wrong-issuer": ({"iss": "https://lms.invalid"}, "Registration not found"),
    "expired": ({"exp": int(time.time()) - 60, "iat": int(time.time()) - 400}, "expired"),
    "unknown-deployment": ({CLAIM + "deployment_id": "deployment-x"}, "deployment"),
    "foreign-key": ({"key": rsa_key()}, "Signature verification failed"),
    "no-exp": ({"exp": None}, "exp"),
    "mentor-role": ({"roles": [MENTOR]}, "Learner and Instructor"),
    "deep-link": ({CLAIM + "message_type": "LtiDeepLinkingRequest"}, "launch refused"),
}


@pytest.mark.parametrize("case", sorted(REFUSED))
def test_refused_launches_answer_403_and_create_nothing(
        case: str, c: FlaskClient, platform: Platform, api_store: GraphStore) -> None:
    claims, reason = REFUSED[case]
    claims = dict(claims)
    roles = claims.pop("roles", [LEARNER])
    auth = login(c, platform)
    token = platform.id_token(auth["nonce"], f"bad-{case}", roles, context=f"bad-{case}",
                              **claims)
    r = c.post("/lti/launch", data={"id_token": token, "state": auth["state"]}, headers=JSON)
    assert reason in problem(r, 403)["detail"]
    assert not exists(api_store, f"bad-{case}", f"bad-{case}")


def test_tampered_token_is_refused(c: FlaskClient, platform: Platform,
                                   api_store: GraphStore) -> None:
    auth = login(c, platform)
    token = _tampered(platform.id_token(auth["nonce"], "bad-tampered-1", [LEARNER],
                                        context="bad-tampered"))
    r = c.post("/lti/launch", data={"id_token": token, "state": auth["state"]})
    assert "Signature verification failed" in problem(r, 403)["detail"]
    assert not exists(api_store, "bad-tampered-2", "bad-tampered")
    assert not exists(api_store, "bad-tampered-1")


def test_replayed_nonce_and_missing_cookies_are_refused(
        c: FlaskClient, platform: Platform, lti_app: Flask, api_store: GraphStore) -> None:
    auth = login(c, platform)
    form = {"id_token": platform.id_token(auth["nonce"], "learner-8", [LEARNER]),
            "state": auth["state"]}
    assert c.post("/lti/launch", data=form, headers=JSON).status_code == 200
    assert "Invalid Nonce" in problem(c.post("/lti/launch", data=form), 403)["detail"]
    again = login(c, platform)  # a fresh login, but the id_token reuses the spent nonce
    reused = platform.id_token(auth["nonce"], "bad-replay", [LEARNER], context="bad-replay")
    r = c.post("/lti/launch", data={"id_token": reused, "state": again["state"]})
    assert "Invalid Nonce" in problem(r, 403)["detail"]
    fresh = platform.id_token(again["nonce"], "bad-cookieless", [LEARNER])
    r = lti_app.test_client().post("/lti/launch",
                                   data={"id_token": fresh, "state": again["state"]})
    problem(r, 403)  # another browser: no session or state cookie
    assert not exists(api_store, "bad-replay", "bad-replay")
    assert not exists(api_store, "bad-cookieless")


def test_unknown_dataset_in_the_custom_claim_is_refused(
        c: FlaskClient, platform: Platform, api_store: GraphStore) -> None:
    r = launch(c, platform, "bad-dataset", [LEARNER], context="bad-dataset",
               **{CLAIM + "custom": {"dataset": "no-such-dataset"}})
    assert "no-such-dataset" in problem(r, 422)["detail"]
    assert not exists(api_store, "bad-dataset", "bad-dataset")


# --- score passback ----------------------------------------------------------------------

def test_score_passback_reaches_the_platform_gradebook(
        c: FlaskClient, platform: Platform, api_store: GraphStore,
        tokens: dict[str, str]) -> None:
    r = launch(c, platform, "learner-4", [LEARNER], link="link-4", ags=platform.ags("4"))
    assert r.status_code == 200
    practise(api_store, kg("learner-4"), [True, False, True], now_ms())
    practise(api_store, kg("learner-4"), [False], 1)  # before the launch: not counted
    sent = c.post(r.json["links"]["score"], json={}, headers=bearer(r))
    assert sent.status_code == 200, sent.json
    assert (sent.json["answers"], sent.json["correct"], sent.json["score_given"]) == (3, 2,
                                                                                      66.67)
    got = platform.scores[-1]
    assert got["token_ok"] and got["lineitem"] == platform.issuer + "/lineitems/4"
    assert got["content_type"] == "application/vnd.ims.lis.v1.score+json"
    assert {k: got["body"][k] for k in ("userId", "scoreGiven", "scoreMaximum",
                                        "activityProgress", "gradingProgress")} == {
        "userId": "learner-4", "scoreGiven": 66.67, "scoreMaximum": 100.0,
        "activityProgress": "InProgress", "gradingProgress": "FullyGraded"}
    assert got["body"]["timestamp"] == sent.json["timestamp"]
    url = f"/students/{kg('learner-4')}/lti/score"
    problem(c.post(url, json={}, headers={"Authorization": f"Bearer {tokens['amara']}"}), 403)
    problem(c.post(url, json={}, headers={"Authorization": f"Bearer {tokens['north']}"}), 404)
    assert c.post(url, json={"resource_link_id": "link-4"},
                  headers={"Authorization": f"Bearer {tokens['admin']}"}).status_code == 200


def test_the_class_tutor_may_send_a_learners_score(c: FlaskClient,
                                                   platform: Platform) -> None:
    learner = launch(c, platform, "learner-9", [LEARNER], context="course-9",
                     ags=platform.ags("9"))
    teacher = launch(c, platform, "teacher-9", [INSTRUCTOR], context="course-9")
    r = c.post(learner.json["links"]["score"], json={}, headers=bearer(teacher))
    assert r.status_code == 200 and r.json["user_id"] == "learner-9"


def test_score_creates_the_line_item_when_the_launch_has_none(
        c: FlaskClient, platform: Platform, api_store: GraphStore) -> None:
    r = launch(c, platform, "learner-5", [LEARNER], link="link-5", ags=platform.ags(None))
    practise(api_store, kg("learner-5"), [True], now_ms())
    first = c.post(r.json["links"]["score"], json={}, headers=bearer(r))
    assert first.status_code == 200, first.json
    items = [i for i in platform.lineitems if i["resourceLinkId"] == "link-5"]
    assert len(items) == 1 and items[0]["tag"] == "kgtutor:link-5"
    assert items[0]["scoreMaximum"] == 100 and first.json["lineitem"] == items[0]["id"]
    assert platform.scores[-1]["lineitem"] == items[0]["id"]
    assert c.post(r.json["links"]["score"], json={}, headers=bearer(r)).status_code == 200
    assert len([i for i in platform.lineitems if i["resourceLinkId"] == "link-5"]) == 1


def test_score_without_answers_reports_progress_only(c: FlaskClient,
                                                     platform: Platform) -> None:
    r = launch(c, platform, "learner-6", [LEARNER], ags=platform.ags("6"))
    sent = c.post(r.json["links"]["score"], headers=bearer(r))  # no body: the latest link
    assert sent.status_code == 200, sent.json
    assert sent.json["score_given"] is None and sent.json["answers"] == 0
    body = platform.scores[-1]["body"]
    assert "scoreGiven" not in body and body["activityProgress"] == "Initialized"
    assert body["gradingProgress"] == "NotReady"


def test_score_refusals(c: FlaskClient, platform: Platform, tokens: dict[str, str]) -> None:
    admin = {"Authorization": f"Bearer {tokens['admin']}"}
    assert "no LTI launch" in problem(
        c.post("/students/alg-st-amara/lti/score", json={}, headers=admin), 404)["detail"]
    r = launch(c, platform, "learner-7", [LEARNER], link="link-7a")
    problem(c.post(r.json["links"]["score"], json={}, headers=bearer(r)), 409)  # no AGS
    r = launch(c, platform, "learner-7", [LEARNER], link="link-7b",
               ags=platform.ags(None, scopes=[SCOPE + "score"]))
    problem(c.post(r.json["links"]["score"], json={}, headers=bearer(r)), 409)  # no lineitem
    r = launch(c, platform, "learner-7", [LEARNER], link="link-7c", ags=platform.ags("gone"))
    assert "HTTP 404" in problem(c.post(r.json["links"]["score"], json={},
                                        headers=bearer(r)), 502)["detail"]
    problem(c.post(r.json["links"]["score"], json={"resource_link_id": "link-7z"},
                   headers=bearer(r)), 404)


# --- audiences, azp and the nonce's order (issue 17) -------------------------------------

AUDIENCES = {  # case -> (claims, status, what the refusal says)
    "client-not-first-with-azp": ({"aud": ["https://other.example", CLIENT_ID],
                                   "azp": CLIENT_ID}, 200, ""),
    "client-alone-with-azp": ({"aud": [CLIENT_ID], "azp": CLIENT_ID}, 200, ""),
    "several-without-azp": ({"aud": ["https://other.example", CLIENT_ID]}, 403,
                            "several audiences"),
    "foreign-azp": ({"azp": "https://other.example"}, 403, "not one of"),
    "foreign-azp-among-audiences": ({"aud": [CLIENT_ID, "https://other.example"],
                                     "azp": "https://other.example"}, 403,
                                    "Registration not found"),
}


@pytest.mark.parametrize("case", sorted(AUDIENCES))
def test_the_client_is_azp_or_the_one_audience(case: str, c: FlaskClient, platform: Platform,
                                               api_store: GraphStore) -> None:
    claims, status, reason = AUDIENCES[case]
    r = launch(c, platform, f"aud-{case}", [LEARNER], context=f"aud-{case}", **claims)
    if status == 200:
        assert r.status_code == 200, r.data
        assert exists(api_store, f"aud-{case}", f"aud-{case}")
    else:
        assert reason in problem(r, 403)["detail"]
        assert not exists(api_store, f"aud-{case}", f"aud-{case}")


@pytest.mark.parametrize("bad", ["forged", "expired"])
def test_a_bad_post_does_not_spend_the_logins_nonce(
        bad: str, c: FlaskClient, platform: Platform, api_store: GraphStore) -> None:
    auth = login(c, platform)
    claims: dict[str, Any] = ({"key": rsa_key()} if bad == "forged" else
                              {"exp": int(time.time()) - 60, "iat": int(time.time()) - 400})
    forged = platform.id_token(auth["nonce"], f"nonce-{bad}-x", [LEARNER], **claims)
    problem(c.post("/lti/launch", data={"id_token": forged, "state": auth["state"]}), 403)
    real = platform.id_token(auth["nonce"], f"nonce-{bad}", [LEARNER], context=f"n-{bad}")
    r = c.post("/lti/launch", data={"id_token": real, "state": auth["state"]}, headers=JSON)
    assert r.status_code == 200, r.data  # before: "Invalid Nonce"
    assert exists(api_store, f"nonce-{bad}", f"n-{bad}")
    assert "Invalid Nonce" in problem(c.post("/lti/launch", data={
        "id_token": real, "state": auth["state"]}), 403)["detail"]  # spent now


def test_a_test_launched_from_the_lms_sends_its_score_when_the_sitting_ends(
        c: FlaskClient, platform: Platform, api_store: GraphStore) -> None:
    """AGS for tests: a resource link whose custom parameter names a kgtutor test; the
    learner sits it and the score goes to the link's line item by itself, fully graded."""
    teacher = launch(c, platform, "teacher-t", [INSTRUCTOR], context="course-t")
    questions = [q["id"] for q in api_store.read("rec_questions", {"dataset": "seed"})][:2]
    made = c.post("/tests", headers=bearer(teacher), json={
        "title": "Unit quiz", "form": "fixed", "class_ids": [kg("course-t")],
        "question_ids": questions})
    assert made.status_code == 201, made.json
    tid = made.json["id"]
    assert c.post(f"/tests/{tid}/publish", headers=bearer(teacher)).status_code == 200
    bad = launch(c, platform, "learner-t", [LEARNER], context="course-t", link="link-bad",
                 **{CLAIM + "custom": {"test": "no-such-test"}})
    assert "no-such-test" in problem(bad, 422)["detail"]
    r = launch(c, platform, "learner-t", [LEARNER], context="course-t", link="link-t",
               ags=platform.ags("12"), **{CLAIM + "custom": {"test": tid}})
    assert r.status_code == 200, r.data
    me = f"/students/{kg('learner-t')}/tests/{tid}"
    assert r.json["links"]["test"] == me
    assert c.post(f"{me}/sittings", headers=bearer(r)).status_code == 201
    key = api_store.read("question_key", {"question_id": questions[0]})[0]["answer"]
    assert c.post(f"{me}/answers", headers=bearer(r), json={
        "question_id": questions[0], "answer": key}).status_code == 200
    sent_before = len(platform.scores)
    done = c.post(f"{me}/finish", headers=bearer(r))
    assert done.status_code == 200, done.json
    assert done.json["passback"] == "sent 50.0 of 100.0"
    assert len(platform.scores) == sent_before + 1
    got = platform.scores[-1]
    assert got["token_ok"] and got["lineitem"] == platform.issuer + "/lineitems/12"
    assert {k: got["body"][k] for k in ("userId", "scoreGiven", "scoreMaximum",
                                        "activityProgress", "gradingProgress")} == {
        "userId": "learner-t", "scoreGiven": 50.0, "scoreMaximum": 100.0,
        "activityProgress": "Completed", "gradingProgress": "FullyGraded"}
    again = c.post(f"{me}/finish", headers=bearer(r))  # a resent hand-in sends nothing twice
    assert again.status_code == 200 and again.json["passback"] is None
    assert len(platform.scores) == sent_before + 1
