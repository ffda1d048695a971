"""Fit BKT per KP by expectation-maximisation, with pyBKT's own E and M steps.

Why not ``pyBKT.models.Model``: pyBKT 1.4.3, the last release, breaks on this stack. Importing
``pyBKT.models`` fails under scikit-learn >= 1.9 (``pyBKT.util.metrics`` probes private
scikit-learn functions at import time and expects only ``TypeError``), and ``EM_fit.EM_fit``
fails under NumPy >= 2.4 (it stores a (1, 1) log-likelihood array into a scalar slot). Its E step
(``pyBKT.fit.EM_fit.run``), M step (``pyBKT.fit.M_step.run``) and random initialiser
(``random_model_uni``) work, so :func:`fit_bkt` is ``EM_fit.EM_fit``'s short loop around them
(same ``tol`` and ``maxiter``), keeping the best of ``restarts`` random starts by log-likelihood
as ``Model.fit`` keeps the best of ``num_fits``. No forgetting (pyBKT's default). Sequences go in
as arrays, which also skips ``Model.fit``'s row-by-row pandas conversion.

The E step is :func:`e_step`, pyBKT's ``EM_fit.run`` computed over all sequences at once: pyBKT
ships it as Python loops over sequences and time steps (its compiled build is not on PyPI for
this Python), 35 ms a call on a KP of 300 students, and the classroom study fits 123 KPs per
seed. Same forward pass, same smoother, same soft counts, pyBKT's quirks included (a likelihood
of 0 counts as 1; a one-answer sequence adds no emission count); a unit test holds it equal to
``EM_fit.run`` on random models and data.

``resources`` are pyBKT's "multilearn" classes: the class of answer t sets the learn rate of
the transition from t to t + 1, so one fit can give a KP one learn rate per kind of practice.
"""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from multiprocessing import get_context

import numpy as np
from pyBKT.fit import M_step
from pyBKT.generate import random_model_uni

from tutor.errors import InvalidInput


@dataclass(frozen=True)
class EmConfig:
    restarts: int = 1  # random starts, the best log-likelihood wins (pyBKT's num_fits)
    max_iter: int = 100  # EM iterations at most (pyBKT's maxiter)
    tol: float = 0.005  # stop when the total log-likelihood moves less (pyBKT's tol)


@dataclass(frozen=True)
class BktSequences:
    """One KP's answer sequences, concatenated: 0/1 answers, lengths and practice classes."""

    correct: np.ndarray  # int (N,) 0/1, sequence after sequence
    lengths: np.ndarray  # int (S,) answers per sequence, each >= 1
    resources: np.ndarray  # int (N,) practice class 0..n_resources-1 of each answer
    n_resources: int = 1


@dataclass(frozen=True)
class BktFit:
    prior: float
    learns: np.ndarray  # float (n_resources,) learn rate per practice class
    guess: float
    slip: float
    loglike: float
    iterations: int


def fit_bkt(seqs: BktSequences, seed: int, config: EmConfig = EmConfig()) -> BktFit:
    """The maximum-likelihood BKT parameters of one KP (best of ``config.restarts`` starts)."""
    _check(seqs)
    data = _pybkt_data(seqs)
    rand = np.random.RandomState(seed)  # pyBKT's initialiser wants the legacy interface
    best: BktFit | None = None
    for _ in range(max(1, config.restarts)):
        start = random_model_uni.random_model_uni(seqs.n_resources, 1, rand=rand)
        fit = _em(start, data, seqs.n_resources, config)
        if best is None or fit.loglike > best.loglike:
            best = fit
    assert best is not None
    return best


def fit_many(jobs: Sequence[tuple[BktSequences, int]], config: EmConfig = EmConfig(),
             workers: int = 1) -> list[BktFit]:
    """Fit every (sequences, seed) job, largest first over ``workers`` processes, in order.

    Processes are spawned, not forked: the caller may hold torch or BLAS threads.
    """
    if workers <= 1 or len(jobs) <= 1:
        return [fit_bkt(s, seed, config) for s, seed in jobs]
    order = sorted(range(len(jobs)), key=lambda j: -len(jobs[j][0].correct))
    with ProcessPoolExecutor(workers, mp_context=get_context("spawn")) as pool:
        futures = {j: pool.submit(fit_bkt, jobs[j][0], jobs[j][1], config) for j in order}
        return [futures[j].result() for j in range(len(jobs))]


