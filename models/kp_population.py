"""Each KP's population prior: the share of students who know it before practising it.

Estimated from the stored answers alone: a student's first answer on a KP is right with
P = known (1 - slip) + (1 - known) guess under BKT, so the first-answer right rate r gives
known = (r - guess) / (1 - slip - guess), clipped to [0, 1], with the product's guess and slip
(``tutor.mastery.BktParams``) and shrunk towards the overall rate with ``strength`` pseudo
answers (a KP few students met keeps an estimate near the population's). The recommender reads
it as the mastery of a KP the student never practised (``RecConfig.population_prior``), in place
of "unknown" (0): KPs most students already know are not re-taught to everyone.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from tutor.mastery import BktParams


def known_shares(items: Sequence[np.ndarray], correct: Sequence[np.ndarray],
                 item_kps: Sequence[Sequence[int]], n_kps: int, bkt: BktParams = BktParams(),
                 strength: float = 10.0) -> np.ndarray:
    """(n_kps,) estimated share of students who know each KP before practising it."""
    right = np.zeros(n_kps)
    seen = np.zeros(n_kps)
    for seq, ok in zip(items, correct, strict=True):
        met: set[int] = set()
        for q, c in zip(np.asarray(seq).tolist(), np.asarray(ok).tolist(), strict=True):
            for k in item_kps[q]:
                if k not in met:
                    met.add(k)
                    seen[k] += 1
                    right[k] += float(c)
    return shares_from_counts(right, seen, bkt, strength)


def shares_from_counts(right: np.ndarray, seen: np.ndarray, bkt: BktParams = BktParams(),
                       strength: float = 10.0) -> np.ndarray:
    """The known shares from per-KP counts of first answers (``seen``) and right ones
    (``right``): the graph's job (``services.priors``) counts them in the store."""
    right, seen = np.asarray(right, dtype=np.float64), np.asarray(seen, dtype=np.float64)
    overall = right.sum() / seen.sum() if seen.sum() else bkt.guess
    rate = (right + strength * overall) / (seen + strength)
    return np.clip((rate - bkt.guess) / (1 - bkt.slip - bkt.guess), 0.0, 1.0)
