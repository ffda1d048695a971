"""Unit tests of the progress LSTM and its dataset: shapes, hand-computed targets, no look-ahead."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pytest
import torch

from models.kt_data import Histories
from models.progress import ProgressConfig, ProgressLSTM, evaluate_progress
from models.progress_data import (
    BEHAVIOUR,
    ProgressDataConfig,
    _trace,
    _window,
    build_progress_data,
    fit_text_features,
    item_texts_from_skills,
    progress_batches,
    window_features,
)
from tutor.mastery import bkt_trace

SKILLS = np.array([[0, -1], [1, -1], [0, 1]])  # item 2 practises both skills
TEXTS = item_texts_from_skills(SKILLS, ["fractions", "decimals", "geometry"])
TINY = ProgressDataConfig(window=3, horizon=2, stride=2, min_steps=2)


@pytest.fixture(autouse=True)
def one_thread() -> Iterator[None]:
    """Tiny LSTMs run far slower on several threads of a busy CPU than on one."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


def histories(*rows: tuple[list[int], list[int]]) -> Histories:
    return Histories(tuple(f"s{i}" for i in range(len(rows))),
                     tuple(np.array(items) for items, _ in rows),
                     tuple(np.array(correct) for _, correct in rows))


def random_histories(n: int, n_items: int, seed: int) -> Histories:
    rng = np.random.default_rng(seed)
    lengths = rng.integers(15, 80, n)
    return histories(*((list(rng.integers(0, n_items, t)), list(rng.integers(0, 2, t)))
                       for t in lengths))


def random_skills(n_items: int, n_skills: int) -> tuple[np.ndarray, list[str]]:
    skills = np.full((n_items, 2), -1)
    skills[:, 0] = np.arange(n_items) % n_skills
    skills[::3, 1] = (np.arange(0, n_items, 3) + 1) % n_skills
    skills.sort(axis=1)
    skills = np.where(skills[:, :1] < 0, skills[:, ::-1], skills)  # real skills first
    names = [f"topic{k} word{k % 3}" for k in range(n_skills)]
    return skills, item_texts_from_skills(skills, names)


def test_item_texts_and_tfidf_width() -> None:
    assert TEXTS == ["fractions", "decimals", "fractions decimals"]
    _, matrix = fit_text_features(TEXTS)
    assert matrix.shape == (3, 128)  # 2 words, zero-padded to 128 columns
    assert (matrix[:, 2:] == 0).all() and (matrix[:, :2].sum(1) > 0).all()


def test_targets_match_hand_computed_values() -> None:
    data = build_progress_data(histories(
        ([0, 0, 1, 2, 1, 1], [1, 1, 0, 1, 0, 0]),  # windows end at t=1 and t=3
        ([0, 0, 2, 2], [1, 1, 0, 0]),  # errors tie across skills: lower mastery wins
        ([1, 0, 0, 1], [0, 1, 1, 1]),  # no errors next: weakest practised skill, not skill 2
    ), TEXTS, SKILLS, 3, TINY)
    assert data.student.tolist() == [0, 0, 1, 2] and data.end.tolist() == [1, 3, 1, 1]
    assert bkt_trace([1, 1, 1]) >= 0.85 > bkt_trace([0, 1])  # what the progress values rely on
    assert data.progress.tolist() == [50, 50, 0, 50]
    assert data.progress_now.tolist() == [100, 50, 100, 0]
    assert bkt_trace([0, 0]) < bkt_trace([1, 1, 0, 0])
    assert data.weakest.tolist() == [1, 1, 1, 1]
    assert data.baseline_weakest.tolist() == [[0, 1, 2], [1, 0, 2], [0, 1, 2], [1, 0, 2]]


def test_step_features_and_left_padding() -> None:
    data = build_progress_data(histories(([0, 0, 1, 2, 1, 1], [1, 1, 0, 1, 0, 0])),
                               TEXTS, SKILLS, 3, TINY)
    _, text = fit_text_features(TEXTS)
    assert data.mask.tolist() == [[False, True, True], [True, True, True]]
    assert (data.x[0, 0] == 0).all()
    last = dict(zip(BEHAVIOUR, data.x[1, 2, 128:].tolist(), strict=True))  # step 3: item 2, right
    expected = {"correct": 1, "acc": 3 / 4, "skill_acc": (1 + 1 / 2) / 2,
                "log_attempts": (np.log1p(2) + np.log1p(1)) / 2,
                "bkt_before": (bkt_trace([1, 1]) + bkt_trace([0])) / 2,
                "bkt_after": (bkt_trace([1, 1, 1]) + bkt_trace([0, 1])) / 2,
                "progress": 0.5, "log_touched": np.log1p(2), "observed": 1}
    assert last == pytest.approx(expected, rel=1e-6)
    np.testing.assert_array_equal(data.x[1, :, :128], text[[0, 1, 2]])


