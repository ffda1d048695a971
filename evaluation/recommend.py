"""Offline evaluation of question recommendation by replaying test histories, and its baselines.

The protocol follows the source paper (its Figure 11): a method is judged by whether the
questions it recommends are ones the student went on to practise.

- Split ``s``: for each TEST student with T answers, the first floor(s*T) answers are the
  observed prefix; the *window* is what follows (the rest of the history, or the next
  ``window`` answers). Every method first learns from ALL train students' full histories.
- Exclusion (the same for every method): questions answered correctly in the prefix are not
  recommended (``exclude="answered"`` drops every prefix question, ``"none"`` nothing).
- A hit is a recommended question that appears in the window. Per student, averaged over the
  students with a non-empty window: precision@N = hits / N (a short list is not rewarded),
  recall@N = hits / |distinct window questions|, F1 = their harmonic mean, NDCG@N with binary
  relevance and the ideal DCG over min(N, |window set|). Coverage = distinct questions
  recommended over all students (``coverage_share``: as a share of the catalogue).
- Difficulty (when a ``difficulty[item]`` array, e.g. IRT b fitted on train only, is given):
  mean difficulty of the recommended questions; with a student band (low, high) of suitable
  difficulty, the mean distance of a recommended question outside it (0 inside), and
  ``avg_in_band``: the share of lists whose average difficulty lies inside the band.
- Zone of proximal development (pooled over all hits of a method, so a student without hits
  does not count as 0): ``hit_correct_rate`` = observed correctness of the hit questions'
  window answers; ``in_band_share`` = share of hits whose P(correct) lies in ``zpd`` (0.5-0.85):
  the model's prediction at recommendation time when ``p_correct`` is given, otherwise the
  student's observed correctness rate on that question in the window (0 or 1 for a question
  answered once, so only the predicted variant is informative on ASSISTments).

Histories are duck-typed (anything with ``items`` and ``correct`` sequences of arrays, like
``models.kt_data.Histories``) so the domain does not import the models package.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np

from evaluation.baselines import MarkovChain, Popularity, UserCF
from evaluation.recommend_types import BandFn, HistoriesLike, PCorrectFn, Recommender
from tutor.errors import InvalidInput

__all__ = ["HistoriesLike", "MarkovChain", "Popularity", "RecEvalConfig", "Recommender",
           "UserCF", "evaluate", "markdown_table"]


@dataclass(frozen=True)
class RecEvalConfig:
    n: int = 10  # length of each recommendation list (the @N of the metrics)
    window: int | None = None  # answers after the prefix that count as the future; None = all
    exclude: Literal["correct", "answered", "none"] = "correct"  # prefix items never recommended
    zpd: tuple[float, float] = (0.5, 0.85)  # P(correct) band of a well-chosen question


# ---------------------------------------------------------------- metrics (one student)

def precision_recall(recs: Sequence[int], relevant: set[int], n: int) -> tuple[float, float]:
    """Return precision@n (hits / n) and recall@n (hits / |relevant|)."""
    hits = sum(1 for r in recs[:n] if r in relevant)
    return hits / n, (hits / len(relevant) if relevant else 0.0)


def f1(precision: float, recall: float) -> float:
    return 2 * precision * recall / (precision + recall) if precision + recall > 0 else 0.0


def ndcg(recs: Sequence[int], relevant: set[int], n: int) -> float:
    """Return NDCG@n with binary relevance; the ideal list puts min(n, |relevant|) hits first."""
    dcg = sum(1.0 / math.log2(rank + 2) for rank, r in enumerate(recs[:n]) if r in relevant)
    ideal = sum(1.0 / math.log2(rank + 2) for rank in range(min(n, len(relevant))))
    return dcg / ideal if ideal > 0 else 0.0


def band_distance(difficulty: np.ndarray, low: float, high: float) -> np.ndarray:
    """Return how far each difficulty lies outside [low, high] (0 inside)."""
    return np.maximum(np.maximum(low - difficulty, difficulty - high), 0.0)


def coverage(rec_lists: Sequence[Sequence[int]]) -> int:
    """Return the number of distinct questions recommended over all lists."""
    return len({q for recs in rec_lists for q in recs})


# ---------------------------------------------------------------- protocol

@dataclass(frozen=True)
class _Case:
    """One test student at one split: what a method sees and what it is judged against."""

    student: int
    prefix_items: np.ndarray
    prefix_correct: np.ndarray
    window_items: np.ndarray
    window_correct: np.ndarray
    exclude: set[int]


def split_cases(test: HistoriesLike, split: float, config: RecEvalConfig) -> list[_Case]:
    """Cut each test student at floor(split * T); students with an empty window are dropped."""
    if not 0.0 < split < 1.0:
        raise InvalidInput(f"split must lie strictly between 0 and 1, got {split}")
    cases = []
    for s, (items, correct) in enumerate(zip(test.items, test.correct, strict=True)):
        k = math.floor(split * len(items) + 1e-9)  # 1e-9: 0.7 * 10 must give 7, not 6
        end = len(items) if config.window is None else k + config.window
        if end <= k or k >= len(items):
            continue
        exclude = {"correct": set(items[:k][correct[:k] == 1].tolist()),
                   "answered": set(items[:k].tolist()), "none": set()}[config.exclude]
        cases.append(_Case(s, items[:k], correct[:k], items[k:end], correct[k:end], exclude))
    return cases


def _check(recs: list[int], case: _Case, n: int, n_items: int, name: str) -> None:
    if len(recs) > n or len(set(recs)) != len(recs):
        raise InvalidInput(f"{name} returned {len(recs)} items with duplicates or more than {n}")
    if any(not 0 <= q < n_items or q in case.exclude for q in recs):
        raise InvalidInput(f"{name} recommended an unknown or excluded question")


def _student_row(recs: list[int], case: _Case, n: int) -> dict[str, float]:
    relevant = set(case.window_items.tolist())
    p, r = precision_recall(recs, relevant, n)
    return {f"precision@{n}": p, f"recall@{n}": r, f"f1@{n}": f1(p, r),
            f"ndcg@{n}": ndcg(recs, relevant, n)}


def _difficulty_row(recs: list[int], case: _Case, difficulty: np.ndarray,
                    band: BandFn | tuple[np.ndarray, np.ndarray] | None) -> dict[str, float]:
    if not recs:
        return {}
    d = difficulty[np.asarray(recs)]
    row = {"avg_difficulty": float(d.mean())}
    if band is not None:
        low, high = (band(case.prefix_items, case.prefix_correct) if callable(band)
                     else (band[0][case.student], band[1][case.student]))
        row["band_distance"] = float(band_distance(d, low, high).mean())
        row["avg_in_band"] = float(low <= row["avg_difficulty"] <= high)
    return row


def _hit_rates(recs: list[int], case: _Case, zpd: tuple[float, float],
               p_correct: PCorrectFn | None) -> tuple[float, int, int]:
    """Return (sum of hit correctness rates, hits in the ZPD band, hits) for pooling."""
    window = set(case.window_items.tolist())
    hits = np.array([q for q in recs if q in window], dtype=np.int64)
    if not len(hits):
        return 0.0, 0, 0
    rate = np.array([case.window_correct[case.window_items == q].mean() for q in hits])
    p = rate if p_correct is None else np.asarray(
        p_correct(case.prefix_items, case.prefix_correct, hits), dtype=float)
    in_band = int(((p >= zpd[0]) & (p <= zpd[1])).sum())
    return float(rate.sum()), in_band, len(hits)


def _evaluate_method(rec: Recommender, name: str, cases: list[_Case], n_items: int,
                     config: RecEvalConfig, difficulty: np.ndarray | None,
                     band: BandFn | tuple[np.ndarray, np.ndarray] | None,
                     p_correct: PCorrectFn | None) -> dict[str, float | None]:
    rows, lists, pooled = [], [], np.zeros(3)
    for case in cases:
        recs = [int(q) for q in rec.recommend(case.prefix_items, case.prefix_correct, config.n,
                                              set(case.exclude))]
        _check(recs, case, config.n, n_items, name)
        row = _student_row(recs, case, config.n)
        if difficulty is not None:
            row |= _difficulty_row(recs, case, difficulty, band)
        rows.append(row)
        lists.append(recs)
        pooled += _hit_rates(recs, case, config.zpd, p_correct)
    return _aggregate(rows, lists, pooled, config.n, n_items, len(cases))


def _aggregate(rows: list[dict[str, float]], lists: list[list[int]], pooled: np.ndarray, n: int,
               n_items: int, n_students: int) -> dict[str, float | None]:
    keys = [f"precision@{n}", f"recall@{n}", f"f1@{n}", f"ndcg@{n}", "avg_difficulty",
            "band_distance", "avg_in_band"]
    out: dict[str, float | None] = {}
    for key in keys:
        values = [row[key] for row in rows if key in row]
        out[key] = float(np.mean(values)) if values else None
    cov = coverage(lists)
    out |= {"coverage": cov, "coverage_share": cov / n_items, "students": n_students,
            "hits": int(pooled[2]),
            "hit_correct_rate": float(pooled[0] / pooled[2]) if pooled[2] else None,
            "in_band_share": float(pooled[1] / pooled[2]) if pooled[2] else None}
    return out


def evaluate(recommenders: Mapping[str, Recommender], kt_train: HistoriesLike,
             test: HistoriesLike, splits: Sequence[float], n_items: int,
             config: RecEvalConfig = RecEvalConfig(), difficulty: np.ndarray | None = None,
             band: BandFn | tuple[np.ndarray, np.ndarray] | None = None,
             p_correct: PCorrectFn | None = None) -> dict:
    """Fit every method on train, replay the test students at each split, return the report.

    Shape: ``{"splits": {"0.8": {method: {"precision@10": ..., "coverage": ...}}}, "n": 10}``;
    difficulty metrics are None without ``difficulty``, ``band_distance`` and ``avg_in_band``
    also without ``band``.
    """
    if config.n < 1:
        raise InvalidInput(f"n must be at least 1, got {config.n}")
    if difficulty is not None and len(difficulty) != n_items:
        raise InvalidInput(f"difficulty has {len(difficulty)} entries for {n_items} questions")
    for rec in recommenders.values():
        rec.fit(kt_train, n_items)
    report: dict = {"splits": {}, "n": config.n, "n_items": n_items}
    for split in splits:
        cases = split_cases(test, split, config)
        report["splits"][f"{split:g}"] = {
            name: _evaluate_method(rec, name, cases, n_items, config, difficulty, band, p_correct)
            for name, rec in recommenders.items()}
    return report


_COLUMNS = [("precision@{n}", "P@{n}"), ("recall@{n}", "R@{n}"), ("f1@{n}", "F1@{n}"),
            ("ndcg@{n}", "NDCG@{n}"), ("coverage", "coverage"), ("avg_difficulty", "avg diff"),
            ("band_distance", "band dist"), ("avg_in_band", "avg in band"),
            ("hit_correct_rate", "hit correct"),
            ("in_band_share", "in band")]


def markdown_table(report: dict) -> str:
    """Render the report as one markdown table: a row per (split, method)."""
    n = report["n"]
    cols = [(key.format(n=n), title.format(n=n)) for key, title in _COLUMNS]
    lines = ["| split | method | " + " | ".join(t for _, t in cols) + " |",
             "|---|---|" + "---:|" * len(cols)]
    for split, methods in report["splits"].items():
        for name, m in methods.items():
            cells = [_cell(m.get(key)) for key, _ in cols]
            lines.append(f"| {split} | {name} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def _cell(value: float | int | None) -> str:
    if value is None:
        return "-"
    return str(value) if isinstance(value, int) else f"{value:.4f}"
