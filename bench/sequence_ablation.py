"""What the sequence model's parts and the recommender's constraints each cost in NDCG@10.

Trains the Bi-LSTM on ASSIST2009's train students (as `kgtutor evaluate rec` does), then replays
the first ``--students`` test students at one split with `evaluation.recommend`:

* ``markov``: the first-order Markov baseline;
* ``head``, ``table``, ``mixture``: the sequence model's P(next) alone over every question, with
  the transition table's weight at 0, 1 and 0.5 (the product's);
* ``mixture_band``, ``mixture_unmastered``, ``mixture_frontier``: the mixture's top 10 among
  the questions each constraint of the pipeline allows, one on top of the other: P(correct)
  (IRT and Bi-LSTM combined, as stage 2 does) inside the band; on a KP not yet mastered; on a
  frontier KP (not mastered, prerequisites mastered);
* ``ours``: the whole pipeline (frontier, band, challenge share, spread over three KPs, item
  exposure control) on the mixture;
* ``ours_1kp``: the same with one KP instead of three.

Below the table it prints where the student's next question (the first of the window) lies:
on the last question's KP, on the frontier, on a KP BKT counts mastered, behind an unmastered
prerequisite, inside the P(correct) band.

    .venv/bin/python bench/sequence_ablation.py [--data DIR] [--students 300] [--split 0.8]
"""

from __future__ import annotations

import argparse
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from evaluation import recommend as rec_eval
from evaluation.baselines import MarkovChain
from evaluation.offline import OfflineOurs, SequenceOnly, mastery_vector
from evaluation.recommend import RecEvalConfig
from models.kt_data import KTData
from models.predictors import BiLstmPredictor
from models.sources import load_responses
from models.transitions import QuestionTransitions
from tutor.ability import predict_marginal, theta_from_responses
from tutor.kp_ranking import frontier
from tutor.question_selection import combine
from tutor.recommend import RecConfig

RULES = ("band", "unmastered", "frontier")


@dataclass(frozen=True)
class View:
    """One prefix as the pipeline sees it, over every question."""

    next_p: np.ndarray  # (I,) the mixture's P(next)
    allowed: dict[str, np.ndarray]  # rule -> (I,) bool, each rule on top of the one before
    mastered: np.ndarray  # (S,) bool: BKT p >= tau
    frontier: np.ndarray  # (S,) bool


class Views:
    """Computes and keeps each prefix's :class:`View` (every restricted method reads it)."""

    def __init__(self, kt: KTData, ours: OfflineOurs) -> None:
        self.kt, self.ours = kt, ours
        self.ids = [str(i) for i in range(kt.n_items)]
        self._seen: dict[bytes, View] = {}

    def of(self, items: np.ndarray, correct: np.ndarray) -> View:
        key = items.tobytes() + correct.tobytes()
        if key not in self._seen:
            self._seen[key] = self._build(items, correct)
        return self._seen[key]

    def _build(self, items: np.ndarray, correct: np.ndarray) -> View:
        kt, ours, config = self.kt, self.ours, self.ours.config
        tau = config.mastery_threshold
        history = tuple((str(q), bool(c)) for q, c in zip(items.tolist(), correct.tolist(),
                                                         strict=True))
        p_kt, next_p = ours.sequence.predict(history, self.ids)
        theta, var = theta_from_responses(ours.a[items], ours.b[items], correct.astype(float))
        p_irt = predict_marginal(theta, var, ours.a, ours.b)
        p = combine(p_kt.astype(float), p_irt, config.kt_weight)  # as stage 2 does
        mastery = mastery_vector(items, correct, kt.item_skills, kt.n_skills)
        mastered = mastery >= tau
        ready = frontier(ours.catalogue, dict(zip(kt.skill_ids, mastery.tolist(), strict=True)),
                         tau)
        on_frontier = np.isin(np.array(kt.skill_ids), ready)
        band = (p >= config.band[0]) & (p <= config.band[1])
        unmastered = band & _on_any(kt.item_skills, ~mastered)
        return View(next_p, {"band": band, "unmastered": unmastered,
                             "frontier": unmastered & _on_any(kt.item_skills, on_frontier)},
                    mastered, on_frontier)


