"""Fit the simulated learner (``evaluation.learner``) on real responses of an lpp train split.

Steps, all on the train students only:

1. **Prerequisites**: the graph the project infers (``tutor.prereqs.infer_prerequisites`` with
   its defaults, as ``kgtutor graph infer-prerequisites`` does), and each student's first
   mastery of every KP under the same rule (3 right in a row).
2. **BKT per KP** by EM with pyBKT's E and M steps (``models.bkt_em``). An answer counts for
   every KP its question tests. To bound the time, each KP sees at most ``max_sequences``
   students (a seeded sample) and each student's first ``max_length`` answers on it.
3. **Pooling**: a KP with fewer than ``min_sequences`` students, or whose fit is degenerate
   (guess or slip above 0.5: "right" would then be evidence against mastery), gets the median
   of the other KPs' parameters.
4. **Gating factor**, estimated as the maximum-likelihood fit of the simulator's own mechanism.
   Each answer on KP B is labelled *gated* when, at that moment, the student had not yet
   mastered (by the streak rule) every inferred prerequisite of B, else *open*. Where B has at
   least ``min_gate_answers`` answers of each kind, B is fitted with two learn rates (pyBKT's
   multilearn: the label of answer t sets the rate of the transition after it) and shared
   prior, guess and slip; B's ``learn`` is its open rate. ``gate`` is the median over those KPs
   of ``learn_gated / learn_open``, clipped to [0, 1]. Caveats: the streak rule only proxies
   true mastery, which pulls the ratio towards 1; students who master prerequisites first may
   also be stronger learners in general, which pulls it towards 0. The project's held-out check
   of the same edges (``bench/prereq_validity.py``: +0.175 first-answer lift) measures the
   prerequisite effect on answers, not on learning, so it is not used as the factor itself.
5. **Item shifts** from the project's 2PL fit (``models.irt.fit_irt`` on the train students,
   as ``models.training.fit_irt_on``): ``shift_i = b_i - centre``, where the centre is the
   response-weighted mean b of the item's KPs, so a KP's practised answers keep its fitted
   guess and slip on average; clipped to ``max_shift``.
6. **General ability** (``ability_sd``): the spread of the learners' shared logit shift of
   every KP's prior, guess and slip (``evaluation.learner``), by the method of moments: the train
   students' question sequences are replayed by simulated learners (``evaluation.fidelity
   .replay``) for each sd of ``ability_grid``, and the sd whose between-student variance of the
   right-answer rate (students with at least ``ability_min_answers`` answers) comes closest to
   the real one is kept. Without it, simulated students differ only by chance, and a sequence
   model learns less about them from their first answers than it does about real students
   (the study's fidelity control).
"""

from __future__ import annotations

import resource
import time
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np

from evaluation.course_learner import POOLED_DEFAULTS
from evaluation.learner import SimParams
from models.bkt_em import BktFit, BktSequences, EmConfig, fit_many
from models.irt import IrtConfig, fit_irt
from models.kt_data import Histories, KTData
from models.sources import load_responses
from tutor.curriculum import Prerequisite
from tutor.prereqs import PrereqInferenceConfig, infer_prerequisites, milestones

OPEN, GATED = 0, 1  # practice classes of an answer (pyBKT resources)
PARAMS = ("prior", "learn", "guess", "slip")


@dataclass(frozen=True)
class FitConfig:
    max_sequences: int = 300  # students per KP the EM sees (a seeded sample of them)
    max_length: int = 50  # first answers per student and KP the EM sees
    min_sequences: int = 20  # fewer students on a KP: it gets the pooled parameters
    min_gate_answers: int = 100  # gated and open answers a KP needs for its own learn ratio
    max_guess: float = 0.5  # above: a degenerate fit, pooled instead
    max_slip: float = 0.5
    max_shift: float = 4.0  # |item shift| on the logit scale at most
    em: EmConfig = field(default_factory=EmConfig)
    prereqs: PrereqInferenceConfig = field(default_factory=PrereqInferenceConfig)
    irt: IrtConfig = field(default_factory=IrtConfig)
    ability_grid: tuple[float, ...] = tuple(np.round(np.arange(0.0, 5.01, 0.25), 2).tolist())
    ability_students: int = 1000  # train students replayed per candidate sd (a seeded sample)
    ability_min_answers: int = 20
    workers: int = 2  # processes for the per-KP EM fits
    seed: int = 0


