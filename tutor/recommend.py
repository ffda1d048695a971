"""The two-stage recommender: knowledge points from the graph, then questions on them.

Pure: it is handed a :class:`Catalogue` (the graph's KPs, prerequisites and questions), the
student's :class:`~tutor.domain.LearnerState`, their peers' mastery and optional predictors, and
returns a :class:`~tutor.domain.RecommendationList` whose every item says why it is there.

**Stage 1 — KPs.** Candidates are the frontier: KPs not mastered (p < τ) whose prerequisites
all are (p ≥ τ). Each gets signals in [0, 1], combined with ``RecConfig`` weights:

* ``cf``: knowledge-point collaborative filtering — among the ``peers`` students whose mastery
  vectors are most similar (cosine) to this student's, the similarity-weighted share who have
  mastered the KP: "students like you learnt this next";
* ``unlocks``: how many KPs list it as a prerequisite (log-scaled): learning it opens the most;
* ``order``: earlier chapters first (the curriculum's order);
* ``weak``: 1 for the progress model's weakest KP;
* ``progress``: partial mastery already there (finish what was started);
* ``recent``: the share of the student's last ``recent_kp_window`` answers on the KP: the
  topic they are in the middle of (a skill builder stops at mastery, not half-way).

A new student (no answers) starts from the roots of the prerequisite graph ranked by
popularity (how many attempts the KP has across all students).

**Stage 2 — questions.** Candidates test the chosen KPs; questions answered correctly in the
last ``recent_window`` attempts are excluded. P(correct) comes from IRT (averaged over θ's
uncertainty) and, when given, the Bi-LSTM; the two are combined in logit space
(``kt_weight``). Questions whose combined P falls inside ``band`` (default 0.5-0.85: below
0.5 a student fails more often than not, above 0.85 practice adds little — the same 0.85 the
mastery threshold uses) are kept; ``challenge_share`` of the list (30 %) comes from the hard end
of the band (P < ``challenge_below``). Items are spread round-robin over the KPs in rank order,
and ranked inside a KP by the Bi-LSTM's candidate score (else by IRT information).

**Difficulty band.** The list's average IRT difficulty must lie in [θ - logit(band high),
θ - logit(band low)], the difficulties that put a question of average discrimination inside
the P band; items are swapped for unused in-band candidates until it does.

**Fallbacks, never silent.** Too few in-band questions → the nearest out-of-band ones are
added, marked ``in_band=False``; no questions on the chosen KPs → further frontier KPs are
tried; nothing at all → an empty list. Each case adds a note and clears ``band_met``.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Protocol

import numpy as np

from tutor.ability import theta_from_responses
from tutor.domain import (
    KPPick,
    LearnerState,
    QuestionFacts,
    Recommendation,
    RecommendationList,
    ResourceLevel,
)
from tutor.errors import InvalidInput


@dataclass(frozen=True)
class RecConfig:
    n: int = 5  # list length
    mastery_threshold: float = 0.85  # tau: a KP counts as mastered from this BKT p on
    band: tuple[float, float] = (0.5, 0.85)  # target P(correct) of every item
    challenge_share: float = 0.3  # share of the list from the hard end of the band
    challenge_below: float = 0.65  # P(correct) under this makes an item a challenge
    kp_count: int = 3  # KPs stage 1 hands to stage 2
    recent_window: int = 50  # questions right within this many last attempts are excluded
    kt_weight: float = 0.5  # weight of the Bi-LSTM's logit in the combined estimate
    peers: int = 30  # neighbours of the KP collaborative filtering
    recent_kp_window: int = 10  # last answers the "recent" signal looks at
    weights: Mapping[str, float] = field(default_factory=lambda: {
        "cf": 0.35, "unlocks": 0.2, "order": 0.15, "weak": 0.2, "progress": 0.1,
        "recent": 0.3})

    def __post_init__(self) -> None:
        low, high = self.band
        if not 0 < low < high < 1:
            raise InvalidInput(f"band {self.band} must satisfy 0 < low < high < 1")
        if self.n < 1 or self.kp_count < 1:
            raise InvalidInput("n and kp_count must be at least 1")
        if not 0 <= self.challenge_share <= 1 or not 0 <= self.kt_weight <= 1:
            raise InvalidInput("challenge_share and kt_weight must lie in [0, 1]")


@dataclass(frozen=True)
class Catalogue:
    """The part of the graph the recommender reads, as plain maps (cached between calls)."""

    kp_names: Mapping[str, str]
    prerequisites: Mapping[str, tuple[str, ...]]  # kp -> its prerequisites
    order: Mapping[str, int]  # kp -> position in the curriculum (chapter order, then KP)
    questions: Mapping[str, QuestionFacts]
    by_kp: Mapping[str, tuple[str, ...]]  # kp -> questions testing it
    popularity: Mapping[str, int] = field(default_factory=dict)  # kp -> attempts, all students
    unlocks: Mapping[str, int] = field(init=False)  # kp -> KPs it is a prerequisite of

    def __post_init__(self) -> None:
        counts: dict[str, int] = {}
        for pres in self.prerequisites.values():
            for p in pres:
                counts[p] = counts.get(p, 0) + 1
        object.__setattr__(self, "unlocks", counts)


@dataclass(frozen=True)
class PeerMastery:
    """Other students' mastery as a matrix, for the KP collaborative filtering."""

    kp_ids: tuple[str, ...]
    matrix: np.ndarray  # float (n_peers, n_kps), 0 where never practised

    def vector(self, mastery: Mapping[str, float]) -> np.ndarray:
        return np.array([mastery.get(k, 0.0) for k in self.kp_ids], dtype=np.float64)


