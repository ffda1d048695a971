"""Warming the serve workers up: numba compiles librosa's kernels once per cache, not per worker.

numba's on-disk cache is not safe for two processes compiling the same guvectorized kernel at
once (numba issue #10128): each may write half of it, and the racers and every later process
that loads it die of SIGSEGV, so a worker gunicorn replaces never comes back. So the first
worker to warm up holds a machine-wide lock while it compiles and writes the cache; the others
wait for it, then load the whole cache side by side. Their ``compiled`` flag is shared memory
the master makes before it forks them.
"""

from __future__ import annotations

import ctypes
import fcntl
import os
import tempfile
from collections.abc import Callable
from multiprocessing import RawValue
from pathlib import Path


def shared_flag() -> ctypes.c_bool:
    """A flag the master makes and its forked workers all see: set once the cache is whole."""
    return RawValue(ctypes.c_bool, False)


def compile_once(warm_up: Callable[[], None], compiled: ctypes.c_bool) -> None:
    """Run ``warm_up``: under the lock until one worker has, then alongside the others."""
    if not compiled.value:
        with compile_lock().open("a") as held:
            fcntl.flock(held, fcntl.LOCK_EX)  # released when the file closes
            if not compiled.value:
                warm_up()
                compiled.value = True
                return
    warm_up()


def compile_lock() -> Path:
    """The file the compiling worker locks: one per user and machine, as numba's cache is."""
    return Path(tempfile.gettempdir()) / f"kgtutor-numba-{os.getuid()}.lock"
