"""Bi-LSTM knowledge tracing: next-answer probability and candidate questions, leakage-free.

A bidirectional LSTM reads both ways, so run over a whole sequence it would let step ``t`` see
its own answer and the future. Here it runs over **past windows only**: a chunk is cut into
blocks of ``window`` steps, the Bi-LSTM reads each block on its own, and the target at ``t``
attends only to blocks that ended before ``t``'s block began. What happened since (the steps of
its own block before ``t``) reaches ``t`` through a forward LSTM, shifted by one step, so it holds
positions ``< t``. The target's answer is never an input to its own prediction; the leakage test
changes every step ``>= t`` and checks the prediction at ``t`` stays put.

Heads:

* **correctness**: an MLP over [attended past blocks, forward state, target question vector,
  past counts], plus a per-question bias that weight decay shrinks for rare questions, gives the
  logit of P(correct);
* **candidates**: the student's state projected into question space and scored against every
  question vector — "what they practise next" — trained with in-batch softmax, so it stays
  cheap with 17k questions.

A question's vector is its own embedding plus the mean of its KPs' embeddings: a question
unseen in training still gets its KPs'. Graph embeddings can initialise the question part.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from models.kt_batches import N_COUNTS, PAD_CORRECT


@dataclass(frozen=True)
class BiLstmConfig:
    n_items: int
    n_skills: int
    window: int = 10  # steps per block of the bidirectional pass; divides the chunk length
    embed_dim: int = 64  # question / KP vector size (graph embeddings are this size)
    hidden: int = 64  # LSTM units per direction
    mlp_hidden: int = 64
    dropout: float = 0.2  # the paper's 0.5 scored lower on validation (bench/bilstm_tuning)
    candidate_weight: float = 0.1  # share of the candidate-head loss in the total
    candidate_sample: int = 512  # targets per batch in the in-batch softmax
    candidate_negatives: int = 32  # extra negatives per target from its own KP (hard ones)
    item_dropout: float = 0.0  # training: share of steps that see only their KPs, not the item


class BiLstmKT(nn.Module):
    def __init__(self, config: BiLstmConfig, item_skills: np.ndarray) -> None:
        super().__init__()
        c = self.config = config
        self.item_emb = nn.Embedding(c.n_items + 1, c.embed_dim, padding_idx=c.n_items)
        with torch.no_grad():  # small: a rarely seen question is its KPs' vector, not noise
            self.item_emb.weight.normal_(std=0.01)[c.n_items] = 0.0
        self.skill_emb = nn.Embedding(c.n_skills + 1, c.embed_dim, padding_idx=c.n_skills)
        self.answer_emb = nn.Embedding(PAD_CORRECT + 1, c.embed_dim)
        self.item_bias = nn.Embedding(c.n_items + 1, 1, padding_idx=c.n_items)
        nn.init.zeros_(self.item_bias.weight)
        self.use_item_skills(item_skills)
        self.bilstm = nn.LSTM(2 * c.embed_dim, c.hidden, batch_first=True, bidirectional=True)
        self.forward_lstm = nn.LSTM(2 * c.embed_dim, c.hidden, batch_first=True)
        self.query = nn.Linear(c.embed_dim, 2 * c.hidden)
        self.drop = nn.Dropout(c.dropout)
        state = 3 * c.hidden  # 2H from the past blocks + H from the forward LSTM
        self.head = nn.Sequential(
            nn.Linear(state + c.embed_dim + N_COUNTS, c.mlp_hidden), nn.ReLU(),
            nn.Dropout(c.dropout), nn.Linear(c.mlp_hidden, 1))
        self.to_question = nn.Linear(state, c.embed_dim)
        self.transition = nn.Linear(c.embed_dim, c.embed_dim, bias=False)  # last -> next

    def use_item_skills(self, item_skills: np.ndarray) -> None:
        """Set the question -> KP table (-1 or n_skills pads) and the per-KP question lists
        that hard negatives are drawn from; a loaded checkpoint calls it with its saved table."""
        c = self.config
        skills = np.where((item_skills < 0) | (item_skills >= c.n_skills), c.n_skills,
                          item_skills)
        skills = np.vstack([skills, np.full((1, skills.shape[1]), c.n_skills)])  # pad item row
        self.register_buffer("item_skills", torch.as_tensor(skills, dtype=torch.long))
        kp_items, kp_sizes = _questions_per_kp(np.where(skills[:-1] == c.n_skills, -1,
                                                        skills[:-1]), c.n_skills)
        self.register_buffer("kp_items", kp_items, persistent=False)  # (K + 1, M) by KP
        self.register_buffer("kp_sizes", kp_sizes, persistent=False)  # (K + 1,)

    def question_vectors(self, item: torch.Tensor, own: torch.Tensor | None = None
                         ) -> torch.Tensor:
        """KP mean + the question's own vector (``own``: index of that vector, pad = none)."""
        skills = self.item_skills[item]  # (..., S)
        real = (skills != self.config.n_skills).unsqueeze(-1).float()
        kp = (self.skill_emb(skills) * real).sum(-2) / real.sum(-2).clamp(min=1.0)
        return self.item_emb(item if own is None else own) + kp  # (..., E)

    def _own(self, items: torch.Tensor) -> torch.Tensor:
        """Item dropout: in training, some steps lose their question's own parameters and
        must be predicted from KPs, as a question never seen in training is."""
        if not self.training or self.config.item_dropout <= 0:
            return items
        drop = torch.rand(items.shape, device=items.device) < self.config.item_dropout
        return items.masked_fill(drop, self.config.n_items)

    def states(self, items: torch.Tensor, correct: torch.Tensor, own: torch.Tensor | None = None
               ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
        """Past-only state of every step of (B, L) chunks.

        Returns question vectors (B, L, E), Bi-LSTM outputs of each block (B, L, 2H), the mask
        of keys each step may attend to (B, L, L), and the forward state before each step
        (B, L, H).
        """
        b, length = items.shape
        w = self.config.window
        if length % w:
            raise ValueError(f"chunk length {length} is not a multiple of window {w}")
        vectors = self.question_vectors(items, own)  # (B, L, E)
        steps = self.drop(torch.cat([vectors, self.answer_emb(correct)], -1))  # (B, L, 2E)
        blocks, _ = self.bilstm(steps.reshape(b * length // w, w, -1))  # (B*L/w, w, 2H)
        blocks = blocks.reshape(b, length, -1)  # (B, L, 2H)
        forward, _ = self.forward_lstm(steps)  # (B, L, H): step t has seen positions <= t
        before = F.pad(forward, (0, 0, 1, 0))[:, :-1]  # (B, L, H): positions < t only
        block_of = torch.arange(length, device=items.device) // w
        earlier = block_of.unsqueeze(1) > block_of.unsqueeze(0)  # (L_t, L_key)
        visible = earlier.unsqueeze(0) & (correct != PAD_CORRECT).unsqueeze(1)  # (B, L, L)
        return vectors, blocks, visible, before

    def forward(self, items: torch.Tensor, correct: torch.Tensor, counts: torch.Tensor,
                target: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Logits of P(correct) at every step (B, L) and the loss over the ``target`` steps."""
        own = self._own(items)
        vectors, blocks, visible, before = self.states(items, correct, own)
        attended = self._attend(vectors, blocks, visible)  # (B, L, 2H)
        state = torch.cat([attended, before], -1)  # (B, L, 3H)
        logits = self._logits(state, vectors, counts, own)  # (B, L)
        labels = correct.clamp(max=1).float()
        loss = F.binary_cross_entropy_with_logits(logits[target], labels[target])
        if self.training and self.config.candidate_weight > 0:
            loss = loss + self.config.candidate_weight * self._candidate_loss(
                blocks, visible, before, vectors, target, items)
        return logits, loss

    def _logits(self, state: torch.Tensor, vectors: torch.Tensor, counts: torch.Tensor,
                own: torch.Tensor) -> torch.Tensor:
        """Correctness head over (..., 3H) states: the MLP plus the question's own bias."""
        features = torch.cat([self.drop(state), vectors, counts], -1)
        return self.head(features).squeeze(-1) + self.item_bias(own).squeeze(-1)

    def _attend(self, vectors: torch.Tensor, blocks: torch.Tensor, visible: torch.Tensor
                ) -> torch.Tensor:
        """Each target question attends to the Bi-LSTM outputs of the blocks before its own."""
        scores = self.query(vectors) @ blocks.transpose(1, 2) / blocks.shape[-1] ** 0.5
        weights = torch.softmax(scores.masked_fill(~visible, -1e4), -1)  # (B, L, L)
        return (weights @ blocks) * visible.any(-1, keepdim=True)  # none visible -> zeros

    def _intent(self, blocks: torch.Tensor, visible: torch.Tensor, before: torch.Tensor,
                last: torch.Tensor) -> torch.Tensor:
        """Where the student heads next, in question space, without seeing the next question:
        from the whole past, plus a direct transition from the last question (which question
        of a topic follows which is sharp in skill-builder data)."""
        keep = visible.float()  # (B, L, L)
        pooled = keep @ blocks / keep.sum(-1, keepdim=True).clamp(min=1.0)  # (B, L, 2H)
        return self.to_question(torch.cat([pooled, before], -1)) + self.transition(last)

    def _candidate_loss(self, blocks: torch.Tensor, visible: torch.Tensor, before: torch.Tensor,
                        vectors: torch.Tensor, target: torch.Tensor, items: torch.Tensor
                        ) -> torch.Tensor:
        """Softmax of each target's question against the other sampled targets' (mostly other
        KPs) and against random questions of its own KP (the hard part: which question of
        the topic comes next)."""
        last = F.pad(vectors, (0, 0, 1, 0))[:, :-1]  # (B, L, E) the step before each
        intent = self._intent(blocks, visible, before, last)[target]  # (N, E)
        truth, truth_items = vectors[target], items[target]  # (N, E), (N,)
        n = min(len(truth), self.config.candidate_sample)
        if n < 2:
            return truth.sum() * 0.0
        pick = torch.randperm(len(truth), device=truth.device)[:n]
        intent, truth, truth_items = intent[pick], truth[pick], truth_items[pick]
        logits = intent @ truth.T  # (n, n)
        m = self.config.candidate_negatives
        if m > 0:
            kp = self.item_skills[truth_items, 0]  # (n,) a question's first KP
            slot = (torch.rand(n, m, device=kp.device) * self.kp_sizes[kp, None]).long()
            negatives = self.kp_items[kp[:, None], slot]  # (n, m)
            hard = (self.question_vectors(negatives) * intent[:, None]).sum(-1)  # (n, m)
            hard = hard.masked_fill(negatives == truth_items[:, None], -1e4)
            logits = torch.cat([logits, hard], -1)  # (n, n + m)
        return F.cross_entropy(logits, torch.arange(n, device=logits.device))

    @torch.no_grad()
    def candidate_scores(self, items: torch.Tensor, correct: torch.Tensor,
                         candidates: torch.Tensor) -> torch.Tensor:
        """Scores of ``candidates`` (C,) for the step after each chunk's last real step: (B, C).

        The chunk is the student's recent history; one padding step is appended as the slot of
        the unknown next question.
        """
        lengths = (correct != PAD_CORRECT).sum(-1)  # (B,)
        w = self.config.window
        size = ((int(lengths.max()) + 1 + w - 1) // w) * w
        pad_items = torch.full((len(items), size), self.config.n_items, device=items.device)
        pad_correct = torch.full_like(pad_items, PAD_CORRECT)
        for i, n in enumerate(lengths.tolist()):
            real = (correct[i] != PAD_CORRECT).nonzero().squeeze(-1)
            pad_items[i, :n], pad_correct[i, :n] = items[i, real], correct[i, real]
        vectors, blocks, visible, before = self.states(pad_items, pad_correct)
        last = F.pad(vectors, (0, 0, 1, 0))[:, :-1]
        rows = torch.arange(len(items), device=items.device)
        intent = self._intent(blocks, visible, before, last)[rows, lengths]  # (B, E)
        return intent @ self.question_vectors(candidates).T

    def init_item_vectors(self, vectors: np.ndarray, spread: float = 0.1) -> None:
        """Start the question part of question vectors from graph embeddings, centred and
        scaled to standard deviation ``spread``: small next to the KP vectors' 1, since at full
        spread they drowned the KP signal (README, graph embeddings)."""
        v = torch.as_tensor(vectors, dtype=torch.float32)
        if tuple(v.shape) != (self.config.n_items, self.config.embed_dim):
            raise ValueError(f"graph embeddings have shape {tuple(v.shape)}; expected "
                             f"{(self.config.n_items, self.config.embed_dim)}")
        v = spread * (v - v.mean(0)) / v.std().clamp(min=1e-6)
        with torch.no_grad():
            self.item_emb.weight[: self.config.n_items] = v


def _questions_per_kp(item_skills: np.ndarray, n_skills: int) -> tuple[torch.Tensor,
                                                                        torch.Tensor]:
    """Questions of each KP as a padded table (pad = the pad item) and the KPs' sizes; the
    pad KP holds the pad item so sampling from it is always defined."""
    n_items = len(item_skills)
    members: list[list[int]] = [[] for _ in range(n_skills + 1)]
    for i, row in enumerate(item_skills.tolist()):
        for k in row:
            if k >= 0:
                members[k].append(i)
    members = [m or [n_items] for m in members]
    table = np.full((n_skills + 1, max(len(m) for m in members)), n_items, dtype=np.int64)
    for k, m in enumerate(members):
        table[k, :len(m)] = m
    return torch.as_tensor(table), torch.tensor([len(m) for m in members])


def predict_proba(model: BiLstmKT, batches: Iterable[dict[str, torch.Tensor]]) -> np.ndarray:
    """P(correct) of every target step of the (unshuffled) batches, in row-major order."""
    device = next(model.parameters()).device
    model.eval()
    out = []
    with torch.no_grad():
        for batch in batches:
            batch = {k: v.to(device) for k, v in batch.items()}
            logits, _ = model(**batch)
            out.append(torch.sigmoid(logits[batch["target"]]).cpu().numpy())
    return np.concatenate(out) if out else np.zeros(0, dtype=np.float32)