class SequenceModel(Protocol):
    """The Bi-LSTM seen from the recommender."""

    def predict(self, history: Sequence[tuple[str, bool]], question_ids: Sequence[str]
                ) -> tuple[np.ndarray, np.ndarray]:
        """(P(correct), candidate score) of each question after this history."""
        ...


class WeakKPModel(Protocol):
    """The progress model seen from the recommender."""

    def weakest(self, history: Sequence[tuple[str, bool]]) -> str | None: ...


# --- stage 1 -------------------------------------------------------------------------------


def frontier(catalogue: Catalogue, mastery: Mapping[str, float], tau: float) -> list[str]:
    """KPs not mastered whose every prerequisite is mastered."""
    return sorted(k for k in catalogue.kp_names
                  if mastery.get(k, 0.0) < tau
                  and all(mastery.get(p, 0.0) >= tau for p in catalogue.prerequisites.get(k, ())))


def cf_scores(peers: PeerMastery | None, mastery: Mapping[str, float], tau: float,
              k: int) -> dict[str, float]:
    """Similarity-weighted share of the k most similar peers who mastered each KP."""
    if peers is None or not len(peers.matrix):
        return {}
    me = peers.vector(mastery)
    norms = np.linalg.norm(peers.matrix, axis=1) * (np.linalg.norm(me) or 1.0)
    sims = peers.matrix @ me / np.where(norms > 0, norms, 1.0)
    if not me.any():  # nothing known yet: every peer counts the same
        sims = np.ones(len(peers.matrix))
    top = np.argsort(-sims, kind="stable")[:k]
    weights = np.clip(sims[top], 0.0, None)
    if weights.sum() <= 0:
        weights = np.ones(len(top))
    mastered = (peers.matrix[top] >= tau).astype(np.float64)  # (k, n_kps)
    share = weights @ mastered / weights.sum()
    return dict(zip(peers.kp_ids, share.tolist(), strict=True))


