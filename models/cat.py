"""Computerised adaptive testing on the project's 2PL item bank, with catsim.

catsim (the field's CAT library) does the three steps: item selection (maximum Fisher
information, randomesque: a random pick among the ``randomesque`` most informative unused items,
so that examinees at the same θ do not all see the same items; the same idea as the
recommender's exposure control), θ estimation (its bounded numerical search of the likelihood,
with Dodd's step while every answer so far is right or every one wrong, where no maximum exists)
and stopping (SE(θ) ≤ ``se_stop`` or ``max_items``). Arrays in and out: the bank is ``a`` and
``b`` (P(correct) = sigmoid(a (θ - b)), as ``models.irt``), a test is the indices given and the
answers received, and the next item depends on nothing else, so a session can be rebuilt from
what the server stored and cannot be replayed for easier items.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from catsim.estimation import NumericalSearchEstimator
from catsim.item_bank import ItemBank
from catsim.selection import MaxInfoSelector, RandomesqueSelector

from tutor.errors import InvalidInput


@dataclass(frozen=True)
class CatConfig:
    max_items: int = 20
    se_stop: float = 0.3  # stop once the standard error of theta is this small
    # pick at random among this many most informative items (1: none); 40 keeps every item
    # under 25 % exposure on ASSIST2009, where a few items are far more informative than the rest
    # (chosen by measurement: docs/evaluation/cat.md)
    randomesque: int = 40
    start_theta: float = 0.0

    def __post_init__(self) -> None:
        if self.max_items < 1 or self.randomesque < 1 or self.se_stop <= 0:
            raise InvalidInput("max_items and randomesque must be at least 1, se_stop above 0")


class Cat:
    """One item bank's adaptive test; stateless between calls."""

    def __init__(self, a: np.ndarray, b: np.ndarray, config: CatConfig = CatConfig()) -> None:
        if len(a) != len(b) or not len(a):
            raise InvalidInput("an item bank needs as many a as b, and at least one item")
        self.a, self.b, self.config = np.asarray(a, float), np.asarray(b, float), config
        n = len(self.a)
        self.bank = ItemBank(np.column_stack([self.a, self.b, np.zeros(n), np.ones(n)]))
        self._select = (RandomesqueSelector(config.randomesque) if config.randomesque > 1
                        else MaxInfoSelector())
        self._estimator = NumericalSearchEstimator()

    def estimate(self, items: Sequence[int], answers: Sequence[bool]) -> float:
        """θ after these answers (the start θ before any)."""
        if not items:
            return self.config.start_theta
        return float(self._estimator.estimate(item_bank=self.bank, administered_items=list(items),
                                              response_vector=list(answers),
                                              est_theta=self.config.start_theta))

    def se(self, theta: float, items: Sequence[int]) -> float:
        """Standard error of θ: 1 / sqrt(test information at θ)."""
        if not items:
            return float("inf")
        idx = np.asarray(items)
        p = 1.0 / (1.0 + np.exp(-self.a[idx] * (theta - self.b[idx])))
        info = float(np.sum(self.a[idx] ** 2 * p * (1 - p)))
        return 1.0 / np.sqrt(info) if info > 0 else float("inf")

    def done(self, theta: float, items: Sequence[int]) -> bool:
        return len(items) >= self.config.max_items or self.se(theta, items) <= self.config.se_stop

    def next_item(self, items: Sequence[int], theta: float, rng: np.random.Generator
                  ) -> int | None:
        """The next item to give, or None when the test is over (or the bank used up)."""
        if self.done(theta, items) or len(items) >= len(self.a):
            return None
        chosen = self._select.select(item_bank=self.bank, administered_items=list(items),
                                     est_theta=theta, rng=rng)
        return None if chosen is None else int(chosen)


@dataclass(frozen=True)
class Sitting:
    """What one examinee was given and how it ended."""

    items: tuple[int, ...]
    answers: tuple[bool, ...]
    theta: float
    se: float


def sit(cat: Cat, answer: Callable[[int], bool], rng: np.random.Generator) -> Sitting:
    """Give the adaptive test to an examinee whose answer to item i is ``answer(i)``."""
    items: list[int] = []
    answers: list[bool] = []
    theta = cat.config.start_theta
    while (item := cat.next_item(items, theta, rng)) is not None:
        items.append(item)
        answers.append(bool(answer(item)))
        theta = cat.estimate(items, answers)
    return Sitting(tuple(items), tuple(answers), theta, cat.se(theta, items))


def sit_fixed(cat: Cat, form: Sequence[int], answer: Callable[[int], bool]) -> Sitting:
    """Give a fixed form (every item, in order) and estimate θ the same way."""
    answers = [bool(answer(i)) for i in form]
    theta = cat.estimate(list(form), answers)
    return Sitting(tuple(form), tuple(answers), theta, cat.se(theta, form))


def most_informative(a: np.ndarray, b: np.ndarray, n: int, theta: float = 0.0) -> list[int]:
    """The ``n`` items with the most Fisher information at ``theta``."""
    p = 1.0 / (1.0 + np.exp(-a * (theta - b)))
    return [int(i) for i in np.argsort(-(a ** 2 * p * (1 - p)), kind="stable")[:n]]
