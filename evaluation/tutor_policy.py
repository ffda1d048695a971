"""The product as an arm of the classroom study: the pipeline the API serves, on simulated logs.

What the graph would hold in production is built here from the historical cohort's logs and
the map the tutor is given (:func:`train_tutor`): IRT a and b (``models.training.fit_irt_on``),
the catalogue (the given prerequisites, the curriculum order as the given map's topological
order, popularity as attempts per KP), the peers' BKT mastery matrix, and the Bi-LSTM with the
question-transition table (``models.predictors.BiLstmPredictor``). Item ids are the indices as
strings, as in ``evaluation.offline``.

:class:`KgTutor` plans like ``services.plan.plan``: BKT mastery with the KPs' fitted parameters
(``models.kp_bkt``, as ``kgtutor train bkt`` writes them onto the graph) over the learner's
answers, θ estimated by the pipeline from them, the readings of the last 15
minutes fused (``tutor.affect.fuse``) and the affect rules applied (``tutor.affect_rules.adapt``:
challenge share, 3 tasks and a rest when fatigued, a re-route to unmastered prerequisites when
confused), the current 15-minute window's adjustment (``tutor.adjust.assess``, assessed at the
window's first plan; a stuck KP gets a practice set of 3, done after 3 answers on it:
``tutor.adjust.practice_left``), then ``tutor.recommend.recommend``.
The learner practises the list's first task, then the tutor plans again: the practice page
(``web/js/student.js``) reloads the plan after every answer, and a learner works down from
task 1. (Until 2026-12-03 the study practised the whole list of 5 before asking again.)
Not modelled: the progress model (the adjustment's "lagging" rule never fires), resources
(the simulator has no learning from them) and learning paths (``services.plan`` uses none).

The ablations are switches of the tutor, not of the product (:data:`ABLATIONS`): no graph stage
(the catalogue has no prerequisites: every unmastered KP is on the frontier), no Bi-LSTM (no
sequence model), no IRT filter (every question keeps the bank's uncalibrated a = 1, b = 0), no
band (P(correct) band 0.01-0.99, which also makes the difficulty band vacuous), no affect rules
(no fusion nor ``adapt``; the window's adjustment still runs, on a neutral state); and the
product's own switches: stage 1 on the frontier only, the rule until v7 (``hard_frontier``:
no KP past it however probably its prerequisites are known, ``RecConfig.ready`` None), a
practice set held for the whole window, as before 2026-12-04 (``no_practice_end``), a
confused learner held on the confusing KP when its prerequisites are mastered, as before
2026-12-04 (``hold_confusing_kp``), no population prior
(``RecConfig.population_prior``), no "gain" weight (expected learning gain), no per-KP BKT
(every KP traced and ranked with the defaults), no widening of a spent frontier
(``RecConfig.widen``: an empty plan ends the session).
"""

from __future__ import annotations

from collections.abc import Sequence
from copy import copy
from dataclasses import dataclass, replace
from functools import cached_property

import numpy as np

from evaluation.learner import Learner, SimParams
from evaluation.policies import Answer, Truth, item_skill_matrix
from models.kt_data import Histories
from tutor.adjust import WINDOW_MS, AdjustConfig, Snapshot, assess, practice_left, window_of
from tutor.affect import AffectReading, AffectState, AffectTag, fuse
from tutor.affect_rules import AdaptAction, AffectRuleConfig, adapt, confusing_kp
from tutor.errors import InvalidInput
from tutor.mastery import BktParams, bkt_update
from tutor.recommend import Catalogue, PeerMastery, RecConfig, recommend
from tutor.recommend_types import LearnerState, QuestionFacts, SequenceModel

HISTORY = 200  # answers the product reads of a student (cypher/rec_learner.cypher)


@dataclass(frozen=True)
class Switches:
    graph: bool = True
    bilstm: bool = True
    irt: bool = True
    band: bool = True
    affect: bool = True
    prior: bool = True  # RecConfig.population_prior
    kp_bkt: bool = True  # per-KP BKT parameters fitted on the logs (models.kp_bkt)
    gain: bool = True  # the stage-1 "gain" weight
    ready: float | None = RecConfig().ready  # RecConfig.ready; None: the frontier only
    ability_prior: bool = True  # RecConfig.ability_prior: priors moved by the student's theta
    widen: bool = True  # RecConfig.widen: a spent frontier widens rather than ending the session
    practice_end: bool = True  # a practice set ends after its questions (tutor.adjust)
    hold_confusing: bool = False  # AffectRuleConfig.hold_confusing_kp, the rule until 2026-12-04

