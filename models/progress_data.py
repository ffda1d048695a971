"""Samples for the progress model: 30-step windows of a student's past and what follows them.

A sample is one student's window of ``window`` consecutive steps ending at position ``t``
(left-padded with zero rows and masked when the student has fewer), paired with the next
``horizon`` steps ``t+1..t+H``, which only the targets read. Windows end every ``stride`` steps
from ``min_steps - 1`` on; only windows whose next window is complete count.

Mastery is BKT (``tutor.mastery``) run over the student's whole history from the first step,
one independent update per skill of the answered item.

Step features (``F = text_features + len(BEHAVIOUR)``), all known once the step is answered:

* text: TF-IDF (``max_features=128``) of the item's text, fitted on the item texts only (not
  student data, so no leak); ASSIST items have no text, their text is their skills' names;
* ``correct``: the 0/1 answer;
* ``acc``: the student's accuracy over steps ``0..j``;
* ``skill_acc``: accuracy on this item's skills over steps ``0..j`` (mean over its skills);
* ``log_attempts``: ``log1p`` of earlier attempts on this item's skills (mean over them);
* ``bkt_before`` / ``bkt_after``: mean BKT mastery of this item's skills before / after it;
* ``progress``: share of the skills touched so far whose mastery is at least the threshold --
  an addition to the brief: the target depends on the whole history, which a 30-step window
  cannot see, and this is the one summary the model needs to know where it starts from;
* ``log_touched``: ``log1p`` of the number of skills touched so far (addition, same reason);
* ``observed``: 1 for a real step, 0 for padding (so padding rows are all zeros).

Targets:

* progress: the student's course is every skill touched in steps ``0..t+H``; progress is
  100 x the share of them whose BKT mastery after step ``t+H`` is at least the threshold
  (``tutor.mastery.MASTERY_THRESHOLD``, 0.85);
* weakest KP: the skill with the most wrong answers in the next window (a wrong answer
  counts for every skill of its item); ties go to the lowest mastery after step ``t+H``, then
  the lowest index; a next window without errors gets its practised skill of lowest mastery.

Baselines travel with the samples: the progress of step ``t`` ("nothing changes") and the same
weakest-KP rule applied to the input window, with mastery after step ``t``.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

import numpy as np
import torch
from sklearn.feature_extraction.text import TfidfVectorizer

from models.kt_data import Histories
from tutor.mastery import MASTERY_THRESHOLD, BktParams, bkt_update

BEHAVIOUR = ("correct", "acc", "skill_acc", "log_attempts", "bkt_before", "bkt_after",
             "progress", "log_touched", "observed")


@dataclass(frozen=True)
class ProgressDataConfig:
    window: int = 30  # past steps per sample
    horizon: int = 10  # next steps the targets look at (H)
    stride: int = 10  # steps between the ends of consecutive windows of a student
    min_steps: int = 10  # observed steps the first window of a student needs
    text_features: int = 128  # TF-IDF max_features (columns are zero-padded to this)
    threshold: float = MASTERY_THRESHOLD  # BKT mastery counted as mastered
    bkt: BktParams = field(default_factory=BktParams)  # mastery model behind features/targets

    @property
    def n_features(self) -> int:
        return self.text_features + len(BEHAVIOUR)

    @property
    def progress_feature(self) -> int:
        """Index of the progress-so-far feature (``ProgressConfig.progress_feature``)."""
        return self.text_features + BEHAVIOUR.index("progress")


@dataclass(frozen=True)
class ProgressData:
    x: np.ndarray  # float32 (N, W, F) step features, left-padded with zeros
    mask: np.ndarray  # bool (N, W), True on real steps
    progress: np.ndarray  # float32 (N,) target in percent, 0..100
    weakest: np.ndarray  # int64 (N,) target skill index
    progress_now: np.ndarray  # float32 (N,) progress after step t (baseline)
    baseline_weakest: np.ndarray  # int64 (N, 3) weakest-KP rule on the input window, best first
    student: np.ndarray  # int64 (N,) index of the sample's student in the histories
    end: np.ndarray  # int64 (N,) position t the input window ends at

    def __len__(self) -> int:
        return len(self.weakest)


def item_texts_from_skills(item_skills: np.ndarray, skill_names: Sequence[str]) -> list[str]:
    """Text of items that have none of their own: the names of their skills."""
    return [" ".join(skill_names[k] for k in row if k >= 0) for row in item_skills]


def fit_text_features(item_texts: Sequence[str], max_features: int = 128
                      ) -> tuple[TfidfVectorizer, np.ndarray]:
    """TF-IDF of every item's text; columns padded to ``max_features`` if the vocabulary is
    smaller, so the model's input width does not depend on the curriculum."""
    vectorizer = TfidfVectorizer(max_features=max_features).fit(item_texts)
    return vectorizer, text_matrix(vectorizer, item_texts, max_features)


