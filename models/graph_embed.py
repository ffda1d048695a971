"""Question embeddings from the question-KP-prerequisite graph (GraphSAGE, self-supervised).

Why: a question with few or no responses still has its KP edges, so an encoder that builds a
question's vector only from its neighbourhood gives it a usable embedding (and a difficulty
prior) to initialise the knowledge-tracing model's question embeddings. Hence no per-question
learned vector: questions enter the graph with a shared vector, their KP count and optional
content features; only KPs have free embeddings. The encoder is therefore inductive for
questions (a new question needs only its edges).

Two self-supervised losses: link prediction on question-KP and KP-KP prerequisite edges
(structure), and a regression of each question's smoothed train success logit (difficulty),
weighted by how reliable that rate is. Node order: questions ``0..n_items-1``, then KPs.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn
from torch_geometric.data import Data
from torch_geometric.nn import SAGEConv

from models.kt_data import Histories
from models.trainer import EpochLog, TrainConfig, fit, to_device


@dataclass(frozen=True)
class GraphEmbedConfig:
    dim: int = 64  # embedding size of every node
    layers: int = 2  # SAGE layers; 2 lets a question see its KPs' other questions and prereqs
    epochs: int = 200  # full-batch steps (upper bound; early stopping on held-out difficulty)
    patience: int = 20  # epochs without a better validation score before stopping
    lr: float = 1e-2
    weight_decay: float = 1e-4
    negatives: int = 4  # random KPs per positive edge for link prediction
    aux_weight: float = 1.0  # weight of the difficulty regression against link prediction
    count_shrink: float = 5.0  # k in the weight n/(n+k): few responses, noisy target
    val_fraction: float = 0.1  # questions with responses held out of the difficulty loss
    seed: int = 0


class GraphEncoder(nn.Module):
    """GraphSAGE over questions and KPs, with a link scorer and a difficulty head."""

    def __init__(self, config: GraphEmbedConfig, n_skills: int, n_item_features: int = 0):
        super().__init__()
        d = config.dim
        self.config = config
        self.skill_emb = nn.Embedding(n_skills, d)
        self.item_base = nn.Parameter(torch.zeros(d))  # shared: no per-question parameter
        self.item_degree = nn.Linear(1, d)  # mean aggregation loses the KP count
        self.item_proj = nn.Linear(n_item_features, d) if n_item_features else None
        self.convs = nn.ModuleList(SAGEConv(d, d) for _ in range(config.layers))
        self.difficulty = nn.Linear(d, 1)  # success logit of a question from its embedding
        nn.init.normal_(self.skill_emb.weight, std=0.1)

    def encode(self, edge_index: torch.Tensor, item_degree: torch.Tensor,
               item_features: torch.Tensor | None = None) -> torch.Tensor:
        """Node embeddings (N, D), questions first; ``item_degree`` is (n_items,) KP counts."""
        h_item = self.item_base + self.item_degree(torch.log1p(item_degree.float())[:, None])
        if self.item_proj is not None and item_features is not None:
            h_item = h_item + self.item_proj(item_features.float())
        h = torch.cat([h_item, self.skill_emb.weight])  # (N, D)
        for i, conv in enumerate(self.convs):
            h = conv(h, edge_index)
            if i < len(self.convs) - 1:
                h = F.relu(h)
        return h

    def losses(self, edge_index: torch.Tensor, item_degree: torch.Tensor, link_pos: torch.Tensor,
               link_neg: torch.Tensor, success_logit: torch.Tensor | None = None,
               success_weight: torch.Tensor | None = None,
               item_features: torch.Tensor | None = None
               ) -> tuple[torch.Tensor, dict[str, torch.Tensor]]:
        """Embeddings and each loss: ``link`` (BCE on dot products), ``success`` (weighted MSE)."""
        z = self.encode(edge_index, item_degree, item_features)  # (N, D)
        pos = (z[link_pos[0]] * z[link_pos[1]]).sum(-1)  # (P,)
        neg = (z[link_neg[0]] * z[link_neg[1]]).sum(-1)  # (P * negatives,)
        logits = torch.cat([pos, neg])
        labels = torch.cat([torch.ones_like(pos), torch.zeros_like(neg)])
        parts = {"link": F.binary_cross_entropy_with_logits(logits, labels)}
        if success_logit is not None and success_weight is not None:
            pred = self.difficulty(z[: len(item_degree)]).squeeze(-1)  # (n_items,)
            err = success_weight * (pred - success_logit) ** 2
            parts["success"] = err.sum() / success_weight.sum().clamp_min(1e-8)
        return z, parts

    def forward(self, **batch: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        z, parts = self.losses(**batch)
        loss = parts["link"] + self.config.aux_weight * parts.get("success", 0.0)
        return z, loss


def item_success_counts(histories: Histories, n_items: int) -> tuple[np.ndarray, np.ndarray]:
    """Per-question success rate (0 where unseen) and response count; pass TRAIN students only."""
    items = np.concatenate(histories.items) if len(histories) else np.zeros(0, np.int64)
    correct = np.concatenate(histories.correct) if len(histories) else np.zeros(0, np.int64)
    counts = np.bincount(items, minlength=n_items).astype(np.float64)
    hits = np.bincount(items, weights=correct, minlength=n_items)
    return hits / np.maximum(counts, 1), counts


def build_graph(n_items: int, n_skills: int, item_skills: np.ndarray,
                prerequisites: np.ndarray | None = None,
                item_features: np.ndarray | None = None) -> Data:
    """Undirected message-passing graph plus the directed edges to predict.

    ``item_skills`` is (n_items, max_skills) padded with -1; ``prerequisites`` is (E, 2) of
    (prerequisite KP, KP) indices.
    """
    rows, cols = np.nonzero(item_skills >= 0)
    item_kp = np.stack([rows, n_items + item_skills[rows, cols]])  # (2, E_q)
    kp_kp = np.zeros((2, 0), np.int64)
    if prerequisites is not None and len(prerequisites):
        kp_kp = n_items + np.asarray(prerequisites, np.int64).T  # (2, E_p)
    link_pos = torch.as_tensor(np.concatenate([item_kp, kp_kp], axis=1), dtype=torch.long)
    edge_index = torch.cat([link_pos, link_pos.flip(0)], dim=1)  # (2, 2E) both directions
    data = Data(edge_index=edge_index, num_nodes=n_items + n_skills, link_pos=link_pos,
                n_items=n_items, n_skills=n_skills,
                item_degree=torch.as_tensor((item_skills >= 0).sum(1), dtype=torch.long))
    if item_features is not None:
        data.item_features = torch.as_tensor(item_features, dtype=torch.float32)
    return data


def _negatives(graph: Data, negatives: int, rng: np.random.Generator) -> torch.Tensor:
    """Keep each positive's source, swap its target for a random KP (a cheap corruption)."""
    src = graph.link_pos[0].repeat(negatives)
    dst = graph.n_items + rng.integers(0, graph.n_skills, size=len(src))
    return torch.stack([src, torch.as_tensor(dst, dtype=torch.long)])