ABLATIONS = {"no_graph": Switches(graph=False), "no_bilstm": Switches(bilstm=False),
             "no_irt": Switches(irt=False), "no_band": Switches(band=False),
             "no_affect": Switches(affect=False), "no_prior": Switches(prior=False),
             "no_gain": Switches(gain=False),
             "no_kp_bkt": Switches(kp_bkt=False),
             "hard_frontier": Switches(ready=None),
             "no_ability_prior": Switches(ability_prior=False),
             "no_widen": Switches(widen=False),
             "no_practice_end": Switches(practice_end=False),
             "hold_confusing_kp": Switches(hold_confusing=True)}


# RecConfig's numeric settings a tuning arm may set (`evaluate learning --config-arm`), and
# the type each takes (`ready` has --soft-frontier)
TUNABLE: dict[str, type] = {
    "mastery_threshold": float, "ability_prior": float, "kt_weight": float,
    "challenge_share": float, "challenge_below": float, "exposure": float,
    "n": int, "kp_count": int, "stay_cap": int, "recent_window": int}


def tuned(name: str, value: float) -> RecConfig:
    """The product's RecConfig with one stage-1 weight or one numeric setting changed."""
    base = RecConfig()
    if name in TUNABLE:
        return replace(base, **{name: TUNABLE[name](value)})
    return replace(base, weights={**base.weights, name: value})


@dataclass(frozen=True, eq=False)
class TutorModels:
    """What the tutor learnt from the historical cohort and the map it was given."""

    params: SimParams  # only ids and which KPs each item tests are read
    prereqs: tuple[tuple[int, ...], ...]  # the given map
    order: tuple[int, ...]  # curriculum order of the given map
    a: np.ndarray  # (I,) IRT discrimination
    b: np.ndarray  # (I,) IRT difficulty
    popularity: np.ndarray  # (K,) attempts in the historical logs
    known_share: np.ndarray  # (K,) population prior (models.kp_population)
    kp_bkt: tuple[BktParams, ...]  # (K,) BKT fitted per KP (models.kp_bkt)
    peers: PeerMastery
    sequence: SequenceModel | None
    chapters: tuple[tuple[int, ...], ...] = ()  # KP indices per chapter, as the course has them

    def catalogue(self, switches: Switches) -> Catalogue:
        return self._graph_catalogue if switches.graph and switches.irt else self._build(
            switches.graph, switches.irt)

    @cached_property
    def _graph_catalogue(self) -> Catalogue:
        return self._build(True, True)

    def _build(self, graph: bool, irt: bool) -> Catalogue:
        p = self.params
        ids = p.kp_ids
        questions = {str(i): QuestionFacts(str(i), tuple(ids[k] for k in kps),
                                           float(self.a[i]) if irt else 1.0,
                                           float(self.b[i]) if irt else 0.0)
                     for i, kps in enumerate(p.item_kps)}
        prerequisites = {ids[k]: tuple(sorted(ids[a] for a in pre)) if graph else ()
                         for k, pre in enumerate(self.prereqs)}
        return Catalogue(dict(zip(ids, ids, strict=True)), prerequisites,
                         {ids[k]: r for r, k in enumerate(self.order)}, questions,
                         {ids[k]: int(n) for k, n in enumerate(self.popularity)},
                         {ids[k]: float(s) for k, s in enumerate(self.known_share)},
                         dict(zip(ids, self.kp_bkt, strict=True)),
                         {ids[k]: f"chapter-{c}" for c, kps in enumerate(self.chapters)
                          for k in kps})


def train_tutor(params: SimParams, prereqs: tuple[tuple[int, ...], ...], order: Sequence[int],
                logs: Histories, bilstm: bool = True, epochs: int | None = None, seed: int = 0,
                bkt_restarts: int = 1, chapters: Sequence[Sequence[int]] = ()
                ) -> TutorModels:
    """Fit the tutor's models on the historical logs only (the truth is never read);
    ``chapters`` are the course's, which the product reads from the graph as any tutor would."""
    from models.bkt_em import EmConfig
    from models.kp_bkt import KpBktConfig, fit_kp_bkt
    from models.kp_population import known_shares
    from models.training import fit_irt_on

    irt = fit_irt_on(logs, params.n_items)
    kp_of = item_skill_matrix(params)
    popularity = np.zeros(params.n_kps)
    for items in logs.items:
        skills = kp_of[items]
        popularity += np.bincount(skills[skills >= 0], minlength=params.n_kps)
    peers = PeerMastery(params.kp_ids, np.array([
        bkt_mastery(items, correct, params) for items, correct in zip(
            logs.items, logs.correct, strict=True)]))
    sequence = _sequence(params, logs, epochs, seed) if bilstm else None
    known = known_shares(logs.items, logs.correct, params.item_kps, params.n_kps)
    kp_bkt = fit_kp_bkt(logs.items, logs.correct, params.item_kps, params.n_kps,
                        KpBktConfig(seed=seed, em=EmConfig(restarts=bkt_restarts))).params
    return TutorModels(params, prereqs, tuple(order), irt.a, irt.b, popularity, known, kp_bkt,
                       peers, sequence, tuple(map(tuple, chapters)))


