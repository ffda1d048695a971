"""A student's next plan: recommendations adapted by affect and by this window's adjustment.

Order of application: the fused affect state sets the config (challenge share, task count)
and may re-route to prerequisites (``tutor.affect_rules``); the adjustment of the current
15-minute window, when there is one, adds a practice set on a KP the student is stuck on
(3 questions there, then the path again: ``tutor.adjust.practice_left``) and more resources
on the difficult KPs (3 → 5). Resources come from the graph, on the KPs practised, ranked by
``services.resources`` with the affect's challenge share; basic ones on the confusing KP when
confused, support ones when negative.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, replace

from graph import cache_version
from graph import plan as plan_store
from services import resources, similar
from services.dataset_cache import CHECK_S
from services.recommend import Recommender
from tutor import schedules
from tutor.adjust import WINDOW_MS, AdjustConfig, practice_left, window_of
from tutor.affect import AffectState, fuse
from tutor.affect_rules import AdaptAction, Adaptation, adapt, confusing_kp
from tutor.curriculum import ResourceLevel
from tutor.experiment import ADAPTIVE
from tutor.ports import GraphStore
from tutor.recommend_types import Catalogue, RecConfig, RecommendationList
from tutor.resources import RankedResource, ResourceOption, basic_first

log = logging.getLogger("kgtutor.plan")


@dataclass(frozen=True)
class Plan:
    recommendations: RecommendationList
    affect: AffectState
    adaptation: Adaptation
    actions: tuple[AdaptAction, ...]  # the adaptation's and the window adjustment's
    resources: tuple[dict[str, object], ...]  # ranked, with reasons (``resources.as_row``)
    reasons: tuple[str, ...]


def plan(store: GraphStore, recommender: Recommender, student_id: str, now: int,
         n: int | None = None, adjust: AdjustConfig = AdjustConfig()) -> Plan:
    """The student's next plan. Reads the graph twice (the student's context, the resources)
    and writes nothing of record: the tutor e-mail of a negative state is queued by the
    reading's POST (``services.adjust.react_to_affect``) and by the 15-minute job, never by a
    GET; only the models' state, when they ran, is kept in the background (a cache that names
    the answers it came from: ``services.recommend``)."""
    ctx = plan_store.context(store, student_id, now - WINDOW_MS)
    dataset, learner = ctx.dataset, ctx.learner
    catalogue, _ = recommender.catalogue(dataset)
    state = fuse(ctx.affect, now)
    base = recommender.config if n is None else replace(recommender.config, n=n)
    if ctx.arm is not None and ctx.arm.arm != ADAPTIVE:  # an experiment's control arm
        return _control(store, ctx, catalogue, state, base, adjust)
    confusing = confusing_kp(learner.history, catalogue.kps_of)
    adaptation = adapt(state, base, confusing, catalogue.prerequisites, learner.mastery)
    config, focus = adaptation.config, adaptation.focus_kps
    unfocused = config  # a focus with no question left falls back to the frontier's list
    reasons = list(adaptation.reasons)
    window_actions = ctx.actions if ctx.window == window_of(now) else ()
    practice = next((a for a in window_actions if a.kind == "practice_set"), None)
    left = 0 if practice is None else practice_left(practice, ctx.answered_since,
                                                    catalogue.kps_of)
    if practice is not None and left and state.tag != "fatigued":  # a tired student gets 3
        config, focus = replace(config, n=left, kp_count=1), practice.kp_ids
        reasons.append(f"stuck on {practice.kp_ids[0]}: {left} of {practice.count} practice "
                       "questions left")
    elif practice is not None and not left:
        reasons.append(f"practice set on {practice.kp_ids[0]} done: back to the path")
    recs = recommender.recommend(student_id, config=config, focus=focus,
                                 learner=(dataset, learner), unfocused=unfocused, kept=ctx.kept)
    if focus and any("fell back to the frontier" in note for note in recs.notes):
        reasons.append("no question left on the focus KPs: the frontier's list instead")
    actions = (*adaptation.actions, *[a for a in window_actions
                                      if a.kind not in {x.kind for x in adaptation.actions}])
    shown = _resources(store, ctx, catalogue, actions, recs, adjust, config.challenge_share)
    return Plan(recs, state, adaptation, actions, shown, tuple(reasons))


def warm(store: GraphStore, recommender: Recommender) -> list[str]:
    """Read now what plans read once per dataset and keep (the catalogue and the peers'
    mastery, the course's resources and their uses, the similarity index), for every dataset
    with trained models; returns those datasets. A worker calls it before its first request:
    on ASSIST2009 these reads take seconds, and a class opening the practice page on a
    fresh worker waited that long for its first plans (``docs/evaluation/api-load.md``)."""
    ranker, texts = resources.for_store(store), similar.for_store(store)
    for dataset in recommender.predictors:
        recommender.catalogue(dataset)
        ranker.candidates(dataset, ())
        ranker.uses(dataset)
        texts.index(dataset)
    return list(recommender.predictors)


def courses_version(store: GraphStore) -> int:
    """The version :func:`keep_warm` watches (``graph.cache_version``); read it before
    :func:`warm` and hand it on, so a move during the warm-up is not missed."""
    return cache_version.current(store)


def keep_warm(store: GraphStore, recommender: Recommender, stop: threading.Event,
              seen: int | None,
              done: Callable[[list[str], float], None] = lambda _d, _s: None) -> None:
    """Until ``stop`` is set: when the graph's cache version moves from ``seen`` (the version
    read before :func:`warm`; None: the first read) through an import, a refit or an edit in
    any process, read again what :func:`warm` reads, and tell ``done`` the datasets and the
    seconds it took. Without it the first plans after a nightly refit wait seconds for the
    courses, as a fresh worker's did. A worker runs it in a daemon thread; a graph that cannot
    be read for a while leaves the plans to read for themselves (logged once, not per try)."""
    failing = False
    while not stop.wait(CHECK_S):
        try:
            version = cache_version.current(store)
            if seen is not None and version != seen and not stop.wait(CHECK_S):
                # every cache checks the version at most every CHECK_S: after one such
                # interval each of them sees the move and reads again
                started = time.monotonic()
                done(warm(store, recommender), time.monotonic() - started)
            seen, failing = version, False
        except Exception:  # tried again next round; meanwhile plans read for themselves
            if not failing:
                log.warning("reading the courses again failed", exc_info=True)
            failing = True


def _control(store: GraphStore, ctx: plan_store.PlanContext, catalogue: Catalogue,
             state: AffectState, config: RecConfig, adjust: AdjustConfig) -> Plan:
    """A student of an experiment's control arm gets that arm's schedule, and no affect
    re-route or adjustment: those belong to the product's arm. The plan has the same shape
    as the product's (students are blind to their arm)."""
    arm = ctx.arm
    if arm is None:
        raise ValueError("a control plan needs an arm")
    learner = ctx.learner
    if config.population_prior and (catalogue.known_share or catalogue.kp_bkt):
        learner = replace(learner, mastery={**catalogue.priors, **learner.placed,
                                            **learner.mastery})
    ids = schedules.next_questions(arm.arm, catalogue, learner, arm.answered, arm.budget,
                                   config.n)
    recs = schedules.as_list(catalogue, learner, ids, config)
    none = Adaptation(config)
    shown = _resources(store, ctx, catalogue, (), recs, adjust, None)
    return Plan(recs, state, none, (), shown, ())


