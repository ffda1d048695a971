"""The Bi-LSTM's next step for serving: one history's state, then its candidates' scores.

Serving asks the same thing on every call: after this history, what P(correct) has each of a
few hundred candidate questions, and what P(next) has every question? The history's state is
the same for every candidate, so it is computed once (:meth:`NextStepHeads.context`: the two
LSTMs, each one fused PyTorch call). What follows it is small matrix work on which eager
PyTorch spent more in per-operator overhead than in arithmetic (docs/evaluation/latency.md),
so the eval-mode heads are folded once into numpy arrays with every per-question product
precomputed: each question's vector, its attention query and its share of the correctness
head's first layer. A call then costs a gather and a few matrix products.

Equal to the training forward pass at that step, whatever is asked after a history
(``tests/unit/test_predictors.py``): the folding only reorders sums.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from models.bilstm import BiLstmKT


@dataclass(frozen=True)
class NextStep:
    """A history's state as the next step sees it."""

    blocks: np.ndarray  # (K, 2H) Bi-LSTM outputs of the history's complete blocks
    before: np.ndarray  # (H,) forward LSTM state after the history's last step
    last: np.ndarray  # (E,) question vector of the history's last step (zeros if none)


def _array(t: torch.Tensor) -> np.ndarray:
    """A float32 copy that owns its memory: training the model later leaves it alone."""
    return np.array(t.detach().float().numpy(), dtype=np.float32, order="C")


class NextStepHeads:
    """An eval-mode :class:`~models.bilstm.BiLstmKT` as serving reads it."""

    def __init__(self, model: BiLstmKT) -> None:
        if model.training:
            raise ValueError("serving reads an eval-mode model: call model.eval() first")
        c = model.config
        h2, h3, e = 2 * c.hidden, 3 * c.hidden, c.embed_dim
        first, out = model.head[0], model.head[3]
        weight = first.weight  # (M, 2H attended + H before + E question + N_COUNTS counts)
        with torch.inference_mode():
            vectors = model.question_vectors(torch.arange(c.n_items))  # (N, E)
            self.vectors = _array(vectors)
            self.answers = _array(model.answer_emb.weight)  # (answers, E)
            self.query = _array(model.query(vectors) / h2 ** 0.5)  # (N, 2H)
            self.hidden_q = _array(vectors @ weight[:, h3:h3 + e].T + first.bias)  # (N, M)
        self.w_attended = _array(weight[:, :h2].T)  # (2H, M)
        self.w_before = _array(weight[:, h2:h3].T)  # (H, M)
        self.w_counts = _array(weight[:, h3 + e:].T)  # (N_COUNTS, M)
        self.w_out, self.b_out = _array(out.weight[0]), float(out.bias.detach()[0])
        self.item_bias = _array(model.item_bias.weight[:c.n_items, 0])  # (N,)
        to_question = model.to_question.weight  # (E, 2H pooled + H before)
        self.w_pooled, self.w_heading = _array(to_question[:, :h2].T), _array(
            to_question[:, h2:].T)
        self.b_intent = _array(model.to_question.bias)
        self.w_transition = _array(model.transition.weight.T)  # (E, E)
        self.window, self.hidden = c.window, c.hidden
        self._bilstm, self._forward = model.bilstm, model.forward_lstm

    def context(self, items: np.ndarray, correct: np.ndarray) -> NextStep:
        """The state after a history (dense indices, answers 0/1), all of it real."""
        n, w = len(items), self.window
        steps = np.concatenate([self.vectors[items], self.answers[correct]], axis=1)  # (n, 2E)
        complete = n // w * w  # the next step attends to the complete blocks before its own
        blocks = np.zeros((0, 2 * self.hidden), dtype=np.float32)
        before = np.zeros(self.hidden, dtype=np.float32)
        with torch.inference_mode():
            x = torch.from_numpy(steps)
            if complete:
                out, _ = self._bilstm(x[:complete].reshape(complete // w, w, -1))
                blocks = out.reshape(complete, -1).numpy()
            if n:
                before = self._forward(x[None])[0][0, -1].numpy()
        last = self.vectors[items[-1]] if n else np.zeros(self.vectors.shape[1], np.float32)
        return NextStep(blocks, before, last)

    def logits(self, step: NextStep, targets: np.ndarray, counts: np.ndarray) -> np.ndarray:
        """Logits (C,) of P(correct) of each target question (C,) as the next step, with its
        past counts (C, N_COUNTS): the target attends to the history's blocks, then the head."""
        hidden = self.hidden_q[targets] + step.before @ self.w_before + counts @ self.w_counts
        if len(step.blocks):
            scores = self.query[targets] @ step.blocks.T  # (C, K)
            scores -= scores.max(axis=1, keepdims=True)
            np.exp(scores, out=scores)
            scores /= scores.sum(axis=1, keepdims=True)
            hidden += scores @ (step.blocks @ self.w_attended)
        np.maximum(hidden, 0.0, out=hidden)
        return hidden @ self.w_out + self.b_out + self.item_bias[targets]

    def next_probs(self, step: NextStep) -> np.ndarray:
        """P(next) of every question (N,), float64: the candidate head's softmax. Its query
        comes from the whole past (mean of the blocks, forward state) and the last question."""
        pooled = step.blocks.mean(axis=0) if len(step.blocks) else np.zeros(
            2 * self.hidden, np.float32)
        intent = (pooled @ self.w_pooled + step.before @ self.w_heading + self.b_intent
                  + step.last @ self.w_transition)
        scores = (self.vectors @ intent).astype(np.float64)
        scores -= scores.max()
        np.exp(scores, out=scores)
        return scores / scores.sum()
