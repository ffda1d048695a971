"""What the sequence model's parts and the recommender's constraints each cost in NDCG@10.

Trains the Bi-LSTM on ASSIST2009's train students (as `kgtutor evaluate rec` does), then replays
the first ``--students`` test students at one split with `tutor.rec_eval`:

* ``markov``: the first-order Markov baseline;
* ``head``, ``table``, ``mixture``: the sequence model's P(next) alone over every question, with
  the transition table's weight at 0, 1 and 0.5 (the product's);
* ``ours``: the whole pipeline (frontier, band, spread over KPs) on the mixture;
* ``ours_1kp``: the same with one KP instead of three.

    .venv/bin/python bench/sequence_ablation.py [--data DIR] [--students 300] [--split 0.8]
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

import torch

from models.predictors import BiLstmPredictor
from models.rec_offline import OfflineOurs, SequenceOnly
from models.sources import load_lpp
from models.transitions import QuestionTransitions
from tutor import rec_eval
from tutor.rec_baselines import MarkovChain
from tutor.rec_eval import RecEvalConfig
from tutor.recommend import RecConfig


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    default = Path(os.environ.get("KGTUTOR_DATA", "../shared/data")) / "assist2009" / "lpp"
    parser.add_argument("--data", type=Path, default=default)
    parser.add_argument("--students", type=int, default=300)
    parser.add_argument("--split", type=float, default=0.8)
    args = parser.parse_args()
    torch.set_num_threads(max(1, os.cpu_count() or 1))
    kt = load_lpp(args.data)
    ours = OfflineOurs(kt)
    ours.fit(kt.train, kt.n_items)
    one_kp = OfflineOurs(kt, RecConfig(kp_count=1), bilstm=ours.bilstm)
    table = QuestionTransitions.fit(kt.train.items, kt.n_items)
    ids = [str(i) for i in range(kt.n_items)]

    def sequence(mix: float) -> SequenceOnly:
        return SequenceOnly(BiLstmPredictor(ours.bilstm, ids, ours.training.chunk, table, mix))

    methods = {"markov": MarkovChain(), "head": sequence(0.0), "table": sequence(1.0),
               "mixture": sequence(0.5), "ours": ours, "ours_1kp": one_kp}
    test = kt.test.subset(range(min(args.students, len(kt.test))))
    report = rec_eval.evaluate(methods, kt.train, test, [args.split], kt.n_items,
                               RecEvalConfig(n=10), difficulty=ours.b, band=ours.band,
                               p_correct=ours.p_correct)
    print(f"{len(test)} test students, split {args.split:g}\n")
    print(rec_eval.markdown_table(report))


if __name__ == "__main__":
    main()
