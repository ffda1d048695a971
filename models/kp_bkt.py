"""Per-KP BKT parameters (prior, learn, guess, slip) fitted on the stored answers.

Why: one set of BKT defaults for every KP hides what matters most for choosing practice. In the
classroom study (docs/evaluation/learning.md) the learn rate per practice varies 25-fold between
KPs, and an expected-learning-gain ranking needs each KP's own rate: with fitted rates a greedy
policy gains about 2.5 times what a fixed schedule does; with one shared rate, about as much.

The fit is maximum likelihood by EM with pyBKT's own E and M steps (``models.bkt_em``), per KP,
over each student's answers on it in time order (an answer to a question testing several KPs
counts for each). A KP with too few students, or whose fit is degenerate (guess or slip above
``max_guess``/``max_slip``: the "known" and "unknown" states swapped), gets the median of the
sound fits. Learn rates are only identifiable when students answer a KP more than once: with
one answer per student and KP, every KP keeps the pooled rate.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from models.bkt_em import BktSequences, EmConfig, fit_many
from tutor.mastery import BktParams


@dataclass(frozen=True)
class KpBktConfig:
    min_students: int = 20  # students who answered the KP, for a fit of its own
    max_students: int = 300  # a random sample of them beyond this (the fit's cost)
    max_length: int = 10  # first answers of each student on the KP
    max_guess: float = 0.5
    max_slip: float = 0.5
    em: EmConfig = field(default_factory=EmConfig)
    workers: int = 1
    seed: int = 0


@dataclass(frozen=True)
class KpBktFit:
    params: tuple[BktParams, ...]  # per KP
    own: np.ndarray  # bool (K,): the KP has a sound fit of its own (else the pooled median)


def fit_kp_bkt(items: Sequence[np.ndarray], correct: Sequence[np.ndarray],
               item_kps: Sequence[Sequence[int]], n_kps: int,
               config: KpBktConfig = KpBktConfig()) -> KpBktFit:
    """BKT parameters per KP from per-student item and 0/1 answer sequences (time order)."""
    per_kp = _sequences(items, correct, item_kps, n_kps, config.max_length)
    rng = np.random.default_rng(config.seed)
    jobs, kps = [], []
    for k, seqs in enumerate(per_kp):
        if len(seqs) < config.min_students:
            continue
        if len(seqs) > config.max_students:
            seqs = [seqs[i] for i in sorted(rng.choice(len(seqs), config.max_students, False))]
        answers = np.concatenate(seqs)
        jobs.append((BktSequences(answers, np.array([len(s) for s in seqs]),
                                  np.zeros(len(answers), dtype=np.int64)), config.seed + k))
        kps.append(k)
    fits = fit_many(jobs, config.em, config.workers)
    table = np.full((n_kps, 4), np.nan)
    for k, f in zip(kps, fits, strict=True):
        if f.guess <= config.max_guess and f.slip <= config.max_slip:
            table[k] = (f.prior, f.learns[0], f.guess, f.slip)
    own = ~np.isnan(table[:, 0])
    pooled = np.nanmedian(table, axis=0) if own.any() else np.array(
        [BktParams().prior, BktParams().learn, BktParams().guess, BktParams().slip])
    table[~own] = pooled
    return KpBktFit(tuple(BktParams(*map(float, row)) for row in table), own)


def _sequences(items: Sequence[np.ndarray], correct: Sequence[np.ndarray],
               item_kps: Sequence[Sequence[int]], n_kps: int, max_length: int
               ) -> list[list[np.ndarray]]:
    """Per KP, per student who answered it: the student's 0/1 answers on it, in order."""
    out: list[list[np.ndarray]] = [[] for _ in range(n_kps)]
    for seq, ok in zip(items, correct, strict=True):
        mine: dict[int, list[int]] = {}
        for q, c in zip(np.asarray(seq).tolist(), np.asarray(ok).tolist(), strict=True):
            for k in item_kps[q]:
                answers = mine.setdefault(k, [])
                if len(answers) < max_length:
                    answers.append(int(c))
        for k, answers in mine.items():
            out[k].append(np.array(answers, dtype=np.int64))
    return out
