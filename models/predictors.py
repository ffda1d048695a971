"""The trained models behind the recommender's predictor ports, spoken to in graph ids.

The recommender (``tutor.recommend``) asks by graph id ("lpp:q:123") about a history of
``(question id, correct)`` pairs; the models think in dense indices and tensors. These adapters
translate once per call and keep the model loaded (the caller loads it once).

:class:`BiLstmPredictor` scores C candidate next questions in one pass. Every candidate sees
the same history, so the history's state (Bi-LSTM blocks, forward LSTM) is computed once
(:class:`models.bilstm_serving.NextStepHeads`) and only the next step's attention and head run
for the C candidates, as numpy over arrays folded from the model once. Like a training chunk,
the model reads at most ``chunk - 1`` recent steps before the target; the past counts still
cover the whole history.

:class:`ProgressPredictor` builds the progress model's 30-step window exactly as training does
(:func:`models.progress_data.window_features`) and reads its heads.

Both can hand out what their LSTMs worked out about a history (:meth:`BiLstmPredictor.kept`,
:meth:`ProgressPredictor.kept`) and take it back later (``recall``): the service keeps it in
the graph once they have run for a list, so the student's next first list on any worker reads
it rather than running the LSTMs again. What is kept carries a key of the history and of the
model, so a new answer or a retrained model makes it stale, and a stale one is ignored.
"""

from __future__ import annotations

import hashlib
import struct
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import torch
from cachetools import LRUCache
from sklearn.feature_extraction.text import TfidfVectorizer

from models.bilstm import BiLstmKT
from models.bilstm_serving import NextStep, NextStepHeads
from models.kt_batches import N_COUNTS
from models.progress import ProgressLSTM
from models.progress_data import ProgressDataConfig, text_matrix, window_features
from models.threads import this_thread
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
        self._heads = NextStepHeads(self.model)
        self._last = threading.local()  # .known: the last history this thread asked about
        self._groups: dict[int, tuple[tuple[str, ...], np.ndarray]] = {}  # id -> group, indices
        self._model_key = _fingerprint(self.model, f"chunk={chunk}")

    def predict(self, history: History, question_ids: Sequence[str]
                ) -> tuple[np.ndarray, np.ndarray]:
        """(P(correct), P(next)) of each question, (C,) each, after this history."""
        known = self._state(history)
        targets = _indices(self._index, question_ids)
        counts = next_step_counts(known.items, known.correct, self._item_skills, targets)
        logits = self._heads.logits(known.step, targets, counts)
        return 1.0 / (1.0 + np.exp(-logits)), known.next_p[targets]

    def next_probs(self, history: History, question_ids: Sequence[str]) -> np.ndarray:
        """P(next) of each question (C,): cheap, no correctness head."""
        return self._state(history).next_p[_indices(self._index, question_ids)]

    def next_mass(self, history: History, groups: Sequence[tuple[str, ...]]) -> np.ndarray:
        """Summed P(next) of each group of questions; a group's indices are looked up once
        (the groups are the catalogue's questions per KP, the same tuples on every call)."""
        p = self._state(history).next_p
        members = [self._members(g) for g in groups]
        flat = np.concatenate(members) if members else np.zeros(0, np.int64)
        group = np.repeat(np.arange(len(members)), [len(m) for m in members])
        return np.bincount(group, p[flat], minlength=len(members))

    def kept(self, history: History) -> bytes:
        """The history's LSTM state, packed with its key (:meth:`recall` takes it back)."""
        last: _Known | None = getattr(self._last, "known", None)
        if last is not None and last.key == tuple(history):
            step = last.step
        else:  # the context only: keeping needs no P(next)
            step = self._context(history)[2]
        return (_key(self._model_key, history)
                + struct.pack("<III", *step.blocks.shape, len(step.before))
                + step.blocks.tobytes() + step.before.tobytes() + step.last.tobytes())

    def recall(self, history: History, kept: bytes) -> bool:
        """Take back what :meth:`kept` packed for this history and this model, as if this
        thread had just worked it out; False (and nothing taken) if it is another's."""
        if not history or kept[:KEY_BYTES] != _key(self._model_key, history):
            return False
        blocks, width, hidden = struct.unpack_from("<III", kept, KEY_BYTES)
        floats = np.frombuffer(kept, np.float32, offset=KEY_BYTES + 12)
        body = blocks * width
        step = NextStep(floats[:body].reshape(blocks, width), floats[body:body + hidden],
                        floats[body + hidden:])
        self._last.known = self._known(history, step)
        return True

    def _members(self, group: tuple[str, ...]) -> np.ndarray:
        """A group's indices, kept by identity: hashing a tuple of hundreds of ids on every
        call cost more than the sums. The group is held, so its id is not reused meanwhile."""
        hit = self._groups.get(id(group))
        if hit is not None and hit[0] is group:
            return hit[1]
        if len(self._groups) >= 8192:  # groups of catalogues gone: start again
            self._groups.clear()
        indices = _indices(self._index, group)
        self._groups[id(group)] = (group, indices)
        return indices

    def _state(self, history: History) -> _Known:
        """The history as indices, its context and P(next) of every question; the last
        history's are kept, since the recommender asks about the same history several times
        (KPs, then questions), per thread (per greenlet in `kgtutor serve`'s workers, where
        ``threading.local`` is gevent's): concurrent calls would otherwise overwrite each
        other's and compute theirs again."""
        key = tuple(history)
        last: _Known | None = getattr(self._last, "known", None)
        if last is not None and last.key == key:
            return last
        items, correct, step = self._context(history)
        known = self._known(history, step, items, correct)
        self._last.known = known
        return known

    def _context(self, history: History) -> tuple[np.ndarray, np.ndarray, NextStep]:
        """The history as indices and the LSTMs' state after its last ``chunk - 1`` steps."""
        this_thread()
        items, correct = self._arrays(history)
        recent = slice(max(0, len(items) - (self.chunk - 1)), len(items))
        return items, correct, self._heads.context(items[recent], correct[recent])

    def _arrays(self, history: History) -> tuple[np.ndarray, np.ndarray]:
        items = _indices(self._index, [q for q, _ in history])
        return items, np.fromiter((bool(c) for _, c in history), np.int64, len(history))

    def _known(self, history: History, step: NextStep, items: np.ndarray | None = None,
               correct: np.ndarray | None = None) -> _Known:
        """What the calls after a history need, from its LSTM state: P(next) of every
        question, mixed with the transitions out of its last question."""
        if items is None or correct is None:
            items, correct = self._arrays(history)
        next_p = self._heads.next_probs(step)
        if self.transitions is not None and len(items) and self.mix > 0:
            followers, p = self.transitions.followers(int(items[-1]))
            if p.any():  # (1 - mix) P + mix T, where T is 0 outside the followers
                next_p *= 1 - self.mix
                next_p[followers] += self.mix * p
        return _Known(tuple(history), items, correct, step, next_p)


