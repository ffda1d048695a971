"""The statistics of every study: the simulated classroom (``evaluation.study``), real
experiments and their rehearsal (``services.experiment``): Welch's t, Holm's correction,
Cohen's d and its CI, Cronbach's alpha of a questionnaire scale.

Formulas, for groups a (n1, mean m1, sd s1) and b (n2, m2, s2), sd with ddof = 1:

* **Welch's t and p**: ``scipy.stats.ttest_ind(a, b, equal_var=False)``, two-sided;
* **Holm** (1979): sort the m p-values ascending, ``p_holm(i) = max_{j <= i} min(1, (m - j) p(j))``
  with j counted from 0, so each adjusted p is monotone and never below its raw p;
* **Cohen's d** with the pooled sd: ``d = (m1 - m2) / s_p``,
  ``s_p = sqrt(((n1 - 1) s1^2 + (n2 - 1) s2^2) / (n1 + n2 - 2))``;
* **its 95 % CI** by the normal approximation of Hedges & Olkin (1985):
  ``se(d) = sqrt((n1 + n2) / (n1 n2) + d^2 / (2 (n1 + n2)))``, ``d ± 1.959964 se(d)``;
* **relative gain** of the means: ``(m1 - m2) / m2``;
* **change scores** of randomised groups: the same Welch's t, p and d on each member's
  post-test - pre-test, and the difference of the mean changes;
* **paired difference** of matched pairs (the same learners under both policies, a tuning
  design): its mean, standard error ``sd(diff) / sqrt(n)``, and the paired t and two-sided p
  (``scipy.stats.ttest_rel``);
* **Cronbach's alpha** of k items answered by n people (rows complete): ``alpha = k / (k - 1) *
  (1 - Σ var(item) / var(total))``, variances with ddof = 1 (Cronbach 1951).

Degenerate groups (no spread at all) give d = 0, t = 0 and p = 1 when the means are equal, and
``None`` where a figure is undefined, so the report stays valid JSON (no NaN).
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np
from scipy import stats

Z95 = 1.959963984540054  # the standard normal's 97.5 % quantile


def welch(a: np.ndarray, b: np.ndarray) -> tuple[float | None, float | None]:
    """Welch's t of ``a`` against ``b`` and its two-sided p."""
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    if len(a) < 2 or len(b) < 2:
        return None, None
    if np.ptp(a) == 0 and np.ptp(b) == 0:  # not var(): a constant's mean can carry rounding
        return (0.0, 1.0) if a[0] == b[0] else (None, 0.0)
    t, p = stats.ttest_ind(a, b, equal_var=False)
    return float(t), float(p)


def holm(pvalues: Mapping[str, float | None]) -> dict[str, float | None]:
    """Holm's step-down adjustment of a family of p-values (``None`` stays ``None``)."""
    known = sorted((p, k) for k, p in pvalues.items() if p is not None)
    out: dict[str, float | None] = {k: None for k in pvalues}
    running, m = 0.0, len(known)
    for j, (p, k) in enumerate(known):
        running = max(running, min(1.0, (m - j) * p))
        out[k] = running
    return out


def cohens_d(a: np.ndarray, b: np.ndarray) -> tuple[float | None, list[float] | None]:
    """Cohen's d of ``a`` over ``b`` (pooled sd) and its 95 % confidence interval."""
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    n1, n2 = len(a), len(b)
    if n1 < 2 or n2 < 2:
        return None, None
    if np.ptp(a) == 0 and np.ptp(b) == 0:  # not var(): a constant's mean can carry rounding
        return (0.0, [0.0, 0.0]) if a[0] == b[0] else (None, None)
    pooled = math.sqrt(((n1 - 1) * a.var(ddof=1) + (n2 - 1) * b.var(ddof=1)) / (n1 + n2 - 2))
    diff = float(a.mean() - b.mean())
    d = diff / pooled
    se = math.sqrt((n1 + n2) / (n1 * n2) + d * d / (2 * (n1 + n2)))
    return d, [d - Z95 * se, d + Z95 * se]


def rel_gain(a: np.ndarray, b: np.ndarray) -> float | None:
    """(mean a - mean b) / mean b; ``None`` when mean b is 0 or a group is empty."""
    if not len(a) or not len(b):
        return None
    base = float(np.mean(b))
    return None if base == 0 else (float(np.mean(a)) - base) / base


def compare(a: np.ndarray, b: np.ndarray) -> dict[str, float | list[float] | None]:
    """Every figure of one comparison but ``p_holm`` (a family's, see :func:`holm`)."""
    t, p = welch(a, b)
    d, ci = cohens_d(a, b)
    return {"rel_gain": rel_gain(a, b), "t": t, "p": p, "d": d, "d_ci95": ci}


def change(a: np.ndarray, b: np.ndarray) -> dict[str, float | list[float] | None]:
    """Two randomised groups compared on each member's change (post-test - pre-test): the
    difference of the mean changes, Welch's t and p, Cohen's d and its CI. The pre-test
    removes what members brought with them, so differences that a wide spread of the post-test
    hides show; an analysis of gain scores, unbiased when the groups were randomised."""
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    figures = {k: v for k, v in compare(a, b).items() if k != "rel_gain"}
    return {"diff": float(a.mean() - b.mean()) if len(a) and len(b) else None, **figures}


def paired(a: np.ndarray, b: np.ndarray) -> dict[str, float | None]:
    """The paired difference ``a - b`` of matched pairs: mean, standard error, t, p."""
    diff = np.asarray(a, dtype=float) - np.asarray(b, dtype=float)
    if len(diff) < 2:
        return {"diff": None, "se": None, "t": None, "p": None}
    se = float(np.std(diff, ddof=1) / math.sqrt(len(diff)))
    if se == 0:
        same = bool(np.all(diff == 0))
        return {"diff": float(diff.mean()), "se": 0.0, "t": 0.0 if same else None,
                "p": 1.0 if same else None}
    t, p = stats.ttest_rel(a, b)
    return {"diff": float(diff.mean()), "se": se, "t": float(t), "p": float(p)}


def with_holm(comparisons: dict[str, dict]) -> dict[str, dict]:
    """``comparisons`` with ``p_holm`` added, the family being all of them."""
    adjusted = holm({k: c["p"] for k, c in comparisons.items()})
    return {k: {**c, "p_holm": adjusted[k]} for k, c in comparisons.items()}


def cronbach_alpha(answers: np.ndarray) -> float | None:
    """Cronbach's alpha of a scale: ``answers`` is people x items, complete rows only. ``None``
    with fewer than 2 items or 2 people, or when the totals do not vary."""
    x = np.asarray(answers, dtype=float)
    if x.ndim != 2 or x.shape[0] < 2 or x.shape[1] < 2:
        return None
    total = x.sum(axis=1).var(ddof=1)
    if total == 0:
        return None
    k = x.shape[1]
    return float(k / (k - 1) * (1 - x.var(axis=0, ddof=1).sum() / total))


def anova_p(groups: list[np.ndarray]) -> float | None:
    """One-way ANOVA's p over groups (scipy's ``f_oneway``); ``None`` when undefined."""
    groups = [np.asarray(g, dtype=float) for g in groups if len(g)]
    if len(groups) < 2 or all(np.ptp(g) == 0 for g in groups):
        return None
    p = float(stats.f_oneway(*groups).pvalue)
    return None if math.isnan(p) else p
