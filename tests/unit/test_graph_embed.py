"""Tests of the question-KP graph embeddings on small synthetic graphs."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from models import checkpoint
from models.graph_embed import (
    GraphEmbedConfig,
    GraphEncoder,
    build_graph,
    embed_items,
    fit_graph_encoder,
    item_success_counts,
    train_item_embeddings,
)
from models.kt_data import Histories

FAST = GraphEmbedConfig(dim=16, epochs=60, patience=60, lr=2e-2, seed=3)


@pytest.fixture(autouse=True)
def one_thread():
    """Tiny graphs gain nothing from threads, and on a busy CPU they lose a lot."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


def _groups(per_skill: int, n_skills: int) -> np.ndarray:
    """``per_skill`` questions on each single KP, -1 padded to width 2."""
    skills = np.repeat(np.arange(n_skills), per_skill)
    return np.stack([skills, np.full_like(skills, -1)], axis=1)


def _dist(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.linalg.norm(a - b))


def test_build_graph_is_undirected_and_has_prerequisites() -> None:
    item_skills = np.array([[0, 1], [1, -1], [2, -1]])
    g = build_graph(3, 3, item_skills, prerequisites=np.array([[0, 2]]))
    assert g.num_nodes == 6
    assert g.link_pos.T.tolist() == [[0, 3], [0, 4], [1, 4], [2, 5], [3, 5]]
    pairs = set(map(tuple, g.edge_index.T.tolist()))
    assert all((b, a) in pairs for a, b in pairs) and len(pairs) == 10
    assert g.item_degree.tolist() == [2, 1, 1]


def test_item_success_counts() -> None:
    h = Histories(("a", "b"), (np.array([0, 2, 2]), np.array([2])),
                  (np.array([1, 0, 1]), np.array([1])))
    success, counts = item_success_counts(h, 4)
    assert counts.tolist() == [1, 0, 3, 0]
    assert success.tolist() == pytest.approx([1.0, 0.0, 2 / 3, 0.0])


def test_shape_dtype_and_determinism() -> None:
    item_skills = _groups(5, 4)
    run = lambda: train_item_embeddings(20, 4, item_skills, FAST)  # noqa: E731
    first, second = run(), run()
    assert first.shape == (20, 16) and first.dtype == np.float32
    assert np.isfinite(first).all()
    np.testing.assert_array_equal(first, second)


def test_shared_kps_end_closer_than_disjoint_kps() -> None:
    # KPs 0-1 and 3-4 each linked by prerequisites; questions on overlapping KP sets
    item_skills = np.array([[0, -1], [0, 1], [1, -1], [3, -1], [3, 4], [4, -1]] * 3)
    z = train_item_embeddings(18, 6, item_skills, FAST,
                              prerequisites=np.array([[0, 1], [3, 4]]))
    assert 2 * _dist(z[0], z[1]) < _dist(z[0], z[4])
    assert 2 * _dist(z[3], z[4]) < _dist(z[3], z[1])


def test_difficulty_transfers_to_a_question_without_responses() -> None:
    n_skills, per_skill = 6, 8
    item_skills = _groups(per_skill, n_skills)
    rate = np.repeat(np.linspace(0.1, 0.9, n_skills), per_skill)  # KP decides difficulty
    counts = np.full(len(rate), 40.0)
    cold = np.arange(0, len(rate), per_skill)  # the first question of each KP: no responses
    counts[cold], rate = 0.0, np.where(counts == 0, 0.0, rate)
    config = GraphEmbedConfig(dim=16, epochs=150, patience=150, lr=2e-2, val_fraction=0.0)
    graph = build_graph(len(rate), n_skills, item_skills)
    model, _ = fit_graph_encoder(graph, config, rate, counts)
    _, predicted = embed_items(model, graph)
    assert np.all(np.diff(predicted[cold]) > 0)  # the order of the KPs' difficulty
    assert predicted[cold] == pytest.approx(np.linspace(0.1, 0.9, n_skills), abs=0.1)


def test_link_prediction_loss_decreases() -> None:
    item_skills = np.array([[0, 2], [1, -1], [2, 3], [4, -1], [1, 4]] * 4)
    graph = build_graph(20, 5, item_skills)
    before, _ = fit_graph_encoder(graph, GraphEmbedConfig(dim=16, epochs=0, seed=3))
    after, logs = fit_graph_encoder(graph, FAST)
    neg = torch.stack([graph.link_pos[0].repeat(4),
                       20 + torch.arange(len(graph.link_pos[0]) * 4) % 5])
    batch = {"edge_index": graph.edge_index, "item_degree": graph.item_degree,
             "link_pos": graph.link_pos, "link_neg": neg}
    with torch.no_grad():
        loss_before = float(before.losses(**batch)[1]["link"])
        loss_after = float(after.losses(**batch)[1]["link"])
    assert loss_after < 0.8 * loss_before
    assert logs[-1].train_loss < logs[0].train_loss


def test_checkpoint_round_trip(tmp_path) -> None:
    item_skills = _groups(3, 4)
    graph = build_graph(12, 4, item_skills)
    model, _ = fit_graph_encoder(graph, GraphEmbedConfig(dim=8, epochs=5))
    checkpoint.save(tmp_path / "g.pt", "graph_embed", model, model.config, {"n_skills": 4})
    loaded, _, extra = checkpoint.load(
        tmp_path / "g.pt", "graph_embed",
        lambda c, _: GraphEncoder(GraphEmbedConfig(**c), n_skills=4))
    np.testing.assert_array_equal(embed_items(loaded, graph)[0], embed_items(model, graph)[0])
    assert extra == {"n_skills": 4}
