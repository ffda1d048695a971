"""The population prior per KP from first answers (models.kp_population)."""

from __future__ import annotations

import numpy as np

from models.kp_population import known_shares


def test_first_answers_give_the_known_share() -> None:
    rng = np.random.default_rng(0)
    known = np.array([0.9, 0.2])
    items, correct = [], []
    for _ in range(2000):
        k = rng.random(2) < known
        p_right = np.where(k, 0.9, 0.2)  # the product's slip 0.1 and guess 0.2
        first = (rng.random(2) < p_right).astype(int)
        items.append(np.array([0, 1, 0]))  # the second answer on KP 0 is not a first
        correct.append(np.array([first[0], first[1], 0]))
    shares = known_shares(items, correct, [(0,), (1,)], 2)
    assert np.allclose(shares, known, atol=0.05)


def test_a_kp_never_met_gets_the_overall_estimate() -> None:
    shares = known_shares([np.array([0])], [np.array([1])], [(0,), (1,)], 2, strength=10)
    assert 0.0 <= shares[1] <= 1.0 and shares[0] > shares[1] - 1e-9
