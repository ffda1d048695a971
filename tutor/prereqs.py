"""Infer a prerequisite graph among KPs from response logs, for datasets that ship none.

Method (issue 4). Per student and KP we read three milestones from the time-ordered answers
(an answer counts for every KP its question tests):

* ``first attempt``: position of the first answer on the KP;
* ``first mastery``: position of the answer that completes the first run of ``streak`` correct
  answers in a row on the KP (ASSISTments skill builders end at 3 in a row), or, with
  ``mastery_rule="bkt"``, the first answer after which BKT P(known) reaches ``bkt_threshold``;
* ``early success``: the share correct of the first ``early_attempts`` answers on the KP.

For an ordered pair A -> B ("A is a prerequisite of B"), over students who attempted both:

* order evidence: ``n_ab`` students mastered A before their first attempt at B, ``n_ba`` mastered B
  before their first attempt at A; ``order = max(0, 2 * wilson_lb(n_ab, n_ab + n_ba, z) - 1)``,
  i.e. how far the share of "A first" is surely above a coin flip (0 when it is not);
* conditional success lift: mean early success on B of the students who mastered A before
  starting B minus that of the others, less ``z`` standard errors (a lower bound);
  ``lift = clip(lift_lb / full_lift, 0, 1)``.

``confidence = order * lift``, in [0, 1]. Pairs with fewer than ``min_students`` co-practising
students, fewer than ``min_group`` in either lift group, or confidence below ``min_confidence``
are no candidates. The graph is kept acyclic by adding candidates by decreasing confidence and
skipping any that would close a cycle; optionally an edge A -> C is dropped when a path
A -> ... -> C of edges at least as confident remains (transitive reduction, a readable map);
last, each KP keeps its ``max_parents`` most confident parents. Every edge is ``inferred=True``
so tutors can review it. Ties are broken by KP index, so the result is deterministic.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

import numpy as np

from tutor.curriculum import Prerequisite
from tutor.errors import InvalidInput
from tutor.mastery import MASTERY_THRESHOLD, BktParams, bkt_update

if TYPE_CHECKING:
    import networkx as nx

NEVER = np.iinfo(np.int64).max  # milestone position of something that did not happen


class ResponseHistories(Protocol):
    """Per-student item indices and 0/1 answers in time order (``models.kt_data.Histories``)."""

    items: Sequence[np.ndarray]
    correct: Sequence[np.ndarray]


@dataclass(frozen=True)
class PrereqInferenceConfig:
    mastery_rule: str = "streak"  # "streak" (n correct in a row) or "bkt" (P(known) threshold)
    streak: int = 3  # correct answers in a row that count as mastery
    bkt_threshold: float = MASTERY_THRESHOLD  # P(known) that counts as mastery, "bkt" rule
    bkt: BktParams = field(default_factory=BktParams)  # BKT parameters of the "bkt" rule
    early_attempts: int = 3  # first answers on B whose success the lift compares
    min_students: int = 30  # students who attempted both KPs, for a pair to be judged
    min_group: int = 5  # students on each side of the lift comparison
    z: float = 1.96  # width of the lower bounds (Wilson on order, normal on lift)
    full_lift: float = 0.2  # lift lower bound that earns a full lift term
    min_confidence: float = 0.15  # candidates below this are not edges (ASSIST2009: weaker ones
    # barely beat random edges on held-out students)
    max_parents: int = 3  # most prerequisites kept per KP
    transitive_reduction: bool = True  # drop A->C implied by a path at least as confident


@dataclass(frozen=True)
class InferenceReport:
    candidates: int  # pairs that passed support and confidence thresholds
    kept: int
    dropped_cycle: int  # would have closed a cycle with more confident edges
    dropped_reduction: int  # implied by a path of edges at least as confident
    dropped_parent_cap: int  # beyond max_parents for their KP


@dataclass(frozen=True)
class InferenceResult:
    edges: tuple[Prerequisite, ...]  # by decreasing confidence
    report: InferenceReport


@dataclass(frozen=True)
class Milestones:
    """Per (student, KP) milestones, ``NEVER`` / NaN where absent; arrays are (S, K)."""

    first_attempt: np.ndarray  # int64 position of the first answer on the KP
    first_mastery: np.ndarray  # int64 position of the answer that reached mastery
    early_success: np.ndarray  # float share correct of the first answers, NaN if none


def infer_prerequisites(histories: ResponseHistories, item_skills: np.ndarray,
                        skill_ids: Sequence[str],
                        config: PrereqInferenceConfig = PrereqInferenceConfig()
                        ) -> InferenceResult:
    """Infer ``before -> after`` edges between the skills, as an acyclic, inferred graph."""
    _check(histories, item_skills, skill_ids, config)
    ms = milestones(histories, item_skills, len(skill_ids), config)
    conf = pair_confidence(ms, config)
    a_idx, b_idx = np.nonzero(conf >= max(config.min_confidence, 1e-12))
    candidates = sorted(zip(a_idx.tolist(), b_idx.tolist(), conf[a_idx, b_idx].tolist(),
                            strict=True),
                        key=lambda e: (-e[2], e[0], e[1]))
    kept, report = _select_dag(candidates, config)
    edges = tuple(Prerequisite(skill_ids[a], skill_ids[b], inferred=True, confidence=round(c, 4))
                  for a, b, c in kept)
    return InferenceResult(edges, report)


def milestones(histories: ResponseHistories, item_skills: np.ndarray, n_skills: int,
               config: PrereqInferenceConfig = PrereqInferenceConfig()) -> Milestones:
    """Read each student's first attempt, first mastery and early success on every KP."""
    n = len(histories.items)
    first = np.full((n, n_skills), NEVER, dtype=np.int64)
    mastered = np.full((n, n_skills), NEVER, dtype=np.int64)
    early = np.full((n, n_skills), np.nan)
    for s, (items, correct) in enumerate(zip(histories.items, histories.correct, strict=True)):
        for k, (pos, ok) in _answers_by_kp(items, correct, item_skills).items():
            first[s, k] = pos[0]
            mastered[s, k] = _mastery_position(pos, ok, config)
            early[s, k] = ok[:config.early_attempts].mean()
    return Milestones(first, mastered, early)


