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

import numpy as np
import torch

from models.bilstm import BiLstmConfig
from models.kt_data import Histories, KTData
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
