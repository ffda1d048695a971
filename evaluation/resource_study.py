"""The resource ranking measured offline: after a wrong answer, simulated learners on the demo
curriculum open the first resource the tutor shows. Does the ranking's first help more than
the basic-first order it replaced? (``kgtutor evaluate resources``, issue 21.)

**Usefulness model** (the truth; no policy reads it):

* each resource has a quality ``q ~ Beta(2, 2)``, drawn per seed;
* a learner needs a level on a KP: basic while a prerequisite of it is not truly mastered or
  their general ability (the simulator's prior shift, ``evaluation.learner``) is under
  ``-need_spread``; challenge when it is over ``+need_spread``; standard between;
* studying a resource on a KP not yet mastered masters it with probability ``q * fit``: fit is
  1 at the needed level, ½ one level off, 0.1 two off. On a mastered KP it does nothing. Kind
  and text play no part (every resource of a KP is on its topic).

**Protocol.** Learners practise the course as skill builders (``evaluation.policies``): the KPs
in curriculum order, random questions of a KP until 3 right in a row or 10 asked, a new
session every ``session`` answers. After each wrong answer on a KP that has resources:

1. *history*: ``history`` learners open one of its resources at random (a logging policy that
   leaves the logs unbiased); each use is kept with the share right of the 3 answers on the KP
   before it and the next answer after it, as the product reads them (``graph.resources``);
2. *evaluation*: ``learners`` new learners, the same ones (seeds) in every arm, are shown 3
   resources and open the first:

   * ``basic_first``: the order before the ranking (``tutor.resources.basic_first``);
   * ``ranked``: the product's ranking (``tutor.resources.rank``, no challenge share after a
     wrong answer, as ``services.resources.after_wrong``) on the history's uses, the learner's
     BKT mastery estimate (``tutor.mastery``, default parameters) and the text similarity to
     their recent questions (``tutor.similar.profile_scores`` over the seed's texts);
   * ``ranked_no_cf``: the same without the history: level and text only, so the difference
     is what the collaborative part adds;
   * ``random``: any of the KP's resources.

**Outcomes per arm**: the next-answer success after a resource (the issue's measure: the
learner's next answer on that KP), the share of resource moments after which the KP is truly
mastered (what the next answer samples), the share of those on a KP not yet mastered that the
resource taught (the truth the ranking is for), and the standard form's expected score at the
end.
Arms are compared with ``basic_first`` on the learners' paired success rates: the mean
difference with its 95 % CI and a paired t-test (scipy.stats).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass

import numpy as np

from evaluation.domains import curriculum_order, demo_domain
from evaluation.learner import Learner, SimParams, fixed_form, standard_form
from tutor.curriculum import Resource, ResourceKind
from tutor.mastery import BktParams, bkt_update
from tutor.profiles import interest_tags
from tutor.resources import (
    LEVELS,
    NO_USES,
    ResourceOption,
    Use,
    UseTable,
    basic_first,
    rank,
)
from tutor.similar import ItemIndex, curriculum_items, profile_scores

ARMS = ("basic_first", "ranked", "ranked_no_cf", "random")
FIT = (1.0, 0.5, 0.1)  # by levels off the needed one


@dataclass(frozen=True)
class ResourceStudy:
    learners: int = 300  # per arm, the same learners in each
    history: int = 300  # learners whose uses the ranking learns from
    questions: int = 120  # answers per learner
    session: int = 20  # answers per session
    shown: int = 3  # resources shown after a wrong answer; the learner opens the first
    need_spread: float = 2.0  # ability beyond which a learner needs basic or challenge
    seed: int = 0


@dataclass(frozen=True)
class _World:
    params: SimParams
    order: list[int]
    by_kp: dict[int, list[int]]  # KP index -> its items
    resources: dict[int, list[Resource]]  # KP index -> its (non-support) resources
    quality: dict[str, float]
    index: ItemIndex
    question_kps: dict[str, tuple[str, ...]]


@dataclass
class _Moment:
    resource: str
    kp: int
    before: float | None
    mastered: bool  # the KP truly mastered right after the resource
    learned: bool | None  # mastered by the resource; None: mastered before it
    after: bool | None = None  # the next answer on the KP; None: none came


Chooser = Callable[[int, list[Resource], np.ndarray, list[str]], str]


def run_study(study: ResourceStudy = ResourceStudy(),
              progress: Callable[[str], None] = lambda _: None) -> dict:
    """The whole study: the history's uses, each arm's learners, the comparisons."""
    world = _world(study.seed)
    progress("history")
    rng = np.random.default_rng([study.seed, 9])
    uses: list[Use] = []
    for j in range(study.history):
        for m in _practise(world, study, ("history", j), _random_choice(rng)):
            if m.after is not None:
                uses.append(Use(m.resource, world.params.kp_ids[m.kp], m.before, m.after))
    table = UseTable.of(uses)
    choosers: dict[str, Callable[[], Chooser]] = {
        "basic_first": lambda: _fixed(world),
        "ranked": lambda: _ranked(world, table),
        "ranked_no_cf": lambda: _ranked(world, NO_USES),
        "random": lambda: _random_choice(np.random.default_rng([study.seed, 8])),
    }
    arms: dict[str, dict] = {}
    per_learner: dict[str, np.ndarray] = {}
    form = standard_form(world.params)
    for arm in ARMS:
        progress(arm)
        choose = choosers[arm]()
        rates, moments, resolved, right, mastered, scores = [], 0, 0, 0, 0, []
        learned: list[bool] = []
        for j in range(study.learners):
            learner_moments = _practise(world, study, ("eval", j), choose, scores, form)
            done = [m for m in learner_moments if m.after is not None]
            moments += len(learner_moments)
            mastered += sum(m.mastered for m in learner_moments)
            learned += [m.learned for m in learner_moments if m.learned is not None]
            resolved += len(done)
            successes = sum(bool(m.after) for m in done)
            right += successes
            rates.append(successes / len(done) if done else np.nan)
        per_learner[arm] = np.array(rates)
        arms[arm] = {"moments": moments, "answered_after": resolved,
                     "next_answer_success": right / resolved if resolved else None,
                     "mastered_after": mastered / moments if moments else None,
                     "unmastered_before": len(learned),
                     "learned": float(np.mean(learned)) if learned else None,
                     "post_score": float(np.mean(scores))}
    return {"study": asdict(study), "uses": len(uses),
            "kps_with_choice": sum(len(r) > 1 for r in world.resources.values()),
            "arms": arms, "comparisons": {arm: _paired(per_learner[arm],
                                                       per_learner["basic_first"])
                                          for arm in ARMS if arm != "basic_first"}}


def markdown(report: dict) -> str:
    """The table the README and docs/evaluation/resources.md quote."""
    s = report["study"]
    lines = [f"Resource ranking, demo curriculum, seed {s['seed']}: {s['learners']} learners "
             f"per arm, {s['history']} history learners ({report['uses']} uses), "
             f"{s['questions']} answers each",
             "",
             "| arm | resource moments | next-answer success | KP mastered after | "
             "learned (of moments on an unmastered KP) | post score | "
             "success vs basic-first (95 % CI) | p |",
             "|---|---|---|---|---|---|---|---|"]
    for arm, r in report["arms"].items():
        c = report["comparisons"].get(arm)
        diff = (f"{c['diff']:+.3f} [{c['ci95'][0]:+.3f}, {c['ci95'][1]:+.3f}]"
                if c and c["diff"] is not None else "-")
        p = f"{c['p']:.3g}" if c and c["p"] is not None else "-"
        lines.append(f"| {arm} | {r['moments']} | {r['next_answer_success']:.3f} | "
                     f"{r['mastered_after']:.3f} | {r['learned']:.3f} of "
                     f"{r['unmastered_before']} | {r['post_score']:.1f} | {diff} | {p} |")
    return "\n".join(lines) + "\n"


# --- the simulation ----------------------------------------------------------------------


def _world(seed: int) -> _World:
    from seeds.curriculum import load_curriculum

    course = load_curriculum()
    params = demo_domain(seed).params
    index_of = {k: i for i, k in enumerate(params.kp_ids)}
    by_kp: dict[int, list[int]] = defaultdict(list)
    for item, kps in enumerate(params.item_kps):
        by_kp[kps[0]].append(item)
    resources: dict[int, list[Resource]] = defaultdict(list)
    for r in course.resources:
        if r.kind != ResourceKind.SUPPORT:
            for k in r.kp_ids:
                resources[index_of[k]].append(r)
    quality_rng = np.random.default_rng([seed, 5])
    quality = {r.id: float(quality_rng.beta(2, 2)) for r in course.resources}
    tests: dict[str, list[str]] = defaultdict(list)
    for t in course.tests:
        tests[t.question_id].append(t.kp_id)
    index = ItemIndex.build(curriculum_items(course.questions, course.tests, course.resources,
                                             course.kps))
    return _World(params, [k for k in curriculum_order(params.prereqs) if by_kp.get(k)],
                  dict(by_kp), dict(resources), quality, index,
                  {q: tuple(ks) for q, ks in tests.items()})


def _practise(world: _World, study: ResourceStudy, who: tuple[str, int], choose: Chooser,
              scores: list[float] | None = None, form: np.ndarray | None = None
              ) -> list[_Moment]:
    """One learner's practice (skill builders); a resource after each wrong answer."""
    p = world.params
    base = [study.seed, 0 if who[0] == "history" else 1, who[1]]
    learner = Learner(p, np.random.default_rng([*base, 0]))
    pick, effect = np.random.default_rng([*base, 1]), np.random.default_rng([*base, 2])
    estimate = np.full(p.n_kps, BktParams().prior)
    answers: dict[int, list[tuple[int, bool]]] = defaultdict(list)
    recent: list[str] = []
    moments: list[_Moment] = []
    pending: dict[int, _Moment] = {}
    pos, run, asked = int(pick.integers(len(world.order))), 0, 0
    for t in range(study.questions):
        if t and t % study.session == 0:
            learner.new_session()
        k = world.order[pos]
        item = int(pick.choice(world.by_kp[k]))
        correct = learner.answer(item)
        for kk in p.item_kps[item]:
            answers[kk].append((t, correct))
            estimate[kk] = bkt_update(float(estimate[kk]), correct)
            if kk in pending:
                pending.pop(kk).after = correct
        recent.append(p.item_ids[item])
        run, asked = (run + 1 if correct else 0), asked + 1
        if not correct and world.resources.get(k):
            chosen = choose(k, world.resources[k], estimate, recent)
            window = [c for _, c in answers[k][-3:]]  # this wrong answer is the last
            known = bool(learner.mastered[k])
            after = _study(world, learner, k, chosen, effect, study.need_spread)
            moment = _Moment(chosen, k, sum(window) / len(window), after,
                             None if known else after)
            moments.append(moment)
            pending[k] = moment
        if run >= 3 or asked >= 10:
            pos, run, asked = (pos + 1) % len(world.order), 0, 0
    if scores is not None and form is not None:
        scores.append(fixed_form(learner, form))
    return moments


