"""A real learning record store for tests: Ralph's LRS (``ralph-malph``) with its file-system
backend, run by uvicorn as a subprocess on a free loopback port.

Ralph 5.1's file backend creates its data file on the first POST and refuses every later
one ("already exists and overwrite is not allowed"), so this module, run as a script, starts
Ralph with that backend appending instead; everything else is Ralph as released.
Ralph refuses over HTTP a statement id it already holds (as xAPI requires), so
``append_raw`` writes straight into its data file to play an LRS that stores an old
statement again under a new ``stored`` time (a restore, a migration).
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import bcrypt
import requests

XAPI_VERSION = "1.0.3"
_DATA_FILE = "fs_lrs.jsonl"  # Ralph's FSLRSBackendSettings.DEFAULT_LRS_FILE


@dataclass
class RalphLrs:
    """One Ralph LRS process; ``url`` is its xAPI root, as ``KGTUTOR_LRS_URL`` takes it."""

    home: Path
    user: str = "kgtutor-sync"
    password: str = "lrs-test-password"
    port: int = 0
    _proc: subprocess.Popen[bytes] | None = field(default=None, repr=False)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/xAPI"

    def start(self, timeout_s: float = 60.0) -> RalphLrs:
        """Start the server and return once it answers its heartbeat."""
        (self.home / "data").mkdir(parents=True, exist_ok=True)
        self._write_auth_file()
        self.port = _free_port()
        log = (self.home / "ralph.log").open("wb")
        self._proc = subprocess.Popen(
            [sys.executable, __file__, str(self.port)],
            env=self._env(), cwd=self.home, stdout=log, stderr=subprocess.STDOUT)
        log.close()
        self._wait_until_up(timeout_s)
        return self

    def stop(self) -> None:
        if self._proc is not None:
            self._proc.terminate()
            try:
                self._proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._proc.kill()
                self._proc.wait()
            self._proc = None

    def post(self, statements: Sequence[Mapping[str, Any]]) -> list[str]:
        """Store statements through the xAPI endpoint and return the ids the LRS gives back."""
        r = requests.post(f"{self.url}/statements", json=list(statements), timeout=10,
                          auth=(self.user, self.password),
                          headers={"X-Experience-API-Version": XAPI_VERSION})
        r.raise_for_status()
        return list(r.json())

    def append_raw(self, statement: Mapping[str, Any]) -> None:
        """Add a stored statement to the backend's file, bypassing the duplicate check."""
        with (self.home / "data" / _DATA_FILE).open("a", encoding="utf-8") as f:
            f.write(json.dumps(statement) + "\n")

    def _env(self) -> dict[str, str]:
        return {**os.environ,
                "RALPH_APP_DIR": str(self.home),
                "RALPH_AUTH_FILE": str(self.home / "auth.json"),
                "RALPH_RUNSERVER_BACKEND": "fs",
                "RALPH_RUNSERVER_AUTH_BACKENDS": "basic",
                "RALPH_BACKENDS__LRS__FS__DEFAULT_DIRECTORY_PATH": str(self.home / "data"),
                "RALPH_SENTRY_DSN": ""}

    def _write_auth_file(self) -> None:
        """Write the credentials file that ``ralph auth`` would (one user, every scope)."""
        hashed = bcrypt.hashpw(self.password.encode(), bcrypt.gensalt(rounds=4)).decode()
        users = [{"username": self.user, "hash": hashed, "scopes": ["all"],
                  "agent": {"mbox": "mailto:kgtutor-sync@example.org"}}]
        (self.home / "auth.json").write_text(json.dumps(users), encoding="utf-8")

    def _wait_until_up(self, timeout_s: float) -> None:
        assert self._proc is not None
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self._proc.poll() is not None:
                raise RuntimeError(f"Ralph exited ({self._proc.returncode}): {self._log()}")
            try:
                if requests.get(f"http://127.0.0.1:{self.port}/__heartbeat__",
                                timeout=1).ok:
                    return
            except requests.ConnectionError:
                pass
            time.sleep(0.05)  # between polls only; readiness is the heartbeat answering
        self.stop()
        raise RuntimeError(f"Ralph did not answer within {timeout_s}s: {self._log()}")

    def _log(self) -> str:
        return (self.home / "ralph.log").read_text(errors="replace")[-2000:]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _serve(port: int) -> None:
    """Run Ralph's API on loopback, its file backend appending (see the module docstring)."""
    import uvicorn
    from ralph.backends.data.base import BaseOperationType
    from ralph.backends.lrs.fs import FSLRSBackend

    FSLRSBackend.default_operation_type = BaseOperationType.APPEND
    uvicorn.run("ralph.api:app", host="127.0.0.1", port=port, log_level="warning")


if __name__ == "__main__":
    _serve(int(sys.argv[1]))
