"""The Eedi data of the NeurIPS 2020 Education Challenge as Eedi ships it, read into the
problem-log dataset of :mod:`datasets.problem_logs`.

* ``train_data/train_task_1_2.csv`` or ``train_task_3_4.csv``: ``QuestionId``, ``UserId``,
  ``AnswerId``, ``IsCorrect`` (1 or 0), ``CorrectAnswer``, ``AnswerValue``.
* ``metadata/answer_metadata_task_<task>.csv``: ``AnswerId``, ``DateAnswered``, ...: the
  answers' clock. Without it the answers are ordered by ``AnswerId`` and have no time.
* ``metadata/question_metadata_task_<task>.csv``: ``QuestionId``, ``SubjectId`` (a question's
  subjects from the root down, ``[3, 71, 98, 209]``).
* ``metadata/subject_metadata.csv``: ``SubjectId``, ``Name``, ``ParentId``, ``Level``.

A question's KPs are its most specific subjects (those of its deepest level, named from the
subject table); without the question table the questions test no KP. The metadata are looked
for in ``metadata/`` beside the answers' folder (the release's layout) or beside the file.
"""

from __future__ import annotations

import ast
import re
from dataclasses import replace
from pathlib import Path

import pandas as pd

from datasets.logs import LogDataset, read_table
from datasets.problem_logs import LogFormat, header_of, logs_of_frame
from tutor.errors import DataFormatError
from tutor.imports import ImportReport

SOURCE = "eedi"
COLUMNS = ("questionid", "userid", "answerid", "iscorrect")
FORMAT = LogFormat("the Eedi NeurIPS 2020 answers", "userid", ("questionid",), "iscorrect",
                   ("dateanswered", "answerid"), "subjects", None, ";", clock="dateanswered")
_TASK = re.compile(r"task_(\d_\d)")


def is_eedi(path: Path) -> bool:
    """Whether the file's header has the answers' columns."""
    return set(COLUMNS) <= set(header_of(path))


def read_eedi(path: Path, name: str | None = None) -> LogDataset:
    """Read one answers file with the metadata found beside it; ids are namespaced by ``name``
    (default: the file's stem)."""
    path = Path(path)
    if not path.is_file():
        raise DataFormatError(f"{path} does not exist")
    if not is_eedi(path):
        raise DataFormatError(f"{path}: not Eedi's answers (columns QuestionId, UserId, "
                              "AnswerId, IsCorrect)")
    answers = read_table(path, COLUMNS, "Eedi's answers")
    report = ImportReport(source=str(path))
    dated, described, named = metadata_files(path)
    dates = _optional(dated, ("answerid", "dateanswered"), report,
                      "the answers are ordered by AnswerId, with no clock")
    subjects = _optional(described, ("questionid", "subjectid"), report,
                         "the questions test no KP")
    names = _optional(named, ("subjectid", "name", "level"), report,
                      "the KPs are named by their ids")
    frame = answers.assign(
        dateanswered=answers["answerid"].map(
            dates.drop_duplicates("answerid").set_index("answerid")["dateanswered"])
        .fillna("") if dates is not None else "",
        subjects=answers["questionid"].map(_deepest(subjects, names)).fillna("")
        if subjects is not None else "")
    if dates is None:
        frame = frame.drop(columns="dateanswered")
        fmt = replace(FORMAT, order=("answerid",), clock=None)
    else:
        fmt = FORMAT
    ds = logs_of_frame(frame, frame.index.to_numpy() + 2, fmt, report, name or path.stem,
                       SOURCE, "Eedi subjects")
    if names is None:
        return ds
    titles = names.set_index("subjectid")["name"].to_dict()
    return replace(ds, kps=[replace(k, name=titles.get(k.id.rsplit(":", 1)[1], k.name))
                            for k in ds.kps])


def metadata_files(path: Path) -> tuple[Path, Path, Path]:
    """Where the answers' dates, the questions' subjects and the subjects' names are looked
    for (they may be missing)."""
    task = _TASK.search(path.name)
    meta = _metadata_folder(path)
    suffix = f"_task_{task[1]}.csv" if task else ".csv"
    return (meta / f"answer_metadata{suffix}", meta / f"question_metadata{suffix}",
            meta / "subject_metadata.csv")


def _metadata_folder(path: Path) -> Path:
    for folder in (path.parent.parent / "metadata", path.parent / "metadata", path.parent):
        if folder.is_dir() and any(folder.glob("*metadata*.csv")):
            return folder
    return path.parent


def _optional(path: Path, columns: tuple[str, ...], report: ImportReport, without: str
              ) -> pd.DataFrame | None:
    """A metadata table, or None where it is missing (the report says what follows)."""
    if not path.is_file():
        report.notes.append(f"no {path}: {without}")
        return None
    return read_table(path, columns, "Eedi's metadata")


def _deepest(subjects: pd.DataFrame, names: pd.DataFrame | None) -> pd.Series:
    """QuestionId -> its most specific subjects, ``;``-joined (all of them without levels)."""
    level = (names.set_index("subjectid")["level"].to_dict() if names is not None else {})
    out = {}
    for question, text in zip(subjects["questionid"], subjects["subjectid"], strict=True):
        try:
            ids = [str(int(s)) for s in ast.literal_eval(text or "[]")]
        except (ValueError, SyntaxError, TypeError):
            ids = []
        depth = {s: int(level.get(s) or 0) for s in ids}
        top = max(depth.values(), default=0)
        out[question] = ";".join(s for s in ids if depth[s] == top)
    return pd.Series(out, dtype=str)
