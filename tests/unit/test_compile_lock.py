"""`kgtutor serve`'s first worker compiles numba's kernels under a lock other processes see,
and the others, once it has, load them side by side (``cli.warm_up``; numba issue #10128: two
compiling at once can break the cache for good)."""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from cli.warm_up import compile_lock, compile_once, shared_flag

TRY = """
import fcntl, sys
with open(sys.argv[1], "a") as f:
    try:
        fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        sys.exit(3)
"""


def another_process_may_compile() -> bool:
    return subprocess.run([sys.executable, "-c", TRY, str(compile_lock())]).returncode == 0


@pytest.fixture(autouse=True)
def private_lock(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The lock is one per user and machine: a test suite running beside this one (a server's
    workers compiling) would hold it. Here it is this test's own."""
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))


def test_the_first_compiles_alone_and_the_rest_side_by_side() -> None:
    compiled, alone = shared_flag(), []
    for _ in range(3):  # three workers of one server
        compile_once(lambda: alone.append(not another_process_may_compile()), compiled)
    assert alone == [True, False, False] and compiled.value
    assert another_process_may_compile()
