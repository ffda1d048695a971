"""`kgtutor serve` as a real process on a free loopback port, for the live-server tests."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import requests

REPO = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def serving(var_dir: Path, log_path: Path, *args: str, **env: str) -> Iterator[str]:
    """Run `kgtutor serve ARGS` on ``var_dir``'s graph until the block ends; yield its URL
    once /health answers. Its output goes to ``log_path``, quoted if it fails to start."""
    port = free_port()
    cmd = [str(Path(sys.executable).with_name("kgtutor")), "serve", "--port", str(port), *args]
    with log_path.open("w") as log:
        proc = subprocess.Popen(cmd, env={**os.environ, "KGTUTOR_VAR": str(var_dir), **env},
                                cwd=REPO, stdout=log, stderr=subprocess.STDOUT)
        url = f"http://127.0.0.1:{port}"
        try:
            _wait_until_up(url, proc, log_path)
            yield url
        finally:
            proc.terminate()
            proc.wait(timeout=30)


def _wait_until_up(url: str, proc: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 120
    while True:
        try:
            if requests.get(url + "/health", timeout=1).status_code == 200:
                return
        except (requests.ConnectionError, requests.Timeout):
            pass  # not bound yet, or bound by the master while the workers still load
        if proc.poll() is not None or time.monotonic() > deadline:
            raise AssertionError("kgtutor serve did not start: " + log.read_text())
        time.sleep(0.2)  # polling a starting process, not synchronising the tests
