"""Stage 1 of the recommender: the frontier of KPs and its ranking (see ``tutor.recommend``)."""

from __future__ import annotations

import math
from collections.abc import Collection, Mapping, Sequence

import numpy as np

from tutor.recommend_types import (
    Catalogue,
    KPPick,
    LearnerState,
    PeerMastery,
    RecConfig,
    SequenceModel,
)

Scope = str
FRONTIER, UNMASTERED, REVIEW = "frontier", "unmastered", "review"
# why a KP past the frontier is ranked: the frontier had no question left to practise
SCOPES: dict[Scope, str] = {
    UNMASTERED: "past the frontier: its KPs' questions were all answered right lately; "
                "the readiest KP not mastered",
    REVIEW: "review: every KP not mastered has had its questions answered right lately",
}


# stage 1's signals, each in [0, 1], weighed by RecConfig.weights
SIGNALS = ("cf", "unlocks", "order", "weak", "progress", "recent", "next", "gain", "complete")


def frontier(catalogue: Catalogue, mastery: Mapping[str, float], tau: float,
             ready: float | None = None) -> list[str]:
    """KPs not mastered whose every prerequisite is mastered; with ``ready``, also those
    whose readiness (:func:`readiness`) is at least ``ready`` (a prerequisite probably known
    does not hold a KP back)."""
    return sorted(k for k in catalogue.kp_names if mastery.get(k, 0.0) < tau
                  and (_opened(catalogue, k, mastery, tau)
                       or (ready is not None and readiness(catalogue, k, mastery) >= ready)))


def _opened(catalogue: Catalogue, kp: str, mastery: Mapping[str, float], tau: float) -> bool:
    return all(mastery.get(p, 0.0) >= tau for p in catalogue.prerequisites.get(kp, ()))


def readiness(catalogue: Catalogue, kp: str, mastery: Mapping[str, float]) -> float:
    """The chance every prerequisite of ``kp`` is known: the product of their P(known)."""
    return math.prod(mastery.get(p, 0.0) for p in catalogue.prerequisites.get(kp, ()))


def cf_scores(peers: PeerMastery | None, mastery: Mapping[str, float], tau: float,
              k: int) -> dict[str, float]:
    """Similarity-weighted share of the k most similar peers who mastered each KP."""
    if peers is None or not len(peers.matrix):
        return {}
    me = peers.vector(mastery)
    norms = peers.norms * (np.linalg.norm(me) or 1.0)
    sims = peers.matrix @ me / np.where(norms > 0, norms, 1.0)
    if not me.any():  # nothing known yet: every peer counts the same
        sims = np.ones(len(peers.matrix))
    top = _top(sims, k)
    weights = np.clip(sims[top], 0.0, None)
    if weights.sum() <= 0:
        weights = np.ones(len(top))
    mastered = (peers.matrix[top] >= tau).astype(np.float64)  # (k, n_kps)
    share = weights @ mastered / weights.sum()
    return dict(zip(peers.kp_ids, share.tolist(), strict=True))


def _top(values: np.ndarray, k: int) -> np.ndarray:
    """Indices of the ``k`` largest values, largest first, ties in index order: a stable
    argsort's first ``k``, without sorting thousands of peers to keep a few dozen."""
    if k >= len(values):
        return np.argsort(-values, kind="stable")
    kth = np.partition(-values, k - 1)[k - 1]
    near = np.flatnonzero(-values <= kth)  # the k best and every tie with the last of them
    return near[np.argsort(-values[near], kind="stable")[:k]]


def next_shares(catalogue: Catalogue, kps: Sequence[str], history: Sequence[tuple[str, bool]],
                sequence: SequenceModel | None, skip: Collection[str]) -> dict[str, float]:
    """Each KP's share of the sequence model's P(next) over the questions of ``kps`` not in
    ``skip``: where the student is heading among the KPs on offer."""
    if sequence is None or not history or not kps:
        return {}
    mass = dict(zip(kps, sequence.next_mass(history, [catalogue.by_kp.get(k, ()) for k in kps]
                                             ).tolist(), strict=True))
    skipped = [q for q in skip if q in catalogue.questions]
    if skipped:  # a few dozen at most: take their part back out
        for q, p in zip(skipped, sequence.next_probs(history, skipped).tolist(), strict=True):
            for k in catalogue.questions[q].kp_ids:
                if k in mass:
                    mass[k] -= p
    total = sum(max(m, 0.0) for m in mass.values())
    return {k: max(m, 0.0) / total for k, m in mass.items()} if total > 0 else {}


