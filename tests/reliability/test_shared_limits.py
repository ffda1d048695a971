"""Issue 18: rate limits hold across API processes. Two `kgtutor serve` processes on one graph
count log-ins together, in the embedded graph server's Redis (before, each counted in its own
memory, so N processes allowed N times the limit)."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import requests
from click.testing import CliRunner

from cli.main import main
from graph.embedded import EmbeddedServer
from tests.live_server import serving

LIMIT = 6


def test_two_servers_on_one_graph_share_the_log_in_limit(tmp_path: Path) -> None:
    assert CliRunner().invoke(main, ["graph", "seed"],
                              env={"KGTUTOR_VAR": str(tmp_path)}).exit_code == 0
    env = {"KGTUTOR_AUTH_RATE_LIMIT": f"{LIMIT} per minute"}
    try:
        with serving(tmp_path, tmp_path / "a.log", **env) as a, \
                serving(tmp_path, tmp_path / "b.log", **env) as b:
            statuses = [requests.post(url + "/auth/login", timeout=30, json={
                "username": "nobody-here", "password": "wrong"}).status_code
                for url in (a, b) * (LIMIT // 2 + 1)]
    finally:
        EmbeddedServer(tmp_path / "graph").stop(force=True)
    assert statuses[:LIMIT] == [401] * LIMIT
    assert statuses[LIMIT:] == [429, 429]  # each server alone has seen only 3 or 4


def test_with_the_graph_server_down_a_limited_route_answers_503_not_500(tmp_path: Path) -> None:
    """The limits' storage is the graph server: killed, it must not turn requests into 500s
    (found by bench/chaos.py: 15 of 2,493 requests answered 500 during the outages)."""
    assert CliRunner().invoke(main, ["graph", "seed"],
                              env={"KGTUTOR_VAR": str(tmp_path)}).exit_code == 0
    server = EmbeddedServer(tmp_path / "graph")
    try:
        with serving(tmp_path, tmp_path / "serve.log") as url:
            pid = server.status().pid
            assert pid is not None
            os.kill(pid, signal.SIGKILL)
            while server.status().running:
                time.sleep(0.05)
            r = requests.post(url + "/auth/login", timeout=30,
                              json={"username": "nobody-here", "password": "wrong"})
            assert r.status_code == 503, r.text
            assert r.headers["Content-Type"] == "application/problem+json"
    finally:
        server.stop(force=True)
