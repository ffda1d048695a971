"""The trained models behind the recommender's predictor ports, spoken to in graph ids.

The recommender (``tutor.recommend``) asks by graph id ("lpp:q:123") about a history of
``(question id, correct)`` pairs; the models think in dense indices and tensors. These adapters
translate once per call and keep the model loaded (the caller loads it once).

:class:`BiLstmPredictor` scores C candidate next questions in one pass. Every candidate sees
the same history, so the history's state (Bi-LSTM blocks, forward LSTM) is computed once with
B = 1 (:meth:`models.bilstm.BiLstmKT.context`) and only the next step's attention and head run
for the C candidates: replicating the history C times costs C times the LSTM work for the same
numbers. Like a training chunk, the model reads at most ``chunk - 1`` recent steps before the
target; the past counts still cover the whole history.

:class:`ProgressPredictor` builds the progress model's 30-step window exactly as training does
(:func:`models.progress_data.window_features`) and reads its heads.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import lru_cache, partial

import numpy as np
import torch
from sklearn.feature_extraction.text import TfidfVectorizer

from models.bilstm import BiLstmKT, NextStep
from models.kt_batches import N_COUNTS
from models.progress import ProgressLSTM
from models.progress_data import ProgressDataConfig, text_matrix, window_features
from models.transitions import QuestionTransitions
from tutor.errors import InvalidInput

History = Sequence[tuple[str, bool]]


class BiLstmPredictor:
    """P(correct) and P(next) of questions as a student's next step (``SequenceModel``).

    P(next) is the candidate head's softmax over every question, mixed (weight ``mix``) with
    the train ``transitions`` out of the student's last question when that question has any:
    the head generalises, the table remembers which problem of a set follows which.
    """

    def __init__(self, model: BiLstmKT, item_ids: Sequence[str], chunk: int = 200,
                 transitions: QuestionTransitions | None = None, mix: float = 0.5, *,
                 dataset: str | None = None) -> None:
        if len(item_ids) != model.config.n_items:
            raise InvalidInput(f"{len(item_ids)} item ids for a model of "
                               f"{model.config.n_items} questions")
        if chunk < 1:
            raise InvalidInput(f"chunk must be at least 1, got {chunk}")
        if transitions is not None and transitions.n_items != len(item_ids):
            raise InvalidInput(f"a transition table of {transitions.n_items} questions for a "
                               f"model of {len(item_ids)}")
        if not 0 <= mix <= 1:
            raise InvalidInput(f"mix must lie in [0, 1], got {mix}")
        self.model = model.eval()
        self.chunk, self.transitions, self.mix = chunk, transitions, mix
        self.dataset = dataset  # the graph dataset it was trained on, when saved with it
        self.item_ids = tuple(item_ids)
        self._index = {q: i for i, q in enumerate(item_ids)}
        skills = model.item_skills[:-1].cpu().numpy()  # drop the padding item's row
        self._item_skills = np.where(skills == model.config.n_skills, -1, skills)
        with torch.inference_mode():  # every call scores every question: vectors once
            self._vectors = model.question_vectors(torch.arange(len(item_ids)))
        self._last: tuple[tuple, NextStep, np.ndarray] | None = None  # one history's state
        self._group = lru_cache(maxsize=8192)(partial(_indices, self._index))

    def predict(self, history: History, question_ids: Sequence[str]
                ) -> tuple[np.ndarray, np.ndarray]:
        """(P(correct), P(next)) of each question, (C,) each, after this history."""
        items, correct = self._history(history)
        targets = _indices(self._index, question_ids)
        counts = next_step_counts(items, correct, self._item_skills, targets)
        step, next_p = self._state(history, items, correct)
        with torch.inference_mode():
            logits = self.model.score_targets(step, torch.from_numpy(targets),
                                              torch.from_numpy(counts))
        return torch.sigmoid(logits).numpy(), next_p[targets]

    def next_probs(self, history: History, question_ids: Sequence[str]) -> np.ndarray:
        """P(next) of each question (C,): cheap, no correctness head."""
        items, correct = self._history(history)
        return self._state(history, items, correct)[1][_indices(self._index, question_ids)]

    def next_mass(self, history: History, groups: Sequence[tuple[str, ...]]) -> np.ndarray:
        """Summed P(next) of each group of questions; a group's indices are looked up once
        (the groups are the catalogue's questions per KP, the same on every call)."""
        items, correct = self._history(history)
        p = self._state(history, items, correct)[1]
        return np.array([p[self._group(g)].sum() for g in groups], dtype=np.float64)

    def _history(self, history: History) -> tuple[np.ndarray, np.ndarray]:
        items = _indices(self._index, [q for q, _ in history])
        return items, np.fromiter((bool(c) for _, c in history), np.int64, len(history))

    def _state(self, history: History, items: np.ndarray, correct: np.ndarray
               ) -> tuple[NextStep, np.ndarray]:
        """The history's context and P(next) of every question; the last history's are kept,
        since the recommender asks twice about the same history (KPs, then questions)."""
        key = tuple(history)
        last = self._last
        if last is not None and last[0] == key:
            return last[1], last[2]
        recent = slice(max(0, len(items) - (self.chunk - 1)), len(items))
        with torch.inference_mode():
            step = self.model.context(torch.from_numpy(items[recent]),
                                      torch.from_numpy(correct[recent]))
            next_p = torch.softmax(self._vectors @ self.model.next_intent(step), 0).double()
        next_p = next_p.numpy()
        if self.transitions is not None and len(items) and self.mix > 0:
            after = self.transitions.after(int(items[-1]))
            if after.any():
                next_p = (1 - self.mix) * next_p + self.mix * after
        self._last = (key, step, next_p)  # one assignment: safe to share between threads
        return step, next_p


def next_step_counts(items: np.ndarray, correct: np.ndarray, item_skills: np.ndarray,
                     candidates: np.ndarray) -> np.ndarray:
    """Past counts (C, N_COUNTS) of each candidate as the step after the history.

    The row ``models.kt_batches._past_counts`` gives position T of ``history + [candidate]``,
    in O(T + C·S) rather than O(C·T).
    """
    sink = int(item_skills.max(initial=-1)) + 1  # where padding skills count, then zeroed
    skills = np.where(item_skills < 0, sink, item_skills)  # (N, S)
    out = np.zeros((len(candidates), N_COUNTS), dtype=np.float32)
    for col, answered in ((0, correct), (1, 1 - correct)):
        per_item = np.bincount(items, answered, minlength=len(item_skills))
        per_skill = np.bincount(skills[items].ravel(), np.repeat(answered, skills.shape[1]),
                                minlength=sink + 1)
        per_skill[sink] = 0
        out[:, col] = per_item[candidates]
        out[:, 2 + col] = per_skill[skills[candidates]].sum(1)
        out[:, 4 + col] = answered.sum()
    return np.log1p(out)


class ProgressPredictor:
    """The progress model's weakest KP and progress for a history (``WeakKPModel``)."""

    def __init__(self, model: ProgressLSTM, data_config: ProgressDataConfig,
                 vectorizer: TfidfVectorizer, item_ids: Sequence[str],
                 item_texts: Sequence[str], item_skills: np.ndarray,
                 skill_ids: Sequence[str], *, dataset: str | None = None) -> None:
        if not len(item_ids) == len(item_texts) == len(item_skills):
            raise InvalidInput(f"{len(item_ids)} item ids, {len(item_texts)} texts and "
                               f"{len(item_skills)} skill rows must match")
        if len(skill_ids) != model.config.n_skills:
            raise InvalidInput(f"{len(skill_ids)} skill ids for a model of "
                               f"{model.config.n_skills} skills")
        if model.config.n_features != data_config.n_features:
            raise InvalidInput(f"model reads {model.config.n_features} features; the data "
                               f"config builds {data_config.n_features}")
        self.model = model.eval()
        self.config = data_config
        self.dataset = dataset  # the graph dataset it was trained on, when saved with it
        self.item_ids = tuple(item_ids)
        self._index = {q: i for i, q in enumerate(item_ids)}
        self._text = text_matrix(vectorizer, item_texts, data_config.text_features)
        self._item_skills = np.asarray(item_skills)
        self._skill_ids = tuple(skill_ids)

    def weakest(self, history: History) -> str | None:
        """Graph id of the KP the model expects the most trouble with next; None if no history."""
        if not history:
            return None
        _, logits = self._heads(history)
        return self._skill_ids[int(logits.argmax())]

    def progress(self, history: History) -> float:
        """Expected progress (0-100) after the next window; 0 for an empty history."""
        return self._heads(history)[0] if history else 0.0

    def _heads(self, history: History) -> tuple[float, np.ndarray]:
        items = _indices(self._index, [q for q, _ in history])
        correct = np.fromiter((bool(c) for _, c in history), np.int64, len(history))
        x, mask = window_features(items, correct, self._text, self._item_skills,
                                  self.model.config.n_skills, self.config)
        with torch.inference_mode():
            (pct, logits), _ = self.model(torch.from_numpy(x[None]), torch.from_numpy(mask[None]))
        return float(pct[0]), logits[0].numpy()


def _indices(index: Mapping[str, int], ids: Sequence[str]) -> np.ndarray:
    """Dense indices of graph ids; an unknown id is the caller's mistake."""
    try:
        return np.fromiter(map(index.__getitem__, ids), np.int64, len(ids))
    except KeyError as e:
        raise InvalidInput(f"unknown question id {e.args[0]!r}: not in the model's items"
                           ) from None
