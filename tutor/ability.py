"""Student ability under the 2PL model: P(correct), and theta from answers without a refit.

Pure (numpy, math and the domain's levels): the recommender estimates a student's theta here
when none is stored, the graph's ingestion recomputes the stored theta here after every answer,
and the IRT trainer (``models.irt``) uses the same functions for its online updates, so there is
one implementation of each.
"""

from __future__ import annotations

import math

import numpy as np

from tutor.curriculum import ResourceLevel

# Questions without a fitted difficulty (e.g. the seed curriculum before ``kgtutor train irt``)
# get one from their level, with a = 1, so the P(correct) band still orders them sensibly
LEVEL_DIFFICULTY = {ResourceLevel.BASIC: -1.0, ResourceLevel.STANDARD: 0.0,
                    ResourceLevel.CHALLENGE: 1.0}


def predict(theta: np.ndarray | float, a: np.ndarray | float, b: np.ndarray | float
            ) -> np.ndarray:
    """P(correct) = sigmoid(a * (theta - b)), broadcasting like numpy."""
    z = np.asarray(a, dtype=np.float64) * (np.asarray(theta, dtype=np.float64) - b)
    return 0.5 * (1.0 + np.tanh(0.5 * z))  # a sigmoid that cannot overflow


def predict_marginal(theta: float, var: float, a: np.ndarray | float, b: np.ndarray | float
                     ) -> np.ndarray:
    """P(correct) averaged over theta ~ N(theta, var) (probit approximation): an uncertain
    ability pulls predictions towards 0.5 instead of over-confident."""
    scale = 1.0 / np.sqrt(1.0 + math.pi * np.square(a) * var / 8.0)
    return predict(theta, scale * np.asarray(a, dtype=np.float64), b)


def item_params(a: float | None, b: float | None, level: str | None) -> tuple[float, float]:
    """A question's (a, b): the fitted ones, else a = 1 and the difficulty of its level
    (standard when it has none)."""
    if b is None:
        b = LEVEL_DIFFICULTY[ResourceLevel(level) if level else ResourceLevel.STANDARD]
    return float(a or 1.0), float(b)


def theta_step(mean: float, var: float, a: float, b: float, correct: int,
               newton_steps: int = 3) -> tuple[float, float]:
    """Gaussian posterior of theta after one more response (Laplace at the new mode).

    O(1): a few 1-D Newton steps on log N(theta; mean, var) + log P(correct | theta), started
    at the prior mean; the new variance is the inverse curvature at the mode.
    """
    theta, prec = mean, 1.0 / var
    for _ in range(newton_steps):
        p = _sigmoid(a * (theta - b))
        grad = a * (correct - p) - (theta - mean) / var
        prec = 1.0 / var + a * a * p * (1.0 - p)
        theta += grad / prec
    p = _sigmoid(a * (theta - b))
    return theta, 1.0 / (1.0 / var + a * a * p * (1.0 - p))


def theta_from_responses(a: np.ndarray, b: np.ndarray, correct: np.ndarray, prior_sd: float = 1.0,
                         prior_mean: float = 0.0, max_iter: int = 50) -> tuple[float, float]:
    """MAP theta (and Laplace variance) of one student from responses to fixed items (Newton)."""
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    y = np.asarray(correct, dtype=np.float64)
    theta, prior_prec = prior_mean, 1.0 / prior_sd**2
    for _ in range(max_iter):
        p = predict(theta, a, b)
        grad = float(a @ (y - p)) - (theta - prior_mean) * prior_prec
        prec = float((a * a) @ (p * (1 - p))) + prior_prec
        theta += grad / prec
        if abs(grad / prec) < 1e-10:
            break
    p = predict(theta, a, b)
    return theta, 1.0 / (float((a * a) @ (p * (1 - p))) + prior_prec)


def _sigmoid(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-z)) if z >= 0 else math.exp(z) / (1.0 + math.exp(z))
