"""Response histories as arrays, the common input of every knowledge-tracing model.

Pure: built from domain objects (``Attempt``, ``Tests``) that a reader produced; no file access.
Items and skills are dense indices (0..n-1) so models can embed them; the mapping back to
graph ids travels along.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from tutor.curriculum import Tests
from tutor.errors import InvalidInput
from tutor.mastery import Attempt


@dataclass(frozen=True)
class Histories:
    """One entry per student: item indices and 0/1 answers in history order."""

    students: tuple[str, ...]
    items: tuple[np.ndarray, ...]  # int64 (T_s,)
    correct: tuple[np.ndarray, ...]  # int64 (T_s,) of 0/1

    def __len__(self) -> int:
        return len(self.students)

    @property
    def n_responses(self) -> int:
        return int(sum(len(x) for x in self.items))

    def subset(self, keep: Iterable[int]) -> Histories:
        idx = list(keep)
        return Histories(tuple(self.students[i] for i in idx), tuple(self.items[i] for i in idx),
                         tuple(self.correct[i] for i in idx))


@dataclass(frozen=True)
class KTData:
    item_ids: tuple[str, ...]  # graph id of item index i
    skill_ids: tuple[str, ...]  # graph id of skill index k
    item_skills: np.ndarray  # int64 (n_items, max_skills), -1 pads
    skill_names: tuple[str, ...]  # human title of skill index k (text features use it)
    train: Histories
    test: Histories

    @property
    def n_items(self) -> int:
        return len(self.item_ids)

    @property
    def everyone(self) -> Histories:
        """Train and test students together (calibration that must cover every student)."""
        return Histories(self.train.students + self.test.students,
                         self.train.items + self.test.items,
                         self.train.correct + self.test.correct)

    @property
    def n_skills(self) -> int:
        return len(self.skill_ids)


def build_kt_data(attempts: Sequence[Attempt], tests: Sequence[Tests], item_ids: Sequence[str],
                  skill_ids: Sequence[str], test_students: set[str],
                  skill_names: Sequence[str] | None = None) -> KTData:
    """Group attempts into per-student histories (ordered by ts, then seq) and split them."""
    if not attempts:
        raise InvalidInput("no attempts: the dataset is empty")
    item_index = {q: i for i, q in enumerate(item_ids)}
    skill_index = {k: i for i, k in enumerate(skill_ids)}
    histories = _histories(attempts, item_index)
    is_test = [s in test_students for s in histories.students]
    return KTData(
        item_ids=tuple(item_ids), skill_ids=tuple(skill_ids),
        item_skills=_item_skills(tests, item_index, skill_index),
        skill_names=tuple(skill_names) if skill_names is not None else tuple(skill_ids),
        train=histories.subset(i for i, t in enumerate(is_test) if not t),
        test=histories.subset(i for i, t in enumerate(is_test) if t),
    )


def hashed_test_students(students: Iterable[str], share: float = 0.2,
                         min_train: int = 2) -> set[str]:
    """About ``share`` of the students, chosen by a hash of their id: the same on every run, and
    a student keeps their side when others are added. Never empty, and leaves ``min_train``
    students to train on where there are enough (the last student by id steps in)."""
    ordered = sorted(set(students))
    test = {s for s in ordered if zlib.crc32(s.encode()) % 1000 < share * 1000}
    if ordered and (not test or len(ordered) - len(test) < min_train):
        test = {ordered[-1]}
    return test


def split_validation(histories: Histories, fraction: float, seed: int) -> tuple[Histories,
                                                                                Histories]:
    """Split students (not responses) at random: validation students are unseen in training."""
    order = np.random.default_rng(seed).permutation(len(histories))
    n_val = max(1, round(len(histories) * fraction))
    return histories.subset(sorted(order[n_val:])), histories.subset(sorted(order[:n_val]))


def _histories(attempts: Sequence[Attempt], item_index: dict[str, int]) -> Histories:
    by_student: dict[str, list[tuple[int, int, int, int]]] = {}
    for a in attempts:
        try:
            item = item_index[a.question_id]
        except KeyError:
            raise InvalidInput(f"attempt {a.event_id} names unknown question "
                               f"{a.question_id}") from None
        by_student.setdefault(a.student_id, []).append((a.ts, a.seq, item, int(a.correct)))
    students = sorted(by_student)
    rows = [np.array(sorted(by_student[s]), dtype=np.int64) for s in students]
    return Histories(tuple(students), tuple(r[:, 2].copy() for r in rows),
                     tuple(r[:, 3].copy() for r in rows))


def _item_skills(tests: Sequence[Tests], item_index: dict[str, int],
                 skill_index: dict[str, int]) -> np.ndarray:
    skills: list[list[int]] = [[] for _ in item_index]
    for t in tests:
        if t.question_id in item_index and t.kp_id in skill_index:
            skills[item_index[t.question_id]].append(skill_index[t.kp_id])
    width = max(1, max(len(s) for s in skills))
    out = np.full((len(skills), width), -1, dtype=np.int64)
    for i, s in enumerate(skills):
        out[i, :len(s)] = sorted(s)
    return out