@dataclass(frozen=True, eq=False)
class LearnerFit:
    params: SimParams
    own: np.ndarray  # bool (K,) KPs with their own (not pooled) BKT parameters
    gate_ratios: np.ndarray  # float learn_gated / learn_open of the KPs behind the gate
    report: dict[str, float]  # counts, medians and seconds per step


def fit_sim_params(folder: Path, config: FitConfig = FitConfig()) -> SimParams:
    """The simulator's parameters fitted on an lpp-format folder's train split."""
    return fit_learner(load_responses(Path(folder)), config).params


def fit_learner(kt: KTData, config: FitConfig = FitConfig()) -> LearnerFit:
    """Fit every part of the simulated learner on ``kt.train`` (module docstring)."""
    seconds: dict[str, float] = {}
    clock, cpu = time.perf_counter(), _cpu_seconds()
    edges, prereqs, gate_time = _prerequisites(kt, config.prereqs)
    seconds["prerequisites"], clock = time.perf_counter() - clock, time.perf_counter()
    seqs = kp_sequences(kt.train, kt.item_skills, gate_time)
    jobs = [_job(k, s, bool(prereqs[k]), config) for k, s in enumerate(seqs)]
    todo = [k for k, j in enumerate(jobs) if j is not None]
    fits = dict(zip(todo, fit_many([(jobs[k], config.seed + k) for k in todo], config.em,
                                   config.workers), strict=True))
    seconds["bkt"], clock = time.perf_counter() - clock, time.perf_counter()
    table, own, ratios = _bkt_table(fits, kt.n_skills, config)
    shift = item_shifts(kt.train, kt.item_skills, config)
    seconds["irt"] = time.perf_counter() - clock
    seconds["cpu"] = _cpu_seconds() - cpu  # all steps, EM worker processes included
    items = np.flatnonzero((kt.item_skills >= 0).any(axis=1))
    params = SimParams(
        kp_ids=kt.skill_ids, **table, prereqs=tuple(prereqs),
        item_ids=tuple(kt.item_ids[i] for i in items),
        item_kps=tuple(tuple(int(k) for k in kt.item_skills[i] if k >= 0) for i in items),
        item_shift=shift[items], gate=_gate(ratios))
    clock = time.perf_counter()
    sd, spread = fit_ability(kt, params, config)
    params = replace(params, ability_sd=sd)
    seconds["ability"] = time.perf_counter() - clock
    report = _report(params, own, ratios, edges, jobs, seqs, seconds) | spread
    return LearnerFit(params, own, ratios, report)


def fit_ability(kt: KTData, params: SimParams, config: FitConfig
                ) -> tuple[float, dict[str, float]]:
    """The ``ability_grid`` sd whose replayed between-student variance of the right-answer rate
    is closest to the real train students' (step 6), and both variances."""
    from evaluation.fidelity import replay

    rng = np.random.default_rng([config.seed, 6])
    long = [s for s, x in enumerate(kt.train.items) if len(x) >= config.ability_min_answers]
    if len(long) < 2:
        return 0.0, {"ability_sd": 0.0}
    pick = sorted(rng.choice(long, min(config.ability_students, len(long)), replace=False))
    sample = Histories(tuple(kt.train.students[i] for i in pick),
                       tuple(kt.train.items[i] for i in pick),
                       tuple(kt.train.correct[i] for i in pick))
    real = _rate_variance(sample)
    best, best_var = 0.0, 0.0
    for sd in config.ability_grid:
        sim = replay(sample, replace(params, ability_sd=sd), kt.item_ids, 25,
                     np.random.default_rng([config.seed, 6, int(sd * 100)]),
                     lambda items, label, total: items, "ability")
        var = _rate_variance(sim)
        if sd == config.ability_grid[0] or abs(var - real) < abs(best_var - real):
            best, best_var = float(sd), var
    return best, {"ability_sd": best, "rate_variance_real": real, "rate_variance_sim": best_var}