def _study(world: _World, learner: Learner, k: int, resource_id: str,
           rng: np.random.Generator, need_spread: float) -> bool:
    """Apply the usefulness model; whether the KP is mastered afterwards."""
    if not learner.mastered[k]:
        level = next(r.level for r in world.resources[k] if r.id == resource_id)
        gated = any(not learner.mastered[a] for a in world.params.prereqs[k])
        need = 0 if gated or learner.ability < -need_spread else (
            2 if learner.ability > need_spread else 1)
        fit = FIT[abs(LEVELS.index(level) - need)]
        if rng.random() < world.quality[resource_id] * fit:
            learner.mastered[k] = True
    return bool(learner.mastered[k])


def _fixed(world: _World) -> Chooser:
    def choose(k: int, resources: list[Resource], *_: object) -> str:
        return basic_first(_options(world, k, resources), 1)[0].option.id
    return choose


def _ranked(world: _World, uses: UseTable) -> Chooser:
    def choose(k: int, resources: list[Resource], estimate: np.ndarray,
               recent: list[str]) -> str:
        options = _options(world, k, resources)
        tags = interest_tags(recent, world.question_kps)
        text = profile_scores(world.index, recent[-100:], tags, [o.id for o in options])
        mastery = {world.params.kp_ids[k]: float(estimate[k])}
        return rank(options, uses, mastery, text, 3, challenge_share=0.0)[0].option.id
    return choose


def _random_choice(rng: np.random.Generator) -> Chooser:
    def choose(k: int, resources: list[Resource], *_: object) -> str:
        return resources[int(rng.integers(len(resources)))].id
    return choose


def _options(world: _World, k: int, resources: Sequence[Resource]) -> list[ResourceOption]:
    kp = world.params.kp_ids[k]
    return [ResourceOption(r.id, kp, r.level, r.title, str(r.kind)) for r in resources]


# --- statistics ----------------------------------------------------------------------------


def _paired(a: np.ndarray, b: np.ndarray) -> dict:
    """Mean of the learners' differences a - b (learners with a rate in both), 95 % CI, paired
    t-test p."""
    from scipy import stats

    both = ~np.isnan(a) & ~np.isnan(b)
    d = a[both] - b[both]
    if len(d) < 2:
        return {"learners": len(d), "diff": None, "ci95": None, "p": None}
    mean, se = float(d.mean()), float(d.std(ddof=1) / np.sqrt(len(d)))
    half = float(stats.t.ppf(0.975, len(d) - 1)) * se
    p = float(stats.ttest_rel(a[both], b[both]).pvalue) if se > 0 else None
    return {"learners": len(d), "diff": mean, "ci95": [mean - half, mean + half], "p": p}
