"""A small rehearsal in CI: `kgtutor study rehearse` drives simulated learners through a live
`kgtutor serve` on the seed course (few students, few questions), end to end, with no HTTP
error, and the experiment's report comes back with its arms and statistics."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from click.testing import CliRunner

from cli.common import store_for
from cli.main import main
from graph.embedded import EmbeddedServer
from services import accounts
from services.settings import Settings
from tests.live_server import serving
from tutor.access import Role

PASSWORD = "rehearsal horse battery staple"


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    var = tmp_path_factory.mktemp("rehearsal-var")
    seeded = CliRunner().invoke(main, ["graph", "seed"], env={"KGTUTOR_VAR": str(var)})
    assert seeded.exit_code == 0, seeded.output
    with store_for(Settings(var_dir=var)) as store:
        accounts.add_user(store, "admin", PASSWORD, Role.ADMIN, 0)
    with serving(var, var / "serve.log", "--workers", "2", "--no-scheduler") as url:
        yield url, var
    EmbeddedServer(var / "graph").stop(force=True)


def test_a_small_rehearsal_runs_the_whole_study_over_http(live: tuple[str, Path],
                                                          tmp_path: Path) -> None:
    url, var = live
    token = requests.post(url + "/auth/login", json={"username": "admin",
                                                     "password": PASSWORD},
                          timeout=10).json()["access_token"]
    (tmp_path / "token").write_text(token)
    out = tmp_path / "rehearsal.json"
    result = CliRunner().invoke(main, [
        "study", "rehearse", "--api", url, "--token-file", str(tmp_path / "token"),
        "--students", "6", "--budget", "4", "--workers", "2", "--out", str(out)],
        env={"KGTUTOR_VAR": str(var)})
    assert result.exit_code == 0, result.output
    found = json.loads(out.read_text())
    assert found["http_errors"] == 0, found["errors"]
    assert found["latency_ms"]["p50"] > 0 and found["requests"] > 6 * 4
    report = found["report"]
    assert set(report["arms"]) == {"kgtutor", "fixed"}
    assert sum(a["n"] for a in report["arms"].values()) == 6  # all consented, all sat it
    for arm in report["arms"].values():
        assert {"n", "post_test", "satisfaction", "completion"} <= set(arm)
        assert arm["post_test"]["mean"] is not None and arm["satisfaction"]["mean"] is not None
    assert "kgtutor_vs_fixed" in report["comparisons"]
    assert "cronbach_alpha" in report and "balance_p" in report
    assert "HTTP errors" in result.output and "post-test" in result.output
