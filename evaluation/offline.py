"""Our recommender on index-coded histories: the pipeline as the offline evaluation sees it.

What the graph provides online is built here from the train students instead: IRT a and b
(`fit_irt_on`), a prerequisite graph inferred from the answers (ASSISTments ships none), KP
order from when students first meet each KP, popularity, the peers' BKT mastery matrix and the
sequence model (the Bi-LSTM mixed with the train question transitions). A test prefix becomes
a :class:`~tutor.recommend_types.LearnerState` (BKT mastery over the prefix, θ estimated by the
pipeline from the prefix); question ids are the indices as strings.

:class:`SequenceOnly` is an ablation, not a product: the same sequence model ranking every
question, without the frontier, the band or the spread over KPs, so the report shows what
those pedagogical constraints cost in hits. :func:`compare_recommenders` is the run of
`kgtutor evaluate rec`: ours, the baselines and the ablation replayed on the same test students.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import replace

import numpy as np

from evaluation import recommend as rec_eval
from evaluation.baselines import MarkovChain, Popularity, UserCF
from models.bilstm import BiLstmConfig, BiLstmKT
from models.kt_data import Histories, KTData
from models.predictors import BiLstmPredictor
from models.training import BiLstmTraining, fit_bilstm, fit_irt_on
from models.transitions import QuestionTransitions
from tutor.ability import predict, theta_from_responses
from tutor.mastery import BktParams, bkt_update
from tutor.prereqs import infer_prerequisites
from tutor.recommend import Catalogue, PeerMastery, RecConfig, recommend
from tutor.recommend_types import LearnerState, QuestionFacts


class OfflineOurs:
    """``evaluation.recommend.Recommender`` over our pipeline; ``bilstm`` None trains one in fit."""

    def __init__(self, kt: KTData, config: RecConfig = RecConfig(),
                 bilstm: BiLstmKT | None = None, training: BiLstmTraining = BiLstmTraining(),
                 seed: int = 0, device: str = "cpu",
                 on_epoch: Callable[..., None] | None = None) -> None:
        self.kt, self.config, self.bilstm = kt, config, bilstm
        self.training, self.seed, self.device, self.on_epoch = training, seed, device, on_epoch

    def fit(self, train: Histories, n_items: int) -> None:
        kt = self.kt
        params = fit_irt_on(train, n_items, device=self.device)
        self.a, self.b = params.a, params.b
        edges = infer_prerequisites(train, kt.item_skills, kt.skill_ids).edges
        self.catalogue = lpp_catalogue(kt, train, params.a, params.b, edges)
        self.peers = PeerMastery(kt.skill_ids, np.array(
            [mastery_vector(i, c, kt.item_skills, kt.n_skills)
             for i, c in zip(train.items, train.correct, strict=True)]))
        if self.bilstm is None:
            self.bilstm, _ = fit_bilstm(replace(kt, train=train),
                                        BiLstmConfig(kt.n_items, kt.n_skills), self.training,
                                        self.seed, self.device, on_epoch=self.on_epoch)
        self.sequence = BiLstmPredictor(self.bilstm.cpu(), [str(i) for i in range(n_items)],
                                        self.training.chunk,
                                        QuestionTransitions.fit(train.items, n_items))

    def recommend(self, prefix_items: np.ndarray, prefix_correct: np.ndarray, n: int,
                  exclude: set[int] | None = None) -> list[int]:
        kt = self.kt
        mastery = mastery_vector(prefix_items, prefix_correct, kt.item_skills, kt.n_skills)
        state = LearnerState("s", dict(zip(kt.skill_ids, mastery.tolist(), strict=True)),
                             tuple((str(q), bool(c)) for q, c in zip(
                                 prefix_items.tolist(), prefix_correct.tolist(), strict=True)))
        result = recommend(self.catalogue, state, replace(self.config, n=n), self.peers,
                           self.sequence, exclude={str(i) for i in exclude or ()})
        return [int(r.question_id) for r in result.items]

    def band(self, prefix_items: np.ndarray, prefix_correct: np.ndarray) -> tuple[float, float]:
        """The difficulty band the pipeline aims the list's average at, for this prefix."""
        theta = self.theta(prefix_items, prefix_correct)
        low, high = self.config.band
        return theta - math.log(high / (1 - high)), theta - math.log(low / (1 - low))

    def p_correct(self, prefix_items: np.ndarray, prefix_correct: np.ndarray,
                  items: np.ndarray) -> np.ndarray:
        return predict(self.theta(prefix_items, prefix_correct), self.a[items], self.b[items])

    def theta(self, prefix_items: np.ndarray, prefix_correct: np.ndarray) -> float:
        return theta_from_responses(self.a[prefix_items], self.b[prefix_items],
                                    prefix_correct.astype(float))[0]


def compare_recommenders(kt: KTData, shares: Sequence[float], n: int = 10,
                         config: RecConfig = RecConfig(),
                         training: BiLstmTraining = BiLstmTraining(), seed: int = 0,
                         device: str = "cpu", on_epoch: Callable[..., None] | None = None
                         ) -> dict:
    """Fit ours on the train students (training its Bi-LSTM), then replay the test students
    through ours, the baselines and ``sequence_only``: :func:`evaluation.recommend.evaluate`'s
    report, with ours' IRT b as the difficulty and ours' band."""
    ours = OfflineOurs(kt, config, training=training, seed=seed, device=device,
                       on_epoch=on_epoch)
    ours.fit(kt.train, kt.n_items)
    methods = {"ours": ours, "popularity": Popularity(), "usercf": UserCF(),
               "markov": MarkovChain(), "sequence_only": SequenceOnly(ours.sequence)}
    return rec_eval.evaluate(methods, kt.train, kt.test, shares, kt.n_items,
                             rec_eval.RecEvalConfig(n=n), difficulty=ours.b, band=ours.band,
                             p_correct=ours.p_correct)


class SequenceOnly:
    """A fitted sequence model alone: the n questions of highest P(next)."""

    def __init__(self, sequence: BiLstmPredictor) -> None:
        self.sequence = sequence

    def fit(self, train: Histories, n_items: int) -> None:
        self.ids = [str(i) for i in range(n_items)]  # the model comes fitted

    def recommend(self, prefix_items: np.ndarray, prefix_correct: np.ndarray, n: int,
                  exclude: set[int] | None = None) -> list[int]:
        history = tuple((str(q), bool(c)) for q, c in zip(
            prefix_items.tolist(), prefix_correct.tolist(), strict=True))
        if not history:
            return []
        p = self.sequence.next_probs(history, self.ids)
        p[list(exclude or ())] = -1.0
        return [int(q) for q in np.argsort(-p, kind="stable")[:n] if p[q] >= 0]


def lpp_catalogue(kt: KTData, train: Histories, a: np.ndarray, b: np.ndarray,
                  edges: tuple) -> Catalogue:
    """What the graph would hand the recommender for an lpp data set: questions by index with
    their 2PL parameters, the given prerequisite edges, curriculum order by when students first
    meet a KP, popularity as attempts."""
    questions = {str(i): QuestionFacts(str(i), tuple(kt.skill_ids[k] for k in row if k >= 0),
                                       float(a[i]), float(b[i]))
                 for i, row in enumerate(kt.item_skills.tolist())}
    prerequisites: dict[str, list[str]] = {k: [] for k in kt.skill_ids}
    for e in edges:
        prerequisites[e.after].append(e.before)
    attempts = np.zeros(kt.n_skills)
    first_seen = np.zeros(kt.n_skills)  # sum over students of the relative first position
    students = np.zeros(kt.n_skills)  # students who met the KP
    for items in train.items:
        skills = kt.item_skills[items]  # (T, S)
        for k in np.unique(skills[skills >= 0]):
            attempts[k] += int((skills == k).sum())
            first_seen[k] += np.argmax((skills == k).any(1)) / max(len(items) - 1, 1)
            students[k] += 1
    # curriculum order: KPs students meet early in their history come first
    order_key = np.where(students > 0, first_seen / np.maximum(students, 1), 1.0)
    order = {kt.skill_ids[k]: int(r) for r, k in enumerate(np.argsort(order_key, kind="stable"))}
    return Catalogue(dict(zip(kt.skill_ids, kt.skill_names, strict=True)),
                     {k: tuple(sorted(v)) for k, v in prerequisites.items()}, order, questions,
                     {kt.skill_ids[k]: int(attempts[k]) for k in range(kt.n_skills)})


def mastery_vector(items: np.ndarray, correct: np.ndarray, item_skills: np.ndarray,
                   n_skills: int, bkt: BktParams = BktParams()) -> np.ndarray:
    """BKT P(known) per KP after these answers (0 where never practised)."""
    p = np.full(n_skills, bkt.prior)
    seen = np.zeros(n_skills, dtype=bool)
    for q, c in zip(items.tolist(), correct.tolist(), strict=True):
        for k in item_skills[q]:
            if k >= 0:
                p[k] = bkt_update(p[k], bool(c), bkt)
                seen[k] = True
    return np.where(seen, p, 0.0)
