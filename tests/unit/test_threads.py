"""One thread per process reaches the threads that serve requests, not only the main one."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import torch

from models.threads import one_thread, this_thread


def _cpu_ticks() -> dict[int, int]:
    """CPU ticks (user + system) of each thread of this process, by native id."""
    ticks = {}
    for task in Path("/proc/self/task").iterdir():
        fields = (task / "stat").read_text().rsplit(")", 1)[1].split()
        ticks[int(task.name)] = int(fields[11]) + int(fields[12])
    return ticks


def test_a_request_thread_runs_the_lstm_on_one_thread() -> None:
    """OpenMP keeps a thread count per thread: after one_thread in the main thread, oneDNN's
    LSTM in a new thread (gunicorn's, a bench's pool) ran a team of one thread per core, and
    the team's other thread spun as long as the work took. With this_thread first, no thread
    but the caller's works."""
    one_thread()
    lstm = torch.nn.LSTM(128, 64, batch_first=True, bidirectional=True).eval()
    steps = torch.randn(6, 10, 128)  # the Bi-LSTM's blocks, as serving runs them
    before = _cpu_ticks()
    during: dict[int, int] = {}

    def request() -> None:
        this_thread()
        with torch.inference_mode():
            for _ in range(300):
                lstm(steps)
        during.update(_cpu_ticks())  # before this thread, and any team of its, ends
        del during[threading.get_native_id()]

    worker = threading.Thread(target=request)
    worker.start()
    worker.join()
    helpers = {t: n for t, n in during.items() if t not in before and n > 0}  # its team
    assert helpers == {}, f"{len(helpers)} more threads worked on {os.cpu_count()} cores"
