"""Schemathesis against /openapi.json: generated requests to every operation, as an admin, on a
graph of its own (the fuzzer writes), and no request may make the server fail (5xx); responses
must match their documented schemas. Then the hostile inputs of issue 17 (defect 7) against
every operation: JSON nested 1,000 deep, lone surrogates and NUL in strings and URL ids, and
tokens signed with the server's key that lack a role, an expiry or an id. A bounded run here;
`bench/api_fuzz.py` runs more (``KGTUTOR_FUZZ_REPORT`` names a JSON file for its counts)."""

from __future__ import annotations

import json
import os
import re
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import jwt
import pytest
import schemathesis
from click.testing import CliRunner
from flask import Flask
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from api import create_app
from cli.common import store_for
from cli.main import main
from graph.accounts import find_user
from services import accounts
from services.settings import Settings
from tutor.access import Role

FUZZ_GRAPH = "fuzz"
PASSWORD = "fuzzing admin password"
EXAMPLES = int(os.environ.get("KGTUTOR_FUZZ_EXAMPLES", "6"))
SENT: Counter[str] = Counter()  # "generated" / "hostile" -> requests sent
STATUSES: Counter[int] = Counter()
DEEP = "[" * 1000 + "]" * 1000
HOSTILE_STRINGS = ('"a\\ud800b"', '"a\\u0000b"')  # as JSON text: a lone surrogate, a NUL
HOSTILE_IDS = ("x%00y", "x%ED%A0%80y", "%2e%2e", "x" * 300)


@pytest.fixture(scope="module")
def fuzz_app(api_settings: Settings) -> Iterator[Flask]:
    env = {"KGTUTOR_VAR": str(api_settings.var_dir), "KGTUTOR_GRAPH_NAME": FUZZ_GRAPH}
    assert CliRunner().invoke(main, ["graph", "seed"], env=env).exit_code == 0
    settings_ = replace(api_settings, graph_name=FUZZ_GRAPH, auth_rate_limit="100000 per hour")
    with store_for(settings_) as store:
        if find_user(store, "fuzzer") is None:
            accounts.add_user(store, "fuzzer", PASSWORD, Role.ADMIN, 0)
        yield create_app(settings_, store=store)


@pytest.fixture(scope="module")
def admin_headers(fuzz_app: Flask) -> dict[str, str]:
    r = fuzz_app.test_client().post("/auth/login", json={"username": "fuzzer",
                                                          "password": PASSWORD})
    return {"Authorization": f"Bearer {r.json['access_token']}"}


@pytest.fixture(scope="module")
def api_schema(fuzz_app: Flask) -> schemathesis.BaseSchema:
    # log-out would revoke the fuzzer's own token; the docs page and LTI messages are not JSON
    return (schemathesis.openapi.from_wsgi("/openapi.json", fuzz_app)
            .exclude(path_regex=r"^/(auth/(logout|refresh)|lti/)"))


def test_no_server_errors(api_schema: schemathesis.BaseSchema,
                          admin_headers: dict[str, str]) -> None:
    """Every operation in turn (schemathesis' pytest plugin does not run on pytest 9, so the
    operations are driven through Hypothesis here); all failures are reported together."""
    failures: dict[str, str] = {}
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) >= 10
    for operation in operations:
        @given(case=operation.as_strategy())
        @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
                  suppress_health_check=list(HealthCheck))
        def check(case: schemathesis.Case) -> None:
            response = case.call_and_validate(
                headers=admin_headers, checks=[not_a_server_error, response_schema_conformance])
            SENT["generated"] += 1
            STATUSES[response.status_code] += 1

        try:
            check()
        except Exception as e:  # collected, reported below
            failures[operation.label] = str(e)[:2000]
    assert not failures, "\n\n".join(f"{k}:\n{v}" for k, v in failures.items())


def test_hostile_inputs_on_every_operation(fuzz_app: Flask, api_schema: schemathesis.BaseSchema,
                                           admin_headers: dict[str, str]) -> None:
    """No 5xx, and a problem+json, for each hostile input on each operation."""
    client = fuzz_app.test_client()
    secret = fuzz_app.config["JWT_SECRET_KEY"]
    now = int(time.time())
    claims = {"sub": "fuzzer", "role": "admin", "type": "access", "jti": "hostile",
              "iat": now, "nbf": now, "exp": now + 600}
    tokens = [jwt.encode({k: v for k, v in claims.items() if k != drop}, secret,
                         algorithm="HS256") for drop in ("role", "exp", "jti")]
    tokens.append(jwt.encode({**claims, "role": "root"}, secret, algorithm="HS256"))
    bad: list[str] = []
    for result in api_schema.get_all_operations():
        operation = result.ok()
        method, template = operation.method.upper(), operation.path
        params = re.findall(r"{(\w+)}", template)
        plain = re.sub(r"{\w+}", "alg-st-amara", template)
        requests_ = [(re.sub(r"{\w+}", hostile, template), {}, admin_headers)
                     for hostile in HOSTILE_IDS if params]
        if method in ("POST", "PUT", "PATCH"):
            json_headers = {**admin_headers, "Content-Type": "application/json"}
            requests_ += [(plain, {"data": DEEP}, json_headers)]
            requests_ += [(plain, {"data": f'{{"id": {t}, "name": {t}, "attempts": [{t}]}}'},
                           json_headers) for t in HOSTILE_STRINGS]
        requests_ += [(plain, {}, {"Authorization": f"Bearer {t}"}) for t in tokens]
        for path, body, headers in requests_:
            r = client.open(path, method=method, headers=headers, **body)
            SENT["hostile"] += 1
            STATUSES[r.status_code] += 1
            if r.status_code >= 500 or (r.status_code >= 400
                                        and r.mimetype != "application/problem+json"):
                bad.append(f"{method} {path[:80]} {str(body)[:40]}: {r.status_code}")
    assert not bad, "\n".join(bad[:30])


@pytest.fixture(scope="module", autouse=True)
def _report() -> Iterator[None]:
    """The counts for `bench/api_fuzz.py`."""
    yield
    path = os.environ.get("KGTUTOR_FUZZ_REPORT")
    if path:
        Path(path).write_text(json.dumps({"sent": dict(SENT), "statuses": {
            str(k): v for k, v in sorted(STATUSES.items())}}))
