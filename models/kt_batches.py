"""Sequence chunks for next-response models, built so that nothing leaks.

A student's history is cut into chunks of ``length`` steps; consecutive chunks overlap by
``context`` steps, which are inputs only, so every response is a **target** in exactly one chunk
and still has recent history before it. Each step also carries counts over the student's *whole*
past (positions ``< t``): wins and fails on the same item, on the item's skills and overall,
log1p-scaled — the features of Gervet et al.'s "Best-LR", which carry what a chunk cuts off.

Nothing here looks at a step's own answer when building that step's counts; which inputs a model
may combine for the target at ``t`` is the model's contract (see :mod:`models.bilstm`).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, fields

import numpy as np
import torch

from models.kt_data import Histories

N_COUNTS = 6  # item wins/fails, skill wins/fails, total wins/fails
PAD_CORRECT = 2  # the "answer" of a padding step


@dataclass(frozen=True)
class KTChunks:
    items: np.ndarray  # int64 (N, L) question per step, pad = n_items
    correct: np.ndarray  # int64 (N, L) answer per step, pad = PAD_CORRECT
    counts: np.ndarray  # float32 (N, L, N_COUNTS) log1p counts over positions < t
    target: np.ndarray  # bool (N, L) steps scored in this chunk
    student: np.ndarray  # int64 (N,) row of the student in the source Histories
    start: np.ndarray  # int64 (N,) history position of the chunk's first step

    def __len__(self) -> int:
        return len(self.items)

    @property
    def n_targets(self) -> int:
        return int(self.target.sum())

    def target_labels(self) -> np.ndarray:
        """Answers of all targets, in the order :func:`predict_proba` returns them."""
        return self.correct[self.target].astype(np.float32)

    def target_positions(self) -> tuple[np.ndarray, np.ndarray]:
        """(student row, history position) of all targets, in the same order."""
        rows, cols = np.nonzero(self.target)
        return self.student[rows], self.start[rows] + cols

    def tensors(self, idx: np.ndarray | slice = slice(None), multiple: int = 1
                ) -> dict[str, torch.Tensor]:
        """One batch as the keyword arguments of a model's ``forward``, trimmed to its longest
        chunk rounded up to ``multiple`` steps (the model's window)."""
        real = self.correct[idx] != PAD_CORRECT
        longest = int(real.any(0).nonzero()[0].max(initial=0)) + 1
        keep = min(self.items.shape[1], -(-longest // multiple) * multiple)
        return {
            "items": torch.from_numpy(self.items[idx, :keep]),
            "correct": torch.from_numpy(self.correct[idx, :keep]),
            "counts": torch.from_numpy(self.counts[idx, :keep]),
            "target": torch.from_numpy(self.target[idx, :keep]),
        }

    def batches(self, batch_size: int, seed: int | None = None, multiple: int = 1
                ) -> Iterator[dict[str, torch.Tensor]]:
        """Batches of chunks of similar length (little padding to run through).

        With ``seed``, chunks are shuffled within length buckets and the batches' order is
        shuffled; without, chunks keep their order (predictions line up with
        :meth:`target_labels`).
        """
        if seed is None:
            for s in range(0, len(self), batch_size):
                yield self.tensors(np.arange(s, min(s + batch_size, len(self))), multiple)
            return
        rng = np.random.default_rng(seed)
        lengths = (self.correct != PAD_CORRECT).sum(1)
        order = np.lexsort((rng.random(len(self)), lengths))
        groups = [order[s:s + batch_size] for s in range(0, len(self), batch_size)]
        for g in rng.permutation(len(groups)):
            yield self.tensors(groups[g], multiple)


def build_chunks(histories: Histories, item_skills: np.ndarray, length: int = 200,
                 context: int = 50, min_position: int = 0) -> KTChunks:
    """Chunks of every student; targets are positions ``>= min_position`` (1 for evaluation)."""
    if not 0 <= context < length:
        raise ValueError(f"context {context} must be in [0, length {length})")
    n_items = item_skills.shape[0]
    rows: list[tuple[np.ndarray, ...]] = []
    for row, (items, answers) in enumerate(zip(histories.items, histories.correct, strict=True)):
        counts = _past_counts(items, answers, item_skills)
        for start in _starts(len(items), length, context):
            end = min(start + length, len(items))
            n = end - start
            chunk_items = np.full(length, n_items, dtype=np.int64)
            chunk_correct = np.full(length, PAD_CORRECT, dtype=np.int64)
            chunk_counts = np.zeros((length, N_COUNTS), dtype=np.float32)
            target = np.zeros(length, dtype=bool)
            chunk_items[:n], chunk_correct[:n] = items[start:end], answers[start:end]
            chunk_counts[:n] = counts[start:end]
            first_target = max(0 if start == 0 else context, min_position - start)
            target[first_target:n] = True
            rows.append((chunk_items, chunk_correct, chunk_counts, target,
                         np.int64(row), np.int64(start)))
    if not rows:
        return KTChunks(np.zeros((0, length), np.int64), np.zeros((0, length), np.int64),
                        np.zeros((0, length, N_COUNTS), np.float32),
                        np.zeros((0, length), bool), np.zeros(0, np.int64),
                        np.zeros(0, np.int64))
    cols = [np.stack(c) for c in zip(*rows, strict=True)]
    return KTChunks(**{f.name: c for f, c in zip(fields(KTChunks), cols, strict=True)})


def _starts(n: int, length: int, context: int) -> list[int]:
    """Chunk starts: stride ``length - context``, until a chunk reaches the end."""
    starts, stride = [0], length - context
    while starts[-1] + length < n:
        starts.append(starts[-1] + stride)
    return starts


def _past_counts(items: np.ndarray, answers: np.ndarray, item_skills: np.ndarray) -> np.ndarray:
    """For each position, counts over strictly earlier positions only."""
    out = np.zeros((len(items), N_COUNTS), dtype=np.float32)
    item_wf: dict[int, list[int]] = {}
    skill_wf: dict[int, list[int]] = {}
    wins = fails = 0
    for t, (q, c) in enumerate(zip(items.tolist(), answers.tolist(), strict=True)):
        skills = [k for k in item_skills[q].tolist() if k >= 0]
        iw, i_f = item_wf.get(q, (0, 0))
        sw = sum(skill_wf.get(k, (0, 0))[0] for k in skills)
        sf = sum(skill_wf.get(k, (0, 0))[1] for k in skills)
        out[t] = (iw, i_f, sw, sf, wins, fails)
        slot = 0 if c else 1
        item_wf.setdefault(q, [0, 0])[slot] += 1
        for k in skills:
            skill_wf.setdefault(k, [0, 0])[slot] += 1
        wins, fails = wins + c, fails + 1 - c
    return np.log1p(out)
