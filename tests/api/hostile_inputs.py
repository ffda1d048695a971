"""Issue 17 defect 7's inputs, applied to schemathesis-generated requests: each mutation turns
a generated case into a request of a kind that once answered 500 with a traceback, so the
fuzz run covers them on every operation rather than on a hand-picked few."""

from __future__ import annotations

import json
import time
import uuid
from typing import Any
from urllib.parse import quote

import jwt
import schemathesis
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

DEEP = "[" * 1000 + "]" * 1000  # Python's parser recursed out at about 1,000 levels
SURROGATE, NUL = "a\ud800b", "a\x00b"
FORGED = {  # signed with the server's key, yet not a token the server issues
    "token-no-role": {"role": None},
    "token-unknown-role": {"role": "superuser"},
    "token-no-exp": {"exp": None},
    "token-no-jti": {"jti": None},
}
MUTATIONS = ("deep-json", "deep-json-unauthenticated", "surrogate-in-string",
             "nul-in-string", "nul-in-url", *FORGED)


def send(client: FlaskClient, case: schemathesis.Case, mutation: str,
         auth: dict[str, str], key: str) -> TestResponse:
    """Send ``case`` changed by ``mutation``, as the admin unless the mutation says not."""
    headers = dict(auth)
    if mutation in FORGED:
        headers["Authorization"] = f"Bearer {forge(key, FORGED[mutation])}"
    elif mutation == "deep-json-unauthenticated":
        headers = {}
    data: str | None = _json(case.body)
    if mutation.startswith("deep-json"):
        data = DEEP
    elif mutation in ("surrogate-in-string", "nul-in-string"):
        bad = SURROGATE if mutation == "surrogate-in-string" else NUL
        data = json.dumps(_taint(case.body, bad))  # ensure_ascii: "\ud800" travels escaped
    query = dict(case.query or {})
    path = case.formatted_path
    if mutation == "nul-in-url":
        path, query = _nul_in_url(case, query)
    return client.open(path, method=case.method, query_string=query, headers=headers,
                       data=data, content_type="application/json")


def forge(key: str, changes: dict[str, Any]) -> str:
    """An access token signed with ``key``; a None in ``changes`` removes that claim."""
    now = int(time.time())
    claims: dict[str, Any] = {"sub": "fuzzer", "role": "admin", "iat": now, "nbf": now,
                              "type": "access", "fresh": False, "jti": str(uuid.uuid4()),
                              "exp": now + 600}
    for name, value in changes.items():
        if value is None:
            del claims[name]
        else:
            claims[name] = value
    return jwt.encode(claims, key, algorithm="HS256")


def _json(body: Any) -> str | None:
    """The generated body as JSON text, or None when there is none or it is not JSON."""
    if body is None or isinstance(body, (bytes, bytearray)):
        return None
    try:
        return json.dumps(body)
    except (TypeError, ValueError):
        return None


def _taint(body: Any, bad: str) -> Any:
    """The body with its first string value replaced by ``bad`` (added when it has none)."""
    done = False

    def walk(value: Any) -> Any:
        nonlocal done
        if done:
            return value
        if isinstance(value, str):
            done = True
            return bad
        if isinstance(value, dict):
            return {k: walk(v) for k, v in value.items()}
        if isinstance(value, list):
            return [walk(v) for v in value]
        return value

    tainted = walk(body) if isinstance(body, (dict, list)) else None
    if done:
        return tainted
    return {**tainted, "name": bad} if isinstance(tainted, dict) else {"name": bad}


def _nul_in_url(case: schemathesis.Case, query: dict[str, Any]
                ) -> tuple[str, dict[str, Any]]:
    """NUL in every URL id, or in a query parameter where the path has none."""
    params = case.path_parameters or {}
    if not params:
        return case.formatted_path, {**query, "q": NUL}
    values = {k: quote(f"{v}\x00x", safe="") for k, v in params.items()}
    return case.path.format(**values), query
