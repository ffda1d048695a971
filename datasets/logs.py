"""What every reader of answer logs returns (lpp folders, ASSISTments and DataShop files), and
the builders of its domain objects they share.

Pure: arrays and frames in, domain objects out. Building a few hundred thousand frozen
dataclasses dominates an import's time, so ids are built once per student and item and shared,
and cyclic GC is paused while they are made (:func:`gc_paused`; the objects hold no cycles).
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import scipy.sparse as sp

from tutor.curriculum import Chapter, KnowledgePoint, Question, Tests
from tutor.errors import DataFormatError
from tutor.imports import ImportReport
from tutor.mastery import Attempt
from tutor.roster import Student


@dataclass
class LogDataset:
    name: str
    chapter: Chapter
    kps: list[KnowledgePoint]
    questions: list[Question]
    tests: list[Tests]
    students: list[Student]
    attempts: list[Attempt]
    report: ImportReport
    student_files: dict[str, str]  # student id -> the file of their first row (lpp's split)


def questions_and_tests(
    question_ids: list[str],
    kp_ids: list[str],
    q: sp.csr_matrix,
    seen: np.ndarray,
    report: ImportReport,
    source: str,
    texts: list[str] | None = None,
) -> tuple[list[Question], list[Tests]]:
    """Questions for items seen or tagged (with their ``texts``, where the log names them);
    each tagged item tests its skills with equal weights."""
    per_item = np.diff(q.indptr)
    items = np.union1d(np.unique(seen), np.flatnonzero(per_item)).tolist()
    untagged = int((per_item[items] == 0).sum()) if items else 0
    if untagged:
        report.notes.append(f"{untagged} items have no Q-matrix skills (no TESTS edges)")
    item_of_entry = np.repeat(np.arange(q.shape[0]), per_item)
    weights = 1.0 / per_item[item_of_entry]
    questions = [Question(question_ids[i], text=texts[i] if texts else "", source=source)
                 for i in items]
    tests = [
        Tests(question_id=question_ids[i], kp_id=kp_ids[k], weight=w)
        for i, k, w in zip(
            item_of_entry.tolist(), q.indices.tolist(), weights.tolist(), strict=True
        )
    ]
    return questions, tests


def students_and_attempts(
    name: str, question_ids: list[str], rows: pd.DataFrame, source: str
) -> tuple[list[Student], list[Attempt]]:
    """Students (sorted by user id) and one Attempt per row, in row order (``rows``: integer
    ``user_id``, ``item_id`` (index into ``question_ids``), ``correct``, ``ts`` (ms), ``seq``)."""
    users, inverse = np.unique(rows["user_id"].to_numpy(), return_inverse=True)
    student_ids = [f"{name}:student:{u}" for u in users.tolist()]
    columns = zip(
        rows["user_id"].tolist(),
        rows["seq"].tolist(),
        inverse.tolist(),
        rows["item_id"].tolist(),
        (rows["correct"].to_numpy() == 1).tolist(),
        rows["ts"].tolist(),
        strict=True,
    )
    attempts = [
        Attempt(  # keywords: a reordered domain field must not swap ids silently
            event_id=f"{name}:{u}:{s}",
            student_id=student_ids[x],
            question_id=question_ids[i],
            correct=c,
            ts=t,
            seq=s,
            source=source,
        )
        for u, s, x, i, c, t in columns
    ]
    students = [Student(sid, source=source) for sid in student_ids]
    return students, attempts


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause cyclic GC: an import allocates ~600k acyclic objects and GC passes cost ~40%."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def read_table(path: Path, columns: tuple[str, ...], what: str) -> pd.DataFrame:
    """The named columns of a side table (names trimmed and lower-cased; only those are read,
    as some are millions of rows), as stripped text; a missing or unreadable file, or a
    missing column, is a one-line error naming ``what`` the file should have been."""
    if not path.is_file():
        raise DataFormatError(f"{path} does not exist")
    try:
        table = pd.read_csv(path, dtype=str, keep_default_na=False,
                            usecols=lambda c: str(c).strip().lower() in columns)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError,
            OSError) as exc:
        raise DataFormatError(f"{path}: not a readable {what} "
                              f"({' '.join(str(exc).split())})") from None
    table.columns = [str(c).strip().lower() for c in table.columns]
    if missing := [c for c in columns if c not in table.columns]:
        raise DataFormatError(f"{path}: not {what} (no {', '.join(missing)} column)")
    return table[list(columns)].apply(lambda c: c.str.strip())
