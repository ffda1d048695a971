"""The offline evaluation's baselines, as in the source paper: popularity, user-based
collaborative filtering and a first-order Markov chain over questions (``evaluation.recommend``)."""

from __future__ import annotations

import math

import numpy as np
from scipy import sparse

from evaluation.recommend_types import HistoriesLike


def _popularity_ranking(train: HistoriesLike, n_items: int) -> np.ndarray:
    counts = np.zeros(n_items, dtype=np.int64)
    for items in train.items:
        counts += np.bincount(items, minlength=n_items)
    return np.argsort(-counts, kind="stable")  # ties: lower index first, deterministic


def _take(ranked: np.ndarray, n: int, exclude: set[int] | None, have: list[int]) -> list[int]:
    """Append the first items of ``ranked`` that are neither excluded nor already in ``have``."""
    skip = (exclude or set()) | set(have)
    for q in ranked[: n - len(have) + len(skip)].tolist():  # enough even if all skips are here
        if len(have) >= n:
            break
        if q not in skip:
            have.append(q)
            skip.add(q)
    return have


class Popularity:
    """Recommend the questions answered most often in train."""

    def fit(self, train: HistoriesLike, n_items: int) -> None:
        self.ranking = _popularity_ranking(train, n_items)

    def recommend(self, prefix_items: np.ndarray, prefix_correct: np.ndarray, n: int,
                  exclude: set[int] | None) -> list[int]:
        return _take(self.ranking, n, exclude, [])


def _item_matrix(train: HistoriesLike, n_items: int, binary: bool) -> sparse.csr_matrix:
    rows = np.concatenate([np.full(len(x), s) for s, x in enumerate(train.items)])
    cols = np.concatenate(list(train.items))
    m = sparse.csr_matrix((np.ones(len(cols)), (rows, cols)), shape=(len(train), n_items))
    m.sum_duplicates()  # repeated answers add up: the count vector
    if binary:
        m.data[:] = 1.0
    return m


class UserCF:
    """User-based CF: the k train students most cosine-similar to the prefix vote for items."""

    def __init__(self, k: int = 50, binary: bool = True):
        self.k, self.binary = k, binary  # neighbours; binary (seen) or count item vectors

    def fit(self, train: HistoriesLike, n_items: int) -> None:
        self.matrix = _item_matrix(train, n_items, self.binary)  # (S, I)
        norms = np.sqrt(np.asarray(self.matrix.multiply(self.matrix).sum(axis=1)).ravel())
        self.unit = sparse.diags(1.0 / np.maximum(norms, 1e-12)) @ self.matrix
        self.fallback = _popularity_ranking(train, n_items)

    def recommend(self, prefix_items: np.ndarray, prefix_correct: np.ndarray, n: int,
                  exclude: set[int] | None) -> list[int]:
        have: list[int] = []
        if len(prefix_items):
            q = np.bincount(prefix_items, minlength=self.matrix.shape[1]).astype(float)
            if self.binary:
                q = np.minimum(q, 1.0)
            # not np.linalg.norm: BLAS dot on a shared machine can wake a thread pool (~5 ms)
            sims = self.unit @ (q / math.sqrt(float(np.square(q).sum())))  # (S,) cosine
            k = min(self.k, len(sims))
            top = np.argpartition(-sims, k - 1)[:k]
            top = top[sims[top] > 0]
            scores = self._votes(top, sims[top])
            voted = np.flatnonzero(scores > 0)
            have = _take(voted[np.argsort(-scores[voted], kind="stable")], n, exclude, have)
        return _take(self.fallback, n, exclude, have)


    def _votes(self, rows: np.ndarray, weights: np.ndarray) -> np.ndarray:
        """Return (I,) similarity-weighted item frequency of the neighbours ``rows``."""
        sub = self.matrix[rows]  # bincount, not ``weights @ sub``: that one densifies (k, I)
        w = np.repeat(weights, np.diff(sub.indptr)) * sub.data
        return np.bincount(sub.indices, weights=w, minlength=self.matrix.shape[1])


class MarkovChain:
    """First-order Markov chain: the most frequent train successors of the last question."""

    def __init__(self, lookback: int = 20):
        self.lookback = lookback  # earlier prefix questions whose successors fill a short list

    def fit(self, train: HistoriesLike, n_items: int) -> None:
        src = np.concatenate([x[:-1] for x in train.items])
        dst = np.concatenate([x[1:] for x in train.items])
        self.transitions = sparse.csr_matrix((np.ones(len(src)), (src, dst)),
                                             shape=(n_items, n_items))
        self.transitions.sum_duplicates()
        self.fallback = _popularity_ranking(train, n_items)

    def successors(self, item: int) -> np.ndarray:
        """Return the successors of ``item`` in train, most frequent first."""
        lo, hi = self.transitions.indptr[item], self.transitions.indptr[item + 1]
        cols, counts = self.transitions.indices[lo:hi], self.transitions.data[lo:hi]
        return cols[np.lexsort((cols, -counts))]

    def recommend(self, prefix_items: np.ndarray, prefix_correct: np.ndarray, n: int,
                  exclude: set[int] | None) -> list[int]:
        have: list[int] = []
        recent = list(dict.fromkeys(prefix_items[::-1].tolist()))[: self.lookback + 1]
        for item in recent:  # the last question first, then earlier ones
            have = _take(self.successors(item), n, exclude, have)
            if len(have) >= n:
                return have
        return _take(self.fallback, n, exclude, have)
