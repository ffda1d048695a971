"""Data-parallel training in several processes: PyTorch DistributedDataParallel, gloo on CPUs,
nccl on GPUs (``models.trainer`` does the sharding once a process group exists).

:func:`run` runs ``fn(device, *args)`` in ``nproc`` processes of one group on this machine and
returns rank 0's result. Started by ``torchrun`` (``RANK``, ``WORLD_SIZE``, ``MASTER_ADDR``,
``MASTER_PORT`` set), it joins that group instead and returns None on every rank but 0: the
same command then trains across machines (docs/training-at-scale.md).
"""

from __future__ import annotations

import os
import socket
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import torch
import torch.distributed as dist

T = TypeVar("T")


def run(fn: Callable[..., T], nproc: int, device: str, *args: Any) -> T | None:
    """``fn(device, *args)`` data-parallel over ``nproc`` processes (or torchrun's group)."""
    if "RANK" in os.environ and "WORLD_SIZE" in os.environ:  # launched by torchrun
        rank, world = int(os.environ["RANK"]), int(os.environ["WORLD_SIZE"])
        local = int(os.environ.get("LOCAL_RANK", rank))
        result = _in_group(rank, world, local, "env://", device, fn, args)
        return result if rank == 0 else None
    with tempfile.TemporaryDirectory(prefix="kgtutor-ddp-") as tmp:
        out = Path(tmp) / "rank0.pt"
        torch.multiprocessing.spawn(_spawned, args=(nproc, _free_port(), device, fn, args, out),
                                    nprocs=nproc, join=True)
        return torch.load(out, weights_only=False)


def _spawned(rank: int, world: int, port: int, device: str, fn: Callable[..., Any],
             args: tuple, out: Path) -> None:
    result = _in_group(rank, world, rank, f"tcp://127.0.0.1:{port}", device, fn, args)
    if rank == 0:
        torch.save(result, out)


def _in_group(rank: int, world: int, local: int, init: str, device: str,
              fn: Callable[..., Any], args: tuple) -> Any:
    gpu = device.startswith("cuda")
    if gpu:  # one GPU per process on this machine
        torch.cuda.set_device(local % torch.cuda.device_count())
        device = f"cuda:{local % torch.cuda.device_count()}"
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (
        os.cpu_count() or 1)
    torch.set_num_threads(max(1, cores // max(1, int(os.environ.get("LOCAL_WORLD_SIZE",
                                                                    world)))))
    dist.init_process_group("nccl" if gpu else "gloo", init_method=init, rank=rank,
                            world_size=world)
    try:
        return fn(device, *args)
    finally:
        dist.destroy_process_group()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