def bkt_mastery(items: np.ndarray, correct: np.ndarray, params: SimParams,
                bkt: BktParams = BktParams()) -> np.ndarray:
    """The product's BKT mastery per KP after these answers (0 where never practised)."""
    p = np.full(params.n_kps, bkt.prior)
    seen = np.zeros(params.n_kps, dtype=bool)
    for q, c in zip(items.tolist(), correct.tolist(), strict=True):
        for k in params.item_kps[q]:
            p[k] = bkt_update(p[k], bool(c), bkt)
            seen[k] = True
    return np.where(seen, p, 0.0)


class KgTutor:
    """The product's plan for each learner (module docstring), lists practised in order."""

    def __init__(self, models: TutorModels, switches: Switches = Switches(),
                 config: RecConfig = RecConfig(), adjust: AdjustConfig = AdjustConfig()) -> None:
        self.models, self.switches, self.adjust = models, switches, adjust
        self.rules = AffectRuleConfig(hold_confusing_kp=switches.hold_confusing)
        self.config = config if switches.band else replace(config, band=(0.01, 0.99))
        if not switches.prior:
            self.config = replace(self.config, population_prior=False)
        if not switches.gain:
            self.config = replace(self.config, weights={**self.config.weights, "gain": 0.0})
        if not switches.ability_prior:
            self.config = replace(self.config, ability_prior=0.0)
        if not switches.widen:
            self.config = replace(self.config, widen=False)
        if switches.ready != self.config.ready:
            self.config = replace(self.config, ready=switches.ready)
        self.catalogue = models.catalogue(switches)
        if not switches.kp_bkt:  # the product's defaults for every KP
            self.catalogue = replace(self.catalogue, kp_bkt={})
        self.sequence = models.sequence if switches.bilstm else None
        self.kp_ids = models.params.kp_ids
        # mastery tracing starts from the KP's population prior (as the graph's refresh does)
        self.priors = dict(self.catalogue.priors) if self.config.population_prior else {}

    def start(self, learner_id: int, truth: Truth, seen: Sequence[Answer] = ()) -> None:
        """``seen``: a sitting's answers, which the product records as attempts (mastery, θ
        and the history the models read start from them: ``services.assessment``)."""
        self.student = f"s{learner_id}"
        self.mastery: dict[str, float] = {}
        self.readings: list[AffectReading] = []
        self.window, self.actions, self.rest, self.seen = -1, (), False, 0
        self.before = tuple(seen)

    def wants_rest(self) -> bool:
        return self.rest

    def next_items(self, history: Sequence[Answer], signals: Sequence[AffectReading]
                   ) -> list[int]:
        history = [*self.before, *history] if self.before else history
        self._update_mastery(history)
        now = history[-1].ts if history else 0
        self.readings = [r for r in [*self.readings, *signals] if now - r.ts <= WINDOW_MS]
        answers = tuple((str(a.item), a.correct) for a in history[-HISTORY:])
        config, focus, self.rest = self.config, (), False
        affect = fuse(self.readings if self.switches.affect else (), now)
        if self.switches.affect and affect.tag != AffectTag.NEUTRAL:
            adaptation = adapt(affect, config, confusing_kp(answers, self.catalogue.kps_of),
                               self.catalogue.prerequisites, self.mastery, self.rules)
            config, focus = adaptation.config, adaptation.focus_kps
            self.rest = adaptation.rest is not None
        unfocused = config
        practice = self._practice_set(now, answers, affect)
        left = 0 if practice is None else self._practice_left(practice, history)
        if practice is not None and left and affect.tag != AffectTag.FATIGUED:  # as services.plan
            config, focus = replace(config, n=left, kp_count=1), practice.kp_ids
        state = LearnerState(self.student, dict(self.mastery), answers)
        result = recommend(self.catalogue, state, config, self.models.peers, self.sequence,
                           focus=focus, unfocused=unfocused)
        return [int(r.question_id) for r in result.items[:1]]  # the page re-plans per answer

    def _update_mastery(self, history: Sequence[Answer]) -> None:
        for a in history[self.seen:]:
            for k in self.models.params.item_kps[a.item]:
                kp = self.kp_ids[k]
                bkt = self.catalogue.bkt(kp)
                start = self.priors.get(kp, bkt.prior)
                self.mastery[kp] = bkt_update(self.mastery.get(kp, start), a.correct, bkt)
        self.seen = len(history)

    def _practice_set(self, now: int, answers: tuple[tuple[str, bool], ...],
                      affect: AffectState) -> AdaptAction | None:
        """This window's adjustment, assessed once at its first plan; its practice set."""
        if window_of(now) != self.window:
            self.window = window_of(now)
            snapshot = Snapshot(self.student, answers, self.catalogue.kps_of,
                                dict(self.mastery), None, affect, self.catalogue.prerequisites)
            self.actions = assess(snapshot, self.window, self.adjust, self.config).actions
        return next((a for a in self.actions if a.kind == "practice_set"), None)

    def _practice_left(self, practice: AdaptAction, history: Sequence[Answer]) -> int:
        if not self.switches.practice_end:  # before 2026-12-04: the whole window
            return practice.count
        since = [str(a.item) for a in history if a.ts >= self.window]
        return practice_left(practice, since, self.catalogue.kps_of)


