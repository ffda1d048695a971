"""Fit the knowledge-tracing models on ``KTData`` and score held-out students.

This is where models meet data: each ``fit_*`` takes arrays and hyperparameters and returns a
fitted model; each ``score_*`` predicts every response of a student except the first (positions
``t >= 1``) from that student's positions ``< t``. ``evaluation.kt`` compares them.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import torch
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.metrics import accuracy_score, log_loss, roc_auc_score

from models.bilstm import BiLstmConfig, BiLstmKT, predict_proba
from models.graph_embed import (
    GraphEmbedConfig,
    GraphEncoder,
    build_graph,
    embed_items,
    fit_graph_encoder,
    item_success_counts,
)
from models.irt import IrtConfig, IrtParams, fit_irt, online_predictions
from models.kt_batches import build_chunks
from models.kt_data import Histories, KTData, split_validation
from models.progress import ProgressConfig, ProgressLSTM, evaluate_progress
from models.progress_data import (
    ProgressDataConfig,
    build_progress_data,
    fit_text_features,
    item_texts_from_skills,
    progress_batches,
)
from models.registry import IrtModel
from models.trainer import EpochLog, TrainConfig, fit, seed_everything
from tutor.errors import InvalidInput


@dataclass(frozen=True)
class BiLstmTraining:
    """Training settings, chosen on a validation split of train students (README: tuning)."""

    batch_size: int = 32  # chunks (student sequences) per step, as in the source paper
    lr: float = 3e-3  # the paper's 1e-4 was still far behind after 30 epochs (README)
    weight_decay: float = 0.0
    epochs: int = 30
    patience: int = 3  # epochs without a better validation AUC
    chunk: int = 200  # steps per chunk; long histories are cut with overlap
    context: int = 50  # overlap: steps that are inputs only in the next chunk
    val_fraction: float = 0.1


@dataclass(frozen=True)
class Scores:
    labels: np.ndarray  # (N,) 0/1 answers of the scored responses
    probs: np.ndarray  # (N,) predicted P(correct)
    items: np.ndarray  # (N,) question index of each scored response

    def metrics(self, mask: np.ndarray | None = None) -> dict[str, float]:
        y, p = (self.labels, self.probs) if mask is None else (self.labels[mask],
                                                               self.probs[mask])
        p = np.clip(p, 1e-6, 1 - 1e-6)
        return {"auc": float(roc_auc_score(y, p)), "accuracy": float(accuracy_score(y, p >= 0.5)),
                "logloss": float(log_loss(y, p, labels=[0, 1])), "n": len(y)}


# --- IRT ---------------------------------------------------------------------------------------


def fit_irt_on(histories: Histories, n_items: int, config: IrtConfig = IrtConfig(),
               device: str = "cpu") -> IrtParams:
    """Calibrate a, b (per question) and θ (per student of ``histories``)."""
    student = np.concatenate([np.full(len(x), i) for i, x in enumerate(histories.items)])
    return fit_irt(student, np.concatenate(histories.items), np.concatenate(histories.correct),
                   len(histories), n_items, config, device)


def calibrate_irt(kt: KTData, config: IrtConfig = IrtConfig(), device: str = "cpu") -> IrtModel:
    """The IRT fit the graph gets: every student, so test students have a theta too."""
    everyone = kt.everyone
    params = fit_irt_on(everyone, kt.n_items, config, device)
    return IrtModel(params, kt.item_ids, everyone.students,
                    np.array([len(x) for x in everyone.items]), config)


def score_irt(params: IrtParams, histories: Histories) -> Scores:
    """Unseen students: θ starts at the prior and follows each answer online."""
    probs = [online_predictions(params.a, params.b, items, answers)[1:]
             for items, answers in zip(histories.items, histories.correct, strict=True)]
    return Scores(np.concatenate([c[1:] for c in histories.correct]).astype(np.float32),
                  np.concatenate(probs), np.concatenate([x[1:] for x in histories.items]))


# --- Bi-LSTM -----------------------------------------------------------------------------------


def fit_bilstm(kt: KTData, config: BiLstmConfig, training: BiLstmTraining = BiLstmTraining(),
               seed: int = 0, device: str = "cpu", item_vectors: np.ndarray | None = None,
               on_epoch: Callable[[EpochLog], None] | None = None,
               shuffle_labels: bool = False, nproc: int = 1
               ) -> tuple[BiLstmKT, list[EpochLog]]:
    """Train on train students; early-stop on the AUC of held-out train students.

    ``shuffle_labels`` permutes the answers of the training students (the control that must
    score near 0.5 on real test answers). ``nproc`` > 1 trains data-parallel in that many
    processes (``models.distributed``; ``on_epoch`` is not called across processes); under
    torchrun, ranks other than 0 get None.
    """
    if nproc > 1 or "WORLD_SIZE" in os.environ:
        from models.distributed import run

        return run(_fit_bilstm_rank, nproc, device, kt, config, training, seed,  # type: ignore[return-value]
                   item_vectors, shuffle_labels)
    return _fit_bilstm_rank(device, kt, config, training, seed, item_vectors, shuffle_labels,
                            on_epoch)


def _fit_bilstm_rank(device: str, kt: KTData, config: BiLstmConfig, training: BiLstmTraining,
                     seed: int, item_vectors: np.ndarray | None, shuffle_labels: bool,
                     on_epoch: Callable[[EpochLog], None] | None = None
                     ) -> tuple[BiLstmKT, list[EpochLog]]:
    """One process's share of :func:`fit_bilstm` (all of it outside a process group)."""
    seed_everything(seed)
    train, val = split_validation(kt.train, training.val_fraction, seed)
    if shuffle_labels:
        train = _shuffled(train, seed)
    chunks = build_chunks(train, kt.item_skills, training.chunk, training.context)
    val_chunks = build_chunks(val, kt.item_skills, training.chunk, training.context, 1)
    model = BiLstmKT(config, kt.item_skills)
    if item_vectors is not None:
        model.init_item_vectors(item_vectors)
    w = config.window

    def val_auc(m: torch.nn.Module) -> float:
        probs = predict_proba(m, val_chunks.batches(256, multiple=w))  # type: ignore[arg-type]
        return float(roc_auc_score(val_chunks.target_labels(), probs))

    logs = fit(model, lambda epoch: chunks.batches(training.batch_size, seed + epoch, w),
               val_auc, TrainConfig(epochs=training.epochs, lr=training.lr,
                                    weight_decay=training.weight_decay,
                                    patience=training.patience, seed=seed, device=device),
               on_epoch)
    return model, logs


