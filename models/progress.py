"""An LSTM that reads a student's last 30 steps and predicts progress and the weakest KP.

Inputs and the two targets are defined in ``models.progress_data``. The last real step's hidden
state feeds two heads: progress as ``100 * sigmoid`` and the weakest KP as logits over skills
(cross-entropy, weighted by ``weakest_weight``).

Progress over the next 10 steps mostly stays where it is, and "no change" is a strong baseline
that a sigmoid head struggles to reproduce to the point. With ``progress_feature`` set, the
head blends the last step's observed progress with its own estimate through a learned gate
(``g * observed + (1 - g) * sigmoid(z)``, ``g`` starting near 0.9), so the model starts as the
baseline and moves off it where the window says so; a residual in logit space was tried and
gets stuck at observed progress 0 or 1, where the sigmoid's gradient vanishes. The loss is
smooth-L1 on the 0..1 scale with a small ``beta`` (close to L1): the target is reported as a
mean absolute error, and L1 fits a median, which for mostly-unchanged progress is that
unchanged value; MSE fits the mean.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F

from models.progress_data import ProgressData, progress_batches

GATE_BIAS = 2.0  # initial gate logit: start at about 0.9 x observed progress


@dataclass(frozen=True)
class ProgressConfig:
    n_features: int  # step feature width (ProgressDataConfig.n_features)
    n_skills: int  # classes of the weakest-KP head
    hidden: int = 64  # LSTM hidden size
    dropout: float = 0.2  # on the final hidden state, before the heads
    weakest_weight: float = 1.0  # weight of the weakest-KP cross-entropy in the loss
    progress_feature: int | None = None  # step feature holding progress so far (0..1), if any
    progress_beta: float = 0.01  # smooth-L1 beta on the 0..1 scale (1 percentage point)


class ProgressLSTM(nn.Module):
    def __init__(self, config: ProgressConfig) -> None:
        super().__init__()
        self.config = config
        self.lstm = nn.LSTM(config.n_features, config.hidden, batch_first=True)
        self.drop = nn.Dropout(config.dropout)
        self.progress_head = nn.Linear(config.hidden, 2)  # (gate, estimate) logits
        with torch.no_grad():
            self.progress_head.bias[0] = GATE_BIAS
        self.weakest_head = nn.Linear(config.hidden, config.n_skills)

    def forward(self, x: torch.Tensor, mask: torch.Tensor, progress: torch.Tensor | None = None,
                weakest: torch.Tensor | None = None
                ) -> tuple[tuple[torch.Tensor, torch.Tensor], torch.Tensor | None]:
        """Return ``((progress_pct (B,), weakest_logits (B, K)), loss)``; loss needs targets."""
        h = self.drop(self._last_hidden(x, mask))  # (B, H)
        gate, estimate = torch.sigmoid(self.progress_head(h)).unbind(-1)  # (B,), (B,)
        share = estimate
        if self.config.progress_feature is not None:
            share = gate * x[:, -1, self.config.progress_feature] + (1 - gate) * estimate
        logits = self.weakest_head(h)  # (B, K)
        loss = None
        if progress is not None and weakest is not None:
            loss = (F.smooth_l1_loss(share, progress / 100, beta=self.config.progress_beta)
                    + self.config.weakest_weight * F.cross_entropy(logits, weakest))
        return (100 * share, logits), loss

    def _last_hidden(self, x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        """Hidden state after the last real step, never touched by padding: move the left
        padding to the right and read the output at the last real position (exact, and far
        faster on CPU than a packed sequence)."""
        _, w, _ = x.shape
        lengths = mask.sum(1).clamp(min=1)  # (B,)
        idx = (torch.arange(w, device=x.device) + (w - lengths)[:, None]).clamp(max=w - 1)
        right = x.gather(1, idx[..., None].expand_as(x))  # (B, W, F), real steps first
        out, _ = self.lstm(right)  # (B, W, H)
        last = (lengths - 1)[:, None, None].expand(-1, 1, out.shape[-1])  # (B, 1, H)
        return out.gather(1, last).squeeze(1)  # (B, H)


@torch.no_grad()
def predict_progress(model: ProgressLSTM, data: ProgressData, batch_size: int = 512,
                     device: str = "cpu") -> tuple[np.ndarray, np.ndarray]:
    """Progress in percent (N,) and weakest-KP logits (N, K) for every sample."""
    model.eval()
    pcts, logits = [], []
    for batch in progress_batches(data, batch_size):
        (pct, lg), _ = model(batch["x"].to(device), batch["mask"].to(device))
        pcts.append(pct.cpu().numpy())
        logits.append(lg.cpu().numpy())
    return np.concatenate(pcts), np.concatenate(logits)


def evaluate_progress(model: ProgressLSTM, data: ProgressData, device: str = "cpu"
                      ) -> dict[str, float]:
    """Model and trivial baselines on the same samples: progress MAE (percentage points) and
    weakest-KP top-1 / top-3 accuracy."""
    pct, logits = predict_progress(model, data, device=device)
    top3 = np.argsort(-logits, axis=1)[:, :3]
    target = data.weakest[:, None]
    return {
        "n": float(len(data)),
        "progress_mae": float(np.abs(pct - data.progress).mean()),
        "weakest_top1": float((top3[:, :1] == target).any(1).mean()),
        "weakest_top3": float((top3 == target).any(1).mean()),
        "baseline_progress_mae": float(np.abs(data.progress_now - data.progress).mean()),
        "baseline_weakest_top1": float((data.baseline_weakest[:, :1] == target).any(1).mean()),
        "baseline_weakest_top3": float((data.baseline_weakest == target).any(1).mean()),
    }
