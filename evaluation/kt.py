"""`kgtutor evaluate kt`: every knowledge-tracing model trained on the train students and
scored on the test students, with a shuffled-answers control and a cold-start slice.

Scoring convention shared by every model (``models.training.score_*``): every response of
every **test** student except each student's first (positions ``t >= 1``), predicted from that
student's positions ``< t`` plus whatever was learnt from train students.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, replace

import numpy as np

from models.bilstm import BiLstmConfig
from models.graph_embed import GraphEmbedConfig
from models.kt_data import KTData
from models.trainer import EpochLog
from models.training import (
    BiLstmTraining,
    fit_bilstm,
    fit_graph_encoder_on,
    fit_irt_on,
    score_bilstm,
    score_irt,
)

OnEpoch = Callable[[str, EpochLog], None]
COLD_START_RESPONSES = 5  # a question with fewer training responses than this is "cold"


def evaluate_kt(kt: KTData, seed: int = 0, device: str = "cpu",
                training: BiLstmTraining = BiLstmTraining(),
                bilstm: BiLstmConfig | None = None,
                embed: GraphEmbedConfig = GraphEmbedConfig(),
                on_epoch: OnEpoch | None = None, log: Callable[[str], None] = lambda _: None
                ) -> dict:
    """Train every model on train students and score test students: the issue's report."""
    config = bilstm or BiLstmConfig(kt.n_items, kt.n_skills)
    config = replace(config, n_items=kt.n_items, n_skills=kt.n_skills)

    def epochs_of(name: str) -> Callable[[EpochLog], None] | None:
        return (lambda e: on_epoch(name, e)) if on_epoch else None

    log("irt: calibrating 2PL on train students")
    irt_scores = score_irt(fit_irt_on(kt.train, kt.n_items, device=device), kt.test)
    log("bilstm: training")
    plain, plain_logs = fit_bilstm(kt, config, training, seed, device,
                                   on_epoch=epochs_of("bilstm"))
    plain_scores = score_bilstm(plain, kt, kt.test, training)
    log("graph embeddings: training")
    _, vectors = fit_graph_encoder_on(kt, replace(embed, dim=config.embed_dim, seed=seed),
                                      device)
    log("bilstm_gnn: training")
    gnn, gnn_logs = fit_bilstm(kt, config, training, seed, device, item_vectors=vectors,
                               on_epoch=epochs_of("bilstm_gnn"))
    gnn_scores = score_bilstm(gnn, kt, kt.test, training)
    log("shuffled: training on permuted answers")
    control, _ = fit_bilstm(kt, config, replace(training, epochs=min(training.epochs, 5)), seed,
                            device, on_epoch=epochs_of("shuffled"), shuffle_labels=True)
    control_scores = score_bilstm(control, kt, kt.test, training)

    train_counts = np.bincount(np.concatenate(kt.train.items), minlength=kt.n_items)
    cold = train_counts[plain_scores.items] < COLD_START_RESPONSES
    irt_cold = train_counts[irt_scores.items] < COLD_START_RESPONSES
    return {
        "models": {"irt": irt_scores.metrics(), "bilstm": plain_scores.metrics(),
                   "bilstm_gnn": gnn_scores.metrics(), "shuffled": control_scores.metrics()},
        "cold_start": {
            "definition": f"test responses on questions with < {COLD_START_RESPONSES} "
                          "training responses",
            "irt": irt_scores.metrics(irt_cold), "bilstm": plain_scores.metrics(cold),
            "bilstm_gnn": gnn_scores.metrics(cold)},
        "protocol": {"test_students": len(kt.test), "train_students": len(kt.train),
                     "scored": "positions t >= 1 of test students, from positions < t",
                     "seed": seed, "bilstm_epochs": [len(plain_logs), len(gnn_logs)],
                     "bilstm_config": asdict(config), "training": asdict(training)},
    }


def format_table(report: dict) -> str:
    rows = [f"{'model':<18} {'AUC':>7} {'accuracy':>9} {'log-loss':>9} {'n':>8}"]
    for section, title in (("models", ""), ("cold_start", "cold: ")):
        for name, m in report[section].items():
            if isinstance(m, dict):
                rows.append(f"{title + name:<18} {m['auc']:7.4f} {m['accuracy']:9.4f} "
                            f"{m['logloss']:9.4f} {m['n']:8,}")
    return "\n".join(rows)
