"""Bi-LSTM knowledge tracing: leakage, shapes, overfitting, chunking, candidate scores."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from models.bilstm import BiLstmConfig, BiLstmKT, predict_proba
from models.kt_batches import PAD_CORRECT, build_chunks
from models.kt_data import Histories

N_ITEMS, N_SKILLS = 30, 6
ITEM_SKILLS = np.array([[i % N_SKILLS, (i + 1) % N_SKILLS if i % 3 == 0 else -1]
                        for i in range(N_ITEMS)])


@pytest.fixture(autouse=True)
def _one_thread():
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    torch.manual_seed(0)
    yield
    torch.set_num_threads(threads)


def _histories(n: int, length: int, seed: int = 0) -> Histories:
    rng = np.random.default_rng(seed)
    items = tuple(rng.integers(0, N_ITEMS, length) for _ in range(n))
    return Histories(tuple(f"s{i}" for i in range(n)), items,
                     tuple(rng.integers(0, 2, length) for _ in range(n)))


def _model(**kw) -> BiLstmKT:
    config = BiLstmConfig(N_ITEMS, N_SKILLS, window=4, embed_dim=8, hidden=8, mlp_hidden=8,
                          **kw)
    return BiLstmKT(config, ITEM_SKILLS).eval()


def _logits(model: BiLstmKT, h: Histories) -> np.ndarray:
    chunks = build_chunks(h, ITEM_SKILLS, length=40, context=8)
    with torch.no_grad():
        logits, _ = model(**chunks.tensors(slice(None), multiple=4))
    return logits[0].numpy()


@pytest.mark.parametrize("t", [0, 1, 3, 4, 5, 11, 12, 23])
def test_prediction_at_t_ignores_steps_from_t_on(t: int) -> None:
    """Every answer at >= t flipped, every question after t replaced: nothing up to t moves.

    (The question *at* t is what is being predicted, so it is the one step-t input kept.)
    """
    model = _model()
    h = _histories(1, 24)
    before = _logits(model, h)
    rng = np.random.default_rng(t + 100)
    items, answers = h.items[0].copy(), h.correct[0].copy()
    items[t + 1:] = rng.integers(0, N_ITEMS, len(items) - t - 1)
    answers[t:] = 1 - answers[t:]
    changed = _logits(model, Histories(h.students, (items,), (answers,)))
    np.testing.assert_allclose(changed[:t + 1], before[:t + 1], atol=1e-6)


def test_own_answer_never_reaches_its_prediction() -> None:
    model = _model()
    h = _histories(1, 24)
    before = _logits(model, h)
    for t in range(24):
        answers = h.correct[0].copy()
        answers[t] = 1 - answers[t]
        after = _logits(model, Histories(h.students, h.items, (answers,)))
        assert after[t] == pytest.approx(before[t], abs=1e-6)
        assert after[:t] == pytest.approx(before[:t], abs=1e-6)
        if t + 1 < 24:
            assert not np.allclose(after[t + 1:], before[t + 1:])  # the past does matter


def test_shapes_and_targets() -> None:
    h = _histories(3, 50)
    chunks = build_chunks(h, ITEM_SKILLS, length=20, context=5, min_position=1)
    # every position >= 1 is a target exactly once
    rows, positions = chunks.target_positions()
    assert sorted(zip(rows.tolist(), positions.tolist(), strict=True)) == [
        (r, p) for r in range(3) for p in range(1, 50)]
    assert chunks.counts.shape == (len(chunks), 20, 6)
    batch = chunks.tensors(slice(None), multiple=4)
    logits, loss = _model()(**batch)
    assert logits.shape == batch["items"].shape
    assert loss.ndim == 0
    assert predict_proba(_model(), chunks.batches(2, multiple=4)).shape == (3 * 49,)
    np.testing.assert_array_equal(chunks.target_labels(),
                                  np.concatenate([c[1:] for c in h.correct]))


def test_counts_use_only_the_past() -> None:
    h = Histories(("s",), (np.array([0, 0, 7, 1]),), (np.array([1, 0, 1, 1]),))
    chunks = build_chunks(h, ITEM_SKILLS, length=8, context=2)
    counts = np.expm1(chunks.counts[0, :4])
    # item 0 tests skills 0 and 1; items 7 and 1 test skill 1 only
    np.testing.assert_allclose(counts[0], [0, 0, 0, 0, 0, 0])
    np.testing.assert_allclose(counts[1], [1, 0, 2, 0, 1, 0])  # item 0 won once; skills 0+1
    np.testing.assert_allclose(counts[2], [0, 0, 1, 1, 1, 1])
    np.testing.assert_allclose(counts[3], [0, 0, 2, 1, 2, 1])


def test_padding_and_bucketed_batches() -> None:
    h = Histories(("a", "b"), (np.arange(5), np.arange(17)), (np.ones(5, int), np.zeros(17, int)))
    chunks = build_chunks(h, ITEM_SKILLS, length=12, context=4)
    assert chunks.start.tolist() == [0, 0, 8]
    assert (chunks.correct[0, 5:] == PAD_CORRECT).all()
    batch = chunks.tensors(np.array([0]), multiple=4)
    assert batch["items"].shape == (1, 8)  # trimmed to 5 real steps, rounded up to 8
    seen = sum(int(b["target"].sum()) for b in chunks.batches(2, seed=0, multiple=4))
    assert seen == chunks.n_targets == 22


def test_overfits_one_batch() -> None:
    model = _model(dropout=0.0, candidate_weight=0.0).train()
    batch = build_chunks(_histories(4, 24, seed=3), ITEM_SKILLS, 24, 4).tensors(multiple=4)
    optimiser = torch.optim.Adam(model.parameters(), lr=3e-2)
    first = None
    for _ in range(150):
        _, loss = model(**batch)
        optimiser.zero_grad()
        loss.backward()
        optimiser.step()
        first = first if first is not None else float(loss.detach())
    assert float(loss.detach()) < 0.1 < first


def test_candidate_scores_rank_a_learnt_next_question() -> None:
    # every student walks items 0, 1, 2, ... in order: the next question is predictable
    n = 24
    h = Histories(tuple(f"s{i}" for i in range(16)),
                  tuple((np.arange(n) + i) % N_ITEMS for i in range(16)),
                  tuple(np.ones(n, dtype=int) for _ in range(16)))
    model = _model(dropout=0.0, candidate_weight=1.0, candidate_sample=64).train()
    batch = build_chunks(h, ITEM_SKILLS, 24, 4).tensors(multiple=4)
    optimiser = torch.optim.Adam(model.parameters(), lr=2e-2)
    for _ in range(200):
        _, loss = model(**batch)
        optimiser.zero_grad()
        loss.backward()
        optimiser.step()
    model.eval()
    recent = torch.arange(4, 16).unsqueeze(0)  # answered 4..15; 16 comes next
    scores = model.candidate_scores(recent, torch.ones_like(recent), torch.arange(N_ITEMS))
    assert scores.shape == (1, N_ITEMS)
    assert int(scores.argmax()) in {16, 17}


def test_graph_vectors_initialise_questions() -> None:
    model = _model()
    vectors = np.random.default_rng(0).normal(size=(N_ITEMS, 8)).astype(np.float32)
    model.init_item_vectors(vectors)
    got = model.item_emb.weight[:N_ITEMS].detach().numpy()
    assert np.corrcoef(got.ravel(), vectors.ravel())[0, 1] > 0.95  # centred per column
    with pytest.raises(ValueError, match="shape"):
        model.init_item_vectors(vectors[:, :4])
