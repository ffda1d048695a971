"""The embedded FalkorDB server: lifecycle, persistence, re-attach, stale pid, file modes."""

from __future__ import annotations

import stat
import subprocess
from pathlib import Path

import pytest

from graph.embedded import EmbeddedServer
from graph.falkordb_store import FalkorStore
from tutor.errors import GraphUnavailable


@pytest.fixture
def server(tmp_path: Path):
    s = EmbeddedServer(tmp_path / "g")
    yield s
    s.stop(force=True)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_start_is_private_and_reattaches(server: EmbeddedServer) -> None:
    status = server.start()
    assert status.running and status.pid
    assert _mode(server.data_dir) == 0o700
    assert _mode(server.password_path) == 0o600
    assert _mode(server.data_dir / "falkordb.conf") == 0o600
    assert len(server.password_path.read_text().strip()) >= 32
    again = EmbeddedServer(server.data_dir).start()
    assert again.pid == status.pid


def test_wrong_password_is_refused(server: EmbeddedServer) -> None:
    import redis

    server.start()
    conn = redis.Redis(unix_socket_path=str(server.socket_path), password="wrong")
    with pytest.raises(redis.AuthenticationError):
        conn.ping()
    conn.close()


def test_stop_and_start_keep_the_data(server: EmbeddedServer) -> None:
    server.start()
    store = FalkorStore(server.client(), "persist")
    store.ensure_schema()
    store.write("upsert_students", {"rows": [{"id": "s1", "name": "Ada", "email": "",
                                              "affect_consent": False, "dataset": "t"}]})
    store.close()
    assert server.stop() is True
    assert not server.status().running
    server.start()
    store = FalkorStore(server.client(), "persist")
    assert store.read("student_exists", {"student_id": "s1"}) == [{"id": "s1", "dataset": "t"}]
    store.close()


def test_a_stale_pid_file_does_not_stop_a_start(server: EmbeddedServer) -> None:
    """A pid file naming a dead process, or a live process that is not this folder's server
    (the pid was reused), is left by a crash: `start` replaces it (issue 17, defect 8)."""
    server.data_dir.mkdir(parents=True)
    server.pid_path.write_text("999999\n")
    assert server.start().running
    server.stop()
    with subprocess.Popen(["sleep", "60"]) as other:  # a live pid that is not FalkorDB
        server.pid_path.write_text(f"{other.pid}\n")
        with pytest.raises(GraphUnavailable, match="--force"):
            server.stop()  # stop still refuses to signal it
        status = server.start()
        assert status.running and status.pid != other.pid and other.poll() is None
        other.kill()


def test_stop_when_not_running_says_so(server: EmbeddedServer) -> None:
    assert server.stop() is False
