"""Bi-LSTM training speed: one epoch over the ASSISTments 2009 train split on this CPU.

    .venv/bin/python bench/bilstm_epoch.py [--data ../shared/data] [--threads 1 2] [--epochs 2]

Trains the production configuration (``BiLstmConfig`` and ``BiLstmTraining`` defaults) on
all train students of the lpp split and prints seconds per epoch for each torch thread count,
plus the time to build the chunks. Target: <= 30 s per epoch on a 2-core CPU.
"""

from __future__ import annotations

import argparse
import os
import platform
import time
from pathlib import Path

import numpy as np
import torch

from models.bilstm import BiLstmConfig, BiLstmKT
from models.kt_batches import build_chunks
from models.sources import load_responses
from models.trainer import TrainConfig, fit
from models.training import BiLstmTraining


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path,
                        default=Path(os.environ.get("KGTUTOR_DATA", "../shared/data")))
    parser.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--epochs", type=int, default=2)
    args = parser.parse_args()

    kt = load_responses(args.data / "assist2009" / "lpp")
    plan = BiLstmTraining()
    started = time.perf_counter()
    chunks = build_chunks(kt.train, kt.item_skills, plan.chunk, plan.context)
    build = time.perf_counter() - started
    print(f"# {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
          f"torch {torch.__version__}")
    print(f"train split: {len(kt.train):,} students, {chunks.n_targets:,} responses, "
          f"{len(chunks):,} chunks; chunks built in {build:.2f} s\n")
    print("| threads | epoch | seconds | responses/s |")
    print("|---:|---:|---:|---:|")
    config = BiLstmConfig(kt.n_items, kt.n_skills)
    for threads in args.threads:
        torch.set_num_threads(threads)
        model = BiLstmKT(config, kt.item_skills)
        schedule = TrainConfig(epochs=args.epochs, lr=plan.lr, patience=args.epochs + 1)
        logs = fit(model, lambda e: chunks.batches(plan.batch_size, e, config.window),
                   lambda _: 0.0, schedule,  # no validation: the epoch alone is timed
                   lambda log, t=threads: print(f"| {t} | {log.epoch + 1} | {log.seconds:.1f}"
                                                f" | {chunks.n_targets / log.seconds:,.0f} |",
                                                flush=True))
        times = [log.seconds for log in logs]
        print(f"| {threads} | median | {np.median(times):.1f} | |")


if __name__ == "__main__":
    main()
