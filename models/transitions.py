"""Question-to-question transitions: which question students answered right after which.

The Bi-LSTM's candidate head scores a question by a 64-number vector, which generalises (a new
question gets its KPs' vector) but cannot remember that, in a skill builder, problem 4711 is
followed by 4712. A count table of train transitions remembers exactly that. The sequence model
mixes the two (``models.predictors.BiLstmPredictor``): measured on ASSIST2009 test students at
split 0.8, the mixture's top 10 reached NDCG@10 0.074 where the Bi-LSTM alone reached 0.056 and
the first-order Markov baseline 0.067 (README, offline evaluation).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from scipy import sparse

from tutor.errors import InvalidInput


class QuestionTransitions:
    """Row-normalised counts of "question i, then question j" over training histories."""

    def __init__(self, counts: sparse.csr_matrix) -> None:
        if counts.shape[0] != counts.shape[1]:
            raise InvalidInput(f"a transition table must be square, got {counts.shape}")
        self.counts = counts.tocsr()
        self._totals = np.asarray(self.counts.sum(axis=1)).ravel()

    @classmethod
    def fit(cls, histories: Sequence[np.ndarray], n_items: int) -> QuestionTransitions:
        """Count consecutive answers of each history (repeats of a question count too)."""
        pairs = [h for h in histories if len(h) > 1]
        src = np.concatenate([h[:-1] for h in pairs]) if pairs else np.zeros(0, np.int64)
        dst = np.concatenate([h[1:] for h in pairs]) if pairs else np.zeros(0, np.int64)
        counts = sparse.csr_matrix((np.ones(len(src)), (src, dst)), shape=(n_items, n_items))
        counts.sum_duplicates()
        return cls(counts)

    @property
    def n_items(self) -> int:
        return self.counts.shape[0]

    def after(self, item: int) -> np.ndarray:
        """P(next = j | last = item) for every question j (all zeros if never followed)."""
        out = np.zeros(self.n_items)
        followers, p = self.followers(item)
        out[followers] = p
        return out

    def followers(self, item: int) -> tuple[np.ndarray, np.ndarray]:
        """The questions that followed ``item`` and P(next = j | last = item) of each (the
        non-zero part of :meth:`after`; empty if never followed)."""
        lo, hi = self.counts.indptr[item], self.counts.indptr[item + 1]
        if hi <= lo:
            return np.zeros(0, np.int64), np.zeros(0)
        return self.counts.indices[lo:hi], self.counts.data[lo:hi] / self._totals[item]

    def arrays(self) -> dict[str, np.ndarray]:
        """The table as plain arrays, for a checkpoint."""
        c = self.counts
        return {"indptr": c.indptr.astype(np.int64), "indices": c.indices.astype(np.int64),
                "data": c.data.astype(np.float32)}

    @classmethod
    def from_arrays(cls, n_items: int, indptr: np.ndarray, indices: np.ndarray,
                    data: np.ndarray) -> QuestionTransitions:
        return cls(sparse.csr_matrix((data, indices, indptr), shape=(n_items, n_items)))