def rank_kps(catalogue: Catalogue, state: LearnerState, config: RecConfig,
             peers: PeerMastery | None = None, weakest: str | None = None,
             focus: Sequence[str] = (), sequence: SequenceModel | None = None,
             skip: Collection[str] = (), scope: Scope = FRONTIER) -> tuple[list[KPPick], bool]:
    """Stage 1: ranked KPs and whether the cold-start path was taken; ``focus`` (a re-route)
    replaces the frontier with the given KPs, ranked by the same signals; ``skip``: questions
    that will not be recommended (they carry no weight in the ``next`` signal); ``scope``:
    the frontier and the KPs past it that ``config.ready`` admits, or wider when they have no
    question left (:data:`SCOPES`)."""
    tau = config.mastery_threshold
    cold = not state.history and not any(state.mastery.values()) and scope == FRONTIER
    ready = config.ready
    if focus:
        cold = False
        candidates = [k for k in dict.fromkeys(focus) if k in catalogue.kp_names]
    elif cold:
        candidates = [k for k in catalogue.kp_names if not catalogue.prerequisites.get(k)]
    elif scope == FRONTIER:
        candidates = frontier(catalogue, state.mastery, tau, ready)
    else:  # every KP not mastered, the readiest first (via "gain"), or every KP to review
        ready = 0.0
        candidates = frontier(catalogue, state.mastery, tau if scope == UNMASTERED else math.inf,
                              ready)
    if config.stay_cap and not focus:
        stays = _attempts(catalogue, state.history)
        moving = [k for k in candidates if stays.get(k, 0) < config.stay_cap]
        candidates = moving or candidates  # every KP stalled: keep them rather than nothing
    cf = cf_scores(peers, state.mastery, tau, config.peers)
    most_unlocks = max(catalogue.unlocks.values(), default=0)
    orders = [catalogue.order.get(k, 0) for k in catalogue.kp_names] or [0]
    first, last = min(orders), max(orders)
    most_popular = max(catalogue.popularity.values(), default=0)
    recent = _recent_kps(catalogue, state.history[-config.recent_kp_window:])
    heading = next_shares(catalogue, candidates, state.history, sequence, skip)
    most_heading = max(heading.values(), default=0.0)
    gains = expected_gains(catalogue, candidates, state.mastery, ready is not None and not focus)
    completes = completion_chances(catalogue, candidates, state.mastery) if config.weights.get(
        "complete") else {}
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
            "next": heading.get(k, 0.0) / most_heading if most_heading > 0 else 0.0,
            "gain": gains.get(k, 0.0),
            "complete": completes.get(k, 0.0),
        }
        if cold:  # popularity stands in for CF: nothing is known of this student yet
            signals["cf"] = (math.log1p(catalogue.popularity.get(k, 0))
                             / math.log1p(most_popular) if most_popular else 0.0)
        score = sum(config.weights.get(name, 0.0) * v for name, v in signals.items())
        reasons = _kp_reasons(catalogue, k, signals, state, cold, heading.get(k), tau)
        if focus:
            reasons = ("re-routed here by the student's path", *reasons[1:])
        elif scope != FRONTIER:
            reasons = (SCOPES[scope], *reasons[1:])
        picks.append(KPPick(k, score, signals, reasons))
    picks.sort(key=lambda p: (-p.score, catalogue.order.get(p.kp_id, 0), p.kp_id))
    return picks, cold


def expected_gains(catalogue: Catalogue, kps: Sequence[str], mastery: Mapping[str, float],
                   ready: bool = False) -> dict[str, float]:
    """Each KP's expected learning gain from one more practice, relative to the largest: the
    chance it is not known yet, times its learn rate, times what knowing it adds to an answer
    (1 - slip - guess), with the KP's fitted BKT parameters (``Catalogue.kp_bkt``); with
    ``ready``, times the chance its prerequisites are known (a soft frontier's discount)."""
    raw = {}
    for k in kps:
        b = catalogue.bkt(k)
        raw[k] = (1.0 - mastery.get(k, 0.0)) * b.learn * max(1.0 - b.slip - b.guess, 0.0)
        if ready:
            raw[k] *= readiness(catalogue, k, mastery)
    top = max(raw.values(), default=0.0)
    return {k: g / top for k, g in raw.items()} if top > 0 else {}