def rank_kps(catalogue: Catalogue, state: LearnerState, config: RecConfig,
             peers: PeerMastery | None = None, weakest: str | None = None
             ) -> tuple[list[KPPick], bool]:
    """Stage 1: ranked KPs and whether the cold-start path was taken."""
    tau = config.mastery_threshold
    cold = not state.history and not any(state.mastery.values())
    if cold:
        candidates = [k for k in catalogue.kp_names if not catalogue.prerequisites.get(k)]
    else:
        candidates = frontier(catalogue, state.mastery, tau)
    cf = cf_scores(peers, state.mastery, tau, config.peers)
    most_unlocks = max(catalogue.unlocks.values(), default=0)
    orders = [catalogue.order.get(k, 0) for k in catalogue.kp_names] or [0]
    first, last = min(orders), max(orders)
    most_popular = max(catalogue.popularity.values(), default=0)
    recent = _recent_kps(catalogue, state.history[-config.recent_kp_window:])
    picks = []
    for k in candidates:
        signals = {
            "cf": cf.get(k, 0.0),
            "unlocks": (math.log1p(catalogue.unlocks.get(k, 0)) / math.log1p(most_unlocks)
                        if most_unlocks else 0.0),
            "order": (1.0 - (catalogue.order.get(k, 0) - first) / (last - first)
                      if last > first else 1.0),
            "weak": 1.0 if k == weakest else 0.0,
            "progress": min(state.mastery.get(k, 0.0) / tau, 1.0),
            "recent": recent.get(k, 0.0),
        }
        if cold:  # popularity stands in for CF: nothing is known of this student yet
            signals["cf"] = (math.log1p(catalogue.popularity.get(k, 0))
                             / math.log1p(most_popular) if most_popular else 0.0)
        score = sum(config.weights.get(name, 0.0) * v for name, v in signals.items())
        picks.append(KPPick(k, score, signals, _kp_reasons(catalogue, k, signals, state, cold)))
    picks.sort(key=lambda p: (-p.score, catalogue.order.get(p.kp_id, 0), p.kp_id))
    return picks, cold


def _recent_kps(catalogue: Catalogue, history: Sequence[tuple[str, bool]]
                ) -> dict[str, float]:
    share: dict[str, float] = {}
    for q, _ in history:
        for k in catalogue.questions[q].kp_ids if q in catalogue.questions else ():
            share[k] = share.get(k, 0.0) + 1.0 / len(history)
    return share


def _kp_reasons(catalogue: Catalogue, kp: str, signals: Mapping[str, float],
                state: LearnerState, cold: bool) -> tuple[str, ...]:
    name = catalogue.kp_names.get(kp, kp)
    pres = catalogue.prerequisites.get(kp, ())
    reasons = []
    if cold:
        reasons.append(f"new student: {name} is a starting point (no prerequisites)")
    elif pres:
        names = ", ".join(catalogue.kp_names.get(p, p) for p in sorted(pres))
        reasons.append(f"prerequisites mastered: {names}")
    else:
        reasons.append(f"{name} has no prerequisites")
    p = state.mastery.get(kp, 0.0)
    reasons.append(f"not mastered yet (p = {p:.2f})")
    if signals["weak"]:
        reasons.append("the progress model names it the weakest KP")
    if signals["recent"] >= 0.5:
        reasons.append(f"in progress: {signals['recent']:.0%} of the latest answers")
    if signals["cf"] >= 0.5:
        reasons.append(f"{signals['cf']:.0%} of similar students mastered it"
                       if not cold else "popular among students")
    if catalogue.unlocks.get(kp):
        reasons.append(f"unlocks {catalogue.unlocks[kp]} further KPs")
    return tuple(reasons)


# --- stage 2 -------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Candidate:
    question: QuestionFacts
    kp_id: str
    kp_rank: int
    p_irt: float
    p_kt: float | None
    p: float
    score: float  # order inside its KP (higher first)


