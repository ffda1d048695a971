"""The vectorised E step is pyBKT's: ``models.bkt_em.e_step`` gives ``EM_fit.run``'s soft counts
and log-likelihood on random models and data (several practice classes, one-answer sequences,
missing answers), so the fits it speeds up are pyBKT's fits."""

from __future__ import annotations

import numpy as np
import pytest
from pyBKT.fit import EM_fit
from pyBKT.generate import random_model_uni

from models.bkt_em import e_step


def _data(rng: np.random.Generator, n_resources: int) -> dict:
    lengths = rng.integers(1, 12, size=40)
    total = int(lengths.sum())
    answers = rng.integers(1, 3, size=total)
    answers[rng.random(total) < 0.05] = 0  # pyBKT's missing answer
    starts = np.concatenate(([0], np.cumsum(lengths)[:-1])) + 1
    return {"data": answers.astype(np.int32)[None, :], "starts": starts.astype(np.int64),
            "lengths": lengths.astype(np.int64),
            "resources": rng.integers(1, n_resources + 1, size=total).astype(np.int64)}


@pytest.mark.parametrize(("seed", "n_resources"), [(0, 1), (1, 1), (2, 3), (3, 2)])
def test_the_e_step_is_pybkts(seed: int, n_resources: int) -> None:
    rng = np.random.default_rng(seed)
    data = _data(rng, n_resources)
    model = random_model_uni.random_model_uni(n_resources, 1,
                                              rand=np.random.RandomState(seed))
    with np.errstate(divide="ignore", invalid="ignore"):
        want = EM_fit.run(data, model, np.zeros((n_resources, 2, 2)), np.zeros((1, 2, 2)),
                          np.zeros((2, 1)), 1, parallel=False)
    got = e_step(data, model)
    for key in ("total_loglike", "all_trans_softcounts", "all_emission_softcounts",
                "all_initial_softcounts"):
        assert got[key].shape == np.asarray(want[key]).shape, key
        np.testing.assert_allclose(got[key], want[key], rtol=1e-9, atol=1e-9, err_msg=key)
