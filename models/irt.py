"""Two-parameter logistic IRT: P(correct) = sigmoid(a_i * (theta_s - b_i)).

Fitted by MAP, not maximum likelihood: Gaussian priors on theta, b and log a are the shrinkage
that keeps an item seen once or twice (most of ASSISTments) from running off to b = +-inf or a
huge slope. theta ~ N(0, 1) sets the latent scale (see :func:`fit_irt` for how it is made to
hold). The b prior's centre is learned (empirical Bayes), so an item never seen in training
gets the typical difficulty of the bank and a ~ 1, not an arbitrary b = 0.

Online use: a new student's theta is a Gaussian (mean, var) refined response by response with
:func:`theta_step` (a Laplace / Kalman-like update, O(1)), which is how the "irt" baseline of
the knowledge-tracing evaluation predicts unseen test students.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from tutor.ability import predict, predict_marginal, theta_from_responses, theta_step

__all__ = ["Irt2PL", "IrtConfig", "IrtParams", "fit_irt", "online_predictions", "predict",
           "theta_from_responses", "theta_step"]


@dataclass(frozen=True)
class IrtConfig:
    sd_theta: float = 1.0  # prior sd of ability; fixes the scale of the latent trait
    sd_b: float = 2.0  # prior sd of difficulty around the learned bank mean
    sd_log_a: float = 0.5  # prior sd of log discrimination (a within ~[0.37, 2.7] at 2 sd)
    learn_b_mean: bool = True  # learn the centre of the b prior (unseen items get it)
    max_iter: int = 300  # L-BFGS iterations of the full-batch fit
    lr: float = 1.0  # L-BFGS step scale (1 with a line search)
    history_size: int = 20  # L-BFGS memory
    tolerance: float = 1e-9  # stop when the loss changes less than this between iterations
    threads: int | None = 1  # CPU threads during the fit (small ops: 1 avoids sync cost)
    seed: int = 0


@dataclass(frozen=True)
class IrtParams:
    a: np.ndarray  # float64 (n_items,) discrimination
    b: np.ndarray  # float64 (n_items,) difficulty
    theta: np.ndarray  # float64 (n_students,) ability (MAP)
    item_responses: np.ndarray  # int64 (n_items,) training responses per item
    theta_var: np.ndarray  # float64 (n_students,) Laplace posterior variance of theta


class Irt2PL(nn.Module):
    """2PL with Gaussian priors; ``forward`` returns logits and the MAP loss per response."""

    def __init__(self, n_students: int, n_items: int, config: IrtConfig = IrtConfig(),
                 n_responses: int | None = None):
        super().__init__()
        self.config = config
        # Priors are divided by the data size so the loss is the MAP objective / n; None means
        # "the batch is the whole data set" (full-batch fitting).
        self.n_responses = n_responses
        self.theta = nn.Parameter(torch.zeros(n_students))
        self.b = nn.Parameter(torch.zeros(n_items))
        self.log_a = nn.Parameter(torch.zeros(n_items))
        self.b_mean = nn.Parameter(torch.zeros(()), requires_grad=config.learn_b_mean)
        # Centre of the log-a prior: moved only by fit_irt's rescaling, never by gradient (a
        # joint MAP over it would shrink theta to 0 and blow a up).
        self.register_buffer("log_a_mean", torch.zeros(()))

    def forward(self, student: torch.Tensor, item: torch.Tensor, correct: torch.Tensor
                ) -> tuple[torch.Tensor, torch.Tensor]:
        a = self.log_a.exp()[item]  # (N,)
        logit = a * (self.theta[student] - self.b[item])  # (N,)
        nll = F.binary_cross_entropy_with_logits(logit, correct.to(logit.dtype))
        n = self.n_responses or len(correct)
        return logit, nll + self.neg_log_prior() / n

    def neg_log_prior(self) -> torch.Tensor:
        c = self.config
        return 0.5 * ((self.theta / c.sd_theta).square().sum()
                      + ((self.b - self.b_mean) / c.sd_b).square().sum()
                      + ((self.log_a - self.log_a_mean) / c.sd_log_a).square().sum())


def fit_irt(student: np.ndarray, item: np.ndarray, correct: np.ndarray, n_students: int,
            n_items: int, config: IrtConfig = IrtConfig(), device: str = "cpu") -> IrtParams:
    """Full-batch MAP fit with L-BFGS (small, smooth problem: a few seconds on ASSIST2009).

    Joint MAP shrinks theta and inflates a when students outnumber items' evidence (the
    likelihood is blind to theta/c, b/c, a*c), so the fit ends with one exact rescale to
    mean(theta^2 + var) = sd_theta^2: theta ~ N(0, 1) then describes the student population,
    which is the prior an unseen student starts from online. The result is the exact MAP under
    the priors carried along by that rescale (unseen items get a = c, b = b_mean / c).
    """
    saved_threads = torch.get_num_threads()
    if config.threads is not None and device == "cpu":
        torch.set_num_threads(config.threads)
    try:
        return _fit(student, item, correct, n_students, n_items, config, device)
    finally:
        torch.set_num_threads(saved_threads)


def _fit(student: np.ndarray, item: np.ndarray, correct: np.ndarray, n_students: int,
         n_items: int, config: IrtConfig, device: str) -> IrtParams:
    torch.manual_seed(config.seed)
    s = torch.as_tensor(student, dtype=torch.long, device=device)
    i = torch.as_tensor(item, dtype=torch.long, device=device)
    y = torch.as_tensor(correct, dtype=torch.float64, device=device)
    model = Irt2PL(n_students, n_items, config).to(device=device, dtype=torch.float64)
    _warm_start(model, s, i, y)
    _lbfgs(model, s, i, y, config)
    # Rescale so the students' population matches the theta prior; predictions a*(theta - b)
    # of every training response stay exactly as fitted.
    _shift_scale(model, _population_log_scale(model, student, item, config.sd_theta))
    with torch.no_grad():
        a, b = model.log_a.exp().cpu().numpy(), model.b.cpu().numpy()
        theta = model.theta.cpu().numpy()
    return IrtParams(a=a, b=b, theta=theta,
                     theta_var=_theta_var(theta, a, b, student, item, config.sd_theta),
                     item_responses=np.bincount(item, minlength=n_items).astype(np.int64))


def _population_log_scale(model: Irt2PL, student: np.ndarray, item: np.ndarray,
                          sd_theta: float) -> float:
    """log sqrt(mean(theta^2 + var)) / sd_theta: 0 when the students match their prior."""
    with torch.no_grad():
        a, b = model.log_a.exp().cpu().numpy(), model.b.cpu().numpy()
        theta = model.theta.cpu().numpy()
    var = _theta_var(theta, a, b, student, item, sd_theta)
    return 0.5 * math.log(float(np.mean(theta**2 + var))) - math.log(sd_theta)


@torch.no_grad()
def _shift_scale(model: Irt2PL, log_c: float) -> None:
    """Move along the direction the likelihood cannot see: theta/c, b/c, a*c."""
    c = math.exp(log_c)
    model.theta.div_(c)
    model.b.div_(c)
    model.b_mean.div_(c)
    model.log_a.add_(log_c)
    model.log_a_mean.add_(log_c)


def _lbfgs(model: Irt2PL, s: torch.Tensor, i: torch.Tensor, y: torch.Tensor,
           config: IrtConfig) -> None:
    params = [p for p in model.parameters() if p.requires_grad]
    opt = torch.optim.LBFGS(params, lr=config.lr, max_iter=config.max_iter,
                            history_size=config.history_size, tolerance_grad=1e-10,
                            tolerance_change=config.tolerance, line_search_fn="strong_wolfe")

    def closure() -> torch.Tensor:
        opt.zero_grad()
        _, loss = model(s, i, y)
        loss.backward()
        return loss

    opt.step(closure)


@torch.no_grad()
def _warm_start(model: Irt2PL, s: torch.Tensor, i: torch.Tensor, y: torch.Tensor) -> None:
    """Start from smoothed logits of per-student and per-item success rates: fewer iterations."""
    def smoothed_logit(index: torch.Tensor, n: int) -> torch.Tensor:
        hits = torch.zeros(n, dtype=y.dtype, device=y.device).index_add_(0, index, y)
        count = torch.zeros(n, dtype=y.dtype, device=y.device).index_add_(0, index,
                                                                          torch.ones_like(y))
        rate = (hits + 1) / (count + 2)
        return torch.log(rate / (1 - rate))

    mean_logit = math.log((float(y.mean()) + 1e-3) / (1 - float(y.mean()) + 1e-3))
    model.theta.copy_(smoothed_logit(s, len(model.theta)) - mean_logit)
    model.b.copy_(-smoothed_logit(i, len(model.b)))
    model.b_mean.fill_(-mean_logit)


def _theta_var(theta: np.ndarray, a: np.ndarray, b: np.ndarray, student: np.ndarray,
               item: np.ndarray, prior_sd: float) -> np.ndarray:
    """Laplace variance of each theta with items held fixed: 1 / (prior precision + info)."""
    p = predict(theta[student], a[item], b[item])  # (N,)
    info = np.bincount(student, weights=a[item] ** 2 * p * (1 - p), minlength=len(theta))
    return 1.0 / (1.0 / prior_sd**2 + info)


def online_predictions(params_a: np.ndarray, params_b: np.ndarray, items: np.ndarray,
                       correct: np.ndarray, prior: tuple[float, float] = (0.0, 1.0),
                       marginal: bool = True) -> np.ndarray:
    """P(correct) at each position of one history, theta updated from earlier positions only.

    ``prior`` is (mean, sd). ``marginal`` averages over theta's uncertainty (probit
    approximation), which keeps early predictions of an unseen student near the item's base
    rate instead of over-confident.
    """
    mean, var = prior[0], prior[1] ** 2
    out = np.empty(len(items), dtype=np.float64)
    for t, (q, y) in enumerate(zip(items.tolist(), correct.tolist(), strict=True)):
        a, b = float(params_a[q]), float(params_b[q])
        out[t] = float(predict_marginal(mean, var if marginal else 0.0, a, b))
        mean, var = theta_step(mean, var, a, b, y)
    return out
