"""Authentication and authorisation rules of the API, each proven over HTTP."""

from __future__ import annotations

import base64
import json
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from typing import Any

import jwt
import pytest
from click.testing import CliRunner
from flask import Flask
from flask.testing import FlaskClient

from api import create_app
from api.gate import CATALOGUE_URL_IDS, CHECKED_URL_IDS
from cli.main import main
from services import accounts as account_service
from services.settings import Settings
from tests.api.conftest import PASSWORD
from tutor.access import Role
from tutor.ports import GraphStore


def _problem(r: Any, status: int) -> dict[str, Any]:
    assert r.status_code == status, (r.status_code, r.data[:300])
    assert r.mimetype == "application/problem+json"
    body = r.json
    assert body["status"] == status and body["title"] and body["detail"] and body["type"]
    return body


def _login(client: FlaskClient, name: str) -> dict[str, Any]:
    r = client.post("/auth/login", json={"username": name, "password": PASSWORD})
    assert r.status_code == 200, r.json
    return r.json


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_login_gives_tokens_and_me_says_who(client: FlaskClient) -> None:
    tokens = _login(client, "hpark")
    assert tokens["role"] == "tutor" and tokens["token_type"] == "Bearer"
    me = client.get("/auth/me", headers=_bearer(tokens["access_token"])).json
    assert me == {"subject": "hpark", "role": "tutor", "student_id": "",
                  "tutor_id": "alg-tutor-hpark", "tenant": ""}


@pytest.mark.parametrize("body", [{"username": "hpark", "password": "wrong password"},
                                  {"username": "nobody", "password": PASSWORD}])
def test_wrong_credentials_are_401(client: FlaskClient, body: dict[str, str]) -> None:
    assert "wrong username or password" in _problem(client.post("/auth/login", json=body),
                                                    401)["detail"]


def test_lms_client_credentials(client: FlaskClient, lms_clients: Any) -> None:
    cid, secret = lms_clients.north
    r = client.post("/auth/token", json={"client_id": cid, "client_secret": secret})
    me = client.get("/auth/me", headers=_bearer(r.json["access_token"])).json
    assert me["role"] == "lms" and me["tenant"] == "north"
    _problem(client.post("/auth/token", json={"client_id": cid, "client_secret": "x" * 40}), 401)


def _forge(app: Flask, claims: dict[str, Any], key: str | None = None,
           alg: str = "HS256") -> str:
    now = int(time.time())
    payload = {"sub": "admin", "role": "admin", "type": "access", "jti": f"forged-{now}",
               "iat": now, "nbf": now, "exp": now + 600, "fresh": False, **claims}
    return jwt.encode(payload, key or app.config["JWT_SECRET_KEY"], algorithm=alg)


def _unsigned(claims: dict[str, Any]) -> str:
    def part(obj: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(obj).encode()).rstrip(b"=").decode()
    now = int(time.time())
    return part({"alg": "none", "typ": "JWT"}) + "." + part(
        {"sub": "admin", "role": "admin", "type": "access", "jti": "none-1", "iat": now,
         "nbf": now, "exp": now + 600, **claims}) + "."


def test_bad_tokens_are_401(app: Flask, client: FlaskClient, tokens: dict[str, str]) -> None:
    good = _forge(app, {})
    assert client.get("/students", headers=_bearer(good)).status_code == 200  # the forge works
    header, payload, signature = tokens["amara"].split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=="))
    claims["role"], claims["student_id"] = "admin", ""
    tampered = ".".join([header, base64.urlsafe_b64encode(json.dumps(claims).encode())
                         .rstrip(b"=").decode(), signature])
    cases = {
        "tampered": tampered,
        "wrong key": _forge(app, {}, key="not the server's key, long enough for HS256 use"),
        "alg none": _unsigned({}),
        "expired": _forge(app, {"exp": int(time.time()) - 10}),
        "garbage": "not-a-token",
        "refresh as access": _login(client, "admin")["refresh_token"],
    }
    for name, token in cases.items():
        body = _problem(client.get("/students", headers=_bearer(token)), 401)
        assert body["instance"] == "/students", name
    _problem(client.get("/students"), 401)  # no token at all
    _problem(client.post("/auth/refresh", headers=_bearer(tokens["admin"])), 401)  # access