def text_matrix(vectorizer: TfidfVectorizer, item_texts: Sequence[str], width: int
                ) -> np.ndarray:
    """TF-IDF rows (N, width) of a fitted vocabulary, zero-padded to ``width`` columns."""
    matrix = vectorizer.transform(item_texts).toarray().astype(np.float32)
    out = np.zeros((len(item_texts), width), dtype=np.float32)
    out[:, :matrix.shape[1]] = matrix
    return out


def build_progress_data(histories: Histories, item_texts: Sequence[str], item_skills: np.ndarray,
                        n_skills: int, config: ProgressDataConfig = ProgressDataConfig()
                        ) -> ProgressData:
    """Every sample of every student, in student then position order."""
    _, text = fit_text_features(item_texts, config.text_features)
    pairs = zip(histories.items, histories.correct, strict=True)
    parts = [_student_samples(s, items, correct, text, item_skills, n_skills, config)
             for s, (items, correct) in enumerate(pairs)]
    parts = [p for p in parts if p is not None]
    if not parts:
        return _empty(config)
    return ProgressData(*(np.concatenate(cols) for cols in zip(*parts, strict=True)))


def progress_batches(data: ProgressData, batch_size: int = 32, shuffle: bool = False,
                     seed: int = 0) -> Iterator[dict[str, torch.Tensor]]:
    """Dict batches for ``models.trainer.fit`` (the keys are the model's forward arguments)."""
    order = np.arange(len(data))
    if shuffle:
        order = np.random.default_rng(seed).permutation(len(data))
    for start in range(0, len(order), batch_size):
        idx = order[start:start + batch_size]
        yield {"x": torch.from_numpy(data.x[idx]), "mask": torch.from_numpy(data.mask[idx]),
               "progress": torch.from_numpy(data.progress[idx]),
               "weakest": torch.from_numpy(data.weakest[idx])}


@dataclass
class _Trace:
    """Per-step state of one student, every array indexed by step position."""

    steps: np.ndarray  # float32 (T, len(BEHAVIOUR))
    mastery: np.ndarray  # float64 (T, K) BKT after each step; the prior where untouched
    touched: np.ndarray  # bool (T, K) skills practised at or before each step
    errors: np.ndarray  # int64 (T + 1, K) cumulative wrong answers per skill before each step
    practised: np.ndarray  # int64 (T + 1, K) cumulative attempts per skill before each step


