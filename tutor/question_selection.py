"""Stage 2 of the recommender: questions on the chosen KPs, the P(correct) band, the
challenge share, the spread over KPs and the difficulty band (see ``tutor.recommend``)."""

from __future__ import annotations

import math
import zlib
from collections.abc import Collection
from dataclasses import dataclass

import numpy as np

from tutor.ability import predict_marginal
from tutor.recommend_types import (
    Catalogue,
    KPPick,
    KPQuestions,
    LearnerState,
    QuestionFacts,
    RecConfig,
    SequenceModel,
)


@dataclass(frozen=True, eq=False)  # compared by identity: equality is slow and not needed
class Candidate:
    question: QuestionFacts
    kp_id: str
    kp_rank: int
    p_irt: float
    p_kt: float | None
    p: float
    score: float  # order inside its KP (higher first): P(next), else IRT information, exposed
    challenge: bool  # counts towards the challenge quota (see :func:`challenging`)


def candidates_for(catalogue: Catalogue, state: LearnerState, config: RecConfig,
                    picks: list[KPPick], sequence: SequenceModel | None, notes: list[str],
                    exclude: Collection[str]) -> tuple[list[KPPick], list[Candidate]]:
    """Questions on the first ``kp_count`` KPs that have any; further KPs if needed."""
    recent = excluded(state, config, exclude)
    chosen: list[KPPick] = []
    taken: set[str] = set()  # questions of several KPs that an earlier KP's share holds
    parts: list[tuple[KPQuestions, np.ndarray]] = []  # a KP's questions, which of them are free
    for pick in picks:
        if len(chosen) == config.kp_count:
            break
        table = catalogue.kp_questions(pick.kp_id)
        free = np.ones(len(table.ids), dtype=bool)  # all but the few recent or already taken
        free[[i for i in map(table.position.get, recent | taken) if i is not None]] = False
        free = np.flatnonzero(free)
        if not len(free):
            notes.append(f"KP {pick.kp_id} has no question left to practise; skipped")
            continue
        chosen.append(pick)
        taken.update(table.ids[free[table.shared[free]]].tolist())  # only these can recur
        parts.append((table, free))
    if not parts:
        return chosen, []
    ranks = np.concatenate([np.full(len(free), r) for r, (_, free) in enumerate(parts)])
    ids = np.concatenate([t.ids[free] for t, free in parts])
    a = np.concatenate([t.a[free] for t, free in parts])
    b = np.concatenate([t.b[free] for t, free in parts])
    p_irt = predict_marginal(state.theta, state.theta_var, a, b)
    if sequence is not None and state.history:
        p_kt, scores = sequence.predict(state.history, ids.tolist())
        p = combine(p_kt, p_irt, config.kt_weight)
    else:
        p_kt, p = None, p_irt
        scores = a * a * p_irt * (1 - p_irt)  # IRT information: most to learn about the student
    scores = exposed(scores, config.exposure, state)
    hard = challenging(p, np.concatenate([t.written_hard[free] for t, free in parts]), config)
    keep = np.flatnonzero(shortlist(ranks, p, scores, b, ids, hard, config))
    at = np.concatenate([free for _, free in parts])  # each candidate's place in its KP's table
    return chosen, [
        Candidate(parts[r][0].facts[at[i]], chosen[r].kp_id, r, float(p_irt[i]),
                  None if p_kt is None else float(p_kt[i]), float(p[i]), float(scores[i]),
                  bool(hard[i]))
        for i, r in zip(keep.tolist(), ranks[keep].tolist(), strict=True)]


def combine(p_kt: np.ndarray, p_irt: np.ndarray, kt_weight: float) -> np.ndarray:
    """One P(correct) from the Bi-LSTM's and IRT's: the weighted mean of their logits."""
    return _sigmoid(kt_weight * logit(np.clip(p_kt, 1e-6, 1 - 1e-6))
                    + (1 - kt_weight) * logit(np.clip(p_irt, 1e-6, 1 - 1e-6)))


def shortlist(ranks: np.ndarray, p: np.ndarray, scores: np.ndarray, b: np.ndarray,
              ids: np.ndarray, hard: np.ndarray, config: RecConfig) -> np.ndarray:
    """Mask of the candidates :func:`select` and :func:`fix_difficulty` can ever take, in the
    orders they take them: per KP the n best in-band items of each kind (challenge or not),
    the 2n easiest and 2n hardest in band (swaps), the n nearest outside it (fallback). A KP of
    ASSISTments has hundreds of questions; building all of them costs most of a call."""
    n, (low, high) = config.n, config.band
    inside = (p >= low) & (p <= high)
    distance = np.maximum(np.maximum(low - p, p - high), 0.0)
    keep = np.zeros(len(p), dtype=bool)
    for rank in np.unique(ranks):
        at = ranks == rank
        for mask, keys, count in ((at & inside & hard, (ids, -scores), n),
                                  (at & inside & ~hard, (ids, -scores), n),
                                  (at & inside, (b,), 2 * n), (at & inside, (-b,), 2 * n),
                                  (at & ~inside, (-scores, distance), n)):
            idx = np.flatnonzero(mask)  # lexsort: the last key first, ties in pool order
            keep[idx[np.lexsort(tuple(k[idx] for k in keys))[:count]]] = True
    return keep


