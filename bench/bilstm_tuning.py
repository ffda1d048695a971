"""Bi-LSTM settings chosen on validation: the source paper's start and what was tried after.

    .venv/bin/python bench/bilstm_tuning.py [--data ../shared/data] [--only 0 2 ...]

Every row trains on 90 % of the ASSIST2009 train students and early-stops on the AUC of the
other 10 % (the same split as `kgtutor evaluate kt`); test students are never touched here.
Prints a Markdown table: settings, epochs run, best validation AUC, seconds.
"""

from __future__ import annotations

import argparse
import os
import time
from dataclasses import replace
from pathlib import Path

import torch

from models.bilstm import BiLstmConfig
from models.sources import load_responses
from models.training import BiLstmTraining, fit_bilstm

# (label, model changes, training changes); row 0 is the source paper's setting
GRID: list[tuple[str, dict, dict]] = [
    ("paper: dropout 0.5, batch 32, lr 1e-4", {}, {"lr": 1e-4}),
    ("lr 1e-3", {}, {"lr": 1e-3}),
    ("lr 3e-3", {}, {"lr": 3e-3}),
    ("lr 3e-3, dropout 0.2", {"dropout": 0.2}, {"lr": 3e-3}),
    ("lr 3e-3, dropout 0.2, item dropout 0.3", {"dropout": 0.2, "item_dropout": 0.3},
     {"lr": 3e-3}),
    ("lr 3e-3, dropout 0.5, batch 64", {}, {"lr": 3e-3, "batch_size": 64}),
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path,
                        default=Path(os.environ.get("KGTUTOR_DATA", "../shared/data")))
    parser.add_argument("--only", type=int, nargs="*", help="rows of the grid to run")
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    kt = load_responses(args.data / "assist2009" / "lpp")
    base = BiLstmConfig(kt.n_items, kt.n_skills, dropout=0.5, item_dropout=0.0)
    print("| # | settings | epochs | best epoch | best validation AUC | seconds |")
    print("|---:|---|---:|---:|---:|---:|")
    for i, (label, model_changes, training_changes) in enumerate(GRID):
        if args.only and i not in args.only:
            continue
        started = time.perf_counter()
        _, logs = fit_bilstm(kt, replace(base, **model_changes),
                             replace(BiLstmTraining(), **training_changes))
        best = max(logs, key=lambda e: e.val_score)
        print(f"| {i} | {label} | {len(logs)} | {best.epoch + 1} | {best.val_score:.4f} | "
              f"{time.perf_counter() - started:.0f} |", flush=True)


if __name__ == "__main__":
    main()