def completion_chances(catalogue: Catalogue, kps: Sequence[str], mastery: Mapping[str, float]
                       ) -> dict[str, float]:
    """Each KP's chance that learning it completes its chapter: the chance every other KP of
    the chapter is known (the product of their P(known)); a KP in no chapter gets none. Its
    stage-1 weight ("complete") sends a student to finish the chapters nearly done."""
    out = {}
    # each chapter's P(known) read once, and its unknown KPs: a KP with another unknown in its
    # chapter (most, for a new student) completes nothing
    known: dict[str, tuple[list[float], list[str]]] = {}
    for k in kps:
        chapter = catalogue.chapters.get(k)
        if chapter is None:
            continue
        members = catalogue.kps_by_chapter[chapter]
        if chapter not in known:
            ps = [mastery.get(j, 0.0) for j in members]
            known[chapter] = (ps, [j for j, p in zip(members, ps, strict=True) if p == 0.0])
        ps, unknown = known[chapter]
        if any(j != k for j in unknown):
            out[k] = 0.0
        else:
            i = members.index(k)
            out[k] = math.prod(ps[:i] + ps[i + 1:])  # the others, in chapter order as ever
    return out


def _attempts(catalogue: Catalogue, history: Sequence[tuple[str, bool]]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for q, _ in history:
        for k in catalogue.questions[q].kp_ids if q in catalogue.questions else ():
            counts[k] = counts.get(k, 0) + 1
    return counts


def _recent_kps(catalogue: Catalogue, history: Sequence[tuple[str, bool]]
                ) -> dict[str, float]:
    share: dict[str, float] = {}
    for q, _ in history:
        for k in catalogue.questions[q].kp_ids if q in catalogue.questions else ():
            share[k] = share.get(k, 0.0) + 1.0 / len(history)
    return share


def _kp_reasons(catalogue: Catalogue, kp: str, signals: Mapping[str, float],
                state: LearnerState, cold: bool, heading: float | None, tau: float
                ) -> tuple[str, ...]:
    name = catalogue.kp_names.get(kp, kp)
    pres = catalogue.prerequisites.get(kp, ())
    reasons = []
    if cold:
        reasons.append(f"new student: {name} is a starting point (no prerequisites)")
    elif pres and _opened(catalogue, kp, state.mastery, tau):
        names = ", ".join(catalogue.kp_names.get(p, p) for p in sorted(pres))
        reasons.append(f"prerequisites mastered: {names}")
    elif pres:
        names = ", ".join(f"{catalogue.kp_names.get(p, p)} (p = {state.mastery.get(p, 0.0):.2f})"
                          for p in sorted(pres))
        reasons.append(f"past the frontier: its prerequisites are probably known (all of them "
                       f"with chance {readiness(catalogue, kp, state.mastery):.0%}): {names}")
    else:
        reasons.append(f"{name} has no prerequisites")
    p = state.mastery.get(kp, 0.0)
    reasons.append(f"not mastered yet (p = {p:.2f})" if p < tau else f"mastered (p = {p:.2f})")
    if signals["weak"]:
        reasons.append("the progress model names it the weakest KP")
    if signals["gain"] >= 0.5 and kp in catalogue.kp_bkt:
        reasons.append(f"most to learn from practice here: students learn it with chance "
                       f"{catalogue.kp_bkt[kp].learn:.0%} per question")
    if signals["complete"] >= 0.5:
        reasons.append(f"completes its chapter: its other KPs are probably known (all of them "
                       f"with chance {signals['complete']:.0%})")
    if heading is not None and signals["next"] >= 0.5:
        reasons.append(f"where the student is heading: the sequence model gives it "
                       f"{heading:.0%} of the chance of being practised next")
    if signals["recent"] >= 0.5:
        reasons.append(f"in progress: {signals['recent']:.0%} of the latest answers")
    if signals["cf"] >= 0.5:
        reasons.append(f"{signals['cf']:.0%} of similar students mastered it"
                       if not cold else "popular among students")
    if catalogue.unlocks.get(kp):
        reasons.append(f"unlocks {catalogue.unlocks[kp]} further KPs")
    return tuple(reasons)
