"""What the offline evaluation needs of histories and of a recommender (duck-typed, so the
domain never imports the models package)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Protocol

import numpy as np


class HistoriesLike(Protocol):
    @property
    def items(self) -> Sequence[np.ndarray]: ...  # int (T_s,) question indices, time order

    @property
    def correct(self) -> Sequence[np.ndarray]: ...  # int (T_s,) 0/1

    def __len__(self) -> int: ...


class Recommender(Protocol):
    def fit(self, train: HistoriesLike, n_items: int) -> None: ...

    def recommend(self, prefix_items: np.ndarray, prefix_correct: np.ndarray, n: int,
                  exclude: set[int] | None) -> list[int]: ...


# (prefix_items, prefix_correct) -> (low, high) suitable difficulty, e.g. around theta.
BandFn = Callable[[np.ndarray, np.ndarray], tuple[float, float]]
# (prefix_items, prefix_correct, items) -> P(correct) of each item at recommendation time.
PCorrectFn = Callable[[np.ndarray, np.ndarray, np.ndarray], np.ndarray]