def pair_confidence(ms: Milestones, config: PrereqInferenceConfig) -> np.ndarray:
    """Confidence (K, K) that row KP is a prerequisite of column KP (module docstring)."""
    n_skills = ms.first_attempt.shape[1]
    conf = np.zeros((n_skills, n_skills))
    attempted = ms.first_attempt != NEVER
    for a in range(n_skills):
        # every term counts students who attempted A: only their rows are read (S_A << S)
        rows = np.flatnonzero(attempted[:, a])
        if len(rows) < config.min_students:
            continue
        first, mastered = ms.first_attempt[rows], ms.first_mastery[rows]
        both = attempted[rows]  # (S_A, K) attempted A and B
        a_first = both & (mastered[:, [a]] < first)
        b_first = both & (mastered < first[:, [a]])
        order = _order_term(a_first.sum(0), b_first.sum(0), config.z)
        lift = _lift_term(ms.early_success[rows], a_first, both & ~a_first, config)
        ok = both.sum(0) >= config.min_students
        conf[a] = np.where(ok, order * lift, 0.0)
    np.fill_diagonal(conf, 0.0)
    return conf


def wilson_lower(k: np.ndarray, n: np.ndarray, z: float) -> np.ndarray:
    """Wilson score lower bound of a proportion k/n (0 where n is 0)."""
    k, n = np.asarray(k, dtype=float), np.asarray(n, dtype=float)
    safe = np.maximum(n, 1.0)
    p = k / safe
    centre = p + z * z / (2 * safe)
    spread = z * np.sqrt(p * (1 - p) / safe + z * z / (4 * safe * safe))
    return np.where(n > 0, (centre - spread) / (1 + z * z / safe), 0.0)


def _order_term(n_ab: np.ndarray, n_ba: np.ndarray, z: float) -> np.ndarray:
    return np.clip(2 * wilson_lower(n_ab, n_ab + n_ba, z) - 1, 0.0, 1.0)


def _lift_term(early: np.ndarray, yes: np.ndarray, no: np.ndarray,
               config: PrereqInferenceConfig) -> np.ndarray:
    """Lower bound of mean early success (column KP) with minus without, scaled to [0, 1]."""
    m1, v1, n1 = _group_stats(early, yes)
    m0, v0, n0 = _group_stats(early, no)
    se = np.sqrt(v1 / np.maximum(n1, 1) + v0 / np.maximum(n0, 1))
    lower = m1 - m0 - config.z * se
    enough = (n1 >= config.min_group) & (n0 >= config.min_group)
    return np.where(enough, np.clip(lower / config.full_lift, 0.0, 1.0), 0.0)


def _group_stats(values: np.ndarray, mask: np.ndarray) -> tuple[np.ndarray, ...]:
    """Per-column mean, sample variance and count of ``values`` where ``mask``."""
    x = np.where(mask, np.nan_to_num(values), 0.0)
    n = mask.sum(0).astype(float)
    mean = x.sum(0) / np.maximum(n, 1)
    sq = np.where(mask, (np.nan_to_num(values) - mean) ** 2, 0.0).sum(0)
    return mean, sq / np.maximum(n - 1, 1), n


