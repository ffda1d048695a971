"""Schemathesis against /openapi.json: generated requests to every operation, as an admin, on a
graph of its own (the fuzzer writes), and no request may make the server fail (5xx); responses
must match their documented schemas. A bounded run here; `bench/api_fuzz.py` runs more."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import replace

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
            case.call_and_validate(headers=admin_headers,
                                   checks=[not_a_server_error, response_schema_conformance])

        try:
            check()
        except Exception as e:  # collected, reported below
            failures[operation.label] = str(e)[:2000]
    assert not failures, "\n\n".join(f"{k}:\n{v}" for k, v in failures.items())