def _trace(items: np.ndarray, correct: np.ndarray, item_skills: np.ndarray, n_skills: int,
           config: ProgressDataConfig) -> _Trace:
    """Per-step features and state of a student's ``items``, from their first step."""
    n = len(items)
    p, right, tries = np.full(n_skills, config.bkt.prior), np.zeros(n_skills), np.zeros(n_skills)
    touched = np.zeros(n_skills, dtype=bool)
    steps = np.zeros((n, len(BEHAVIOUR)), dtype=np.float32)
    mastery, seen = np.empty((n, n_skills)), np.empty((n, n_skills), dtype=bool)
    wrong_at, tries_at = np.zeros((n, n_skills), np.int64), np.zeros((n, n_skills), np.int64)
    n_right = 0
    for j, (item, c) in enumerate(zip(items, correct, strict=True)):
        ks = item_skills[item][item_skills[item] >= 0]
        before, log_attempts = _mean(p[ks]), _mean(np.log1p(tries[ks]))
        for k in ks:
            p[k] = bkt_update(float(p[k]), bool(c), config.bkt)
        right[ks] += c
        tries[ks] += 1
        touched[ks] = True
        n_right += int(c)
        steps[j] = (c, n_right / (j + 1), _mean(right[ks] / tries[ks]),
                    log_attempts, before, _mean(p[ks]), _progress(p, touched, config.threshold),
                    np.log1p(touched.sum()), 1.0)
        mastery[j], seen[j] = p, touched
        tries_at[j, ks] = 1
        wrong_at[j, ks] = 1 - c
    zero = np.zeros((1, n_skills), np.int64)
    return _Trace(steps, mastery, seen, np.concatenate([zero, np.cumsum(wrong_at, 0)]),
                  np.concatenate([zero, np.cumsum(tries_at, 0)]))


def _student_samples(student: int, items: np.ndarray, correct: np.ndarray, text: np.ndarray,
                     item_skills: np.ndarray, n_skills: int, config: ProgressDataConfig
                     ) -> tuple[np.ndarray, ...] | None:
    ends = np.arange(config.min_steps - 1, len(items) - config.horizon, config.stride)
    if len(ends) == 0:
        return None
    tr = _trace(items, correct, item_skills, n_skills, config)
    feats = np.concatenate([text[items], tr.steps], axis=1)  # (T, F)
    w, h = config.window, config.horizon
    x = np.zeros((len(ends), w, config.n_features), dtype=np.float32)
    mask = np.zeros((len(ends), w), dtype=bool)
    progress, progress_now = np.empty(len(ends), np.float32), np.empty(len(ends), np.float32)
    weakest, baseline = np.empty(len(ends), np.int64), np.empty((len(ends), 3), np.int64)
    for i, t in enumerate(ends):
        lo = max(0, t - w + 1)
        x[i], mask[i] = _window(feats, t, w)
        progress[i] = 100 * _progress(tr.mastery[t + h], tr.touched[t + h], config.threshold)
        progress_now[i] = 100 * _progress(tr.mastery[t], tr.touched[t], config.threshold)
        weakest[i] = _rank(tr.errors[t + h + 1] - tr.errors[t + 1],
                           tr.practised[t + h + 1] - tr.practised[t + 1], tr.mastery[t + h])[0]
        baseline[i] = _rank(tr.errors[t + 1] - tr.errors[lo],
                            tr.practised[t + 1] - tr.practised[lo], tr.mastery[t])[:3]
    return (x, mask, progress, weakest, progress_now, baseline,
            np.full(len(ends), student, np.int64), ends.astype(np.int64))


