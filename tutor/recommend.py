"""The two-stage recommender: knowledge points from the graph, then questions on them.

Pure: it is handed a :class:`Catalogue` (the graph's KPs, prerequisites and questions), the
student's :class:`~tutor.recommend_types.LearnerState`, their peers' mastery and optional
predictors, and returns a :class:`~tutor.recommend_types.RecommendationList` whose every item
says why it is there.

**Stage 1 — KPs.** Candidates are the frontier: KPs not mastered (p < τ) whose prerequisites
all are (p ≥ τ); and past it, KPs not mastered whose prerequisites are all known with chance
at least ``RecConfig.ready``, their expected gain weighted by that chance, so that a frontier
left with KPs students barely learn does not hold a student back. Each gets signals in [0, 1],
combined with ``RecConfig`` weights:

* ``cf``: knowledge-point collaborative filtering — among the ``peers`` students whose mastery
  vectors are most similar (cosine) to this student's, the similarity-weighted share who have
  mastered the KP: "students like you learnt this next";
* ``unlocks``: how many KPs list it as a prerequisite (log-scaled): learning it opens the most;
* ``order``: earlier chapters first (the curriculum's order);
* ``weak``: 1 for the progress model's weakest KP;
* ``progress``: partial mastery already there (finish what was started);
* ``recent``: the share of the student's last ``recent_kp_window`` answers on the KP: the
  topic they are in the middle of (a skill builder stops at mastery, not half-way);
* ``next``: the KP's share of the sequence model's P(next) over the frontier's questions,
  relative to the KP with the most: where the student is heading.

A new student (no answers) starts from the roots of the prerequisite graph ranked by
popularity (how many attempts the KP has across all students).

**Stage 2 — questions.** Candidates test the chosen KPs; questions answered correctly in the
last ``recent_window`` attempts are excluded. P(correct) comes from IRT (averaged over θ's
uncertainty) and, when given, the Bi-LSTM; the two are combined in logit space
(``kt_weight``). Questions whose combined P falls inside ``band`` (default 0.5-0.85: below
0.5 a student fails more often than not, above 0.85 practice adds little — the same 0.85 the
mastery threshold uses) are kept; ``challenge_share`` of the list (30 %) comes from the hard end
of the band (P < ``challenge_below``). Items are spread round-robin over the KPs in rank order,
and ranked inside a KP by P(next) from the sequence model (else by IRT information), drawn
with item exposure control (``exposure``: Gumbel noise on the log score, seeded by the
student's state) so that students on the same KP do not all get the same few questions.

**Difficulty band.** The list's average IRT difficulty must lie in [θ - logit(band high),
θ - logit(band low)], the difficulties that put a question of average discrimination inside
the P band; items are swapped for unused in-band candidates until it does.

**Fallbacks, never silent.** Too few in-band questions → the nearest out-of-band ones are
added, marked ``in_band=False``; no questions on the chosen KPs → further frontier KPs are
tried; a focus (re-route, practice set) with no question left → the frontier's list; a
frontier with no question left → every KP not mastered, the readiest first (a course with a
few questions per KP spends its frontier quickly, and an empty plan ends a practice session),
then every KP for review; only when every question was answered right lately → an empty
list. Each case adds a note; a list short of ``n`` or of the band clears ``band_met``.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Mapping, Sequence
from dataclasses import replace
from datetime import UTC, datetime

import numpy as np

from tutor.ability import theta_from_responses
from tutor.kp_ranking import REVIEW, UNMASTERED, cf_scores, frontier, rank_kps
from tutor.question_selection import (
    Candidate,
    candidates_for,
    excluded,
    fix_difficulty,
    fmt,
    logit,
    select,
)
from tutor.recommend_types import (
    Catalogue,
    LearnerState,
    PeerMastery,
    RecConfig,
    Recommendation,
    RecommendationList,
    SequenceModel,
    WeakKPModel,
)

__all__ = ["Catalogue", "PeerMastery", "RecConfig", "SequenceModel", "WeakKPModel", "cf_scores",
           "frontier", "rank_kps", "recommend"]


def recommend(catalogue: Catalogue, state: LearnerState, config: RecConfig = RecConfig(),
              peers: PeerMastery | None = None, sequence: SequenceModel | None = None,
              weak: WeakKPModel | None = None, exclude: Collection[str] = (),
              focus: Sequence[str] = (), unfocused: RecConfig | None = None
              ) -> RecommendationList:
    """Both stages, the difficulty control and the reasons; ``exclude``: questions never to
    recommend (on top of the recently right ones); ``focus``: KPs a re-route or a practice set
    sends the student to, in place of the frontier. When no focus KP has a question left (all
    answered right recently), the list falls back to the frontier with the ``unfocused``
    settings (default: ``config``), and a note says so."""
    if state.theta is None:  # no fit written yet: estimate from the answers, items fixed
        state = replace(state, **_ability(catalogue, state.history))
    practised = set(state.mastery)
    priors: Mapping[str, float] = {}
    if config.population_prior and (catalogue.known_share or catalogue.kp_bkt):  # never practised
        priors = individual_priors(catalogue.priors, state.theta or 0.0, config.ability_prior)
    if priors or state.placed:  # a placement test's prior outranks the population's
        state = replace(state, mastery={**priors, **state.placed, **state.mastery})
    placed = placed_on(state)
    weakest = weak.weakest(state.history) if weak is not None and state.history else None
    picks, cold = rank_kps(catalogue, state, config, peers, weakest, focus, sequence,
                           excluded(state, config, exclude))
    notes: list[str] = [f"placed by test on {placed}: starting θ and prior mastery of "
                        f"{len(state.placed)} KPs"] if placed else []
    chosen, candidates = candidates_for(catalogue, state, config, picks, sequence, notes,
                                         exclude)
    if focus and not candidates:
        notes.append(f"no question left on the focus KPs ({', '.join(focus)}): all answered "
                     "right recently; fell back to the frontier")
        config = unfocused or config
        picks, cold = rank_kps(catalogue, state, config, peers, weakest, (), sequence,
                               excluded(state, config, exclude))
        chosen, candidates = candidates_for(catalogue, state, config, picks, sequence, notes,
                                             exclude)
    for scope in (UNMASTERED, REVIEW):  # the frontier is spent: never an empty plan needlessly
        if candidates or not config.widen:
            break
        spent = "the frontier" if scope == UNMASTERED else "a KP not mastered"
        notes.append(f"no question left on {spent}; widened to {scope}")
        picks, cold = rank_kps(catalogue, state, config, peers, weakest, (), sequence,
                               excluded(state, config, exclude), scope)
        chosen, candidates = candidates_for(catalogue, state, config, picks, sequence, notes,
                                             exclude)
    low, high = config.band
    difficulty_band = (state.theta - logit(high), state.theta - logit(low))
    if not candidates:
        notes.append("no questions to recommend: every question was answered right lately")
        return RecommendationList(state.student_id, (), tuple(chosen), config.band,
                                  difficulty_band, None, False, cold, tuple(notes))
    items = select(candidates, config, notes)
    items = fix_difficulty(items, candidates, difficulty_band, config, notes)
    avg = float(np.mean([c.question.b for c in items]))
    in_band = [low <= c.p <= high for c in items]
    avg_ok = difficulty_band[0] <= avg <= difficulty_band[1]
    if not avg_ok:
        notes.append(f"average difficulty {avg:.2f} stays outside {fmt(difficulty_band)}: "
                     "no swap of candidates brings it inside")
    from_test = {k: placed for k in state.placed if k not in practised} if placed else {}
    recs = tuple(_recommendation(c, ok, config, catalogue, from_test.get(c.kp_id))
                 for c, ok in zip(items, in_band, strict=True))
    return RecommendationList(state.student_id, recs, tuple(chosen), config.band,
                              difficulty_band, avg,
                              all(in_band) and avg_ok and len(recs) == config.n, cold,
                              tuple(notes))


def placed_on(state: LearnerState) -> str | None:
    """The day (UTC) of the student's placement test, if one placed them."""
    if state.placed_at is None:
        return None
    return datetime.fromtimestamp(state.placed_at / 1000, UTC).date().isoformat()


