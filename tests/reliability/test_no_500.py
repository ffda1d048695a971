"""Issue 17, defect 7: inputs that answered 500 with a traceback now get a 400/401/422
problem+json naming the problem, on a live server. Before the fix: JSON nested 1,000 deep
(even unauthenticated, on /auth/login), a lone surrogate, NUL in a URL id or a string field,
and a token signed with the server's key but with no or an unknown role."""

from __future__ import annotations

import json
import socket
import time
import uuid

import jwt
import pytest
import requests

from tests.reliability.conftest import Live

JSON = {"Content-Type": "application/json"}
DEEP = "[" * 1000 + "]" * 1000
NUL_URLS = ["/students/alg-st-amara%00x", "/students/alg-st-amara%00x/recommendations",
            "/students/alg-st-amara%00x/attempts", "/students/alg-st-amara%00x/mastery",
            "/students/alg-st-amara%00x/learning-path", "/students/alg-st-amara%00x/affect",
            "/kps/alg-kp%00x", "/chapters/alg-ch%00x", "/questions/alg-q%00x",
            "/classes/9A%00x/report", "/students?name=a%00b", "/maps/alg%00x"]


def is_problem(r: requests.Response, *statuses: int) -> bool:
    return (r.status_code in statuses
            and r.headers.get("Content-Type", "").startswith("application/problem+json"))


@pytest.mark.parametrize("path", ["/auth/login", "/attempts/batch", "/students",
                                  "/xapi/statements"])
def test_deeply_nested_json_is_a_400(live: Live, path: str) -> None:
    headers = JSON if path == "/auth/login" else {**JSON, **live.headers()}
    r = requests.post(live.url + path, data=DEEP, headers=headers, timeout=30)
    assert is_problem(r, 400), (r.status_code, r.text)
    assert "nests" in r.json()["detail"]
    body = '{"attempts": ' + "[" * 200 + "]" * 200 + "}"
    r = requests.post(live.url + "/attempts/batch", data=body, headers={**JSON, **live.headers()},
                      timeout=30)
    assert is_problem(r, 400), r.text


@pytest.mark.parametrize("text", ['"a\\ud800b"', '"a\\u0000b"'])
def test_lone_surrogates_and_nul_in_strings_are_a_422(live: Live, text: str) -> None:
    for path, template in [("/students", '{"id": "s-bad", "name": %s}'),
                           ("/auth/login", '{"username": %s, "password": "x"}'),
                           ("/attempts/batch", '{"attempts": [{"event_id": %s, "student_id": '
                                               '"alg-st-amara", "question_id": "q", '
                                               '"correct": true}]}')]:
        headers = JSON if path == "/auth/login" else {**JSON, **live.headers()}
        r = requests.post(live.url + path, data=template % text, headers=headers, timeout=30)
        assert is_problem(r, 422), (path, r.status_code, r.text)


@pytest.mark.parametrize("url", NUL_URLS)
def test_nul_in_a_url_is_a_400(live: Live, url: str) -> None:
    r = requests.get(live.url + url, headers=live.headers(), timeout=30)
    assert is_problem(r, 400), (r.status_code, r.text)


@pytest.mark.parametrize("claims", [
    {"sub": "admin"},  # no role
    {"sub": "admin", "role": "superuser"},  # unknown role
    {"sub": "admin", "role": "admin", "no_jti": True},
    {"sub": "admin", "role": "admin", "no_exp": True},
])
def test_a_signed_token_without_role_jti_or_exp_is_a_401(live: Live, claims: dict) -> None:
    key = (live.var_dir / "secrets" / "jwt.key").read_text().strip()
    now = int(time.time())
    payload = {"iat": now, "nbf": now, "type": "access", "fresh": False,
               "jti": str(uuid.uuid4()), "exp": now + 600, **claims}
    for flag, name in (("no_jti", "jti"), ("no_exp", "exp")):
        if payload.pop(flag, False):
            del payload[name]
    token = jwt.encode(payload, key, algorithm="HS256")
    r = requests.get(live.url + "/students", headers={"Authorization": f"Bearer {token}"},
                     timeout=30)
    assert is_problem(r, 401), (r.status_code, r.text)


def _raw(live: Live, request: bytes) -> tuple[str, dict[str, str], str]:
    """Send bytes to the live server as they are; its status line, headers and body."""
    host, port = live.url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=30) as s:
        s.sendall(request)
        data = b""
        while chunk := s.recv(65536):
            data += chunk
    head, _, body = data.decode("utf-8", "replace").partition("\r\n\r\n")
    status, *lines = head.split("\r\n")
    return status, {k.lower(): v for k, v in (x.split(": ", 1) for x in lines)}, body


@pytest.mark.parametrize(("name", "request_bytes", "detail"), [
    ("chunk size", b"POST /auth/login HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n"
                   b"Content-Type: application/json\r\n\r\nZZ\r\nabc\r\n0\r\n\r\n",
     "Invalid chunk size"),
    ("content length", b"GET /health HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n",
     "CONTENT-LENGTH"),
])
def test_broken_framing_is_a_problem_too(live: Live, name: str, request_bytes: bytes,
                                         detail: str) -> None:
    """The server refuses the header itself, the app the chunk it cannot decode while reading
    the body (``api.input_guard``); before the fix the server's answers were text/plain or
    HTML, and a bad chunk under gunicorn a 500."""
    status, headers, body = _raw(live, request_bytes)
    assert status.upper() == "HTTP/1.1 400 BAD REQUEST", name
    assert headers["content-type"] == "application/problem+json"
    problem = json.loads(body)
    assert {k: problem[k] for k in ("type", "title", "status")} == {
        "type": "https://kgtutor.dev/problems/bad-request", "title": "Bad Request", "status": 400}
    assert detail in problem["detail"]


def test_a_double_slash_path_is_routed_or_a_problem(live: Live) -> None:
    r = requests.get(live.url + "//students/alg-st-amara", headers=live.headers(), timeout=30)
    assert r.status_code == 200 and r.json()["id"] == "alg-st-amara"
    assert is_problem(requests.get(live.url + "//nowhere//", timeout=30), 404)
    inner = requests.get(live.url + "/students//alg-st-amara", headers=live.headers(),
                         timeout=30, allow_redirects=False)
    assert is_problem(inner, 404)  # was werkzeug's 308 redirect with an HTML body