def e_step(data: dict, model: dict) -> dict:
    """pyBKT's ``EM_fit.run(data, model, ..., parallel=False)`` for one subpart (one answer
    column), vectorised over sequences: the same soft counts and total log-likelihood."""
    answers, starts, lengths = data["data"][0], data["starts"] - 1, data["lengths"]
    n_res = len(model["learns"])
    learns, forgets = np.asarray(model["learns"], float), np.asarray(model["forgets"], float)
    trans = np.empty((n_res, 2, 2))  # trans[r, to, from]
    trans[:, 0, 0], trans[:, 0, 1] = 1 - learns, forgets
    trans[:, 1, 0], trans[:, 1, 1] = learns, 1 - forgets
    guess, slip = float(np.ravel(model["guesses"])[0]), float(np.ravel(model["slips"])[0])
    emit = np.array([[1 - guess, guess], [slip, 1 - slip]])  # emit[state, right]
    emit_lik = np.where(emit == 0, 1.0, emit)  # pyBKT's rule: a 0 likelihood counts as 1
    prior = float(model["prior"])

    n, width = len(lengths), int(lengths.max())
    steps = np.arange(width)
    inside = steps[None, :] < lengths[:, None]  # (S, T)
    at = np.where(inside, starts[:, None] + steps[None, :], 0)
    given = np.where(inside, answers[at], 0)  # 0: no answer (padding or pyBKT's "missing")
    right = (given == 2).astype(np.int64)
    res = np.where(inside, data["resources"][at] - 1, 0)
    lik = np.where((given > 0)[..., None], emit_lik[:, right].transpose(1, 2, 0), 1.0)

    alpha = np.empty((n, width, 2))
    alpha[:, 0] = np.array([1 - prior, prior]) * lik[:, 0]
    norm = alpha[:, 0].sum(axis=1)
    alpha[:, 0] /= norm[:, None]
    loglike = float(np.log(norm).sum())
    for t in range(1, width):
        on = inside[:, t]
        step = np.einsum("sij,sj->si", trans[res[on, t - 1]], alpha[on, t - 1]) * lik[on, t]
        norm = step.sum(axis=1)
        alpha[on, t] = step / norm[:, None]
        loglike += float(np.log(norm).sum())

    last = lengths - 1
    gamma = np.empty_like(alpha)
    gamma[np.arange(n), last] = alpha[np.arange(n), last]
    trans_counts = np.zeros((n_res, 2, 2))
    for t in range(width - 2, -1, -1):
        on = t < last
        a = trans[res[on, t]]  # (s, to, from)
        dotted = np.einsum("sij,sj->si", a, alpha[on, t])
        with np.errstate(divide="ignore", invalid="ignore"):
            pair = a * alpha[on, t][:, None, :] * (gamma[on, t + 1] / dotted)[:, :, None]
        pair = np.nan_to_num(pair)
        np.add.at(trans_counts, res[on, t], pair)
        gamma[on, t] = pair.sum(axis=1)
    counted = inside & (lengths >= 2)[:, None]  # pyBKT counts no emission of a lone answer
    emission = np.zeros((2, 2))  # [state, right]
    for r in (0, 1):
        hit = counted & (given > 0) & (right == r)
        emission[:, r] = gamma[hit].sum(axis=0)
    # pyBKT's layout: trans as (2, 2R) [to, 2r + from] flattened F and reshaped (R, 2, 2)
    flat_trans = trans_counts.transpose(1, 0, 2).reshape(2, 2 * n_res)
    return {"total_loglike": np.array([[loglike]]),
            "all_trans_softcounts": flat_trans.flatten(order="F").reshape((n_res, 2, 2)),
            "all_emission_softcounts": emission.flatten(order="F").reshape((1, 2, 2)),
            "all_initial_softcounts": gamma[:, 0].sum(axis=0).reshape(2, 1)}


def _em(model: dict, data: dict, n_resources: int, config: EmConfig) -> BktFit:
    loglikes: list[float] = []
    for i in range(config.max_iter):
        out = e_step(data, model)
        trans = np.stack([t.T for t in out["all_trans_softcounts"]])
        emit = np.stack([e.T for e in out["all_emission_softcounts"]])
        init = out["all_initial_softcounts"]
        loglikes.append(float(np.asarray(out["total_loglike"]).item()))
        if i > 1 and abs(loglikes[-1] - loglikes[-2]) <= config.tol:
            break  # as EM_fit: the model of the last E step is the one returned
        model = M_step.run(model, trans, emit, init)
    return BktFit(prior=float(model["prior"]), learns=np.array(model["learns"], dtype=float),
                  guess=float(model["guesses"][0]), slip=float(model["slips"][0]),
                  loglike=loglikes[-1], iterations=len(loglikes))


def _pybkt_data(seqs: BktSequences) -> dict:
    """pyBKT's layout: answers 1 = wrong, 2 = right; 1-based starts and resources."""
    lengths = np.asarray(seqs.lengths, dtype=np.int64)
    starts = np.concatenate(([0], np.cumsum(lengths)[:-1])) + 1
    return {"data": (np.asarray(seqs.correct, dtype=np.int32) + 1)[None, :],
            "starts": starts.astype(np.int64), "lengths": lengths,
            "resources": np.asarray(seqs.resources, dtype=np.int64) + 1}


def _check(seqs: BktSequences) -> None:
    n = len(seqs.correct)
    if n == 0 or int(np.sum(seqs.lengths)) != n or np.min(seqs.lengths) < 1:
        raise InvalidInput("BKT sequences: lengths must be >= 1 and add up to the answers")
    if len(seqs.resources) != n or not set(np.unique(seqs.correct).tolist()) <= {0, 1}:
        raise InvalidInput("BKT sequences: one 0/1 answer and one class per answer")
    if np.min(seqs.resources) < 0 or np.max(seqs.resources) >= seqs.n_resources:
        raise InvalidInput(f"BKT sequences: classes must lie in 0..{seqs.n_resources - 1}")