def _recommendation(c: Candidate, in_band: bool, config: RecConfig, catalogue: Catalogue,
                    placed: str | None = None) -> Recommendation:
    kp = catalogue.kp_names.get(c.kp_id, c.kp_id)
    reasons = [f"practises {kp}"]
    if placed:
        reasons.append(f"mastery of {kp} placed by test on {placed}")
    kt = f", Bi-LSTM {c.p_kt:.2f}" if c.p_kt is not None else ""
    reasons.append(f"P(correct): IRT {c.p_irt:.2f}{kt}, combined {c.p:.2f}")
    reasons.append(f"difficulty b = {c.question.b:.2f}" if c.question.fitted else
                   f"difficulty b = {c.question.b:.2f}, from its level ({c.question.level}) "
                   "until IRT is fitted on its answers")
    if in_band:
        reasons.append(f"inside the target band {fmt(config.band)}")
    else:
        reasons.append(f"outside the target band {fmt(config.band)} (fallback)")
    challenge = c.challenge
    if challenge:
        reasons.append("a challenge item")
    return Recommendation(c.question.id, c.kp_id, c.p_irt, c.p_kt, c.p, c.question.b,
                          challenge, in_band, tuple(reasons))


def individual_priors(priors: Mapping[str, float], theta: float, weight: float
                      ) -> Mapping[str, float]:
    """The KPs' population priors moved by the student's ability: ``weight * theta`` on the
    logit scale (theta is IRT's, 0 for the average student), so an able student is not taught
    what students like them already know, nor a struggling one pushed past what they lack."""
    shift = weight * theta
    if not shift:
        return priors
    return {k: 1.0 / (1.0 + math.exp(-(float(logit(min(max(p, 1e-6), 1 - 1e-6))) + shift)))
            for k, p in priors.items()}


def _ability(catalogue: Catalogue, history: Sequence[tuple[str, bool]]) -> dict[str, float]:
    """MAP theta from the answers with the questions' parameters fixed (no refit needed)."""
    known = [(catalogue.questions[q], ok) for q, ok in history if q in catalogue.questions]
    theta, var = theta_from_responses(np.array([q.a for q, _ in known]),
                                      np.array([q.b for q, _ in known]),
                                      np.array([float(ok) for _, ok in known]))
    return {"theta": theta, "theta_var": var}