def _resources(store: GraphStore, ctx: plan_store.PlanContext, catalogue: Catalogue,
               actions: tuple[AdaptAction, ...], recs: RecommendationList,
               adjust: AdjustConfig, challenge_share: float | None
               ) -> tuple[dict[str, object], ...]:
    """The plan's resources in one round trip: the support ones a negative state asks for,
    basic videos and worked examples on the KP a confused student is stuck on, then the
    resources on the plan's KPs (the difficult ones when progress lags). They are ranked
    (``tutor.resources``) with the affect's challenge share; ``challenge_share`` None is an
    experiment's control arm, which keeps the fixed basic-first order."""
    by_kind = {a.kind: a for a in actions}
    none = AdaptAction("none")
    support, basic = by_kind.get("support_resources", none), by_kind.get("basic_resources", none)
    more = by_kind.get("more_resources")
    kps = list(more.kp_ids) if more and more.kp_ids else [p.kp_id for p in recs.kps]
    ranker = resources.for_store(store)
    supports, options = ranker.candidates(ctx.dataset, [*basic.kp_ids, *kps])

    def pick(found: list[ResourceOption], n: int, share: float) -> list[RankedResource]:
        if challenge_share is None:
            return basic_first(found, n, catalogue.kp_names)
        return ranker.rank(ctx.dataset, found, ctx.learner, catalogue, n, share)

    picked = [RankedResource(o, 0.0, {}, False, (f"for how you feel: {support.text}",))
              for o in supports[:support.count]]
    basics = [o for o in options if o.kp_id in basic.kp_ids
              and o.level == ResourceLevel.BASIC and o.kind in resources.BASIC_KINDS]
    picked += [_with(r, f"basic help where you seem confused: {basic.text}")
               for r in pick(basics, basic.count, 0.0)]
    taken = {r.option.id for r in picked}
    picked += pick([o for o in options if o.kp_id in kps and o.id not in taken],
                   more.count if more else adjust.resources, challenge_share or 0.0)
    return tuple(resources.as_row(r) for r in picked)


def _with(r: RankedResource, reason: str) -> RankedResource:
    return replace(r, reasons=(reason, *r.reasons))