def recommend(catalogue: Catalogue, state: LearnerState, config: RecConfig = RecConfig(),
              peers: PeerMastery | None = None, sequence: SequenceModel | None = None,
              weak: WeakKPModel | None = None, exclude: Collection[str] = ()
              ) -> RecommendationList:
    """Both stages, the difficulty control and the reasons; ``exclude``: questions never to
    recommend (on top of the recently right ones)."""
    if state.theta is None:  # no fit written yet: estimate from the answers, items fixed
        state = replace(state, **_ability(catalogue, state.history))
    weakest = weak.weakest(state.history) if weak is not None and state.history else None
    picks, cold = rank_kps(catalogue, state, config, peers, weakest)
    notes: list[str] = []
    chosen, candidates = _candidates_for(catalogue, state, config, picks, sequence, notes,
                                         exclude)
    low, high = config.band
    difficulty_band = (state.theta - _logit(high), state.theta - _logit(low))
    if not candidates:
        notes.append("no questions to recommend: no frontier KP has an unanswered question")
        return RecommendationList(state.student_id, (), tuple(chosen), config.band,
                                  difficulty_band, None, False, cold, tuple(notes))
    items = _select(candidates, config, notes)
    items = _fix_difficulty(items, candidates, difficulty_band, config, notes)
    avg = float(np.mean([c.question.b for c in items]))
    in_band = [low <= c.p <= high for c in items]
    avg_ok = difficulty_band[0] <= avg <= difficulty_band[1]
    if not avg_ok:
        notes.append(f"average difficulty {avg:.2f} stays outside {_fmt(difficulty_band)}: "
                     "no swap of candidates brings it inside")
    recs = tuple(_recommendation(c, ok, config, catalogue) for c, ok in zip(items, in_band,
                                                                            strict=True))
    return RecommendationList(state.student_id, recs, tuple(chosen), config.band,
                              difficulty_band, avg,
                              all(in_band) and avg_ok and len(recs) == config.n, cold,
                              tuple(notes))


def _candidates_for(catalogue: Catalogue, state: LearnerState, config: RecConfig,
                    picks: list[KPPick], sequence: SequenceModel | None, notes: list[str],
                    exclude: Collection[str]) -> tuple[list[KPPick], list[_Candidate]]:
    """Questions on the first ``kp_count`` KPs that have any; further KPs if needed."""
    recent = {q for q, ok in state.history[-config.recent_window:] if ok} | set(exclude)
    chosen: list[KPPick] = []
    seen: set[str] = set()
    pool: list[tuple[QuestionFacts, str, int]] = []
    for pick in picks:
        if len(chosen) == config.kp_count:
            break
        questions = [catalogue.questions[q] for q in catalogue.by_kp.get(pick.kp_id, ())
                     if q not in recent and q not in seen and q in catalogue.questions]
        if not questions:
            notes.append(f"KP {pick.kp_id} has no question left to practise; skipped")
            continue
        rank = len(chosen)
        chosen.append(pick)
        for q in questions:
            seen.add(q.id)
            pool.append((q, pick.kp_id, rank))
    if not pool:
        return chosen, []
    ids = [q.id for q, _, _ in pool]
    a = np.array([q.a for q, _, _ in pool])
    b = np.array([q.b for q, _, _ in pool])
    p_irt = _irt(state.theta, state.theta_var, a, b)
    if sequence is not None and state.history:
        p_kt, scores = sequence.predict(state.history, ids)
        p = _sigmoid(config.kt_weight * _logit(np.clip(p_kt, 1e-6, 1 - 1e-6))
                     + (1 - config.kt_weight) * _logit(np.clip(p_irt, 1e-6, 1 - 1e-6)))
    else:
        p_kt, p = None, p_irt
        scores = a * a * p_irt * (1 - p_irt)  # IRT information: most to learn about the student
    return chosen, [
        _Candidate(q, kp, rank, float(p_irt[i]), None if p_kt is None else float(p_kt[i]),
                   float(p[i]), float(scores[i]))
        for i, (q, kp, rank) in enumerate(pool)]


