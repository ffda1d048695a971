"""Issue 17, defect 8: after a kill -9 of the embedded graph server, `kgtutor graph start`
starts at once on the same data (it used to refuse with "stale pid file" until
`graph stop --force`)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from cli.common import store_for
from cli.main import main
from graph.embedded import EmbeddedServer
from services.settings import Settings

STUDENT = {"id": "s-crash", "name": "Ada", "email": "", "affect_consent": False,
           "dataset": "t"}


def test_graph_start_after_kill_9_serves_the_same_data(tmp_path: Path) -> None:
    env = {"KGTUTOR_VAR": str(tmp_path)}
    server = EmbeddedServer(tmp_path / "graph")
    try:
        assert CliRunner().invoke(main, ["graph", "start"], env=env).exit_code == 0
        with store_for(Settings(var_dir=tmp_path)) as store:
            store.write("upsert_students", {"rows": [STUDENT]})
        time.sleep(1.2)  # appendfsync everysec: what a crash may lose is the last second
        pid = server.status().pid
        assert pid is not None
        os.kill(pid, signal.SIGKILL)
        while server.status().running:
            time.sleep(0.05)
        assert server.pid_path.exists()  # the crash left it behind
        result = CliRunner().invoke(main, ["graph", "start"], env=env)
        assert result.exit_code == 0, result.output
        assert server.status().running and server.status().pid != pid
        with store_for(Settings(var_dir=tmp_path)) as store:
            assert store.read("student_exists", {"student_id": "s-crash"}) == [
                {"id": "s-crash", "dataset": "t"}]
    finally:
        server.stop(force=True)


def _crash_with_data(tmp_path: Path, env: dict[str, str], server: EmbeddedServer) -> None:
    """Start the embedded server, write a student, kill -9 the server."""
    assert CliRunner().invoke(main, ["graph", "start"], env=env).exit_code == 0
    with store_for(Settings(var_dir=tmp_path)) as store:
        store.write("upsert_students", {"rows": [STUDENT]})
    time.sleep(1.2)  # appendfsync everysec
    pid = server.status().pid
    assert pid is not None
    os.kill(pid, signal.SIGKILL)
    while server.status().running:
        time.sleep(0.05)


@pytest.mark.parametrize("argv", [
    ["sleep", "30"],
    # a live process whose command line names the server binary as an argument, in the data
    # folder: not the server, so nothing to wait for
    [sys.executable, "-c", "import time; time.sleep(30)", "redis-server"],
], ids=["sleep", "names-redis-server"])
def test_graph_start_with_pid_reused_by_a_live_unrelated_process(tmp_path: Path,
                                                                 argv: list[str]) -> None:
    env = {"KGTUTOR_VAR": str(tmp_path)}
    server = EmbeddedServer(tmp_path / "graph")
    other = None
    try:
        _crash_with_data(tmp_path, env, server)
        other = subprocess.Popen(argv, cwd=server.data_dir)
        server.pid_path.write_text(f"{other.pid}\n")  # the crashed server's pid, now reused
        started = time.monotonic()
        result = CliRunner().invoke(main, ["graph", "start"], env=env)
        assert result.exit_code == 0, result.output
        assert time.monotonic() - started < 10  # at once, not after a start time-out
        assert other.poll() is None  # the unrelated process is left alone
        status = server.status()
        assert status.running and status.pid != other.pid
        with store_for(Settings(var_dir=tmp_path)) as store:
            assert store.read("student_exists", {"student_id": "s-crash"}) == [
                {"id": "s-crash", "dataset": "t"}]
    finally:
        if other is not None:
            other.kill()
            other.wait()
        server.stop(force=True)
