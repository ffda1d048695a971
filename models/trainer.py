"""One generic training loop for every PyTorch model of kgtutor.

It knows nothing about any model: the model's ``forward(**batch)`` returns ``(output, loss)``;
the caller supplies the batches of each epoch and a validation score (higher is better), and
gets each epoch's log through a callback. Early stopping keeps the best weights.

Inside a ``torch.distributed`` process group (``models.distributed``) the same loop is data
parallel: the model is wrapped in DistributedDataParallel, every rank draws the same global
batches and trains on its rows ``rank::world`` of each with its own dropout masks, DDP averages
the gradients, and rank 0 alone scores validation and tells the others when to stop. With ranks
holding equal numbers of scored targets the averaged gradient is the single-process one
(``tests/unit/test_ddp.py``).
"""

from __future__ import annotations

import copy
import random
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

Batch = Mapping[str, torch.Tensor]


@dataclass(frozen=True)
class TrainConfig:
    epochs: int = 50  # upper bound; early stopping usually ends sooner
    lr: float = 1e-3
    weight_decay: float = 0.0
    patience: int = 5  # epochs without a better validation score before stopping
    grad_clip: float | None = 1.0  # max gradient norm; None disables clipping
    seed: int = 0
    device: str = "cpu"


@dataclass(frozen=True)
class EpochLog:
    epoch: int
    train_loss: float
    val_score: float
    seconds: float
    best: bool


def seed_everything(seed: int) -> None:
    """Fix every random source the models use, for reproducible runs."""
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


def to_device(batch: Batch, device: str | torch.device) -> dict[str, torch.Tensor]:
    return {k: v.to(device, non_blocking=True) for k, v in batch.items()}


def fit(model: nn.Module, batches: Callable[[int], Iterable[Batch]],
        val_score: Callable[[nn.Module], float], config: TrainConfig,
        on_epoch: Callable[[EpochLog], None] | None = None) -> list[EpochLog]:
    """Train with AdamW until ``config.epochs`` or early stopping; leave the best weights in."""
    seed_everything(config.seed)
    model.to(config.device)
    rank, world = _world()
    trained: nn.Module = model
    if world > 1:
        from torch.nn.parallel import DistributedDataParallel

        # broadcasts rank 0's weights; a head a setting turns off (the candidate loss) gets no
        # gradient, which DDP must be told to expect
        trained = DistributedDataParallel(model, find_unused_parameters=True)
        # alike seeds gave alike weights; from here each rank draws its own dropout masks (one
        # process draws one per row), rank 0 the one-process stream
        torch.manual_seed(config.seed + rank)
    optimiser = torch.optim.AdamW(model.parameters(), lr=config.lr,
                                  weight_decay=config.weight_decay)
    logs: list[EpochLog] = []
    best_score, best_state, stale = -float("inf"), copy.deepcopy(model.state_dict()), 0
    for epoch in range(config.epochs):
        started = time.perf_counter()
        loss = _train_epoch(trained, _shard(batches(epoch), rank, world), optimiser, config)
        score = -float("inf")
        if rank == 0:
            model.eval()
            with torch.no_grad():
                score = float(val_score(model))
            improved = score > best_score
            if improved:
                best_score, best_state, stale = score, copy.deepcopy(model.state_dict()), 0
            else:
                stale += 1
            log = EpochLog(epoch, loss, score, time.perf_counter() - started, improved)
            logs.append(log)
            if on_epoch:
                on_epoch(log)
        if _agree(stale >= config.patience, world, config.device):
            break
    model.load_state_dict(best_state)
    model.eval()
    return logs


def _world() -> tuple[int, int]:
    """(rank, world size) of the process group this process is in; (0, 1) outside one."""
    import torch.distributed as dist

    if dist.is_available() and dist.is_initialized():
        return dist.get_rank(), dist.get_world_size()
    return 0, 1


def _shard(batches: Iterable[Batch], rank: int, world: int) -> Iterable[Batch]:
    """This rank's rows of each global batch (all of them outside a process group); a batch
    with fewer rows than ranks (an epoch's last, at most) is skipped: every rank must step."""
    for batch in batches:
        if world == 1:
            yield batch
        elif len(next(iter(batch.values()))) >= world:
            yield {k: v[rank::world] for k, v in batch.items()}


def _agree(stop: bool, world: int, device: str) -> bool:
    """Rank 0's decision, for every rank."""
    if world == 1:
        return stop
    import torch.distributed as dist

    flag = torch.tensor([1 if stop else 0], device=device)
    dist.broadcast(flag, 0)
    return bool(flag.item())


def _train_epoch(model: nn.Module, batches: Iterable[Batch], optimiser: torch.optim.Optimizer,
                 config: TrainConfig) -> float:
    model.train()
    total, count = 0.0, 0
    for batch in batches:
        _, loss = model(**to_device(batch, config.device))
        optimiser.zero_grad(set_to_none=True)
        loss.backward()
        if config.grad_clip is not None:
            nn.utils.clip_grad_norm_(model.parameters(), config.grad_clip)
        optimiser.step()
        total += float(loss.detach())
        count += 1
    return total / max(count, 1)
