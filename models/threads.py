"""One thread per process for the numeric libraries, where processes are the parallelism.

A serving worker runs one call at a time under the GIL and there is a worker per core
(``kgtutor serve``); the study runs a seed per core. PyTorch and NumPy's BLAS would each start
a thread per core inside every such process, and on small matrices those threads cost more in
hand-offs than they save.

OpenMP keeps its thread count per thread: ``torch.set_num_threads`` in the main thread does not
reach a request's thread, where oneDNN's LSTM then ran a team of one thread per core, which
spun on the other core for as long again as it computed (``docs/evaluation/latency.md``). So
every entry point that runs PyTorch in serving calls :func:`this_thread` first.
"""

from __future__ import annotations

import threading

_limit: int | None = None  # the process's thread count, once one_thread has set it
_seen = threading.local()


def one_thread() -> None:
    """PyTorch and every BLAS/OpenMP pool of this process to one thread, from now on."""
    global _limit
    import torch
    from threadpoolctl import threadpool_limits

    torch.set_num_threads(1)
    threadpool_limits(limits=1)
    _limit = 1


def this_thread() -> None:
    """Carry :func:`one_thread`'s limit to the calling thread (once per thread; nothing when
    the process never set one)."""
    if _limit is None or getattr(_seen, "limit", None) == _limit:
        return
    import torch

    torch.set_num_threads(_limit)
    _seen.limit = _limit
