"""Reader for ASSISTments logs as ASSISTments ships them: one CSV of problem logs per release.

Pure: reads a file and returns domain objects; it never touches the graph. The release is told
by its columns, which are looked up by name (case and order free):

* **2009-2010 skill builder** (``skill_builder_data.csv``, ``..._corrected.csv``,
  ``..._corrected_collapsed.csv``): ``order_id user_id problem_id correct`` and ``skill_id``,
  ``skill_name``. The original files repeat a log once per skill (same ``order_id``); the
  collapsed one writes the skills of a log as ``9_15``. Either way a log is one answer and its
  problem tests every skill named. No clock: order by ``order_id``, which is chronological.
* **2012-2013** (``2012-2013-data-with-predictions-4-final.csv``): ``problem_log_id user_id
  problem_id correct start_time skill_id skill``; order by ``start_time``.
* **2014-2015** (``2015_100_skill_builders_main_problems.csv``): ``log_id user_id sequence_id
  correct``: the problem set is both the item and its skill (as lpp prepares it); order by
  ``log_id``.
* **2017 challenge** (``anonymized_full_release_competition_dataset.csv``): ``studentId
  problemId skill correct startTime`` (epoch seconds); order by ``startTime``.

Decisions:

* ``correct`` is 0 or 1. Answers with partial credit (2012, 2015: essays and the like) are left
  out and counted in a note, as lpp's preparation leaves them out; a row whose ids, score or time
  cannot be read is a bad row, reported with its file line and skipped.
* Ids are kept: question ``NAME:q:<problem id>``, student ``NAME:student:<user id>``, KP
  ``NAME:kp:<skill id>`` (2017 has skill names only: the KP id is the name's slug), attempts
  ``NAME:<user>:<seq>`` with ``seq`` the position in the user's history. A re-import stores
  nothing twice.
* KP names come from the file (``skill_name``/``skill``); a skill with no name is ``Skill <id>``.
  A problem without a skill is kept as a question that tests no KP.
* Text is UTF-8 or, as the 2009 files are, ISO-8859-1.
"""

from __future__ import annotations

import re
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import scipy.sparse as sp

from datasets.assist2009 import AssistDataset, gc_paused, questions_and_tests, students_and_attempts
from tutor.curriculum import Chapter, KnowledgePoint
from tutor.errors import DataFormatError
from tutor.imports import ImportReport, RowProblem

SOURCE = "assistments"


@dataclass(frozen=True)
class Release:
    """How one release names its columns and orders its logs."""

    name: str
    user: str
    item: str
    order: tuple[str, ...]  # sort keys, in order; the first that is a clock gives ``ts``
    skill_id: str | None
    skill_name: str | None
    clock: str | None = None  # the column holding the answer's time, if any
    log: str | None = None  # the log id that repeats across a log's skill rows (2009)


RELEASES = (
    Release("2009-2010 skill builder", "user_id", "problem_id", ("order_id",), "skill_id",
            "skill_name", log="order_id"),
    Release("2012-2013", "user_id", "problem_id", ("start_time", "problem_log_id"), "skill_id",
            "skill", clock="start_time"),
    Release("2014-2015 skill builder", "user_id", "sequence_id", ("log_id",), "sequence_id",
            None),
    Release("2017 challenge", "studentid", "problemid", ("starttime", "action_num"), None,
            "skill", clock="starttime"),
)


def read_assistments(path: Path, name: str | None = None) -> AssistDataset:
    """Read one ASSISTments CSV; ids are namespaced by ``name`` (default: the file's stem)."""
    path = Path(path)
    name = name or path.stem
    frame, lines, problems = _read(path)
    release = _release(list(frame.columns), path)
    report = ImportReport(source=str(path), problems=problems)
    report.notes.append(f"read as the ASSISTments {release.name} release")
    with gc_paused():
        rows, skills = _rows(frame, lines, release, report)
        return _build(name, rows, skills, report)


# --- reading -------------------------------------------------------------------------------------


def _read(path: Path) -> tuple[pd.DataFrame, np.ndarray, list[RowProblem]]:
    """Every column as text (ids stay as written), header names lower-cased; the file line of
    each row; rows with too many fields, skipped."""
    if not path.is_file():
        raise DataFormatError(f"ASSISTments file {path} does not exist")
    for encoding in ("utf-8-sig", "iso-8859-1"):
        try:
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always", pd.errors.ParserWarning)
                frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding=encoding,
                                    on_bad_lines="warn", low_memory=False)
            break
        except UnicodeDecodeError:
            continue
        except (pd.errors.ParserError, pd.errors.EmptyDataError, OSError) as exc:
            reason = " ".join(str(exc).split())
            raise DataFormatError(f"{path}: not a readable CSV ({reason})") from None
    frame.columns = [str(c).strip().lower() for c in frame.columns]
    skipped = [(int(m[0]), m[1]) for w in caught
               for m in re.findall(r"Skipping line (\d+): (.*)", str(w.message))]
    problems = [RowProblem(n, f"line {n}: {why}; row skipped") for n, why in skipped]
    return frame, _lines(path, len(frame), {n for n, _ in skipped}), problems


