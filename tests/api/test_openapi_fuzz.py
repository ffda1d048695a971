"""Schemathesis against /openapi.json: generated requests to every operation, as an admin, on a
graph of its own (the fuzzer writes), and no request may make the server fail (5xx); responses
must match their documented schemas. The same generated requests also go out changed into issue
17 defect 7's inputs (`hostile_inputs.py`). A bounded run here; `bench/api_fuzz.py` runs more
and reads the tally this module writes to ``KGTUTOR_FUZZ_REPORT``."""

from __future__ import annotations

import json
import os
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path

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
from tests.api import hostile_inputs as hostile
from tutor.access import Role

FUZZ_GRAPH = "fuzz"
PASSWORD = "fuzzing admin password"
EXAMPLES = int(os.environ.get("KGTUTOR_FUZZ_EXAMPLES", "6"))
REPORT = os.environ.get("KGTUTOR_FUZZ_REPORT", "")
HYPOTHESIS = {"deadline": None, "derandomize": True, "database": None,
              "suppress_health_check": list(HealthCheck)}


@dataclass
class Tally:
    """Every request sent, by kind (generated, or a defect-7 mutation) and status code."""

    statuses: Counter[tuple[str, int]] = field(default_factory=Counter)
    server_errors: list[str] = field(default_factory=list)

    def add(self, kind: str, label: str, status: int, body: str) -> None:
        self.statuses[kind, status] += 1
        if status >= 500:
            self.server_errors.append(f"{kind} {label}: {status} {body[:300]}")

    def write(self, path: Path) -> None:
        rows = [{"kind": k, "status": s, "count": n} for (k, s), n in sorted(self.statuses.items())]
        path.write_text(json.dumps({"examples": EXAMPLES, "statuses": rows,
                                    "server_errors": self.server_errors}, indent=1))


@pytest.fixture(scope="module")
def tally() -> Iterator[Tally]:
    counts = Tally()
    yield counts
    if REPORT:
        counts.write(Path(REPORT))


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


def operations_of(schema: schemathesis.BaseSchema) -> list[schemathesis.APIOperation]:
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 10
    return operations


def run_cases(operation: schemathesis.APIOperation, examples: int,
              send: Callable[[schemathesis.Case], None]) -> str | None:
    """Drive ``send`` with Hypothesis-generated cases of ``operation`` (schemathesis' pytest
    plugin does not run on pytest 9); return the failure, if any."""
    @given(case=operation.as_strategy())
    @settings(max_examples=examples, **HYPOTHESIS)
    def check(case: schemathesis.Case) -> None:
        send(case)

    try:
        check()
    except Exception as e:  # collected by the caller, reported together
        return str(e)[:2000]
    return None


def test_no_server_errors(api_schema: schemathesis.BaseSchema, admin_headers: dict[str, str],
                          tally: Tally) -> None:
    """Every operation in turn; all failures are reported together."""
    def send(case: schemathesis.Case) -> None:
        response = case.call(headers=admin_headers)
        tally.add("generated", case.operation.label, response.status_code, response.text)
        case.validate_response(response, headers=admin_headers,
                               checks=[not_a_server_error, response_schema_conformance])

    failures = {op.label: run_cases(op, EXAMPLES, send) for op in operations_of(api_schema)}
    failed = {label: error for label, error in failures.items() if error}
    assert not failed, "\n\n".join(f"{k}:\n{v}" for k, v in failed.items())


def test_defect_7_inputs_are_no_server_errors(api_schema: schemathesis.BaseSchema,
                                              admin_headers: dict[str, str], fuzz_app: Flask,
                                              tally: Tally) -> None:
    """Generated cases of every operation, each changed into every defect-7 input: JSON nested
    1,000 deep (with and without a token), a lone surrogate or NUL in a string, NUL in a URL
    id, a key-signed token without role, exp or jti or with an unknown role."""
    client, key = fuzz_app.test_client(), fuzz_app.config["JWT_SECRET_KEY"]

    def send(mutation: str, case: schemathesis.Case) -> None:
        r = hostile.send(client, case, mutation, admin_headers, key)
        tally.add(mutation, case.operation.label, r.status_code, r.get_data(as_text=True))
        assert r.status_code < 500, r.get_data(as_text=True)[:500]

    per_mutation = max(1, EXAMPLES // len(hostile.MUTATIONS))
    failures = [f"{op.label} {m}: {error}" for op in operations_of(api_schema)
                for m in hostile.MUTATIONS
                if (error := run_cases(op, per_mutation, partial(send, m)))]
    assert not failures, "\n\n".join(failures)
