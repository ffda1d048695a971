"""`kgtutor serve`'s workers compile numba's kernels one at a time: the lock they take is held
across processes (numba issue #10128: two compiling at once can break the cache for good)."""

from __future__ import annotations

import subprocess
import sys

from cli.serve import compile_lock, one_compiler

TRY = """
import fcntl, sys
with open(sys.argv[1], "a") as f:
    try:
        fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        sys.exit(3)
"""


def other_process_may_compile() -> bool:
    return subprocess.run([sys.executable, "-c", TRY, str(compile_lock())]).returncode == 0


def test_another_process_waits_while_one_compiles() -> None:
    with one_compiler():
        assert not other_process_may_compile()
    assert other_process_may_compile()