@dataclass(frozen=True)
class _Known:
    """What :class:`BiLstmPredictor` worked out about one history."""

    key: tuple
    items: np.ndarray
    correct: np.ndarray
    step: NextStep
    next_p: np.ndarray


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
                 skill_ids: Sequence[str], *, dataset: str | None = None,
                 figures: int = 20_000) -> None:
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
        self._figures: LRUCache[bytes, float] = LRUCache(figures)  # history's digest -> progress
        self._figures_lock = threading.Lock()
        self._model_key = _fingerprint(self.model, repr(data_config),
                                       self._text.tobytes(), self._item_skills.tobytes())
        self._last = threading.local()  # .weakest: (history, KP) this thread worked out last
        head = model.weakest_head
        self._weakest_w = head.weight.detach().float().numpy().T.copy()  # (H, K)
        self._weakest_b = head.bias.detach().float().numpy().copy()

    def weakest(self, history: History) -> str | None:
        """Graph id of the KP the model expects the most trouble with next; None if no history.

        One history, asked on every recommendation: the LSTM reads only the window's real
        steps (what training's padded batch reads at the last real step, the LSTM being
        causal from a zero state) and the head is one product in numpy, without the batch
        path's gathers and second head."""
        if not history:
            return None
        recalled = getattr(self._last, "weakest", None)
        if recalled is not None and recalled[0] == tuple(history):
            return recalled[1]
        this_thread()
        x, mask = self._window(history)
        with torch.inference_mode():
            out, _ = self.model.lstm(torch.from_numpy(x[mask][None]))
        last = out[0, -1].numpy()
        weakest = self._skill_ids[int((last @ self._weakest_w + self._weakest_b).argmax())]
        self._last.weakest = (tuple(history), weakest)  # what :meth:`kept` packs next
        return weakest

    def kept(self, history: History) -> bytes:
        """The weakest KP after the history, packed with its key (:meth:`recall`)."""
        weakest = self.weakest(history)
        at = -1 if weakest is None else self._skill_ids.index(weakest)
        return _key(self._model_key, history) + struct.pack("<i", at)

    def recall(self, history: History, kept: bytes) -> bool:
        """Take back what :meth:`kept` packed for this history and this model (the next
        :meth:`weakest` of it in this thread answers from it); False if it is another's."""
        if not history or kept[:KEY_BYTES] != _key(self._model_key, history):
            return False
        (at,) = struct.unpack_from("<i", kept, KEY_BYTES)
        self._last.weakest = (tuple(history), None if at < 0 else self._skill_ids[at])
        return True

    def progress_of(self, histories: Sequence[History]) -> list[float]:
        """Expected progress (0-100) after the next window of each history (0 for an empty
        one), the histories not seen lately in one pass of the model. A class report asks it
        of every student each time a tutor opens it, and most students have not answered
        since: a history's figure is kept (``figures`` histories, least recently used dropped),
        since it is a pure function of the history."""
        keys = [_digest(h) if h else None for h in histories]
        with self._figures_lock:
            found = {k: self._figures[k] for k in keys if k and k in self._figures}
        missing = {k: h for k, h in zip(keys, histories, strict=True) if k and k not in found}
        if missing:
            computed = dict(zip(missing, self._heads(list(missing.values()))[0].tolist(),
                                strict=True))
            with self._figures_lock:
                self._figures.update(computed)
            found |= computed
        return [found[k] if k else 0.0 for k in keys]

    def _heads(self, histories: Sequence[History]) -> tuple[np.ndarray, np.ndarray]:
        """Progress (B,) and weakest-KP logits (B, K) of non-empty histories."""
        this_thread()
        windows = [self._window(history) for history in histories]
        x, mask = (np.stack(column) for column in zip(*windows, strict=True))
        with torch.inference_mode():
            (pct, logits), _ = self.model(torch.from_numpy(x), torch.from_numpy(mask))
        return pct.numpy(), logits.numpy()

    def _window(self, history: History) -> tuple[np.ndarray, np.ndarray]:
        """The model's input for a history: its last window's features (W, F) and mask (W,)."""
        items = _indices(self._index, [q for q, _ in history])
        correct = np.fromiter((bool(c) for _, c in history), np.int64, len(history))
        return window_features(items, correct, self._text, self._item_skills,
                               self.model.config.n_skills, self.config)