def _on_any(item_skills: np.ndarray, kps: np.ndarray) -> np.ndarray:
    """(I,) whether any KP of each question is in the (S,) mask."""
    return ((item_skills >= 0) & kps[np.maximum(item_skills, 0)]).any(axis=1)


class Restricted:
    """The mixture's top n among the questions a rule allows."""

    def __init__(self, views: Views, rule: str) -> None:
        self.views, self.rule = views, rule

    def fit(self, train: object, n_items: int) -> None:  # the views come fitted
        pass

    def recommend(self, prefix_items: np.ndarray, prefix_correct: np.ndarray, n: int,
                  exclude: set[int] | None = None) -> list[int]:
        view = self.views.of(prefix_items, prefix_correct)
        p = np.where(view.allowed[self.rule], view.next_p, -1.0)
        p[list(exclude or ())] = -1.0
        return [int(q) for q in np.argsort(-p, kind="stable")[:n] if p[q] >= 0]


def where_next_lies(kt: KTData, views: Views, test: object, split: float) -> dict[str, float]:
    """Shares of the test prefixes whose next question lies where each key says."""
    counts = dict.fromkeys(("same KP as the last", "KP on the frontier", "KP already mastered",
                            "an unmastered prerequisite", "P(correct) in band"), 0)
    cases = rec_eval.split_cases(test, split, RecEvalConfig())
    index = {k: i for i, k in enumerate(kt.skill_ids)}
    for case in cases:
        view = views.of(case.prefix_items, case.prefix_correct)
        nxt = int(case.window_items[0])
        kps = kt.item_skills[nxt][kt.item_skills[nxt] >= 0]
        last = kt.item_skills[case.prefix_items[-1]] if len(case.prefix_items) else []
        counts["same KP as the last"] += bool(set(kps) & {k for k in last if k >= 0})
        counts["KP on the frontier"] += bool(view.frontier[kps].any())
        counts["KP already mastered"] += bool(view.mastered[kps].all())
        counts["an unmastered prerequisite"] += any(
            not view.mastered[index[p]]
            for k in kps for p in views.ours.catalogue.prerequisites[kt.skill_ids[k]])
        counts["P(correct) in band"] += bool(view.allowed["band"][nxt])
    return {key: value / len(cases) for key, value in counts.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    default = Path(os.environ.get("KGTUTOR_DATA", "../shared/data")) / "assist2009" / "lpp"
    parser.add_argument("--data", type=Path, default=default)
    parser.add_argument("--students", type=int, default=300)
    parser.add_argument("--split", type=float, default=0.8)
    args = parser.parse_args()
    torch.set_num_threads(max(1, os.cpu_count() or 1))
    kt = load_responses(args.data)
    ours = OfflineOurs(kt)
    ours.fit(kt.train, kt.n_items)
    one_kp = OfflineOurs(kt, RecConfig(kp_count=1), bilstm=ours.bilstm)
    table = QuestionTransitions.fit(kt.train.items, kt.n_items)
    ids = [str(i) for i in range(kt.n_items)]
    views = Views(kt, ours)

    def sequence(mix: float) -> SequenceOnly:
        return SequenceOnly(BiLstmPredictor(ours.bilstm, ids, ours.training.chunk, table, mix))

    methods = {"markov": MarkovChain(), "head": sequence(0.0), "table": sequence(1.0),
               "mixture": sequence(0.5),
               **{f"mixture_{rule}": Restricted(views, rule) for rule in RULES},
               "ours": ours, "ours_1kp": one_kp}
    test = kt.test.subset(range(min(args.students, len(kt.test))))
    report = rec_eval.evaluate(methods, kt.train, test, [args.split], kt.n_items,
                               RecEvalConfig(n=10), difficulty=ours.b, band=ours.band,
                               p_correct=ours.p_correct)
    print(f"{len(test)} test students, split {args.split:g}\n")
    print(rec_eval.markdown_table(report))
    print("\n| the next question lies | share of prefixes |\n|---|---:|")
    for key, share in where_next_lies(kt, views, test, args.split).items():
        print(f"| {key} | {share:.0%} |")


if __name__ == "__main__":
    main()
