"""`fit_bilstm(nproc=2)`: two real processes in a gloo group train the same model as one.

Equivalence holds when each rank's half of a global batch holds as many scored targets as the
other (the loss is a mean over targets, and DDP averages the ranks' gradients): every student
here has the same number of answers, so every chunk scores the same number of targets. The
parts of training that draw random numbers per batch are off (dropout, the candidate head's
sampled softmax); the rest is seeded alike in every rank. Tolerance 1e-5: the halves' means
are summed in another order than the whole batch's, about 1e-7 per step, and a few AdamW steps
keep that far below 1e-5.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch
import torch.distributed as dist
from torch import nn

from models.bilstm import BiLstmConfig
from models.distributed import run
from models.kt_data import Histories, KTData
from models.trainer import TrainConfig, fit
from models.training import BiLstmTraining, fit_bilstm

N_ITEMS, N_SKILLS, STUDENTS, LENGTH = 20, 4, 20, 40


def data() -> KTData:
    rng = np.random.default_rng(7)
    items = tuple(rng.integers(0, N_ITEMS, LENGTH) for _ in range(STUDENTS))
    skill = np.arange(N_ITEMS) % N_SKILLS
    correct = tuple((rng.random(LENGTH) < 0.3 + 0.15 * skill[x]).astype(np.int64)
                    for x in items)
    train = Histories(tuple(f"s{i}" for i in range(STUDENTS)), items, correct)
    return KTData(tuple(f"q{i}" for i in range(N_ITEMS)), tuple(f"k{k}" for k in range(N_SKILLS)),
                  skill[:, None].astype(np.int64), tuple(f"k{k}" for k in range(N_SKILLS)),
                  train, Histories((), (), ()))


CONFIG = BiLstmConfig(N_ITEMS, N_SKILLS, dropout=0.0, candidate_weight=0.0)
TRAINING = BiLstmTraining(batch_size=8, epochs=2, patience=5, chunk=40, context=10,
                          val_fraction=0.2)


def test_two_gloo_processes_train_the_model_one_process_trains() -> None:
    kt = data()
    single, single_logs = fit_bilstm(kt, CONFIG, TRAINING, seed=3)
    parallel, parallel_logs = fit_bilstm(kt, CONFIG, TRAINING, seed=3, nproc=2)
    assert len(single_logs) == len(parallel_logs) == 2
    for (name, a), (_, b) in zip(single.state_dict().items(), parallel.state_dict().items(),
                                 strict=True):
        assert torch.allclose(a, b, atol=1e-5), name
    moved = fit_bilstm(kt, CONFIG, TRAINING, seed=4)[0]  # the check can tell models apart
    assert not all(torch.allclose(a, b, atol=1e-5) for a, b in zip(
        single.state_dict().values(), moved.state_dict().values(), strict=True))
    assert abs(single_logs[-1].val_score - parallel_logs[-1].val_score) < 1e-4


class _Recorder(nn.Module):
    """A one-weight model that notes the rows it trains on and one random draw per batch."""

    def __init__(self) -> None:
        super().__init__()
        self.w = nn.Parameter(torch.zeros(1))
        self.rows: list[int] = []
        self.draws: list[float] = []

    def forward(self, row: torch.Tensor, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        self.rows += row.tolist()
        self.draws.append(float(torch.rand(())))  # where dropout would draw its mask
        loss = ((x * self.w - 1) ** 2).mean()
        return loss, loss


def _batches(epoch: int) -> list[dict[str, torch.Tensor]]:
    """Rows 0-11 in three batches of 4, then a lone row 12 (fewer rows than ranks)."""
    return [{"row": torch.arange(s, min(s + 4, 13)), "x": torch.ones(min(4, 13 - s))}
            for s in range(0, 13, 4)]


def _fit_recorder(device: str) -> tuple[list[int], list[float]] | list[object]:
    """One epoch of ``fit``; inside a group, every rank's notes, gathered."""
    model = _Recorder()
    fit(model, _batches, lambda m: 0.0, TrainConfig(epochs=1, seed=3, device=device))
    if not dist.is_initialized():
        return model.rows, model.draws
    notes: list[object] = [None] * dist.get_world_size()
    dist.all_gather_object(notes, (model.rows, model.draws))
    return notes


def test_ranks_split_each_batch_and_draw_their_own_random_numbers(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The equivalence test above passes even if every rank trained on the whole batch (DDP
    would average equal gradients), so the split is checked here: two real gloo ranks take
    disjoint halves of every batch, and each draws its own random numbers (its own dropout
    masks, as one process draws one per row) while rank 0 keeps the one-process stream."""
    # the spawned ranks unpickle _fit_recorder by its module name, tests.unit.test_ddp
    monkeypatch.syspath_prepend(str(Path(__file__).resolve().parents[2]))
    (rows0, draws0), (rows1, draws1) = run(_fit_recorder, 2, "cpu")  # type: ignore[misc]
    assert rows0 == [0, 2, 4, 6, 8, 10] and rows1 == [1, 3, 5, 7, 9, 11]  # row 12 skipped
    alone_rows, alone_draws = _fit_recorder("cpu")
    assert alone_rows == list(range(13))
    assert draws0 == alone_draws[:3]
    assert not set(draws0) & set(draws1)