def _answers_by_kp(items: np.ndarray, correct: np.ndarray,
                   item_skills: np.ndarray) -> dict[int, tuple[np.ndarray, np.ndarray]]:
    """Positions and 0/1 answers of one student's responses, grouped by KP."""
    skills = item_skills[np.asarray(items, dtype=np.int64)]  # (T, max_skills)
    rows, cols = np.nonzero(skills >= 0)
    kps = skills[rows, cols]
    order = np.lexsort((rows, kps))  # by KP, then by time
    rows, kps = rows[order], kps[order]
    ok = np.asarray(correct, dtype=float)[rows]
    cuts = np.flatnonzero(np.diff(kps)) + 1
    return {int(k[0]): (r, o) for k, r, o in zip(np.split(kps, cuts), np.split(rows, cuts),
                                                  np.split(ok, cuts), strict=True) if len(k)}


def _mastery_position(pos: np.ndarray, ok: np.ndarray, config: PrereqInferenceConfig) -> int:
    if config.mastery_rule == "bkt":
        p = config.bkt.prior
        for t, answer in zip(pos, ok, strict=True):
            p = bkt_update(p, bool(answer), config.bkt)
            if p >= config.bkt_threshold:
                return int(t)
        return NEVER
    run = 0
    for t, answer in zip(pos, ok, strict=True):
        run = run + 1 if answer else 0
        if run >= config.streak:
            return int(t)
    return NEVER


def _select_dag(candidates: list[tuple[int, int, float]],
                config: PrereqInferenceConfig) -> tuple[list[tuple[int, int, float]],
                                                        InferenceReport]:
    """Greedy acyclic selection, optional transitive reduction, then the parent cap."""
    import networkx as nx  # here, not at import: the command line reads this module's defaults

    g = nx.DiGraph()
    dropped_cycle = 0
    for a, b, c in candidates:
        if g.has_node(a) and g.has_node(b) and nx.has_path(g, b, a):
            dropped_cycle += 1
            continue
        g.add_edge(a, b, confidence=c)
    dropped_reduction = _reduce(g) if config.transitive_reduction else 0
    dropped_cap = 0
    for b in sorted(g.nodes):
        parents = sorted(g.in_edges(b, data="confidence"), key=lambda e: (-e[2], e[0]))
        for a, _, _ in parents[config.max_parents:]:
            g.remove_edge(a, b)
            dropped_cap += 1
    kept = sorted(((a, b, c) for a, b, c in g.edges(data="confidence")),
                  key=lambda e: (-e[2], e[0], e[1]))
    return kept, InferenceReport(len(candidates), len(kept), dropped_cycle, dropped_reduction,
                                 dropped_cap)


def _reduce(g: nx.DiGraph) -> int:
    """Drop edges implied by another path whose edges are all at least as confident."""
    import networkx as nx

    dropped = 0
    for a, c, conf in sorted(g.edges(data="confidence"), key=lambda e: (e[2], e[0], e[1])):
        g.remove_edge(a, c)
        strong = nx.subgraph_view(g, filter_edge=lambda u, v, floor=conf:
                                  g[u][v]["confidence"] >= floor)
        if nx.has_path(strong, a, c):
            dropped += 1
        else:
            g.add_edge(a, c, confidence=conf)
    return dropped


def _check(histories: ResponseHistories, item_skills: np.ndarray, skill_ids: Sequence[str],
           config: PrereqInferenceConfig) -> None:
    if config.mastery_rule not in ("streak", "bkt"):
        raise InvalidInput(f"mastery_rule must be 'streak' or 'bkt', not {config.mastery_rule!r}")
    if config.streak < 1 or config.early_attempts < 1 or config.max_parents < 0:
        raise InvalidInput("streak and early_attempts must be >= 1 and max_parents >= 0")
    if len(histories.items) != len(histories.correct):
        raise InvalidInput("histories: items and correct differ in number of students")
    if item_skills.ndim != 2:
        raise InvalidInput(f"item_skills must be (n_items, max_skills), not {item_skills.shape}")
    if item_skills.size and int(item_skills.max()) >= len(skill_ids):
        raise InvalidInput(f"item_skills names skill index {int(item_skills.max())} but only "
                           f"{len(skill_ids)} skill ids were given")
    for items, correct in zip(histories.items, histories.correct, strict=True):
        if len(items) != len(correct):
            raise InvalidInput("histories: a student's items and correct differ in length")
        if len(items) and (int(np.max(items)) >= len(item_skills) or int(np.min(items)) < 0):
            raise InvalidInput(f"histories name an item outside 0..{len(item_skills) - 1}")