def score_bilstm(model: BiLstmKT, kt: KTData, histories: Histories,
                 training: BiLstmTraining = BiLstmTraining()) -> Scores:
    chunks = build_chunks(histories, kt.item_skills, training.chunk, training.context, 1)
    probs = predict_proba(model, chunks.batches(256, multiple=model.config.window))
    rows, positions = chunks.target_positions()
    items = np.array([histories.items[r][p] for r, p in zip(rows, positions, strict=True)])
    return Scores(chunks.target_labels(), probs, items)


def _shuffled(histories: Histories, seed: int) -> Histories:
    answers = np.random.default_rng(seed).permutation(np.concatenate(histories.correct))
    cuts = np.cumsum([len(c) for c in histories.correct])[:-1]
    return Histories(histories.students, histories.items, tuple(np.split(answers, cuts)))


# --- graph embeddings --------------------------------------------------------------------------


def fit_graph_encoder_on(kt: KTData, config: GraphEmbedConfig, device: str = "cpu",
                         on_epoch: Callable[[EpochLog], None] | None = None
                         ) -> tuple[GraphEncoder, np.ndarray]:
    """Question vectors from the question-KP graph, difficulty-aware from train answers only."""
    success, counts = item_success_counts(kt.train, kt.n_items)
    graph = build_graph(kt.n_items, kt.n_skills, kt.item_skills)
    encoder, _ = fit_graph_encoder(graph, config, success, counts, device, on_epoch)
    vectors, _ = embed_items(encoder, graph)
    return encoder, vectors


# --- progress model ----------------------------------------------------------------------------


@dataclass(frozen=True)
class ProgressFit:
    model: ProgressLSTM
    data_config: ProgressDataConfig
    vectorizer: TfidfVectorizer
    logs: list[EpochLog]
    test: dict[str, float]  # model and baselines on the test students


def fit_progress(kt: KTData, seed: int = 0, device: str = "cpu", epochs: int = 50,
                 batch_size: int = 32, lr: float = 1e-3, patience: int = 5,
                 on_epoch: Callable[[EpochLog], None] | None = None) -> ProgressFit:
    """The design's settings (batch 32, lr 1e-3, hidden 64, <= 50 epochs, early stopping).

    Early stopping watches weakest-KP top-1 minus progress MAE / 100 on held-out train
    students; the test figures come with the trivial baselines on the same samples.
    """
    seed_everything(seed)
    texts = item_texts_from_skills(kt.item_skills, kt.skill_names)
    vectorizer, _ = fit_text_features(texts)
    data_config = ProgressDataConfig()
    train, val = split_validation(kt.train, 0.1, seed)
    train_data, val_data, test_data = (
        build_progress_data(h, texts, kt.item_skills, kt.n_skills, data_config)
        for h in (train, val, kt.test))
    if not len(train_data) or not len(val_data):
        raise InvalidInput("too few long histories for the progress model: it needs students "
                           f"with at least {data_config.min_steps + data_config.horizon} "
                           "answers in train and validation")
    model = ProgressLSTM(ProgressConfig(data_config.n_features, kt.n_skills,
                                        progress_feature=data_config.progress_feature))

    def val_score(m: torch.nn.Module) -> float:
        r = evaluate_progress(m, val_data, device)  # type: ignore[arg-type]
        return r["weakest_top1"] - r["progress_mae"] / 100

    logs = fit(model, lambda e: progress_batches(train_data, batch_size, True, seed + e),
               val_score, TrainConfig(epochs=epochs, lr=lr, patience=patience, seed=seed,
                                      device=device), on_epoch)
    test = evaluate_progress(model, test_data, device) if len(test_data) else {}
    return ProgressFit(model, data_config, vectorizer, logs, test)