def _rate_variance(histories: Histories) -> float:
    """Between-student variance of the share of right answers."""
    return float(np.var([np.mean(c) for c in histories.correct], ddof=1))


def kp_sequences(histories: Histories, item_skills: np.ndarray, gate_time: np.ndarray
                 ) -> list[list[tuple[np.ndarray, np.ndarray]]]:
    """Per KP, per student who practised it: (0/1 answers, gated flags), in time order.

    An answer at position t is gated when ``t <= gate_time[student, kp]``.
    """
    out: list[list[tuple[np.ndarray, np.ndarray]]] = [[] for _ in range(gate_time.shape[1])]
    for s, (items, correct) in enumerate(zip(histories.items, histories.correct, strict=True)):
        skills = item_skills[np.asarray(items, dtype=np.int64)]  # (T, W)
        rows, cols = np.nonzero(skills >= 0)
        if not len(rows):
            continue
        kps = skills[rows, cols]
        order = np.lexsort((rows, kps))  # by KP, then by time
        rows, kps = rows[order], kps[order]
        cuts = np.flatnonzero(np.diff(kps)) + 1
        for r, k in zip(np.split(rows, cuts), np.split(kps, cuts), strict=True):
            out[int(k[0])].append((np.asarray(correct)[r], r <= gate_time[s, int(k[0])]))
    return out


def item_shifts(histories: Histories, item_skills: np.ndarray, config: FitConfig) -> np.ndarray:
    """Per item, its 2PL difficulty minus its KPs' response-weighted mean difficulty."""
    student = np.concatenate([np.full(len(x), i) for i, x in enumerate(histories.items)])
    irt = fit_irt(student, np.concatenate(histories.items), np.concatenate(histories.correct),
                  len(histories), len(item_skills), config.irt)
    return centred_shifts(item_skills, irt.b, irt.item_responses.astype(float), config.max_shift)


def centred_shifts(item_skills: np.ndarray, b: np.ndarray, weights: np.ndarray,
                   max_shift: float) -> np.ndarray:
    """``b`` minus the weighted mean ``b`` of each item's KPs (unweighted where no weight)."""
    rows, cols = np.nonzero(item_skills >= 0)
    kps = item_skills[rows, cols]
    n_kps = int(kps.max(initial=-1)) + 1
    w = weights[rows]
    weighted = np.bincount(kps, w * b[rows], n_kps) / np.maximum(np.bincount(kps, w, n_kps), 1e-12)
    plain = np.bincount(kps, b[rows], n_kps) / np.maximum(np.bincount(kps, None, n_kps), 1)
    centre = np.where(np.bincount(kps, w, n_kps) > 0, weighted, plain)
    per_item = np.bincount(rows, centre[kps], len(b)) / np.maximum(np.bincount(rows, None,
                                                                                len(b)), 1)
    return np.clip(b - per_item, -max_shift, max_shift)


