"""`kgtutor evaluate cat`: how well the adaptive test measures θ, against two fixed forms.

Simulated examinees with known θ ~ N(0, 1) answer the 2PL item bank fitted on a data set
(``models.training.calibrate_irt``; questions with fewer than ``min_responses`` answers are left
out: their a and b rest on too little). Each examinee sits three forms, every answer drawn from
the 2PL with the true θ, and θ is estimated the same way for all three (``models.cat``):

* ``cat``: the adaptive test (maximum information, randomesque 40, SE ≤ 0.3 or 20 items);
* ``fixed30``: 30 items drawn at random from the bank once, the same for everyone;
* ``info20``: the 20 items most informative at θ = 0.

Reported per form: correlation of estimated with true θ, RMSE, bias, median and 90th
percentile of test length, and the exposure rate of the most used item (the share of
examinees who saw it).

:func:`cold_start` asks what placement buys a new student: the product's recommender
(``tutor.recommend``) lists questions with θ unknown, after placement as the product does it
(θ and the prior mastery per KP of ``tutor.placement``), and with θ alone; the truth scores
each list by the share of its questions whose true P(correct) falls in the recommender's band.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import numpy as np

from models.cat import Cat, CatConfig, Sitting, most_informative, sit, sit_fixed
from tutor.recommend_types import Catalogue, RecConfig

Track = Callable[[Iterable[int], str, int], Iterable[int]]


@dataclass(frozen=True)
class CatStudy:
    examinees: int = 1000
    seed: int = 0
    min_responses: int = 50
    fixed_items: int = 30
    info_items: int = 20
    cat: CatConfig = field(default_factory=CatConfig)


def evaluate_cat(a: np.ndarray, b: np.ndarray, responses: np.ndarray,
                 study: CatStudy = CatStudy(), track: Track = lambda x, _l, _n: x) -> dict:
    """The report (module docstring) on the bank ``a``, ``b`` with ``responses`` per item."""
    usable = np.flatnonzero(np.asarray(responses) >= study.min_responses)
    if len(usable) < study.fixed_items:
        raise ValueError(f"only {len(usable)} questions have {study.min_responses} answers or "
                         f"more: too few for a {study.fixed_items}-item form")
    a, b = np.asarray(a, float)[usable], np.asarray(b, float)[usable]
    cat = Cat(a, b, study.cat)
    rng = np.random.default_rng(study.seed)
    true = rng.normal(0.0, 1.0, study.examinees)
    fixed = [int(i) for i in rng.choice(len(a), study.fixed_items, replace=False)]
    info = most_informative(a, b, study.info_items)
    sittings: dict[str, list[Sitting]] = {"cat": [], "fixed30": [], "info20": []}
    for e in track(range(study.examinees), "examinees", study.examinees):
        answers = np.random.default_rng([study.seed, e])  # the same answers on every form
        draws = answers.random(len(a))  # one uniform per item: a form's answer to item i

        def answer(i: int, theta: float = float(true[e]), u: np.ndarray = draws) -> bool:
            return bool(u[i] < 1.0 / (1.0 + np.exp(-a[i] * (theta - b[i]))))

        sittings["cat"].append(sit(cat, answer, np.random.default_rng([study.seed, e, 1])))
        sittings["fixed30"].append(sit_fixed(cat, fixed, answer))
        sittings["info20"].append(sit_fixed(cat, info, answer))
    return {"bank": {"items": len(a), "left_out": int(len(responses) - len(a)),
                     "min_responses": study.min_responses},
            "examinees": study.examinees, "seed": study.seed,
            "cat_config": {"max_items": study.cat.max_items, "se_stop": study.cat.se_stop,
                           "randomesque": study.cat.randomesque},
            "forms": {name: _summary(true, s, len(a)) for name, s in sittings.items()}}


def cold_start(catalogue: Catalogue, a: np.ndarray, b: np.ndarray, usable: np.ndarray,
               students: int = 300, seed: int = 0, config: RecConfig = RecConfig()) -> dict:
    """New students of known θ ~ N(0, 1), recommended to three ways: from the roots (θ unknown,
    the prior's 0), after a placement test as the product places them (θ and its variance from
    the adaptive test on the ``usable`` items, and the prior mastery per KP that
    ``tutor.placement`` spreads over the graph from it), and with θ alone. Reported per arm:
    the share of recommended questions whose true P(correct) lies in the band."""
    from tutor.placement import placement_priors
    from tutor.recommend import recommend
    from tutor.recommend_types import LearnerState

    cat = Cat(a[usable], b[usable])
    rng = np.random.default_rng([seed, 7])
    low, high = config.band
    shares: dict[str, list[float]] = {"roots": [], "placement": [], "placement_theta_only": []}
    lengths = []
    for s, theta in enumerate(rng.normal(0.0, 1.0, students)):
        draws = np.random.default_rng([seed, 7, s]).random(len(usable))
        test = sit(cat, lambda i, u=draws, t=theta: bool(
            u[i] < 1 / (1 + np.exp(-cat.a[i] * (t - cat.b[i])))), rng)
        lengths.append(len(test.items))
        answers: dict[str, list[bool]] = {}
        for i, right in zip(test.items, test.answers, strict=True):
            facts = catalogue.questions.get(str(int(usable[i])))
            if facts is not None and facts.kp_ids:
                answers.setdefault(facts.kp_ids[0], []).append(right)
        placed = placement_priors(test.theta, catalogue.prerequisites, catalogue.known_share,
                                  answers, config.mastery_threshold, config.ability_prior,
                                  catalogue.kp_bkt)
        fit = dict(theta=test.theta, theta_var=test.se ** 2, theta_responses=len(test.items))
        for arm, state in (("roots", LearnerState(f"new{s}", {}, ())),
                           ("placement", LearnerState(f"new{s}", {}, (), **fit, placed=placed,
                                                      placed_at=0)),
                           ("placement_theta_only", LearnerState(f"new{s}", {}, (), **fit))):
            items = recommend(catalogue, state, config).items
            p = np.array([1 / (1 + np.exp(-a[int(r.question_id)] * (theta
                          - b[int(r.question_id)]))) for r in items])
            shares[arm].append(float(np.mean((p >= low) & (p <= high))) if len(p) else 0.0)
    return {"students": students, "band": [low, high],
            "placement_items_median": float(np.median(lengths)),
            "in_band_share": {arm: float(np.mean(v)) for arm, v in shares.items()}}


def _summary(true: np.ndarray, sittings: list[Sitting], n_items: int) -> dict:
    est = np.array([s.theta for s in sittings])
    lengths = np.array([len(s.items) for s in sittings])
    seen = np.zeros(n_items)
    for s in sittings:
        seen[list(s.items)] += 1
    return {"corr": float(np.corrcoef(true, est)[0, 1]),
            "rmse": float(np.sqrt(np.mean((est - true) ** 2))),
            "bias": float(np.mean(est - true)),
            "median_items": float(np.median(lengths)),
            "p90_items": float(np.percentile(lengths, 90)),
            "max_exposure": float(seen.max() / len(sittings))}


def markdown(report: dict) -> str:
    """The forms' table, and the cold-start shares when the report has them."""
    lines = [f"{report['examinees']} simulated examinees, θ ~ N(0, 1); item bank of "
             f"{report['bank']['items']} questions ({report['bank']['left_out']} with fewer "
             f"than {report['bank']['min_responses']} answers left out)", "",
             "| form | corr | RMSE | bias | median items | p90 items | max exposure |",
             "|---|---:|---:|---:|---:|---:|---:|"]
    for name, f in report["forms"].items():
        lines.append(f"| {name} | {f['corr']:.3f} | {f['rmse']:.3f} | {f['bias']:+.3f} | "
                     f"{f['median_items']:.0f} | {f['p90_items']:.0f} | "
                     f"{f['max_exposure']:.1%} |")
    if "cold_start" in report:
        c = report["cold_start"]
        low, high = c["band"]
        lines += ["", f"Cold start, {c['students']} new students: share of the first list's "
                  f"questions whose true P(correct) lies in {low}-{high}: from the roots "
                  f"{c['in_band_share']['roots']:.1%}, after placement "
                  f"({c['placement_items_median']:.0f} items at the median; θ and prior "
                  f"mastery) {c['in_band_share']['placement']:.1%}, with θ alone "
                  f"{c['in_band_share']['placement_theta_only']:.1%}"]
    return "\n".join(lines) + "\n"