def _success_targets(item_success: np.ndarray, item_counts: np.ndarray, config: GraphEmbedConfig
                     ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Smoothed logit targets, training weights and validation weights (disjoint questions)."""
    n = np.asarray(item_counts, np.float64)
    p = (np.asarray(item_success, np.float64) * n + 1) / (n + 2)  # Laplace: defined at n = 0
    weight = n / (n + config.count_shrink)  # inverse variance of tau^2 + sigma^2 / n, scaled
    seen = np.flatnonzero(n > 0)
    held = np.random.default_rng(config.seed).permutation(seen)[
        : round(len(seen) * config.val_fraction)]
    val = np.zeros_like(weight)
    val[held], weight[held] = weight[held], 0.0
    as_t = lambda a: torch.as_tensor(a, dtype=torch.float32)  # noqa: E731
    return as_t(np.log(p / (1 - p))), as_t(weight), as_t(val)


def fit_graph_encoder(graph: Data, config: GraphEmbedConfig,
                      item_success: np.ndarray | None = None,
                      item_counts: np.ndarray | None = None, device: str = "cpu",
                      on_epoch: Callable[[EpochLog], None] | None = None
                      ) -> tuple[GraphEncoder, list[EpochLog]]:
    """Train full-batch with the shared loop; validation = held-out difficulty, else link loss."""
    features = getattr(graph, "item_features", None)
    torch.manual_seed(config.seed)
    model = GraphEncoder(config, graph.n_skills, 0 if features is None else features.shape[1])
    base = {"edge_index": graph.edge_index, "item_degree": graph.item_degree,
            "link_pos": graph.link_pos}
    if features is not None:
        base["item_features"] = features
    val_weight = None
    if item_success is not None and item_counts is not None:
        base["success_logit"], base["success_weight"], val_weight = _success_targets(
            item_success, item_counts, config)
        if float(val_weight.sum()) == 0:  # nothing held out: select on the link loss
            val_weight = None
    fixed_neg = _negatives(graph, config.negatives, np.random.default_rng([config.seed, 1]))
    val_batch = to_device({**base, "link_neg": fixed_neg}, device)
    if val_weight is not None:
        val_batch["success_weight"] = val_weight.to(device)

    def batches(epoch: int) -> Iterator[dict[str, torch.Tensor]]:
        rng = np.random.default_rng([config.seed, 2, epoch])
        yield {**base, "link_neg": _negatives(graph, config.negatives, rng)}

    def val_score(m: nn.Module) -> float:
        _, parts = m.losses(**val_batch)
        return -float(parts["success"] if val_weight is not None else parts["link"])

    train = TrainConfig(epochs=config.epochs, lr=config.lr, weight_decay=config.weight_decay,
                        patience=config.patience, seed=config.seed, device=device)
    logs = fit(model, batches, val_score, train, on_epoch)
    return model, logs


@torch.no_grad()
def embed_items(model: GraphEncoder, graph: Data) -> tuple[np.ndarray, np.ndarray]:
    """Question embeddings (n_items, D) float32 and their predicted success probabilities."""
    model.eval()
    device = next(model.parameters()).device
    features = getattr(graph, "item_features", None)
    z = model.encode(graph.edge_index.to(device), graph.item_degree.to(device),
                     None if features is None else features.to(device))[: graph.n_items]
    success = torch.sigmoid(model.difficulty(z).squeeze(-1))
    return z.cpu().numpy().astype(np.float32), success.cpu().numpy()


def train_item_embeddings(n_items: int, n_skills: int, item_skills: np.ndarray,
                          config: GraphEmbedConfig, prerequisites: np.ndarray | None = None,
                          item_success: np.ndarray | None = None,
                          item_counts: np.ndarray | None = None, device: str = "cpu",
                          on_epoch: Callable[[EpochLog], None] | None = None,
                          item_features: np.ndarray | None = None) -> np.ndarray:
    """Build the graph, train the encoder, return question embeddings (n_items, dim) float32."""
    graph = build_graph(n_items, n_skills, item_skills, prerequisites, item_features)
    model, _ = fit_graph_encoder(graph, config, item_success, item_counts, device, on_epoch)
    return embed_items(model, graph)[0]