def test_refresh_and_logout_revoke(client: FlaskClient) -> None:
    tokens = _login(client, "ben")
    r = client.post("/auth/refresh", headers=_bearer(tokens["refresh_token"]))
    fresh, rotated = r.json["access_token"], r.json["refresh_token"]
    assert rotated != tokens["refresh_token"]
    assert client.get("/students/alg-st-ben", headers=_bearer(fresh)).status_code == 200
    # a refresh token works once: the used one is refused, the rotated one works
    _problem(client.post("/auth/refresh", headers=_bearer(tokens["refresh_token"])), 401)
    again = client.post("/auth/refresh", headers=_bearer(rotated))
    assert again.status_code == 200
    r = client.post("/auth/logout", headers=_bearer(again.json["access_token"]))
    assert r.json == {"revoked": 2}  # the access token and the refresh token issued with it
    assert "revoked" in _problem(client.get("/students/alg-st-ben", headers=_bearer(
        again.json["access_token"])), 401)["detail"]
    _problem(client.post("/auth/refresh", headers=_bearer(again.json["refresh_token"])), 401)
    other = _login(client, "amara")
    r = client.post("/auth/logout", headers=_bearer(tokens["access_token"]),
                    json={"refresh_token": other["refresh_token"]})
    _problem(r, 401)  # nobody revokes someone else's token


def test_one_refresh_token_refreshes_once_even_at_the_same_moment(app: Flask) -> None:
    tokens = _login(app.test_client(), "ben")
    barrier = threading.Barrier(6)

    def refresh(_: int) -> int:
        barrier.wait()  # every thread sends at once: the graph's MERGE picks one
        return app.test_client().post("/auth/refresh", headers=_bearer(
            tokens["refresh_token"])).status_code

    with ThreadPoolExecutor(6) as pool:
        statuses = sorted(pool.map(refresh, range(6)))
    assert statuses == [200, 401, 401, 401, 401, 401]


def test_logging_out_with_the_access_token_ends_its_refresh_token(client: FlaskClient) -> None:
    tokens = _login(client, "hpark")
    r = client.post("/auth/logout", headers=_bearer(tokens["access_token"]))
    assert r.status_code == 200 and r.json == {"revoked": 2}
    _problem(client.post("/auth/refresh", headers=_bearer(tokens["refresh_token"])), 401)


def test_a_disabled_account_loses_every_token_and_cannot_log_in(
        client: FlaskClient, api_settings: Settings, api_store: GraphStore) -> None:
    account_service.add_user(api_store, "dora-disabled", PASSWORD, Role.ADMIN, 0)
    tokens = _login(client, "dora-disabled")
    assert client.get("/students", headers=_bearer(tokens["access_token"])).status_code == 200
    env = {"KGTUTOR_VAR": str(api_settings.var_dir), "KGTUTOR_GRAPH_NAME":
           api_settings.graph_name}
    out = CliRunner().invoke(main, ["users", "disable", "dora-disabled"], env=env)
    assert out.exit_code == 0 and "revoked" in out.output, out.output
    _problem(client.get("/students", headers=_bearer(tokens["access_token"])), 401)
    # a URL naming a student asks the same question in the gate's one round trip
    _problem(client.get("/students/alg-st-ben", headers=_bearer(tokens["access_token"])), 401)
    _problem(client.post("/auth/refresh", headers=_bearer(tokens["refresh_token"])), 401)
    body = _problem(client.post("/auth/login", json={"username": "dora-disabled",
                                                     "password": PASSWORD}), 403)
    assert body["detail"] == "this account is disabled"
    assert "wrong username" in _problem(client.post("/auth/login", json={
        "username": "dora-disabled", "password": "not the password"}), 401)["detail"]
    out = CliRunner().invoke(main, ["users", "enable", "dora-disabled"], env=env)
    assert out.exit_code == 0, out.output
    _problem(client.get("/students", headers=_bearer(tokens["access_token"])), 401)  # still
    assert client.get("/students", headers=_bearer(_login(client, "dora-disabled")[
        "access_token"])).status_code == 200
    missing = CliRunner().invoke(main, ["users", "disable", "nobody-at-all"], env=env)
    assert missing.exit_code == 1 and "no user 'nobody-at-all'" in missing.output


