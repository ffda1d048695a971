"""The command line of the API: accounts, LMS clients, and `kgtutor serve` as a live server."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests
from click.testing import CliRunner, Result
from flask import Flask

from cli.main import main
from services.settings import Settings
from tests.live_server import serving


def run(settings: Settings, *args: str, stdin: str = "") -> Result:
    return CliRunner().invoke(main, list(args), input=stdin,
                              env={"KGTUTOR_VAR": str(settings.var_dir)})


def test_users_add_reads_the_password_from_stdin(api_settings: Settings) -> None:
    out = run(api_settings, "users", "add", "cli-tutor", "--role", "tutor", "--class-id",
              "alg-class-9a", stdin="a long enough password\n")
    assert out.exit_code == 0, out.output
    assert "created tutor cli-tutor" in out.output
    again = run(api_settings, "users", "add", "cli-tutor", "--role", "tutor",
                stdin="another quite long passphrase\n")
    assert again.exit_code == 1 and "taken" in again.output
    short = run(api_settings, "users", "add", "cli-x", "--role", "admin", stdin="short\n")
    assert short.exit_code == 1 and "at least 8" in short.output
    for weak in ("password123", "qwertyuiop", "cli-weak-2024"):  # common, a walk, the name
        out = run(api_settings, "users", "add", "cli-weak", "--role", "admin", stdin=weak + "\n")
        assert out.exit_code == 1 and "password: too easy to guess" in out.output, weak
        assert len(out.output.strip().splitlines()) == 1


def test_demo_accounts_get_distinct_passwords_kept_between_runs(api_settings: Settings,
                                                                lms_clients: object) -> None:
    """(The session's accounts come first, as when other tests ran before: the demo keeps
    accounts it finds, and they would refuse the session's own as taken.)"""
    out = run(api_settings, "users", "demo")
    assert out.exit_code == 0, out.output
    logins = dict(line.split()[:2] for line in out.output.splitlines()[1:])
    assert set(logins) == {"amara", "hpark", "admin"} and len(set(logins.values())) == 3
    assert run(api_settings, "users", "demo").output == out.output  # kept, not regenerated
    ghost = run(api_settings, "users", "add", "cli-s", "--role", "student", "--student-id",
                "nobody", stdin="a long enough password\n")
    assert ghost.exit_code == 1 and "no student 'nobody'" in ghost.output


def test_lms_add_client_prints_working_credentials(api_settings: Settings, app: Flask) -> None:
    out = run(api_settings, "lms", "add-client", "Moodle East", "--tenant", "east")
    assert out.exit_code == 0, out.output
    fields = dict(line.split(": ", 1) for line in out.output.strip().splitlines())
    r = app.test_client().post("/auth/token", json={"client_id": fields["client_id"],
                                                    "client_secret": fields["client_secret"]})
    assert r.status_code == 200 and r.json["role"] == "lms"


@pytest.fixture
def live(api_settings: Settings, tmp_path: Path) -> Iterator[str]:
    """`kgtutor serve` in its own process, on the tests' graph."""
    with serving(api_settings.var_dir, tmp_path / "serve.log", "--connections", "64") as url:
        yield url


def tutor_headers(url: str) -> dict[str, str]:
    """The demo tutor's bearer token, from a log-in at ``url``."""
    tokens = requests.post(url + "/auth/login", json={"username": "hpark",
                                                      "password": "correct horse battery"},
                           timeout=10).json()
    return {"Authorization": f"Bearer {tokens['access_token']}"}


def test_serve_runs_the_api_under_gunicorn(live: str, lms_clients: object) -> None:
    r = requests.get(live + "/ready", timeout=10)
    assert r.status_code == 200 and r.headers["Server"] == "kgtutor"
    headers = tutor_headers(live)
    r = requests.get(live + "/students/alg-st-amara", headers=headers, timeout=10)
    assert r.status_code == 200 and r.json()["id"] == "alg-st-amara"
    r = requests.post(live + "/students", data="{", headers={**headers, "Content-Type":
                                                            "application/json"}, timeout=10)
    assert r.status_code == 400 and r.headers["Content-Type"] == "application/problem+json"
    assert requests.get(live + "/openapi.json", timeout=10).json()["openapi"].startswith("3.")


def test_concurrent_requests_each_get_their_own_answer(live: str) -> None:
    """Each worker serves its requests as greenlets that share its pool of graph connections:
    of 48 requests at once, each on a connection of its own, every one gets the answer it asked
    for."""
    headers = tutor_headers(live)
    students = ["alg-st-amara", "alg-st-ben", "alg-st-chloe", "alg-st-diego"] * 12

    def ask(i: int) -> tuple[str, int, str]:
        student = students[i]
        path = f"/students/{student}" + ("/recommendations?n=3" if i % 2 else "")
        r = requests.get(live + path, headers=headers, timeout=60)
        body = r.json()
        return student, r.status_code, body.get("student_id", body.get("id", ""))

    with ThreadPoolExecutor(len(students)) as pool:
        answers = list(pool.map(ask, range(len(students))))
    assert [(s, 200, s) for s in students] == answers