def _prerequisites(kt: KTData, config: PrereqInferenceConfig
                   ) -> tuple[tuple[Prerequisite, ...], list[tuple[int, ...]], np.ndarray]:
    """The inferred edges, each KP's prerequisite indices, and per (student, KP) the position
    at which its last prerequisite was first mastered (-1: no prerequisite; NEVER: not yet)."""
    edges = infer_prerequisites(kt.train, kt.item_skills, kt.skill_ids, config).edges
    index = {k: i for i, k in enumerate(kt.skill_ids)}
    prereqs = [tuple(sorted(index[e.before] for e in edges if e.after == k))
               for k in kt.skill_ids]
    first = milestones(kt.train, kt.item_skills, kt.n_skills, config).first_mastery
    gate_time = np.full(first.shape, -1, dtype=np.int64)
    for b, pre in enumerate(prereqs):
        if pre:
            gate_time[:, b] = first[:, list(pre)].max(axis=1)
    return edges, prereqs, gate_time


def _job(kp: int, seqs: list[tuple[np.ndarray, np.ndarray]], has_prereqs: bool,
         config: FitConfig) -> BktSequences | None:
    """The KP's capped sequences for the EM, with two classes when both have enough answers."""
    if len(seqs) < config.min_sequences:
        return None
    rng = np.random.default_rng([config.seed, kp])
    if len(seqs) > config.max_sequences:
        seqs = [seqs[i] for i in sorted(rng.choice(len(seqs), config.max_sequences, False))]
    answers = np.concatenate([a[:config.max_length] for a, _ in seqs])
    gated = np.concatenate([g[:config.max_length] for _, g in seqs])
    lengths = np.array([min(len(a), config.max_length) for a, _ in seqs])
    two = has_prereqs and min(gated.sum(), (~gated).sum()) >= config.min_gate_answers
    return BktSequences(answers, lengths, np.where(two & gated, GATED, OPEN), 2 if two else 1)


def _bkt_table(fits: dict[int, BktFit], n_kps: int, config: FitConfig
               ) -> tuple[dict[str, np.ndarray], np.ndarray, np.ndarray]:
    """Per-KP prior, learn, guess, slip; pooled medians where a KP has no sound fit."""
    own = np.zeros(n_kps, dtype=bool)
    table = {p: np.zeros(n_kps) for p in PARAMS}
    ratios = []
    for k, f in fits.items():
        if f.guess > config.max_guess or f.slip > config.max_slip:
            continue
        own[k] = True
        for p, v in zip(PARAMS, (f.prior, f.learns[OPEN], f.guess, f.slip), strict=True):
            table[p][k] = v
        if len(f.learns) > 1 and f.learns[OPEN] > 1e-3:
            ratios.append(f.learns[GATED] / f.learns[OPEN])
    for p in PARAMS:
        table[p][~own] = np.median(table[p][own]) if own.any() else POOLED_DEFAULTS[p]
    return table, own, np.array(ratios)


def _gate(ratios: np.ndarray) -> float:
    return float(np.clip(np.median(ratios), 0.0, 1.0)) if len(ratios) else POOLED_DEFAULTS["gate"]


def _report(params: SimParams, own: np.ndarray, ratios: np.ndarray, edges: tuple,
            jobs: list[BktSequences | None], seqs: list, seconds: dict[str, float]
            ) -> dict[str, float]:
    out: dict[str, float] = {
        "kps": params.n_kps, "kps_own_fit": int(own.sum()),
        "kps_pooled": int((~own).sum()), "kps_too_little_data": sum(j is None for j in jobs),
        "prerequisite_edges": len(edges), "gate_kps": len(ratios), "gate": params.gate,
        "answers_total": sum(len(a) for s in seqs for a, _ in s),
        "answers_fitted": sum(len(j.correct) for j in jobs if j is not None),
        "items": params.n_items, "item_shift_sd": float(params.item_shift.std()),
    }
    for p in PARAMS:
        out[f"median_{p}"] = float(np.median(getattr(params, p)[own])) if own.any() else 0.0
    out.update({f"seconds_{k}": round(v, 1) for k, v in seconds.items()})
    return out


def _cpu_seconds() -> float:
    """CPU time of this process and its finished children (the EM workers)."""
    own, kids = (resource.getrusage(w) for w in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN))
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime
