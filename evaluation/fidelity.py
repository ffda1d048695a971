"""Does the simulator behave like the data it was fitted on? The study's fidelity control.

The real students' question sequences (train and test, in their order) are replayed by
simulated learners, one fresh learner per real student, with a new session every
``per_session`` answers (the real logs carry no sessions); each real answer is replaced by the
simulated one. Then:

* per KP, the share of right answers, real against simulated (Pearson r, and the overall
  rates), always: a few seconds;
* with ``fidelity_auc``: the project's Bi-LSTM trained on the simulated train students and
  scored on the simulated test students, against the same on the real data
  (``models.training.fit_bilstm`` / ``score_bilstm``, as `kgtutor evaluate kt`); two trainings
  on ASSIST2009 add about 70 s on two cores.

A data set of more than ``MAX_ANSWERS`` answers is compared on a random share of its students
(the same students, real and simulated; train and test students sampled alike), so that a
log ten times ASSIST2009's does not train two Bi-LSTMs on millions of answers. ASSIST2009's
278,336 answers are all used. The JSON says how many students were compared.

The issue's goal: the two AUCs within ±0.05.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import replace
from typing import TYPE_CHECKING, Any

import numpy as np

from evaluation.learner import Learner, SimParams

MAX_ANSWERS = 300_000  # answers compared at most (ASSIST2009 has 278,336)

if TYPE_CHECKING:
    from evaluation.domains import Domain
    from evaluation.study import StudyConfig
    from models.kt_data import Histories, KTData


def fidelity(domain: Domain, config: StudyConfig,
             track: Callable[[Iterable[Any], str, int], Iterable[Any]]
             ) -> tuple[dict, tuple[np.ndarray, np.ndarray] | None]:
    """The fidelity figures, and the per-KP right-answer rates (real, simulated)."""
    kt = domain.real
    if kt is None:
        return {"auc_sim": None, "auc_real": None,
                "note": "no real data: this domain's parameters are drawn, not fitted"}, None
    rng = np.random.default_rng(config.first_seed)
    kt, compared = capped(kt, MAX_ANSWERS, rng)
    train = replay(kt.train, domain.params, kt.item_ids, config.practice.per_session, rng,
                   track, "fidelity: train")
    test = replay(kt.test, domain.params, kt.item_ids, config.practice.per_session, rng,
                  track, "fidelity: test")
    sim = replace(kt, train=train, test=test)
    real_rate, sim_rate = kp_rates(kt.everyone, kt), kp_rates(sim.everyone, kt)
    seen = ~np.isnan(real_rate) & ~np.isnan(sim_rate)
    out: dict = {
        "per_kp_r": float(np.corrcoef(real_rate[seen], sim_rate[seen])[0, 1]),
        "correct_rate_real": float(np.concatenate(kt.everyone.correct).mean()),
        "correct_rate_sim": float(np.concatenate(sim.everyone.correct).mean()),
        "auc_sim": None, "auc_real": None, **compared}
    if config.fidelity_auc:
        out["auc_sim"], out["auc_real"] = bilstm_auc(sim, config), bilstm_auc(kt, config)
        out["auc_within_0_05"] = abs(out["auc_sim"] - out["auc_real"]) <= 0.05
    else:
        out["note"] = "AUCs not computed (--no-fidelity)"
    return out, (real_rate, sim_rate)


def capped(kt: KTData, max_answers: int, rng: np.random.Generator) -> tuple[KTData, dict]:
    """``kt`` itself, or a random share of its train and test students (each side sampled in a
    random order until its share of ``max_answers`` is reached), and how many were kept."""
    total = kt.train.n_responses + kt.test.n_responses
    if total <= max_answers:
        return kt, {"students_compared": len(kt.train) + len(kt.test), "sampled": False}
    share = max_answers / total
    sides = []
    for side in (kt.train, kt.test):
        budget, used, keep = share * side.n_responses, 0, []
        for i in rng.permutation(len(side)).tolist():
            if keep and used + len(side.items[i]) > budget:
                break
            keep.append(i)
            used += len(side.items[i])
        sides.append(side.subset(sorted(keep)))
    small = replace(kt, train=sides[0], test=sides[1])
    return small, {"students_compared": len(sides[0]) + len(sides[1]), "sampled": True}


def replay(histories: Histories, params: SimParams, item_ids: tuple[str, ...],
           per_session: int, rng: np.random.Generator,
           track: Callable[[Iterable[Any], str, int], Iterable[Any]], label: str) -> Histories:
    """The same question sequences answered by simulated learners (answers on questions the
    simulator does not know, having no KP, stay real)."""
    from models.kt_data import Histories

    to_sim = np.array([params.item_index.get(q, -1) for q in item_ids])
    answers = []
    for items, real in track(list(zip(histories.items, histories.correct, strict=True)), label,
                             len(histories)):
        learner = Learner(params, np.random.default_rng(rng.integers(2**63)))
        out = np.array(real, copy=True)
        for t, q in enumerate(to_sim[items].tolist()):
            if t and t % per_session == 0:
                learner.new_session()
            if q >= 0:
                out[t] = learner.answer(q)
        answers.append(out)
    return Histories(histories.students, histories.items, tuple(answers))


def kp_rates(histories: Histories, kt: KTData) -> np.ndarray:
    """Per KP the share of right answers on questions testing it (NaN: never answered)."""
    items = np.concatenate(histories.items)
    correct = np.concatenate(histories.correct).astype(float)
    skills = kt.item_skills[items]  # (N, W)
    rows, cols = np.nonzero(skills >= 0)
    kps = skills[rows, cols]
    n = np.bincount(kps, minlength=kt.n_skills)
    right = np.bincount(kps, correct[rows], minlength=kt.n_skills)
    return np.where(n > 0, right / np.maximum(n, 1), np.nan)


def bilstm_auc(kt: KTData, config: StudyConfig) -> float:
    """Test AUC of the Bi-LSTM trained on ``kt``'s train students (the product's training)."""
    from models.bilstm import BiLstmConfig
    from models.training import BiLstmTraining, fit_bilstm, score_bilstm

    training = BiLstmTraining()
    model, _ = fit_bilstm(kt, BiLstmConfig(kt.n_items, kt.n_skills), training,
                          config.first_seed)
    return score_bilstm(model, kt, kt.test, training).metrics()["auc"]