def window_features(items: np.ndarray, correct: np.ndarray, text: np.ndarray,
                    item_skills: np.ndarray, n_skills: int,
                    config: ProgressDataConfig = ProgressDataConfig()
                    ) -> tuple[np.ndarray, np.ndarray]:
    """Model input for the window ending at a history's last step: x (W, F), mask (W,).

    Serving's view of a sample: the features :func:`build_progress_data` gives the window
    ending at that step (BKT, accuracy and progress still run over the whole history). Before
    the window only each skill's final state is needed: BKT in plain Python, the counts as
    bincounts; in it, each skill's state is a list entry and progress a running count.
    Serving computes it on every call, where :func:`_trace`'s per-step arrays for every skill
    would cost more than the model.
    """
    bkt, threshold = config.bkt, config.threshold
    lo = max(0, len(items) - config.window)
    skills, answers = item_skills[items], correct.tolist()
    p = [bkt.prior] * n_skills  # before the window: BKT in plain Python, counts in numpy
    for row, c in zip(skills[:lo].tolist(), answers[:lo], strict=True):
        for k in row:  # a skill listed twice is updated twice, as in _trace ...
            if k >= 0:
                p[k] = bkt_update(p[k], bool(c), bkt)
    once = np.sort(skills[:lo], axis=1)  # ... but counted once (numpy's fancy-index +=)
    counted = once >= 0
    counted[:, 1:] &= once[:, 1:] != once[:, :-1]
    answered = np.broadcast_to(correct[:lo, None], once.shape)
    right = np.bincount(once[counted], answered[counted], minlength=n_skills).tolist()
    tries = np.bincount(once[counted], minlength=n_skills).astype(np.float64).tolist()
    touched = [t > 0 for t in tries]
    mastered = [t and q >= threshold for t, q in zip(touched, p, strict=True)]  # of the touched
    n_touched, n_mastered, n_right = sum(touched), sum(mastered), sum(answers[:lo])
    rows = []
    for j, (row, c) in enumerate(zip(skills[lo:].tolist(), answers[lo:], strict=True), lo):
        ks = [k for k in row if k >= 0]
        before = _mean_of([p[k] for k in ks])
        log_attempts = _mean_of([math.log1p(tries[k]) for k in ks])
        for k in ks:
            p[k] = bkt_update(p[k], bool(c), bkt)
        for k in set(ks):
            right[k] += c
            tries[k] += 1
            n_touched += not touched[k]
            touched[k] = True
            now = p[k] >= threshold
            n_mastered += now - mastered[k]
            mastered[k] = now
        n_right += c
        rows.append((c, n_right / (j + 1), _mean_of([right[k] / tries[k] for k in ks]),
                     log_attempts, before, _mean_of([p[k] for k in ks]),
                     n_mastered / n_touched if n_touched else 0.0, math.log1p(n_touched), 1.0))
    steps = np.array(rows, dtype=np.float32).reshape(len(rows), len(BEHAVIOUR))
    feats = np.concatenate([text[items[lo:]], steps], axis=1)  # (T - lo, F)
    return _window(feats, len(items) - lo - 1, config.window)


def _mean_of(values: list[float]) -> float:
    return sum(values) / len(values) if values else 0.0


def _window(feats: np.ndarray, t: int, w: int) -> tuple[np.ndarray, np.ndarray]:
    """Steps ``t - w + 1 .. t`` of (T, F) features, left-padded with zero rows, and the mask."""
    lo = max(0, t - w + 1)
    x = np.zeros((w, feats.shape[1]), dtype=np.float32)
    mask = np.zeros(w, dtype=bool)
    x[w - (t + 1 - lo):] = feats[lo:t + 1]
    mask[w - (t + 1 - lo):] = True
    return x, mask


def _rank(errors: np.ndarray, practised: np.ndarray, mastery: np.ndarray) -> np.ndarray:
    """Skills weakest first: most errors, then practised, then lowest mastery, then index."""
    index = np.arange(len(errors))
    return np.lexsort((index, mastery, practised == 0, -errors))


def _progress(mastery: np.ndarray, touched: np.ndarray, threshold: float) -> float:
    n = touched.sum()
    return float((mastery[touched] >= threshold).sum() / n) if n else 0.0


def _mean(values: np.ndarray) -> float:
    """``values.mean()``, the same sum over the same count, without its overhead on the one
    or two skills of a question (serving computes it ~100 times a call)."""
    return float(values.sum() / len(values)) if len(values) else 0.0


def _empty(config: ProgressDataConfig) -> ProgressData:
    w, f = config.window, config.n_features
    return ProgressData(np.zeros((0, w, f), np.float32), np.zeros((0, w), bool),
                        np.zeros(0, np.float32), np.zeros(0, np.int64), np.zeros(0, np.float32),
                        np.zeros((0, 3), np.int64), np.zeros(0, np.int64), np.zeros(0, np.int64))
