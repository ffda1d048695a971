"""The predictor adapters agree with the training pipelines at the same step of a history."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
import torch

from models.bilstm import BiLstmConfig, BiLstmKT
from models.kt_batches import PAD_CORRECT, _past_counts
from models.kt_data import Histories, KTData
from models.predictors import BiLstmPredictor, ProgressPredictor, next_step_counts
from models.progress import ProgressConfig, ProgressLSTM, predict_progress
from models.progress_data import (
    ProgressDataConfig,
    build_progress_data,
    fit_text_features,
    item_texts_from_skills,
)
from models.registry import load_progress, progress_predictor, save_progress
from models.training import BiLstmTraining, score_bilstm
from models.transitions import QuestionTransitions
from tutor.errors import InvalidInput

N_ITEMS, N_SKILLS = 30, 6
ITEM_SKILLS = np.array([[i % N_SKILLS, (i + 1) % N_SKILLS if i % 3 == 0 else -1]
                        for i in range(N_ITEMS)])
ITEM_IDS = tuple(f"t:q:{i}" for i in range(N_ITEMS))
SKILL_IDS = tuple(f"t:kp:{k}" for k in range(N_SKILLS))
TRAINING = BiLstmTraining(chunk=40, context=8)


@pytest.fixture(autouse=True)
def _one_thread() -> Iterator[None]:
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    torch.manual_seed(0)
    yield
    torch.set_num_threads(threads)


@pytest.fixture
def model() -> BiLstmKT:
    m = BiLstmKT(BiLstmConfig(N_ITEMS, N_SKILLS, window=4, embed_dim=8, hidden=8, mlp_hidden=8),
                 ITEM_SKILLS)
    with torch.no_grad():  # a trained model's biases are not zero: make them count
        m.item_bias.weight[:N_ITEMS].normal_()
    return m.eval()


def _histories(n: int, length: int, seed: int = 0) -> Histories:
    rng = np.random.default_rng(seed)
    return Histories(tuple(f"s{i}" for i in range(n)),
                     tuple(rng.integers(0, N_ITEMS, length) for _ in range(n)),
                     tuple(rng.integers(0, 2, length) for _ in range(n)))


def _pairs(items: np.ndarray, correct: np.ndarray) -> list[tuple[str, bool]]:
    return [(ITEM_IDS[q], bool(c)) for q, c in zip(items, correct, strict=True)]


def _kt(test: Histories) -> KTData:
    return KTData(ITEM_IDS, SKILL_IDS, ITEM_SKILLS, SKILL_IDS, test, test)


def _replicated(model: BiLstmKT, items: np.ndarray, correct: np.ndarray, targets: np.ndarray,
                answer: int) -> np.ndarray:
    """P(correct) through ``forward``: the history copied once per target, target appended."""
    n, w = len(items), model.config.window
    size = -(-(n + 1) // w) * w
    batch_items = np.full((len(targets), size), N_ITEMS)
    batch_correct = np.full((len(targets), size), PAD_CORRECT)
    counts = np.zeros((len(targets), size, 6), dtype=np.float32)
    for row, q in enumerate(targets):
        batch_items[row, :n + 1] = np.append(items, q)
        batch_correct[row, :n + 1] = np.append(correct, answer)
        counts[row, :n + 1] = _past_counts(batch_items[row, :n + 1], np.append(correct, 0),
                                           ITEM_SKILLS)
    with torch.no_grad():
        logits, _ = model(torch.from_numpy(batch_items), torch.from_numpy(batch_correct),
                          torch.from_numpy(counts), torch.ones(len(targets), size, dtype=bool))
    return torch.sigmoid(logits[:, n]).numpy()


@pytest.mark.parametrize("length", [0, 1, 7, 25])
def test_next_step_counts_match_past_counts(length: int) -> None:
    h = _histories(1, length, seed=length)
    items, correct = h.items[0], h.correct[0]
    got = next_step_counts(items, correct, ITEM_SKILLS, np.arange(N_ITEMS))
    for q in range(N_ITEMS):
        want = _past_counts(np.append(items, q), np.append(correct, 1), ITEM_SKILLS)[-1]
        np.testing.assert_allclose(got[q], want, rtol=1e-6)


def test_next_step_equals_the_chunk_pipeline(model: BiLstmKT) -> None:
    """Each step of a short history, scored as 'the next step', is what evaluation scores."""
    h = _histories(1, 30)
    items, correct = h.items[0], h.correct[0]
    want = score_bilstm(model, _kt(h), h, TRAINING).probs  # positions 1..29
    predictor = BiLstmPredictor(model, ITEM_IDS, chunk=TRAINING.chunk)
    got = [predictor.predict(_pairs(items[:t], correct[:t]), [ITEM_IDS[items[t]]])[0][0]
           for t in range(1, len(items))]
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)


def test_long_history_uses_the_last_chunk(model: BiLstmKT) -> None:
    """Past one chunk, a chunk's last position sees exactly the chunk - 1 steps before it."""
    h = _histories(1, 100, seed=3)
    items, correct = h.items[0], h.correct[0]
    scores = score_bilstm(model, _kt(h), h, TRAINING)
    predictor = BiLstmPredictor(model, ITEM_IDS, chunk=TRAINING.chunk)
    for t in (39, 71):  # the last positions of the chunks starting at 0 and 32
        p, _ = predictor.predict(_pairs(items[:t], correct[:t]), [ITEM_IDS[items[t]]])
        np.testing.assert_allclose(p[0], scores.probs[t - 1], rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("length", [0, 3, 4, 13])
def test_batched_candidates_match_forward_and_one_at_a_time(model: BiLstmKT,
                                                            length: int) -> None:
    h = _histories(1, length, seed=7)
    items, correct = h.items[0], h.correct[0]
    predictor = BiLstmPredictor(model, ITEM_IDS)
    targets = np.arange(N_ITEMS)
    p, scores = predictor.predict(_pairs(items, correct), ITEM_IDS)
    singles = [predictor.predict(_pairs(items, correct), [q]) for q in ITEM_IDS]
    np.testing.assert_allclose(p, [s[0][0] for s in singles], rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(scores, [s[1][0] for s in singles], rtol=1e-5, atol=1e-6)
    for answer in (PAD_CORRECT, 0, 1):  # the target's own answer never reaches its prediction
        np.testing.assert_allclose(p, _replicated(model, items, correct, targets, answer),
                                   rtol=1e-5, atol=1e-6)
    want = model.candidate_scores(torch.from_numpy(items[None]),
                                  torch.from_numpy(correct[None]), torch.from_numpy(targets))
    # without transitions P(next) is the candidate head's softmax over every question
    np.testing.assert_allclose(scores, torch.softmax(want[0], 0).numpy(), rtol=1e-5, atol=1e-7)
    assert p.shape == scores.shape == (N_ITEMS,)
    np.testing.assert_allclose(predictor.next_probs(_pairs(items, correct), ITEM_IDS), scores)


def test_transitions_are_mixed_into_p_next(model: BiLstmKT) -> None:
    h = _histories(20, 30, seed=11)
    table = QuestionTransitions.fit(h.items, N_ITEMS)
    plain = BiLstmPredictor(model, ITEM_IDS)
    mixed = BiLstmPredictor(model, ITEM_IDS, transitions=table, mix=0.5)
    history = _pairs(h.items[0][:10], h.correct[0][:10])
    last = int(h.items[0][9])
    after = table.after(last)
    assert after.sum() == pytest.approx(1.0) and after.any()
    got = mixed.next_probs(history, ITEM_IDS)
    np.testing.assert_allclose(got, 0.5 * plain.next_probs(history, ITEM_IDS) + 0.5 * after,
                               rtol=1e-6)
    assert got.sum() == pytest.approx(1.0)
    np.testing.assert_allclose(mixed.next_mass(history, [ITEM_IDS[:5], ITEM_IDS[5:]]),
                               [got[:5].sum(), got[5:].sum()], rtol=1e-9)
    # a last question never followed in train leaves the Bi-LSTM's distribution alone
    lonely = next(q for q in range(N_ITEMS) if not table.after(q).any()) if any(
        not table.after(q).any() for q in range(N_ITEMS)) else None
    if lonely is not None:
        history = (*history, (ITEM_IDS[lonely], True))
        np.testing.assert_allclose(mixed.next_probs(history, ITEM_IDS),
                                   plain.next_probs(history, ITEM_IDS), rtol=1e-6)
    with pytest.raises(InvalidInput, match="transition table"):
        BiLstmPredictor(model, ITEM_IDS, transitions=QuestionTransitions.fit(h.items, 99))


def test_transition_counts() -> None:
    table = QuestionTransitions.fit([np.array([0, 1, 0, 1, 2]), np.array([1, 2]),
                                     np.array([3])], 4)
    np.testing.assert_allclose(table.after(0), [0, 1, 0, 0])
    np.testing.assert_allclose(table.after(1), [1 / 3, 0, 2 / 3, 0])
    np.testing.assert_allclose(table.after(3), [0, 0, 0, 0])
    again = QuestionTransitions.from_arrays(4, **table.arrays())
    for q in range(4):
        np.testing.assert_allclose(again.after(q), table.after(q))


def test_unknown_ids_are_named(model: BiLstmKT) -> None:
    predictor = BiLstmPredictor(model, ITEM_IDS)
    with pytest.raises(InvalidInput, match="t:q:nope"):
        predictor.predict([("t:q:1", True)], ["t:q:2", "t:q:nope"])
    with pytest.raises(InvalidInput, match="t:q:gone"):
        predictor.predict([("t:q:gone", True)], ["t:q:2"])
    with pytest.raises(InvalidInput, match="item ids"):
        BiLstmPredictor(model, ITEM_IDS[:-1])


# --- progress ----------------------------------------------------------------------------------

SMALL = ProgressDataConfig(window=6, horizon=3, stride=4, min_steps=3)


def test_progress_predictor_matches_the_samples(tmp_path: Path) -> None:
    """weakest/progress for a history = the model on the training sample ending there, also
    with the vectorizer as the registry reloads it."""
    names = [f"topic{k} word{k % 3}" for k in range(N_SKILLS)]
    texts = item_texts_from_skills(ITEM_SKILLS, names)
    rng = np.random.default_rng(5)
    lengths = rng.integers(8, 30, 6)
    h = Histories(tuple(f"s{i}" for i in range(6)),
                  tuple(rng.integers(0, N_ITEMS, t) for t in lengths),
                  tuple(rng.integers(0, 2, t) for t in lengths))
    data = build_progress_data(h, texts, ITEM_SKILLS, N_SKILLS, SMALL)
    model = ProgressLSTM(ProgressConfig(SMALL.n_features, N_SKILLS,
                                        progress_feature=SMALL.progress_feature)).eval()
    pct, logits = predict_progress(model, data)
    vectorizer, _ = fit_text_features(texts, SMALL.text_features)
    save_progress(tmp_path, model, SMALL, vectorizer,
                  KTData(ITEM_IDS, SKILL_IDS, ITEM_SKILLS, tuple(names), h, h))
    loaded, config, reloaded, skill_ids = load_progress(tmp_path)
    for predictor in (ProgressPredictor(model, config, vectorizer, ITEM_IDS, texts, ITEM_SKILLS,
                                        skill_ids),
                      ProgressPredictor(loaded, config, reloaded, ITEM_IDS, texts, ITEM_SKILLS,
                                        skill_ids),
                      progress_predictor(tmp_path)):
        assert predictor.weakest([]) is None and predictor.progress_of([[]]) == [0.0]
        histories = [_pairs(h.items[s][:t + 1], h.correct[s][:t + 1])
                     for s, t in zip(data.student, data.end, strict=True)]
        # one pass over many histories (a class report's), empty ones in between
        assert predictor.progress_of([[], *histories, []]) == pytest.approx(
            [0.0, *pct.tolist(), 0.0], abs=1e-4)
        for i, history in enumerate(histories):
            assert predictor.weakest(history) == SKILL_IDS[int(logits[i].argmax())]
        fresh = ProgressPredictor(model, config, vectorizer, ITEM_IDS, texts, ITEM_SKILLS,
                                  skill_ids)
        for i, history in enumerate(histories):  # one at a time, nothing kept yet
            assert fresh.progress_of([history]) == pytest.approx([float(pct[i])], abs=1e-4)
    assert len(data) > 10


def test_progress_of_keeps_a_history_figure_until_the_history_changes() -> None:
    texts = item_texts_from_skills(ITEM_SKILLS, SKILL_IDS)
    vectorizer, _ = fit_text_features(texts, SMALL.text_features)
    model = ProgressLSTM(ProgressConfig(SMALL.n_features, N_SKILLS,
                                        progress_feature=SMALL.progress_feature)).eval()
    predictor = ProgressPredictor(model, SMALL, vectorizer, ITEM_IDS, texts, ITEM_SKILLS,
                                  SKILL_IDS)
    passes: list[int] = []
    heads = predictor._heads

    def counted(histories):  # type: ignore[no-untyped-def]
        passes.append(len(histories))
        return heads(histories)

    predictor._heads = counted  # type: ignore[method-assign]
    rng = np.random.default_rng(9)
    a, b = (_pairs(rng.integers(0, N_ITEMS, 20), rng.integers(0, 2, 20)) for _ in range(2))
    first = predictor.progress_of([a, b, a])
    assert passes == [2] and first[0] == first[2]  # a repeated history is computed once
    assert predictor.progress_of([b, a]) == [first[1], first[0]] and passes == [2]
    longer = [*a, (ITEM_IDS[0], True)]
    assert predictor.progress_of([longer, a])[1] == first[0] and passes == [2, 1]
    assert predictor.progress_of([[*a[:-1], (a[-1][0], not a[-1][1])]]) and passes == [2, 1, 1]


def test_progress_predictor_rejects_unknown_ids_and_mismatches() -> None:
    texts = item_texts_from_skills(ITEM_SKILLS, SKILL_IDS)
    vectorizer, _ = fit_text_features(texts, SMALL.text_features)
    model = ProgressLSTM(ProgressConfig(SMALL.n_features, N_SKILLS))
    predictor = ProgressPredictor(model, SMALL, vectorizer, ITEM_IDS, texts, ITEM_SKILLS,
                                  SKILL_IDS)
    with pytest.raises(InvalidInput, match="t:q:zz"):
        predictor.weakest([("t:q:zz", False)])
    with pytest.raises(InvalidInput, match="skill ids"):
        ProgressPredictor(model, SMALL, vectorizer, ITEM_IDS, texts, ITEM_SKILLS, SKILL_IDS[:2])


@pytest.mark.parametrize("length", [1, 3, 4, 13, 60])
def test_recalled_state_answers_as_the_lstms_do(model: BiLstmKT, length: int) -> None:
    """What one predictor kept, another (a second worker, the same model) recalls: its
    scores equal its own LSTMs' to the bit, and the LSTMs do not run."""
    h = _histories(1, length, seed=length)
    history = _pairs(h.items[0], h.correct[0])
    targets = list(ITEM_IDS[:12])
    transitions = QuestionTransitions.fit(h.items, N_ITEMS)
    writer = BiLstmPredictor(model, ITEM_IDS, chunk=TRAINING.chunk, transitions=transitions)
    kept = writer.kept(history)
    want = BiLstmPredictor(model, ITEM_IDS, chunk=TRAINING.chunk, transitions=transitions
                           ).predict(history, targets)
    reader = BiLstmPredictor(model, ITEM_IDS, chunk=TRAINING.chunk, transitions=transitions)
    contexts: list[int] = []
    context = reader._heads.context
    reader._heads.context = lambda *a: contexts.append(1) or context(*a)  # type: ignore[method-assign]
    assert reader.recall(history, kept)
    got = reader.predict(history, targets)
    assert contexts == []
    for g, w in zip(got, want, strict=True):
        np.testing.assert_array_equal(g, w)
    groups = [ITEM_IDS[:5], ITEM_IDS[5:9]]
    np.testing.assert_array_equal(reader.next_mass(history, groups),
                                  writer.next_mass(history, groups))


def test_kept_state_of_another_history_or_model_is_ignored(model: BiLstmKT) -> None:
    h = _histories(1, 9)
    history = _pairs(h.items[0], h.correct[0])
    kept = BiLstmPredictor(model, ITEM_IDS).kept(history)
    reader = BiLstmPredictor(model, ITEM_IDS)
    answered = [*history, (ITEM_IDS[3], True)]
    flipped = [*history[:-1], (history[-1][0], not history[-1][1])]
    assert not reader.recall(answered, kept) and not reader.recall(flipped, kept)
    assert not reader.recall([], kept)
    assert not BiLstmPredictor(model, ITEM_IDS, chunk=20).recall(history, kept)  # other window
    retrained = BiLstmKT(model.config, ITEM_SKILLS).eval()
    assert not BiLstmPredictor(retrained, ITEM_IDS).recall(history, kept)
    assert reader.recall(history, kept)


def test_recalled_weakest_kp_is_the_models() -> None:
    texts = item_texts_from_skills(ITEM_SKILLS, SKILL_IDS)
    vectorizer, _ = fit_text_features(texts, SMALL.text_features)
    model = ProgressLSTM(ProgressConfig(SMALL.n_features, N_SKILLS,
                                        progress_feature=SMALL.progress_feature)).eval()

    def predictor(m: ProgressLSTM = model) -> ProgressPredictor:
        return ProgressPredictor(m, SMALL, vectorizer, ITEM_IDS, texts, ITEM_SKILLS, SKILL_IDS)

    rng = np.random.default_rng(4)
    histories = [_pairs(rng.integers(0, N_ITEMS, n), rng.integers(0, 2, n)) for n in (1, 7, 45)]
    writer, reader = predictor(), predictor(copy.deepcopy(model))
    reader.model.lstm = None  # type: ignore[assignment]  # a recalled KP needs no LSTM
    for history in histories:
        assert reader.recall(history, writer.kept(history))
        assert reader.weakest(history) == writer.weakest(history)
    other = ProgressLSTM(model.config).eval()
    assert not predictor(other).recall(histories[0], writer.kept(histories[0]))
    assert not reader.recall(histories[1], writer.kept(histories[0]))