def test_input_window_ignores_later_steps() -> None:
    skills, texts = random_skills(20, 6)
    base = random_histories(3, 20, seed=1)
    t = 29
    items, correct = [x.copy() for x in base.items], [x.copy() for x in base.correct]
    for s in range(len(items)):
        items[s][t + 1:] = (items[s][t + 1:] + 7) % 20
        correct[s][t + 1:] = 1 - correct[s][t + 1:]
    changed = Histories(base.students, tuple(items), tuple(correct))
    a, b = (build_progress_data(h, texts, skills, 6) for h in (base, changed))
    early = a.end <= t
    assert early.any() and (a.end > t).any()
    np.testing.assert_array_equal(a.x[early], b.x[early])
    np.testing.assert_array_equal(a.mask[early], b.mask[early])
    np.testing.assert_array_equal(a.progress_now[early], b.progress_now[early])
    np.testing.assert_array_equal(a.baseline_weakest[early], b.baseline_weakest[early])


def test_shapes_and_padding_is_ignored() -> None:
    skills, texts = random_skills(20, 6)
    config = ProgressDataConfig()
    data = build_progress_data(random_histories(8, 20, seed=0), texts, skills, 6, config)
    n = len(data)
    assert data.x.shape == (n, 30, config.n_features) and data.mask.shape == (n, 30)
    assert data.progress.shape == (n,) and data.weakest.shape == (n,)
    assert ((data.progress >= 0) & (data.progress <= 100)).all()
    assert (~data.mask[:, -1]).sum() == 0  # every window ends on a real step
    model = ProgressLSTM(ProgressConfig(config.n_features, 6)).eval()
    batch = next(progress_batches(data, batch_size=5))
    (pct, logits), loss = model(**batch)
    assert pct.shape == (5,) and logits.shape == (5, 6) and loss.ndim == 0
    noisy = batch["x"].clone()
    noisy[~batch["mask"]] = torch.randn(int((~batch["mask"]).sum()), config.n_features)
    assert (~batch["mask"]).any()
    (pct2, logits2), _ = model(noisy, batch["mask"])
    torch.testing.assert_close(pct2, pct)
    torch.testing.assert_close(logits2, logits)
    assert set(evaluate_progress(model, data)) >= {"progress_mae", "weakest_top1",
                                                   "baseline_weakest_top3"}


def test_overfits_one_batch() -> None:
    torch.manual_seed(0)
    skills, texts = random_skills(20, 6)
    config = ProgressDataConfig()
    data = build_progress_data(random_histories(8, 20, seed=2), texts, skills, 6, config)
    batch = next(progress_batches(data, batch_size=16))
    model = ProgressLSTM(ProgressConfig(config.n_features, 6, dropout=0.0,
                                        progress_feature=config.progress_feature))
    optimiser = torch.optim.Adam(model.parameters(), lr=1e-2)
    for _ in range(300):
        _, loss = model(**batch)
        optimiser.zero_grad()
        loss.backward()
        optimiser.step()
    (pct, logits), _ = model(**batch)
    assert (logits.argmax(1) == batch["weakest"]).all()
    assert (pct - batch["progress"]).abs().max() < 5


def test_progress_head_starts_from_observed_progress() -> None:
    skills, texts = random_skills(20, 6)
    config = ProgressDataConfig()
    data = build_progress_data(random_histories(4, 20, seed=3), texts, skills, 6, config)
    model = ProgressLSTM(ProgressConfig(config.n_features, 6,
                                        progress_feature=config.progress_feature)).eval()
    with torch.no_grad():
        model.progress_head.weight.zero_()
        model.progress_head.bias.copy_(torch.tensor([30.0, 0.0]))  # gate fully open
    (pct, _), _ = model(**next(progress_batches(data, batch_size=8)))
    np.testing.assert_allclose(pct.detach().numpy(), data.progress_now[:8], atol=1e-3)


@pytest.mark.parametrize("seed", range(4))
def test_serving_window_equals_the_training_trace(seed: int) -> None:
    """Serving's one-pass window (counts before it as bincounts) gives the features the
    training trace gives at that step, also for items that list a skill twice or none."""
    rng = np.random.default_rng(seed)
    n_items, n_skills = 12, 5
    skills = rng.integers(-1, n_skills, (n_items, 3))
    skills[0] = [2, 2, -1]  # a skill listed twice
    skills[1] = [-1, -1, -1]  # none
    text = rng.random((n_items, 4)).astype(np.float32)
    config = ProgressDataConfig(window=6, text_features=4)
    items, correct = rng.integers(0, n_items, 40), rng.integers(0, 2, 40)
    items[:3] = [0, 1, 0]
    trace = _trace(items, correct, skills, n_skills, config)
    feats = np.concatenate([text[items], trace.steps], axis=1)
    for t in (0, 4, 5, 6, 20, 39):
        got = window_features(items[:t + 1], correct[:t + 1], text, skills, n_skills, config)
        want = _window(feats, t, config.window)
        np.testing.assert_array_equal(got[1], want[1])
        np.testing.assert_allclose(got[0], want[0], rtol=1e-6, atol=1e-7)