@pytest.mark.parametrize(("who", "url", "status"), [
    ("amara", "/students/alg-st-amara", 200),
    ("amara", "/students/alg-st-ben", 403),  # student A cannot read B
    ("amara", "/students", 403),  # nor list students
    ("hpark", "/students/alg-st-amara", 200),  # 9A is hpark's
    ("trivera", "/students/alg-st-amara", 403),  # trivera teaches the evening group only
    ("trivera", "/students/alg-st-emma", 200),
    ("north", "/students/alg-st-amara", 404),  # an LMS sees its tenant only: no such student
    ("admin", "/students/alg-st-amara", 200),
    ("admin", "/students/nobody-here", 404),
])
def test_object_level_access(as_: Callable[..., Any], who: str, url: str, status: int) -> None:
    r = as_(who).get(url)
    assert r.status_code == status, r.json
    if status >= 400:
        _problem(r, status)


def test_tutor_lists_only_own_classes(as_: Callable[..., Any]) -> None:
    ids = {s["id"] for s in as_("trivera").get("/students?page_size=100").json}
    evening = {s["id"] for s in as_("admin").get(
        "/students?page_size=100&class_id=alg-class-evening").json}
    assert ids == evening and {"alg-st-ben", "alg-st-emma", "alg-st-grace"} <= ids
    assert "alg-st-amara" not in ids
    _problem(as_("trivera").get("/students?class_id=alg-class-9a"), 403)
    evening = {s["id"] for s in as_("trivera").get("/students?class_id=alg-class-evening").json}
    assert evening == ids


def test_lms_tenants_are_apart(as_: Callable[..., Any]) -> None:
    r = as_("north").post("/students", json={"id": "north-auth-1", "name": "N One"})
    assert r.status_code == 201 and r.json["tenant"] == "north"
    stored = r.json["id"]  # in north's namespace (docs/api.md, "Tenants")
    for asked in ("north-auth-1", stored):  # another tenant's student is no student to south
        _problem(as_("south").get(f"/students/{asked}"), 404)
        _problem(as_("south").patch(f"/students/{asked}", json={"name": "stolen"}), 404)
    assert as_("north").get("/students/north-auth-1").json["name"] == "N One"
    south = as_("south").get("/students?page_size=100").json
    assert stored not in {s["id"] for s in south}
    assert all(s["tenant"] == "south" for s in south)
    assert stored in {s["id"] for s in as_("north").get("/students").json}
    _problem(as_("north").post("/students", json={"id": "north-auth-2",  # not its class
                                                  "class_ids": ["alg-class-9a"]}), 404)
    _problem(as_("north").get("/students/north-auth-2"), 404)  # the refused create wrote nothing


def test_every_url_id_is_gated(app: Flask) -> None:
    """Broken object-level authorisation by construction: every URL variable is either
    checked by the gate before the view, or names a public catalogue object."""
    allowed = set(CHECKED_URL_IDS) | set(CATALOGUE_URL_IDS) | {"filename"}
    for rule in app.url_map.iter_rules():
        assert set(rule.arguments) <= allowed, rule.rule


def test_every_endpoint_needs_a_token_unless_open(app: Flask, client: FlaskClient) -> None:
    open_ = {"/health", "/ready", "/auth/login", "/auth/token", "/auth/refresh",
             "/auth/logout", "/openapi.json", "/docs", "/xapi/about"}
    for rule in app.url_map.iter_rules():
        if (rule.endpoint in ("static", "swagger-ui.static") or rule.rule.startswith("/lti")
                or rule.endpoint.startswith("pages.")):
            continue
        url = rule.rule
        for arg in rule.arguments:
            url = url.replace(f"<{arg}>", "alg-st-amara").replace(f"<path:{arg}>", "x")
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            r = client.open(url, method=method)
            if rule.rule in open_:
                assert r.status_code != 401 or rule.rule in ("/auth/refresh", "/auth/logout")
            else:
                assert r.status_code == 401, (method, rule.rule, r.status_code)