def exposed(scores: np.ndarray, scale: float, state: LearnerState) -> np.ndarray:
    """Item exposure control: log scores plus Gumbel noise of ``scale``, so the order inside a
    KP is a Plackett-Luce draw that favours the likeliest questions without handing every
    student on the KP the same few (a soft form of adaptive testing's "randomesque" method,
    Kingsbury & Zara 1989). Seeded by the student, the length of their history and their last
    question: the same state gets the same list, the next answer a new draw."""
    if scale <= 0:
        return scores
    last = state.history[-1][0] if state.history else ""
    seed = zlib.crc32(f"{state.student_id}\x1f{len(state.history)}\x1f{last}".encode())
    noise = np.random.default_rng(seed).gumbel(size=len(scores))
    return np.log(np.maximum(scores, 1e-12)) + scale * noise


def excluded(state: LearnerState, config: RecConfig, exclude: Collection[str]) -> set[str]:
    """Questions not to recommend: answered right in the last ``recent_window`` attempts, and
    the caller's ``exclude``."""
    return {q for q, ok in state.history[-config.recent_window:] if ok} | set(exclude)


def challenging(p: np.ndarray, written_hard: np.ndarray, config: RecConfig) -> np.ndarray:
    """Hard for this student (P under ``challenge_below``) or written as a challenge item
    (``written_hard``, :class:`~tutor.recommend_types.KPQuestions`); the one rule for the
    quota, the note and the flag on the recommendation."""
    return (p < config.challenge_below) | written_hard


def select(candidates: list[Candidate], config: RecConfig, notes: list[str]
            ) -> list[Candidate]:
    """In-band items, round-robin over KPs, the challenge quota first; then the fallbacks."""
    low, high = config.band
    inside = sorted((c for c in candidates if low <= c.p <= high),
                    key=lambda c: (c.kp_rank, -c.score, c.question.id))
    want_hard = min(config.n, round(config.challenge_share * config.n))
    quota = {True: want_hard, False: config.n - want_hard}  # is challenge -> places left
    queues: dict[int, list[Candidate]] = {}
    for c in inside:
        queues.setdefault(c.kp_rank, []).append(c)
    items: list[Candidate] = []
    for respect_quota in (True, False):  # second pass: fill up whatever kind is left
        progress = True
        while len(items) < config.n and progress:
            progress = False
            for rank in sorted(queues):
                if len(items) == config.n:
                    break
                pick = next((c for c in queues[rank] if not respect_quota
                             or quota[c.challenge] > 0), None)
                if pick is not None:
                    queues[rank] = [c for c in queues[rank] if c is not pick]
                    quota[pick.challenge] -= 1
                    items.append(pick)
                    progress = True
    got_hard = sum(c.challenge for c in items)
    if got_hard != want_hard and len(items) == config.n:
        notes.append(f"challenge share: {got_hard} of {config.n} items instead of {want_hard} "
                     "(not enough in-band candidates at that end)")
    if len(items) < config.n:
        taken = {c.question.id for c in items}
        outside = sorted((c for c in candidates if c.question.id not in taken),
                         key=lambda c: (_distance(c.p, config.band), c.kp_rank, -c.score))
        extra = outside[:config.n - len(items)]
        if extra:
            notes.append(f"only {len(items)} questions fit the P(correct) band "
                         f"{fmt(config.band)}; added {len(extra)} nearest outside it")
        items += extra
    return items


def fix_difficulty(items: list[Candidate], candidates: list[Candidate],
                    band: tuple[float, float], config: RecConfig, notes: list[str]
                    ) -> list[Candidate]:
    """Swap items for unused in-band candidates until the mean difficulty is in ``band``."""
    items = list(items)
    low, high = config.band
    taken = {c.question.id for c in items}
    spare = [c for c in candidates if c.question.id not in taken and low <= c.p <= high]
    swaps = 0
    for _ in range(len(items)):
        mean = float(np.mean([c.question.b for c in items]))
        if band[0] <= mean <= band[1] or not spare:
            break
        too_hard = mean > band[1]
        worst = max(range(len(items)),
                    key=lambda i: items[i].question.b if too_hard else -items[i].question.b)
        best = min(spare, key=lambda c: c.question.b if too_hard else -c.question.b)
        if (best.question.b >= items[worst].question.b) == too_hard:
            break  # no spare question moves the mean the right way
        spare = [c for c in spare if c is not best]
        items[worst] = best
        swaps += 1
    if swaps:
        notes.append(f"swapped {swaps} item(s) to bring the average difficulty into "
                     f"{fmt(band)}")
    return items


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return 0.5 * (1.0 + np.tanh(0.5 * z))


def logit(p: np.ndarray | float) -> np.ndarray | float:
    return np.log(p) - np.log1p(-p) if isinstance(p, np.ndarray) else math.log(p / (1 - p))


def _distance(p: float, band: tuple[float, float]) -> float:
    return max(band[0] - p, p - band[1], 0.0)


def fmt(band: tuple[float, float]) -> str:
    return f"{band[0]:.2f}-{band[1]:.2f}"
