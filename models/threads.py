"""One thread per process for the numeric libraries, where processes are the parallelism.

A serving worker answers one call at a time and there is a worker per core (``kgtutor
serve``); the study runs a seed per core. PyTorch and NumPy's BLAS would each start a thread
per core inside every such process, and on small matrices those threads cost more in
hand-offs than they save.
"""

from __future__ import annotations


def one_thread() -> None:
    """PyTorch and every BLAS/OpenMP pool of this process to one thread, from now on."""
    import torch
    from threadpoolctl import threadpool_limits

    torch.set_num_threads(1)
    threadpool_limits(limits=1)