def test_rate_limit_answers_429(api_settings: Settings, api_store: GraphStore) -> None:
    app = create_app(replace(api_settings, auth_rate_limit="2 per minute"), store=api_store)
    c = app.test_client()
    for _ in range(2):
        c.post("/auth/login", json={"username": "admin", "password": "wrong password"})
    r = c.post("/auth/login", json={"username": "admin", "password": PASSWORD})
    assert "rate limit" in _problem(r, 429)["detail"]
    assert int(r.headers["Retry-After"]) > 0


def test_rate_limit_headers_count_down(api_settings: Settings, api_store: GraphStore) -> None:
    """Callers see their budget: the limit, what is left of it, and when it refills."""
    app = create_app(replace(api_settings, auth_rate_limit="5 per minute"), store=api_store)
    c = app.test_client()
    seen = [c.post("/auth/login", json={"username": "nobody-here", "password": "wrong"})
            for _ in range(3)]  # no account: the limit alone, no account's back-off
    assert [r.headers["X-RateLimit-Limit"] for r in seen] == ["5"] * 3
    assert [r.headers["X-RateLimit-Remaining"] for r in seen] == ["4", "3", "2"]
    assert all(int(r.headers["X-RateLimit-Reset"]) > time.time() for r in seen)


def test_a_locked_account_is_told_its_own_wait(api_settings: Settings,
                                               api_store: GraphStore) -> None:
    """The back-off's wait, not flask-limiter's rewrite of it: that rounds down to whole
    seconds from now to its window's reset or the wait, so a 1-s lock was "Retry-After: 0"
    (or the per-address window's reset, far longer than the lock)."""
    now = 1_800_000_000_123  # the app's clock: the lock's wait is exactly 1 s
    account_service.add_user(api_store, "lena-locked", PASSWORD, Role.ADMIN, 0)
    c = create_app(api_settings, store=api_store, clock=lambda: now).test_client()
    wrong = {"username": "lena-locked", "password": "wrong password"}
    assert [c.post("/auth/login", json=wrong).status_code for _ in range(6)] == [401] * 6
    r = c.post("/auth/login", json={"username": "lena-locked", "password": PASSWORD})
    assert "try again in 1 s" in _problem(r, 429)["detail"]
    assert r.headers["Retry-After"] == "1"


def test_body_limit_answers_413(api_settings: Settings, api_store: GraphStore,
                                tokens: dict[str, str]) -> None:
    app = create_app(replace(api_settings, max_body_bytes=1024), store=api_store)
    r = app.test_client().post("/students", headers=_bearer(tokens["admin"]),
                               json={"id": "big-1", "name": "x" * 2000})
    _problem(r, 413)
    assert app.test_client().get("/students/big-1", headers=_bearer(tokens["admin"])
                                 ).status_code == 404


def test_malformed_and_invalid_bodies(as_: Callable[..., Any]) -> None:
    r = as_("admin").post("/students", data="{not json",
                          headers={"Content-Type": "application/json"})
    assert "not valid JSON" in _problem(r, 400)["detail"]
    body = _problem(as_("admin").post("/students", json={"id": "bad id/x", "email": "nope"}),
                    422)
    assert {e["field"] for e in body["errors"]} == {"id", "email"}
    assert "email" in body["detail"]
    _problem(as_("admin").delete("/students"), 405)


def test_housekeeping_forgets_expired_revocations(api_store: GraphStore) -> None:
    from graph import accounts
    from services.scheduler import housekeeping

    accounts.revoke(api_store, "old-jti", exp=1_000)
    accounts.revoke(api_store, "live-jti", exp=4_000_000_000)
    assert housekeeping(api_store, 2_000_000)["revoked_tokens"] >= 1
    assert not accounts.is_revoked(api_store, "old-jti")
    assert accounts.is_revoked(api_store, "live-jti")
