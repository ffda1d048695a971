"""The simulated classroom study of `kgtutor evaluate learning` (issue 16).

Per seed:

1. **The map** the tutors are given: the true prerequisites, or a degraded copy
   (``evaluation.domains.degrade``: 20 % of edges dropped, 10 % spurious added, seeded).
   Curriculum order is its topological order, ties by KP index.
2. **A historical cohort** (``history_students``, 1,000) practises the same budget as the real
   logs were practised: skill builders (``evaluation.policies.SkillBuilder``, the default), or
   with ``history="fixed"`` the fixed schedule with random questions per KP (one answer per
   learner and KP). The tutor trains on these logs only (``evaluation.tutor_policy
   .train_tutor``: IRT, per-KP BKT, peers, Bi-LSTM), and so do the ``markov`` and ``usercf``
   baselines.
3. **A new cohort**, ``students_per_arm`` per arm, assigned by randomised blocks on the
   pre-test (``evaluation.classroom.assign``), each learner through ``classroom.practise``.
   With ``paired`` (a tuning design, never the reported one) every arm practises the same
   ``students_per_arm`` learners instead, and each comparison adds the paired difference: the
   learners' spread (sd ≈ 19.5 points) no longer hides what the policies change (on
   completion too). With
   ``pretest="seen"`` every arm is given its learner's drawn pre-test answers at the start
   (``classroom.pretest_answers``); by default no arm sees them.

Pooled over seeds, each outcome's mean and sd per arm; ``kgtutor`` against every other arm on
the post-test (``tutor.statistics``: relative gain, Welch's t and p, Holm over the family, d
with its 95 % CI), plus the completion's relative gain and the same figures on the change
scores, each learner's post-test minus their own pre-test (``learnt``: Holm over the family
apart; the pre-test removes what learners brought, which the post-test's spread hides); the
same per seed. Ablations (the
tutor's switches, ``tutor_policy.ABLATIONS``) are arms of the same trial and a family of their
own. ``oracle_gap_closed`` = (kgtutor - mastery) / (oracle - mastery) on mean post-tests.

Controls: the first ``control_seeds`` seeds are rerun with the simulator's learning switched
off (same learners, same assignment, same trained tutor) and the largest |d| between any two
arms is reported; the oracle must have the highest mean post-test, pooled and per seed;
fidelity (``evaluation.fidelity``) on data-fitted domains.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor, as_completed
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from itertools import combinations
from multiprocessing import get_context
from typing import TypeVar

import numpy as np

from evaluation.baselines import MarkovChain, UserCF
from evaluation.classroom import Outcome, Practice, assign, practise, simulate_logs
from evaluation.domains import Domain, curriculum_order, degrade
from evaluation.fidelity import fidelity
from evaluation.learner import Learner, SimParams, fixed_form, standard_form
from evaluation.policies import (
    Bank,
    Fixed,
    Mastery,
    Oracle,
    Policy,
    RandomItems,
    Recommended,
    SkillBuilder,
)
from evaluation.tutor_policy import (
    ABLATIONS,
    KgTutor,
    Switches,
    Told,
    TutorModels,
    train_tutor,
    tuned,
)
from models.kt_data import Histories
from tutor import statistics as stats
from tutor.errors import InvalidInput
from tutor.mastery import BktParams

T = TypeVar("T")
Track = Callable[[Iterable[T], str, int], Iterable[T]]  # wraps a loop: items, label, length
ARMS = ("kgtutor", "fixed", "mastery", "random", "markov", "usercf", "oracle")
OUTCOMES = ("post", "pre", "gain", "completion", "overpractice", "to_mastery", "questions",
            "rests")
NAMES = {"post": "post_test", "pre": "pre_test", "to_mastery": "questions_to_mastery"}


@dataclass(frozen=True)
class StudyConfig:
    students_per_arm: int = 100
    seeds: int = 5
    first_seed: int = 0  # reported seeds are first_seed.. ; tune on others
    map: str = "true"  # or "degraded"
    ablations: bool = False
    soft_frontiers: tuple[float, ...] = ()  # extra kgtutor arms with RecConfig.ready = r (tuning)
    config_arms: tuple[tuple[str, float], ...] = ()  # extra kgtutor arms, one weight or setting
    paired: bool = False  # tuning: every arm practises the same learners (module docstring)
    pretest: str = "hidden"  # or "seen": the arms are given the pre-test's answers (step 3)
    history_students: int = 1000
    history: str = "skill_builder"  # how the historical cohort practised, or "fixed"
    practice: Practice = field(default_factory=Practice)
    bilstm: bool = True
    bilstm_epochs: int | None = None  # None: the product's training (early stopping)
    bkt_restarts: int = 1  # EM restarts of the tutor's per-KP BKT fit (the product's: 1)
    # tuning diagnostics, extra arms: kgtutor told the simulator's own per-KP BKT ("bkt",
    # :func:`true_bkt`), or each learner's own priors or state on arrival ("prior", "state":
    # evaluation.tutor_policy.Told)
    told: tuple[str, ...] = ()
    control_seeds: int = 1  # seeds rerun with learning off
    fidelity_auc: bool = True  # train the Bi-LSTM on simulated and on real logs (data only)
    drop: float = 0.2
    spurious: float = 0.1

    def __post_init__(self) -> None:
        if self.map not in ("true", "degraded"):
            raise InvalidInput(f"map must be 'true' or 'degraded', got {self.map!r}")
        if self.pretest not in ("hidden", "seen"):
            raise InvalidInput(f"pretest must be 'hidden' or 'seen', got {self.pretest!r}")
        if self.history not in ("skill_builder", "fixed"):
            raise InvalidInput(f"history must be 'skill_builder' or 'fixed', got {self.history!r}")
        if self.students_per_arm < 2 or self.seeds < 1 or self.history_students < 2:
            raise InvalidInput("students_per_arm and history_students must be >= 2, seeds >= 1")


@dataclass(frozen=True)
class StudyResult:
    report: dict
    outcomes: dict[str, list[Outcome]]  # per arm, every seed's learners
    fidelity_rates: tuple[np.ndarray, np.ndarray] | None  # per-KP correct rate: real, sim


def _no_track(items: Iterable[T], label: str, total: int) -> Iterable[T]:
    return items


def run_study(domain: Domain, config: StudyConfig = StudyConfig(),
              track: Track = _no_track, workers: int = 1) -> StudyResult:
    """Every seed of the study, pooled, with its controls (module docstring).

    With ``workers`` > 1 the seeds and the fidelity control run in that many processes, one
    torch thread each (a seed's result does not depend on the process it ran in), and
    ``track`` follows the finished tasks instead of the learners."""
    started = time.perf_counter()
    seeds = list(range(config.first_seed, config.first_seed + config.seeds))
    if workers > 1:
        per_seed, (fid, rates), fid_seconds = _in_processes(domain, config, seeds, workers,
                                                            track)
    else:
        bank, form = Bank(domain.params), standard_form(domain.params)
        per_seed = [_run_seed(domain, bank, form, config, s, track) for s in seeds]
        clock = time.perf_counter()
        fid, rates = fidelity(domain, config, track)
        fid_seconds = round(time.perf_counter() - clock, 1)
    pooled = {arm: [o for r in per_seed for o in r["outcomes"][arm]]
              for arm in per_seed[0]["outcomes"]}
    report = _report(domain, config, per_seed, pooled, fid)
    report["seconds"] = {"total": round(time.perf_counter() - started, 1),
                         "fidelity": fid_seconds, "workers": workers,
                         "per_seed": [r["seconds"] for r in per_seed]}
    return StudyResult(report, pooled, rates)


def _in_processes(domain: Domain, config: StudyConfig, seeds: list[int], workers: int,
                  track: Track) -> tuple[list[dict], tuple, float]:
    """The seeds and the fidelity control as tasks of a process pool (spawned: the caller may
    hold torch threads), longest first: fidelity trains two Bi-LSTMs."""
    with ProcessPoolExecutor(workers, mp_context=get_context("spawn"),
                             initializer=_worker_init) as pool:
        fid = pool.submit(_fidelity_task, domain, config)
        runs = {pool.submit(_seed_task, domain, config, s): s for s in seeds}
        for _ in track(as_completed([fid, *runs]), "seeds and fidelity", len(runs) + 1):
            pass
        per_seed = sorted((f.result() for f in runs), key=lambda r: r["seed"])
        fidelity_result, fid_seconds = fid.result()
    return per_seed, fidelity_result, fid_seconds


def _worker_init() -> None:
    from models.threads import one_thread

    one_thread()


def _seed_task(domain: Domain, config: StudyConfig, seed: int) -> dict:
    return _run_seed(domain, Bank(domain.params), standard_form(domain.params), config, seed,
                     _no_track)


def _fidelity_task(domain: Domain, config: StudyConfig) -> tuple[tuple, float]:
    clock = time.perf_counter()
    out = fidelity(domain, config, _no_track)
    return out, round(time.perf_counter() - clock, 1)


def _report(domain: Domain, config: StudyConfig, per_seed: list[dict],
            pooled: dict[str, list[Outcome]], fid: dict) -> dict:
    return {
        "domain": domain.name, "map": config.map, "students_per_arm": config.students_per_arm,
        "seeds": config.seeds, "first_seed": config.first_seed,
        "practice": {"sessions": config.practice.sessions,
                     "per_session": config.practice.per_session},
        "history_students": config.history_students, "history": config.history,
        "kps": domain.params.n_kps, "items": domain.params.n_items,
        "chapters": {"count": len(domain.chapters), "rule": domain.chapter_rule},
        "design": "paired" if config.paired else "randomised blocks", "pretest": config.pretest,
        "arms": {arm: summary(out) for arm, out in pooled.items()},
        **families(pooled, config.paired),
        "per_seed": [{"seed": r["seed"], "arms": {a: summary(o, brief=True)
                                                   for a, o in r["outcomes"].items()},
                      **families(r["outcomes"], config.paired), "seconds": r["seconds"]}
                     for r in per_seed],
        "oracle_gap_closed": gap_closed(pooled),
        "controls": {"no_learning": _no_learning(per_seed),
                     "oracle_bounds": all(_oracle_bounds(r["outcomes"]) for r in per_seed)
                     and _oracle_bounds(pooled),
                     "fidelity": fid},
    }


def _run_seed(domain: Domain, bank: Bank, form: np.ndarray, config: StudyConfig, seed: int,
              track: Track) -> dict:
    params, seconds = domain.params, {}
    clock = time.perf_counter()
    given = given_map(domain, config, seed)
    order, logs = history(domain, bank, config, seed, given)
    seconds["history"], clock = _lap(clock)
    tutor = train_tutor(params, given, order, logs, config.bilstm, config.bilstm_epochs, seed,
                        config.bkt_restarts, domain.chapters)
    policies = _policies(bank, order, tutor, logs, config, seed)
    seconds["train"], clock = _lap(clock)
    if config.paired:  # the same learners in every arm, arm by arm
        learner_seeds = np.tile(seeded(seed, "cohort").integers(
            2**63, size=config.students_per_arm), len(policies))
        arm_of = np.repeat(np.arange(len(policies)), config.students_per_arm)
    else:
        learner_seeds = seeded(seed, "cohort").integers(
            2**63, size=config.students_per_arm * len(policies))
        pre = np.array([fixed_form(Learner(params, np.random.default_rng(s)), form)
                        for s in learner_seeds])
        arm_of = assign(pre, len(policies), seeded(seed, "assign"))
    outcomes = _cohort(params, policies, learner_seeds, arm_of, form, domain, config,
                       track, f"seed {seed}")
    seconds["cohort"], clock = _lap(clock)
    control = {}
    if seed - config.first_seed < config.control_seeds:
        control = _control(domain, policies, learner_seeds, arm_of, form, config, track,
                           f"seed {seed} learning off")
        seconds["control"], clock = _lap(clock)
    return {"seed": seed, "outcomes": outcomes, "control": control, "seconds": seconds}


def given_map(domain: Domain, config: StudyConfig, seed: int) -> tuple[tuple[int, ...], ...]:
    """The prerequisites the tutors are given on this seed: the true map or a degraded one."""
    params = domain.params
    return (params.prereqs if config.map == "true" else
            degrade(params.prereqs, seeded(seed, "map"), config.drop, config.spurious))


def history(domain: Domain, bank: Bank, config: StudyConfig, seed: int,
            given: tuple[tuple[int, ...], ...]) -> tuple[list[int], Histories]:
    """The curriculum order of the ``given`` map and the seed's historical cohort's logs."""
    order = curriculum_order(given)
    policy: Policy = (
        SkillBuilder(bank, order, seeded(seed, "assignments")) if config.history == "skill_builder"
        else Fixed(bank, order, config.practice.budget, seeded(seed, "assignments")))
    return order, simulate_logs(domain.params, policy, config.history_students, config.practice,
                                seeded(seed, "history"))


def _control(domain: Domain, policies: dict[str, Policy], learner_seeds: np.ndarray,
             arm_of: np.ndarray, form: np.ndarray, config: StudyConfig, track: Track,
             label: str) -> dict[str, list[Outcome]]:
    """The main arms' learners again, same assignment and trained arms, learning off."""
    main = {a: p for a, p in policies.items() if a in ARMS}
    keep = np.isin(arm_of, [list(policies).index(a) for a in main])
    remap = np.array([list(main).index(a) if a in main else -1 for a in policies])
    return _cohort(replace(domain.params, learning=False), main, learner_seeds[keep],
                   remap[arm_of[keep]], form, domain, config, track, label)


def _policies(bank: Bank, order: list[int], tutor: TutorModels, logs: Histories,
              config: StudyConfig, seed: int) -> dict[str, Policy]:
    n_items = bank.params.n_items
    markov, usercf = MarkovChain(), UserCF()
    markov.fit(logs, n_items)
    usercf.fit(logs, n_items)
    policies: dict[str, Policy] = {
        "kgtutor": KgTutor(tutor), "fixed": Fixed(bank, order, config.practice.budget),
        "mastery": Mastery(bank, order), "random": RandomItems(n_items, seed),
        "markov": Recommended(markov), "usercf": Recommended(usercf),
        "oracle": Oracle(bank, order)}
    if config.ablations:
        policies |= {f"kgtutor_{name}": KgTutor(tutor, switches)
                     for name, switches in ABLATIONS.items()}
    policies |= {f"kgtutor_ready_{r:g}": KgTutor(tutor, Switches(ready=r))
                 for r in config.soft_frontiers}
    policies |= {f"kgtutor_{name}_{v:g}": KgTutor(tutor, config=tuned(name, v))
                 for name, v in config.config_arms}
    policies |= {f"kgtutor_true_{what}": KgTutor(true_bkt(tutor)) if what == "bkt"
                 else Told(tutor, what) for what in config.told}
    return policies


def true_bkt(tutor: TutorModels) -> TutorModels:
    """The tutor, but with the simulator's own per-KP prior, learn, guess and slip in place of
    those it fitted on the logs (and the prior as the population prior): a diagnostic, not a
    policy, since the product can never read them. How much it gains over ``kgtutor`` bounds
    what a better fit of those numbers could give (docs/evaluation/learning.md, v9)."""
    p = tutor.params
    return replace(tutor, known_share=p.prior.copy(), kp_bkt=tuple(
        BktParams(float(p.prior[k]), float(p.learn[k]), float(p.guess[k]), float(p.slip[k]))
        for k in range(p.n_kps)))


def _cohort(params: SimParams, policies: dict[str, Policy], learner_seeds: np.ndarray,
            arm_of: np.ndarray, form: np.ndarray, domain: Domain, config: StudyConfig,
            track: Track, label: str) -> dict[str, list[Outcome]]:
    out: dict[str, list[Outcome]] = {}
    with _one_torch_thread():
        for a, (arm, policy) in enumerate(policies.items()):
            members = np.flatnonzero(arm_of == a).tolist()
            out[arm] = [practise(policy, Learner(params, np.random.default_rng(learner_seeds[j])),
                                 j, config.practice, form, domain.chapters,
                                 config.pretest == "seen")
                        for j in track(members, f"{label}: {arm}", len(members))]
    return out


@contextmanager
def _one_torch_thread() -> Iterator[None]:
    """One torch thread while policies run: a call's tensors are small, and two threads on a
    two-core machine shared with another job spin on each other (measured: a call took ~125 ms
    instead of 7 ms)."""
    torch = sys.modules.get("torch")
    if torch is None:
        yield
        return
    saved = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(saved)


def summary(outcomes: list[Outcome], brief: bool = False) -> dict:
    """Mean and sd of each outcome over learners (those defined), the mean learning curve."""
    out: dict = {}
    for name in OUTCOMES[:2] if brief else OUTCOMES:
        values = [getattr(o, name) for o in outcomes if getattr(o, name) is not None]
        out[NAMES.get(name, name)] = {
            "mean": float(np.mean(values)) if values else None,
            "sd": float(np.std(values, ddof=1)) if len(values) > 1 else None}
    if brief:
        out["completion"] = {"mean": float(np.mean([o.completion for o in outcomes]))}
        return out
    out["curve"] = np.mean([o.curve for o in outcomes], axis=0).tolist()
    out["n"] = len(outcomes)
    return out


def families(outcomes: dict[str, list[Outcome]], paired: bool = False) -> dict[str, dict]:
    """kgtutor against every main arm, and against every ablation, each family Holm-adjusted;
    ``paired``: the arms' learners are the same, in the same order (``StudyConfig.paired``)."""
    main = {a: o for a, o in outcomes.items() if a in ARMS and a != "kgtutor"}
    ablations = {a: o for a, o in outcomes.items() if a.startswith("kgtutor_")}
    out = {"comparisons": _family(outcomes["kgtutor"], main, paired)}
    if ablations:
        out["ablations"] = _family(outcomes["kgtutor"], ablations, paired)
    return out


def _family(ours: list[Outcome], others: dict[str, list[Outcome]], paired: bool
            ) -> dict[str, dict]:
    mine = _measures(ours)
    done = {}
    for arm, out in others.items():
        key = f"kgtutor_vs_{arm.removeprefix('kgtutor_')}"
        theirs = _measures(out)
        done[key] = {**stats.compare(mine["post"], theirs["post"]),
                     "completion_rel_gain": stats.rel_gain(mine["completion"],
                                                           theirs["completion"]),
                     "learnt": stats.change(mine["learnt"], theirs["learnt"])}
        if paired:
            done[key]["paired"] = stats.paired(mine["post"], theirs["post"])
            done[key]["paired_completion"] = stats.paired(mine["completion"],
                                                          theirs["completion"])
    done = stats.with_holm(done)
    adjusted = stats.holm({k: c["learnt"]["p"] for k, c in done.items()})
    return {k: {**c, "learnt": {**c["learnt"], "p_holm": adjusted[k]}} for k, c in done.items()}


def _measures(outcomes: list[Outcome]) -> dict[str, np.ndarray]:
    """Per learner: the post-test, the change from the pre-test, the completion."""
    return {"post": np.array([o.post for o in outcomes]),
            "learnt": np.array([o.post - o.pre for o in outcomes]),
            "completion": np.array([o.completion for o in outcomes])}


def gap_closed(outcomes: dict[str, list[Outcome]]) -> float | None:
    means = {a: np.mean([o.post for o in outcomes[a]]) for a in ("kgtutor", "mastery", "oracle")}
    gap = means["oracle"] - means["mastery"]
    return float((means["kgtutor"] - means["mastery"]) / gap) if gap > 0 else None


def _oracle_bounds(outcomes: dict[str, list[Outcome]]) -> bool:
    means = {a: np.mean([o.post for o in out]) for a, out in outcomes.items()}
    return all(means["oracle"] >= m for m in means.values())


def _no_learning(per_seed: list[dict]) -> dict:
    """Largest |d| between any two arms on the post-test with learning off."""
    runs = [r["control"] for r in per_seed if r["control"]]
    if not runs:
        return {"max_abs_d": None, "seeds": 0}
    pooled = {a: np.array([o.post for r in runs for o in r[a]]) for a in runs[0]}
    ds = {f"{a}_vs_{b}": stats.cohens_d(pooled[a], pooled[b])[0]
          for a, b in combinations(pooled, 2)}
    known = [abs(d) for d in ds.values() if d is not None]
    return {"max_abs_d": max(known) if known else None, "seeds": len(runs),
            "kgtutor_d": {k: v for k, v in ds.items() if k.startswith("kgtutor_vs_")},
            "post_equals_pre": all(o.post == o.pre for r in runs for out in r.values()
                                   for o in out)}


def seeded(seed: int, stream: str) -> np.random.Generator:
    """The generator of one stream of a seed ("map", "history", "cohort", ...): each part of a
    seed's run draws from its own, so adding an arm changes no other part's draws."""
    return np.random.default_rng([seed, *stream.encode()])


def _lap(clock: float) -> tuple[float, float]:
    now = time.perf_counter()
    return round(now - clock, 1), now
