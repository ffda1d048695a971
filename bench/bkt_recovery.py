"""How well the tutor's per-KP BKT fit recovers the simulated learners' true parameters.

    .venv/bin/python bench/bkt_recovery.py [--domain demo | --data DIR] [--seed 100]
        [--restarts 1 5]

The classroom study's tutor fits BKT per KP on its historical cohort's logs
(``models.kp_bkt``, as ``evaluation.tutor_policy.train_tutor`` does) and starts every new
learner's mastery of a KP from the fitted prior. The simulator knows the truth: per fitted
parameter (prior, learn, guess, slip) this prints the correlation with the true one over the
KPs, the mean absolute error and both means, once per ``--restarts`` setting of the EM
(``models.bkt_em.EmConfig.restarts``; pyBKT's ``num_fits`` defaults to 5, ours to 1). The
truth's BKT is not the simulator's whole model (forgetting between sessions, fatigue, gating by
prerequisites, item difficulty and learner ability shift the answers), so a BKT fit cannot
recover it exactly; how far it is off is what this shows.
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

import numpy as np

from evaluation.domains import demo_domain, lpp_domain
from evaluation.policies import Bank
from evaluation.study import StudyConfig, history
from models.bkt_em import EmConfig
from models.kp_bkt import KpBktConfig, fit_kp_bkt

FIELDS = ("prior", "learn", "guess", "slip")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--domain", choices=["demo"], default=None)
    parser.add_argument("--data", type=Path, default=None, help="an lpp-format folder")
    parser.add_argument("--seed", type=int, default=100, help="a tuning seed, not a reported one")
    parser.add_argument("--restarts", type=int, nargs="+", default=[1, 5])
    args = parser.parse_args()
    var = Path(os.environ.get("KGTUTOR_VAR", "var"))
    domain = lpp_domain(args.data, var / "sim") if args.data else demo_domain()
    truth = domain.params
    _, logs = history(domain, Bank(truth), StudyConfig(), args.seed, truth.prereqs)
    print(f"{domain.name}, seed {args.seed}: {truth.n_kps} KPs, {len(logs.items)} historical "
          "learners; per parameter: r with the truth, mean abs error, mean fitted / true")
    print("| EM restarts | seconds | " + " | ".join(FIELDS) + " |")
    print("|---:|---:|" + "---|" * len(FIELDS))
    for restarts in args.restarts:
        started = time.perf_counter()
        fit = fit_kp_bkt(logs.items, logs.correct, truth.item_kps, truth.n_kps,
                         KpBktConfig(seed=args.seed, em=EmConfig(restarts=restarts)))
        cells = []
        for name in FIELDS:
            est = np.array([getattr(b, name) for b in fit.params])
            true = np.asarray(getattr(truth, name), dtype=float)
            cells.append(f"r {np.corrcoef(est, true)[0, 1]:.2f}, "
                         f"{np.mean(np.abs(est - true)):.3f}, {est.mean():.2f} / {true.mean():.2f}")
        print(f"| {restarts} | {time.perf_counter() - started:.1f} | " + " | ".join(cells) + " |",
              flush=True)


if __name__ == "__main__":
    main()
