"""EdNet KT1 as Riiid ships it (``EdNet-KT1.zip`` and ``EdNet-Contents.zip``), read into the
problem-log dataset of :mod:`datasets.problem_logs`.

* ``KT1/u<N>.csv``, one file per student: ``timestamp`` (epoch milliseconds),
  ``solving_id``, ``question_id`` (``q123``), ``user_answer`` (``a``-``d``),
  ``elapsed_time``.
* ``contents/questions.csv``: ``question_id``, ``bundle_id``, ``explanation_id``,
  ``correct_answer``, ``part``, ``tags`` (``1;2;179``), ``deployed_at``.

An answer is right when it is the question's ``correct_answer``; the question's tags are its
KPs (EdNet publishes no tag names: ``Skill 179``; a tag of ``-1`` means none). The student is
the file (``u1``). The full release holds 784,309 students and 95 million answers: ``users``
reads the first so many files (in the order of their numbers), as studies of EdNet sample it.
A row that cannot be read, names a question the contents lack or has no answer is a bad row,
reported with its file and line.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

import numpy as np
import pandas as pd

from datasets.logs import LogDataset, read_table
from datasets.problem_logs import LogFormat, logs_of_frame
from tutor.errors import DataFormatError
from tutor.imports import ImportReport, RowProblem

SOURCE = "ednet"
COLUMNS = ("timestamp", "question_id", "user_answer")
QUESTION_COLUMNS = ("question_id", "correct_answer", "tags")
FORMAT = LogFormat("EdNet KT1", "user", ("question_id",), "correct", ("timestamp", "line"),
                   "tags", None, ";", clock="timestamp", clock_unit=1e-3)
_USER_FILE = re.compile(r"u(\d+)\.csv")


def is_ednet(folder: Path) -> bool:
    """A folder of EdNet KT1 student files (``u<N>.csv``)."""
    return folder.is_dir() and any(_USER_FILE.fullmatch(p.name) for p in folder.iterdir())


def questions_file(folder: Path) -> Path | None:
    """``questions.csv`` in the folder, else in ``contents/`` beside it (the releases' layout)."""
    for path in (folder / "questions.csv", folder.parent / "contents" / "questions.csv"):
        if path.is_file():
            return path
    return None


def read_ednet(folder: Path, name: str | None = None, questions: Path | None = None,
               users: int | None = None) -> LogDataset:
    """Read the students' files of ``folder`` (the first ``users`` of them, if given) against
    the contents' questions; ids are namespaced by ``name`` (default: the folder's name)."""
    folder = Path(folder)
    if not folder.is_dir():
        raise DataFormatError(f"{folder} is not a folder of EdNet KT1 files")
    files = sorted((p for p in folder.iterdir() if _USER_FILE.fullmatch(p.name)),
                   key=lambda p: int(p.stem[1:]))
    if not files:
        raise DataFormatError(f"{folder}: no EdNet KT1 student files (u<N>.csv)")
    questions = questions or questions_file(folder)
    if questions is None:
        raise DataFormatError(f"{folder}: no questions.csv here or in ../contents (EdNet-Contents)")
    key = _questions(questions)
    report = ImportReport(source=str(folder))
    chosen = files[:users]
    columns: dict[str, list[str]] = {c: [] for c in ("user", *COLUMNS, "line")}
    for path in chosen:
        _student(path, columns, report)
    frame = pd.DataFrame(columns, dtype=str)
    checks = [(~frame["question_id"].isin(key.index), f"the question is not in {questions.name}"),
              (frame["user_answer"] == "", "no answer"),
              (pd.to_numeric(frame["timestamp"], errors="coerce").isna(),
               "timestamp is not a number")]
    bad = np.zeros(len(frame), dtype=bool)
    for mask, why in checks:
        for row in frame[mask.to_numpy() & ~bad].itertuples():
            report.problems.append(RowProblem(int(row.line), f"{row.user}.csv line {row.line}: "
                                                             f"{why}; row skipped"))
        bad |= mask.to_numpy()
    frame = frame[~bad]
    right = key.loc[frame["question_id"], "correct_answer"].to_numpy()
    frame = frame.assign(
        correct=np.where(frame["user_answer"].to_numpy() == right, "1", "0"),
        tags=key.loc[frame["question_id"], "tags"].to_numpy())
    report.counts["files"] = len(chosen)
    return logs_of_frame(frame.reset_index(drop=True), frame["line"].astype(np.int64).to_numpy(),
                         FORMAT, report, name or folder.name, SOURCE, "EdNet tags")


def _questions(path: Path) -> pd.DataFrame:
    """question_id -> correct_answer, tags (``;``-joined, ``-1`` dropped)."""
    table = read_table(path, QUESTION_COLUMNS, "EdNet's questions.csv")
    tags = table["tags"].str.split(";").map(
        lambda ts: ";".join(t.strip() for t in ts if t.strip() not in ("", "-1")))
    return pd.DataFrame({"correct_answer": table["correct_answer"].to_numpy(),
                         "tags": tags.to_numpy()},
                        index=table["question_id"]).groupby(level=0).first()


def _student(path: Path, columns: dict[str, list[str]], report: ImportReport) -> None:
    """One student's rows added to ``columns``, with their file line (the csv module: a
    DataFrame per file cost a millisecond each, and the release has 784,309 files); a file
    that is not KT1's is one problem."""
    try:
        with path.open(encoding="utf-8-sig", newline="") as fh:
            rows = list(csv.reader(fh))
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        report.problems.append(RowProblem(1, f"{path.name}: not readable ({exc}); skipped"))
        return
    header = [c.strip().lower() for c in rows[0]] if rows else []
    if missing := [c for c in COLUMNS if c not in header]:
        report.problems.append(RowProblem(1, f"{path.name}: no {', '.join(missing)} column; "
                                             "skipped"))
        return
    at = [header.index(c) for c in COLUMNS]
    width = len(header)
    for line, row in enumerate(rows[1:], start=2):
        if len(row) != width:
            if any(field.strip() for field in row):
                report.problems.append(RowProblem(line, f"{path.name} line {line}: "
                                                        f"{len(row)} fields, not {width}; "
                                                        "row skipped"))
            continue
        columns["user"].append(path.stem)
        for column, i in zip(COLUMNS, at, strict=True):
            columns[column].append(row[i].strip())
        columns["line"].append(str(line))
