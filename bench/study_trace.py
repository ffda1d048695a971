"""Where each arm of the classroom study spends its questions: a trace of one seed.

Every answer of ``--learners`` learners per arm on one seed of ``kgtutor evaluate learning``
(the same historical cohort, training and learners as the study's paired design), labelled by
the learner's true state of each KP the question practises, just before the answer:

* ``mastered``: the learner already knows the KP (over-practice), split into ``known``
  (known before practice began: the tutor had to find out) and ``learnt`` (learnt during
  practice: the tutor had to notice);
* ``gated``: not known, and a prerequisite is not known either (learning is slowed by the
  simulator's ``gate``);
* ``open``: not known, every prerequisite known (learning at the KP's full rate).

It prints the shares and the mean true learn rate of the gated and the open KPs practised: what
v7 of the study found (``docs/evaluation/learning.md``) was a tutor that found open KPs often
but slow ones. Arms: kgtutor (also given the pre-test's answers, as ``evaluate learning
--pretest seen``), its frontier-only and no-graph variants, fixed, mastery (also given the
pre-test's answers), oracle.

    .venv/bin/python bench/study_trace.py [--domain demo | --data DIR] [--seed 100]
        [--learners 60]
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

import numpy as np

from evaluation.classroom import practise
from evaluation.domains import Domain, demo_domain, lpp_domain
from evaluation.learner import Learner, standard_form
from evaluation.policies import Bank, Fixed, Mastery, Oracle, Policy
from evaluation.study import StudyConfig, history, seeded
from evaluation.tutor_policy import KgTutor, Switches, TutorModels, train_tutor
from models.threads import one_thread

KINDS = ("known", "learnt", "gated", "open")


class TracedLearner(Learner):
    """A learner that records, per KP practised, its true state and learn rate."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.trace: list[tuple[str, float]] = []
        self.known = self.mastered.copy()  # before practice

    def answer(self, item: int) -> bool:
        for k in self.params.item_kps[item]:
            kind = ("known" if self.known[k] else "learnt") if self.mastered[k] else (
                "gated" if self._gated(k) else "open")
            self.trace.append((kind, float(self.params.learn[k])))
        return super().answer(item)


def arms(tutor: TutorModels, bank: Bank, order: list[int], budget: int
         ) -> dict[str, tuple[Policy, bool]]:
    """Each arm's policy and whether it is given the pre-test's answers (``--pretest seen``)."""
    return {"kgtutor": (KgTutor(tutor), False),
            "kgtutor_pretest_seen": (KgTutor(tutor), True),
            "kgtutor_hard_frontier": (KgTutor(tutor, Switches(ready=None)), False),
            "kgtutor_no_graph": (KgTutor(tutor, Switches(graph=False)), False),
            "fixed": (Fixed(bank, order, budget), False),
            "mastery": (Mastery(bank, order), False),
            "mastery_pretest_seen": (Mastery(bank, order), True),
            "oracle": (Oracle(bank, order), False)}


def trace(domain: Domain, seed: int, learners: int) -> None:
    config, params = StudyConfig(), domain.params
    bank, form = Bank(params), standard_form(params)
    order, logs = history(domain, bank, config, seed, params.prereqs)
    tutor = train_tutor(params, params.prereqs, order, logs, seed=seed)
    seeds = seeded(seed, "cohort").integers(2**63, size=learners)
    print(f"{domain.name}, seed {seed}, {learners} learners per arm (the same in every arm)")
    print(f"{'arm':<24}{'post':>6}" + "".join(f"{k:>8}" for k in KINDS)
          + f"{'learn gated':>13}{'learn open':>12}")
    for name, (policy, seen) in arms(tutor, bank, order, config.practice.budget).items():
        posts, steps = [], []
        for j, s in enumerate(seeds):
            learner = TracedLearner(params, np.random.default_rng(s))
            posts.append(practise(policy, learner, j, config.practice, form,
                                  domain.chapters, seen).post)
            steps += learner.trace
        share = {k: sum(kind == k for kind, _ in steps) / len(steps) for k in KINDS}
        rate = {k: np.mean([r for kind, r in steps if kind == k] or [np.nan]) for k in KINDS}
        print(f"{name:<24}{np.mean(posts):>6.1f}" + "".join(f"{share[k]:>8.0%}" for k in KINDS)
              + f"{rate['gated']:>13.3f}{rate['open']:>12.3f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--domain", choices=["demo"], default=None)
    parser.add_argument("--data", type=Path, default=None, help="an lpp-format folder")
    parser.add_argument("--seed", type=int, default=100, help="a tuning seed, not a reported one")
    parser.add_argument("--learners", type=int, default=60)
    args = parser.parse_args()
    one_thread()
    var = Path(os.environ.get("KGTUTOR_VAR", "var"))
    domain = lpp_domain(args.data, var / "sim") if args.data else demo_domain()
    trace(domain, args.seed, args.learners)


if __name__ == "__main__":
    main()