def _select(candidates: list[_Candidate], config: RecConfig, notes: list[str]
            ) -> list[_Candidate]:
    """In-band items, round-robin over KPs, the challenge quota first; then the fallbacks."""
    low, high = config.band
    inside = sorted((c for c in candidates if low <= c.p <= high),
                    key=lambda c: (c.kp_rank, -c.score, c.question.id))
    want_hard = min(config.n, round(config.challenge_share * config.n))
    quota = {True: want_hard, False: config.n - want_hard}  # is challenge -> places left
    queues: dict[int, list[_Candidate]] = {}
    for c in inside:
        queues.setdefault(c.kp_rank, []).append(c)
    items: list[_Candidate] = []
    for respect_quota in (True, False):  # second pass: fill up whatever kind is left
        progress = True
        while len(items) < config.n and progress:
            progress = False
            for rank in sorted(queues):
                if len(items) == config.n:
                    break
                pick = next((c for c in queues[rank] if not respect_quota
                             or quota[c.p < config.challenge_below] > 0), None)
                if pick is not None:
                    queues[rank].remove(pick)
                    quota[pick.p < config.challenge_below] -= 1
                    items.append(pick)
                    progress = True
    got_hard = sum(c.p < config.challenge_below for c in items)
    if got_hard != want_hard and len(items) == config.n:
        notes.append(f"challenge share: {got_hard} of {config.n} items instead of {want_hard} "
                     "(not enough in-band candidates at that end)")
    if len(items) < config.n:
        outside = sorted((c for c in candidates if c not in items),
                         key=lambda c: (_distance(c.p, config.band), c.kp_rank, -c.score))
        extra = outside[:config.n - len(items)]
        if extra:
            notes.append(f"only {len(items)} questions fit the P(correct) band "
                         f"{_fmt(config.band)}; added {len(extra)} nearest outside it")
        items += extra
    return items


def _fix_difficulty(items: list[_Candidate], candidates: list[_Candidate],
                    band: tuple[float, float], config: RecConfig, notes: list[str]
                    ) -> list[_Candidate]:
    """Swap items for unused in-band candidates until the mean difficulty is in ``band``."""
    items = list(items)
    low, high = config.band
    spare = [c for c in candidates if c not in items and low <= c.p <= high]
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
        spare.remove(best)
        items[worst] = best
        swaps += 1
    if swaps:
        notes.append(f"swapped {swaps} item(s) to bring the average difficulty into "
                     f"{_fmt(band)}")
    return items


def _recommendation(c: _Candidate, in_band: bool, config: RecConfig, catalogue: Catalogue
                    ) -> Recommendation:
    kp = catalogue.kp_names.get(c.kp_id, c.kp_id)
    reasons = [f"practises {kp}"]
    kt = f", Bi-LSTM {c.p_kt:.2f}" if c.p_kt is not None else ""
    reasons.append(f"P(correct): IRT {c.p_irt:.2f}{kt}, combined {c.p:.2f}")
    reasons.append(f"difficulty b = {c.question.b:.2f}")
    if in_band:
        reasons.append(f"inside the target band {_fmt(config.band)}")
    else:
        reasons.append(f"outside the target band {_fmt(config.band)} (fallback)")
    challenge = c.p < config.challenge_below or c.question.level == ResourceLevel.CHALLENGE
    if challenge:
        reasons.append("a challenge item")
    return Recommendation(c.question.id, c.kp_id, c.p_irt, c.p_kt, c.p, c.question.b,
                          challenge, in_band, tuple(reasons))


def _ability(catalogue: Catalogue, history: Sequence[tuple[str, bool]]) -> dict[str, float]:
    known = [(catalogue.questions[q], ok) for q, ok in history if q in catalogue.questions]
    theta, var = theta_from_responses(np.array([q.a for q, _ in known]),
                                      np.array([q.b for q, _ in known]),
                                      np.array([float(ok) for _, ok in known]))
    return {"theta": theta, "theta_var": var}


def _irt(theta: float, var: float, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """P(correct) averaged over theta's posterior (probit approximation)."""
    scale = 1.0 / np.sqrt(1.0 + math.pi * a * a * var / 8.0)
    return _sigmoid(scale * a * (theta - b))


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return 0.5 * (1.0 + np.tanh(0.5 * z))


def _logit(p: np.ndarray | float) -> np.ndarray | float:
    return np.log(p) - np.log1p(-p) if isinstance(p, np.ndarray) else math.log(p / (1 - p))


def _distance(p: float, band: tuple[float, float]) -> float:
    return max(band[0] - p, p - band[1], 0.0)


def _fmt(band: tuple[float, float]) -> str:
    return f"{band[0]:.2f}-{band[1]:.2f}"
