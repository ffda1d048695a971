"""2PL IRT: recovery of known parameters, shrinkage, online theta updates, shapes."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from models.irt import (
    Irt2PL,
    IrtConfig,
    fit_irt,
    online_predictions,
    predict,
    theta_from_responses,
    theta_step,
)


def _simulate(n_students: int, n_items: int, seed: int = 0):
    rng = np.random.default_rng(seed)
    theta = rng.normal(size=n_students)
    a = np.exp(rng.normal(0.0, 0.3, n_items))
    b = rng.normal(0.0, 1.0, n_items)
    s, i = (g.ravel() for g in np.meshgrid(np.arange(n_students), np.arange(n_items),
                                           indexing="ij"))
    y = (rng.random(len(s)) < predict(theta[s], a[i], b[i])).astype(np.int64)
    return s, i, y, theta, a, b


@pytest.fixture(scope="module")
def dense():
    s, i, y, theta, a, b = _simulate(500, 50)
    return fit_irt(s, i, y, 500, 50), theta, a, b


def test_recovers_known_parameters(dense):
    params, theta, a, b = dense
    assert np.corrcoef(params.a, a)[0, 1] > 0.9
    assert np.corrcoef(params.b, b)[0, 1] > 0.9
    assert np.corrcoef(params.theta, theta)[0, 1] > 0.9


def test_scale_is_identified_by_the_theta_prior(dense):
    params, _, a, b = dense
    # The population of students matches N(0, 1) and so a, b come out on the true scale.
    assert np.mean(params.theta**2 + params.theta_var) == pytest.approx(1.0, abs=0.02)
    assert np.mean(params.a) / np.mean(a) == pytest.approx(1.0, abs=0.15)
    assert np.polyfit(b, params.b, 1)[0] == pytest.approx(1.0, abs=0.15)


def test_outputs_have_the_documented_shapes(dense):
    params, _, _, _ = dense
    assert params.a.shape == params.b.shape == params.item_responses.shape == (50,)
    assert params.theta.shape == params.theta_var.shape == (500,)
    assert (params.item_responses == 500).all()
    assert (params.theta_var > 0).all() and (params.theta_var < 1).all()
    assert predict(params.theta[:, None], params.a, params.b).shape == (500, 50)
    assert predict(0.0, 1.0, 0.0) == pytest.approx(0.5)


def test_rare_items_are_shrunk_to_sane_values():
    s, i, y, _, _, _ = _simulate(300, 20, seed=1)
    # Item 20 is answered once (correctly), item 21 twice (wrong), item 22 never.
    s = np.concatenate([s, [0, 1, 2]])
    i = np.concatenate([i, [20, 21, 21]])
    y = np.concatenate([y, [1, 0, 0]])
    params = fit_irt(s, i, y, 300, 23)
    assert params.item_responses[20:].tolist() == [1, 2, 0]
    for q in (20, 21, 22):
        assert abs(params.b[q]) < 4.0
        assert 0.3 < params.a[q] < 3.0
    assert params.b[20] < params.b[22] < params.b[21]  # the evidence moves b the right way


def test_model_overfits_a_small_batch_with_a_weak_prior():
    # A Guttman pattern (right iff theta > b) is separable: with a weak prior the loss can
    # fall toward 0; the default prior stops far above that.
    student, item = (g.ravel() for g in torch.meshgrid(torch.arange(8), torch.arange(8),
                                                       indexing="ij"))
    correct = (student > item).long()
    losses = {}
    for sd in (1.0, 100.0):
        torch.manual_seed(0)
        model = Irt2PL(8, 8, IrtConfig(sd_theta=sd, sd_b=sd, sd_log_a=sd))
        opt = torch.optim.Adam(model.parameters(), lr=0.1)
        for _ in range(300):
            opt.zero_grad()
            logit, loss = model(student, item, correct)
            loss.backward()
            opt.step()
        losses[sd] = loss.item()
    assert logit.shape == (64,)
    assert losses[100.0] < 0.05 < 0.25 < losses[1.0]


def test_prior_adds_to_the_bce_as_a_map_objective():
    model = Irt2PL(3, 2, IrtConfig(sd_theta=1.0, sd_b=2.0, sd_log_a=0.5))
    with torch.no_grad():
        model.theta.copy_(torch.tensor([1.0, -1.0, 0.0]))
        model.b.copy_(torch.tensor([2.0, 0.0]))
    logit, loss = model(torch.tensor([0, 1]), torch.tensor([0, 1]), torch.tensor([1, 0]))
    bce = torch.nn.functional.binary_cross_entropy_with_logits(logit, torch.tensor([1.0, 0.0]))
    prior = 0.5 * (1 + 1 + (2 / 2) ** 2)
    assert loss.item() == pytest.approx(bce.item() + prior / 2)


def test_theta_step_moves_toward_the_answer_and_narrows():
    up, var_up = theta_step(0.0, 1.0, 1.2, 0.3, 1)
    down, var_down = theta_step(0.0, 1.0, 1.2, 0.3, 0)
    assert down < 0.0 < up
    assert var_up < 1.0 and var_down < 1.0


def test_folding_steps_lands_near_the_batch_map():
    rng = np.random.default_rng(3)
    a, b = np.exp(rng.normal(0, 0.3, 40)), rng.normal(0, 1, 40)
    y = (rng.random(40) < predict(0.8, a, b)).astype(np.int64)
    mean, var = 0.0, 1.0
    for q in range(40):
        mean, var = theta_step(mean, var, a[q], b[q], int(y[q]))
    batch_mean, batch_var = theta_from_responses(a, b, y, prior_sd=1.0)
    assert mean == pytest.approx(batch_mean, abs=0.1)
    assert var == pytest.approx(batch_var, rel=0.2)


def test_theta_from_responses_solves_the_map_equation():
    a, b, y = np.array([1.0, 2.0, 0.5]), np.array([0.0, 1.0, -1.0]), np.array([1, 0, 1])
    theta, var = theta_from_responses(a, b, y, prior_sd=1.0)
    assert float(a @ (y - predict(theta, a, b))) - theta == pytest.approx(0.0, abs=1e-8)
    assert 0.0 < var < 1.0


def test_online_predictions_use_only_the_past():
    a, b = np.array([1.0, 1.5, 0.8]), np.array([0.0, 0.5, -0.5])
    items = np.array([0, 1, 2, 1])
    p1 = online_predictions(a, b, items, np.array([1, 1, 1, 1]))
    p2 = online_predictions(a, b, items, np.array([1, 1, 1, 0]))
    assert p1.shape == (4,)
    assert np.array_equal(p1, p2)  # the last answer cannot leak into any prediction
    assert p1[0] == pytest.approx(0.5)  # prior mean 0 = b of item 0
    assert p1[3] > predict(0.0, a[1], b[1])  # three right answers raised theta
    shifted = online_predictions(a, b, items[:1], np.array([1]), prior=(1.0, 0.5),
                                 marginal=False)
    assert shifted[0] == pytest.approx(float(predict(1.0, a[0], b[0])))