TOLD = ("prior", "state")  # what a told arm is told (:class:`Told`)
KNOWN = 0.98  # the told state's starting mastery of a KP known on arrival (1 - it: unknown)


class Told(KgTutor):
    """A diagnostic, not a policy: the product told on each learner's arrival what no product
    can read, to bound what inferring it better from answers could give
    (docs/evaluation/learning.md, v12). ``prior``: the learner's own chance of knowing each
    KP (their ability known exactly), in place of the population's prior moved by θ;
    ``state``: which KPs they know (mastery starts at ``KNOWN`` or ``1 - KNOWN``). Everything
    after arrival (tracing, ranking, the rules) is the product's."""

    def __init__(self, models: TutorModels, what: str) -> None:
        if what not in TOLD:
            raise InvalidInput(f"a told arm is told one of {', '.join(TOLD)}, not {what!r}")
        super().__init__(models, config=replace(RecConfig(), ability_prior=0.0))
        self.what, self.fitted = what, self.catalogue

    def start(self, learner_id: int, truth: Truth, seen: Sequence[Answer] = ()) -> None:
        super().start(learner_id, truth, seen)
        if self.what == "state":
            chance = np.where(truth(), KNOWN, 1.0 - KNOWN)
        else:
            learner = learner_of(truth)
            chance = learner.params.arrival_prior(learner.ability)
        self.priors = dict(zip(self.kp_ids, map(float, chance), strict=True))
        self.catalogue = copy(self.fitted)  # only its priors differ: tables stay shared
        object.__setattr__(self.catalogue, "priors", self.priors)


def learner_of(truth: Truth) -> Learner:
    """The simulated learner behind ``truth`` (their ``true_mastery``), for :class:`Told`."""
    owner = getattr(truth, "__self__", None)
    if not isinstance(owner, Learner):
        raise InvalidInput("a told arm needs the learner's own true_mastery as its truth")
    return owner


def _sequence(params: SimParams, logs: Histories, epochs: int | None, seed: int
              ) -> SequenceModel:
    """The Bi-LSTM trained on the historical logs, with their question transitions."""
    from models.bilstm import BiLstmConfig
    from models.kt_data import KTData
    from models.predictors import BiLstmPredictor
    from models.training import BiLstmTraining, fit_bilstm
    from models.transitions import QuestionTransitions

    ids = tuple(str(i) for i in range(params.n_items))
    kt = KTData(ids, params.kp_ids, item_skill_matrix(params), params.kp_ids, logs,
                Histories((), (), ()))
    training = BiLstmTraining() if epochs is None else BiLstmTraining(epochs=epochs)
    model, _ = fit_bilstm(kt, BiLstmConfig(kt.n_items, kt.n_skills), training, seed)
    return BiLstmPredictor(model.cpu(), ids, training.chunk,
                           QuestionTransitions.fit(logs.items, params.n_items))