KEY_BYTES = 16


def _fingerprint(model: torch.nn.Module, *extra: str | bytes) -> bytes:
    """A model's identity for what is kept of it: its weights and the settings that shape
    its state. Retraining changes it, so everything kept from the old model goes stale."""
    h = hashlib.blake2b(digest_size=KEY_BYTES)
    for name, tensor in model.state_dict().items():
        h.update(name.encode())
        h.update(tensor.detach().cpu().contiguous().numpy().tobytes())
    for part in extra:
        h.update(part.encode() if isinstance(part, str) else part)
    return h.digest()


def _key(model_key: bytes, history: History) -> bytes:
    """What kept state answers to: this model and exactly this history."""
    return hashlib.blake2b(model_key + _digest(history), digest_size=KEY_BYTES).digest()


def _digest(history: History) -> bytes:
    """A history's key, 16 bytes however long it is (the histories themselves, kept as keys,
    would hold hundreds of strings each)."""
    ids = "\x1f".join(q for q, _ in history).encode()
    return hashlib.blake2b(ids + bytes(bool(c) for _, c in history), digest_size=16).digest()


def _indices(index: Mapping[str, int], ids: Sequence[str]) -> np.ndarray:
    """Dense indices of graph ids; an unknown id is the caller's mistake."""
    try:
        return np.fromiter(map(index.__getitem__, ids), np.int64, len(ids))
    except KeyError as e:
        raise InvalidInput(f"unknown question id {e.args[0]!r}: not in the model's items"
                           ) from None