def _lines(path: Path, rows: int, skipped: set[int]) -> np.ndarray:
    """File line of each parsed row: lines after the header that are neither blank nor skipped
    (a quoted field that spans lines would shift them: rows are then numbered by record)."""
    with path.open("rb") as fh:
        blank = [n for n, line in enumerate(fh, start=1) if n > 1 and not line.strip()]
    total = rows + len(skipped) + len(blank) + 1
    lines = np.setdiff1d(np.arange(2, total + 1), np.array([*skipped, *blank], dtype=np.int64))
    return lines if len(lines) == rows else np.arange(rows) + 2


def _release(header: list[str], path: Path) -> Release:
    for release in RELEASES:
        needed = {release.user, release.item, "correct", *release.order[:1]}
        if needed <= set(header):
            return release
    raise DataFormatError(
        f"{path}: not an ASSISTments log: expected the columns of a release (2009: order_id "
        f"user_id problem_id correct skill_id; 2012: problem_log_id user_id problem_id correct "
        f"start_time; 2015: log_id user_id sequence_id correct; 2017: studentId problemId skill "
        f"correct startTime), found {header[:8]}")


def _rows(frame: pd.DataFrame, lines: np.ndarray, release: Release, report: ImportReport
          ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """One row per answer (user_id, item, correct, ts, seq) in time order, and the (item, skill,
    name) pairs of the kept rows; bad rows go to the report."""
    n = len(frame)
    report.counts["rows_read"] = n + len(report.problems)
    user, ok_user = _ints(frame[release.user])
    correct = frame["correct"].str.strip()
    item = frame[release.item].str.strip()
    keys = {c: _order_key(frame[c]) for c in release.order if c in frame.columns}
    score = pd.to_numeric(correct, errors="coerce").to_numpy(dtype=float)
    partial = (score > 0) & (score < 1)
    checks: list[tuple[np.ndarray, str]] = [
        (~ok_user, f"{release.user} is not a whole number"),
        ((item == "").to_numpy(), f"{release.item} is empty"),
        (~(np.isin(score, (0.0, 1.0)) | partial), "correct is not a score from 0 to 1"),
        *((np.isnan(k), f"{c} is not a time or number") for c, k in keys.items()),
    ]
    keep = _keep(checks, lines, report)
    if left := int((partial & keep).sum()):  # essays and the like: not a right-or-wrong answer
        report.notes.append(f"answers with partial credit left out, as lpp leaves them out: {left}")
    keep &= ~partial
    clock = keys.get(release.clock or "")
    rows = pd.DataFrame({
        "user_id": user[keep], "item": item.to_numpy()[keep],
        "correct": (score[keep] == 1.0).astype(np.int64),
        "ts": (np.round(clock[keep] * 1000).astype(np.int64) if clock is not None
               else np.zeros(int(keep.sum()), dtype=np.int64)),
        "log": frame[release.log].to_numpy()[keep] if release.log else np.arange(keep.sum()),
        **{f"_k{j}": k[keep] for j, k in enumerate(keys.values())},
    })
    rows = rows.sort_values([f"_k{j}" for j in range(len(keys))], kind="stable")
    if release.log:  # a log's rows, one per skill, are one answer
        rows = rows.drop_duplicates(subset=["user_id", "log"])
        if repeated := int(keep.sum()) - len(rows):
            report.notes.append(f"{repeated} rows repeat a log once per further skill: "
                                "one answer each")
    rows = rows[["user_id", "item", "correct", "ts"]].reset_index(drop=True)
    rows["seq"] = rows.groupby("user_id", sort=False).cumcount()
    report.counts.update(rows_kept=len(rows), rows_bad=len(report.problems))
    return rows, _skills(frame.loc[keep], release)


def _keep(checks: list[tuple[np.ndarray, str]], lines: np.ndarray, report: ImportReport
          ) -> np.ndarray:
    """Rows passing every check; the first failed check of each row is reported."""
    bad = np.zeros(len(lines), dtype=bool)
    for mask, reason in checks:
        for i in np.flatnonzero(mask & ~bad).tolist():
            line = int(lines[i])
            report.problems.append(RowProblem(line, f"line {line}: {reason}; row skipped"))
        bad |= mask
    report.problems.sort(key=lambda p: p.line)
    return ~bad


def _ints(col: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Whole numbers (``12`` or ``12.0``) as int64 and the mask of rows that are one."""
    numbers = pd.to_numeric(col.str.strip(), errors="coerce").to_numpy(dtype=float)
    with np.errstate(invalid="ignore"):
        ok = np.isfinite(numbers) & (numbers == np.round(numbers)) & (np.abs(numbers) < 2**53)
    return np.where(ok, numbers, 0).astype(np.int64), ok


def _order_key(col: pd.Series) -> np.ndarray:
    """A column as sortable float64: numbers as they are, date-times as epoch seconds."""
    text = col.str.strip()
    numbers = pd.to_numeric(text, errors="coerce").to_numpy(dtype=float)
    if np.isfinite(numbers).sum() * 2 >= len(text):
        return numbers
    times = pd.to_datetime(text, errors="coerce", utc=True, format="mixed")
    return ((times - pd.Timestamp(0, tz="UTC")).dt.total_seconds()).to_numpy(dtype=float)


# --- skills --------------------------------------------------------------------------------------


def _skills(frame: pd.DataFrame, release: Release) -> pd.DataFrame:
    """Unique (item, skill, name) of the kept rows; a row names its skills as ``9_15``."""
    item = frame[release.item].str.strip()
    names = (frame[release.skill_name].str.strip() if release.skill_name in frame.columns
             else pd.Series("", index=frame.index))
    if release.skill_id in frame.columns:
        ids = frame[release.skill_id].str.strip().map(_skill_id_text)
    else:  # 2017: the name is the skill
        ids = names.map(_slug)
    pairs = pd.DataFrame({"item": item, "skill": ids, "name": names}).drop_duplicates()
    pairs = pairs[pairs["skill"] != ""]
    split = pairs["skill"].str.split("_")
    several = split.str.len() > 1
    one = pairs[~several]
    many = pairs[several].assign(skill=split[several]).explode("skill")
    many["name"] = ""  # a joined name cannot be split safely: names come from one-skill rows
    return pd.concat([one, many], ignore_index=True).drop_duplicates(["item", "skill", "name"])


def _skill_id_text(text: str) -> str:
    """``'12'``, ``'12.0'`` and ``'9_15'`` as written, without a float's ``.0``."""
    return "_".join(p[:-2] if p.endswith(".0") else p for p in text.split("_") if p)


def _slug(name: str) -> str:
    return re.sub(r"[^0-9a-z]+", "-", name.lower()).strip("-")


# --- domain objects ------------------------------------------------------------------------------


def _build(name: str, rows: pd.DataFrame, skills: pd.DataFrame, report: ImportReport
           ) -> AssistDataset:
    items, codes = np.unique(rows["item"].to_numpy(dtype=str), return_inverse=True)
    rows["item_id"] = codes
    question_ids = [f"{name}:q:{i}" for i in items.tolist()]
    skill_ids = sorted(set(skills["skill"]), key=_natural)
    titles = (skills[skills["name"] != ""].drop_duplicates("skill")
              .set_index("skill")["name"].to_dict())
    chapter = Chapter(id=f"{name}:chapter:skills", name=f"ASSISTments skills ({name})",
                      source=SOURCE)
    kps = [KnowledgePoint(id=f"{name}:kp:{k}", name=titles.get(k) or f"Skill {k}",
                          chapter_id=chapter.id, source=SOURCE,
                          description=f"ASSISTments skill {k}") for k in skill_ids]
    item_index = {i: n for n, i in enumerate(items.tolist())}
    skill_index = {k: n for n, k in enumerate(skill_ids)}
    q = sp.csr_matrix((np.ones(len(skills)), ([item_index[i] for i in skills["item"]],
                                              [skill_index[k] for k in skills["skill"]])),
                      shape=(len(items), len(skill_ids)))
    q.data[:] = 1.0
    q.sum_duplicates()
    q.data[:] = 1.0
    questions, tests = questions_and_tests(question_ids, [k.id for k in kps], q, codes, report,
                                           SOURCE)
    students, attempts = students_and_attempts(name, question_ids, rows, SOURCE)
    report.counts.update(items=len(questions), tests=len(tests), students=len(students),
                         kps=len(kps), named_kps=len(titles))
    return AssistDataset(name=name, chapter=chapter, kps=kps, questions=questions, tests=tests,
                         students=students, attempts=attempts, report=report, student_files={})


def _natural(skill: str) -> tuple[int, str]:
    return (int(skill), "") if skill.isdigit() else (1 << 62, skill)
