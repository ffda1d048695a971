"""Generic LMS-export CSV reader: file -> cleaned rows -> kgtutor domain objects.

Format
------
CSV with a header row, UTF-8 (a leading BOM is tolerated); header names are trimmed and
lower-cased; empty lines are skipped. Line numbers in reports are file lines (header = line 1,
first data row = line 2).

Required columns: ``student``, ``question``, ``kps`` (one or more KP ids separated by ``;``),
``correct`` (1/0, true/false, yes/no, case-insensitive), ``timestamp`` (ISO-8601 with or without
zone - naive means UTC - or epoch seconds / milliseconds as numbers; absolute values >= 1e11 are
milliseconds), ``duration`` (seconds, may be empty). Any further columns are optional: numeric
ones named ``*_count`` are counts, other numeric ones measures, non-numeric ones categorical.
Column names starting with ``_`` are reserved. A row whose number of fields differs from the
header's is a bad row.

Cleaning: the seven rules of :mod:`datasets.cleaning`, in order (parse, duplicates, fill,
outliers, sessions, zscore, onehot).

Mapping (ids namespaced by the dataset name, default the file's stem)
----------------------------------------------------------------------
- one chapter ``{name}:chapter:all`` holding every KP;
- KP ``{name}:kp:{raw}`` named by the raw id; question ``{name}:q:{raw}``; ``Tests`` weight
  1 / (number of KPs of the question). These come from every row that parsed (rule 1), since a
  question's KPs are content, not noise; a question's KPs are taken from its first row;
- student ``{name}:student:{raw}`` and one ``Attempt`` per row kept by all rules, with
  ``event_id = {name}:{raw student}:{timestamp ms}`` (unique after rule 2 and the same on every
  re-import), ``ts`` epoch ms, ``seq`` = position in the student's kept attempts by time,
  ``duration_s`` = the (filled) duration, ``source = "lms_csv"``.

A missing, unreadable or empty file, a header without data rows, or missing required columns
raise :class:`DataFormatError` with a one-line message naming the file.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from datasets.cleaning import (
    DEFAULT_OPTIONS,
    LINE,
    REQUIRED_COLUMNS,
    Cleaned,
    CleaningOptions,
    clean,
    format_lines,
)
from datasets.logs import LogDataset
from tutor.curriculum import Chapter, KnowledgePoint, Question, Tests
from tutor.errors import DataFormatError
from tutor.imports import ImportReport, RowProblem
from tutor.mastery import Attempt
from tutor.roster import Student

SOURCE = "lms_csv"
_DROPPING_RULES = ("parse", "duplicates", "outliers", "sessions")


@dataclass
class LmsDataset(LogDataset):
    """Everything one LMS export yields: graph content, students, attempts, report, features."""

    # the cleaned rows with their _z and one-hot columns, index event_id
    features: pd.DataFrame = field(default_factory=pd.DataFrame)


# --- reading -----------------------------------------------------------------------------------


def _records(path: Path) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """Header and (first file line, fields) of each non-empty record; errors -> DataFormatError."""
    line = 0
    try:
        with path.open(encoding="utf-8-sig", newline="") as fh:
            reader = csv.reader(fh)
            rows = []
            for fields in reader:
                if fields:
                    rows.append((line + 1, fields))
                line = reader.line_num
    except FileNotFoundError:
        raise DataFormatError(f"{path}: file not found") from None
    except UnicodeDecodeError as exc:
        raise DataFormatError(f"{path}: not UTF-8 text (byte offset {exc.start})") from None
    except csv.Error as exc:
        raise DataFormatError(f"{path}: line {line + 1}: malformed CSV ({exc})") from None
    except OSError as exc:
        raise DataFormatError(f"{path}: cannot read ({exc.strerror or exc})") from None
    if not rows:
        raise DataFormatError(f"{path}: empty file (expected a header row)")
    return [h.strip().lower() for h in rows[0][1]], rows[1:]


def _check_header(path: Path, header: list[str]) -> None:
    """Reject headers the rules cannot work with, naming every missing column at once."""
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if missing:
        found = ", ".join(h for h in header if h) or "none"
        raise DataFormatError(
            f"{path}: missing required column(s): {', '.join(missing)} (found: {found})"
        )
    named = [h for h in header if h]
    doubled = sorted({h for h in named if named.count(h) > 1})
    if doubled:
        raise DataFormatError(f"{path}: repeated column(s): {', '.join(doubled)}")
    reserved = [h for h in named if h.startswith("_")]
    if reserved:
        raise DataFormatError(f"{path}: reserved column name(s): {', '.join(reserved)}")


def read_raw(path: Path) -> tuple[pd.DataFrame, list[RowProblem], int]:
    """All-text frame (header columns + ``_line``), rows with a wrong field count, rows read."""
    header, records = _records(path)
    _check_header(path, header)
    if not records:
        raise DataFormatError(f"{path}: header but no data rows")
    good = [(n, f) for n, f in records if len(f) == len(header)]
    problems = [
        RowProblem(n, f"has {len(f)} fields, header has {len(header)}")
        for n, f in records
        if len(f) != len(header)
    ]
    frame = pd.DataFrame([f for _, f in good], columns=header, dtype="str")
    frame = frame.loc[:, [h != "" for h in header]]  # unnamed columns (trailing commas) ignored
    frame.insert(0, LINE, pd.Series([n for n, _ in good], dtype="int64"))
    return frame, problems, len(records)


# --- domain objects ----------------------------------------------------------------------------


def _content(
    parsed: pd.DataFrame, name: str, chapter: Chapter
) -> tuple[list[KnowledgePoint], list[Question], list[Tests], list[str]]:
    """KPs, questions and Tests edges from the parsed rows; a note if KP lists disagree."""
    first: dict[str, tuple[str, ...]] = {}
    conflicts: set[str] = set()
    for question, kps in zip(parsed["question"], parsed["kps"], strict=True):
        if first.setdefault(question, kps) != kps:
            conflicts.add(question)
    raw_kps = dict.fromkeys(kp for kps in first.values() for kp in kps)
    kps = [KnowledgePoint(f"{name}:kp:{k}", k, chapter.id, source=SOURCE) for k in raw_kps]
    questions = [Question(f"{name}:q:{q}", source=SOURCE) for q in first]
    tests = [
        Tests(f"{name}:q:{q}", f"{name}:kp:{k}", 1 / len(ks)) for q, ks in first.items() for k in ks
    ]
    notes = []
    if conflicts:
        listed = ", ".join(sorted(conflicts)[:10])
        notes.append(
            f"{len(conflicts)} question(s) listed with different KPs; first row used: {listed}"
        )
    return kps, questions, tests, notes


def _features(kept: pd.DataFrame, name: str) -> pd.DataFrame:
    """Kept rows in (student, time) order with namespaced ids, ``seq``, indexed by event_id."""
    rows = kept.sort_values(["student", "timestamp"], kind="stable")
    seq = rows.groupby("student", sort=False).cumcount()
    ids = {
        "event_id": name + ":" + rows["student"] + ":" + rows["timestamp"].astype("str"),
        "student_id": f"{name}:student:" + rows["student"],
        "question_id": f"{name}:q:" + rows["question"],
        "seq": seq.astype("int64"),
    }
    return rows.assign(**ids).set_index("event_id")


def _attempts(features: pd.DataFrame) -> list[Attempt]:
    cols = ["student_id", "question_id", "correct", "timestamp", "seq", "duration"]
    return [
        Attempt(eid, s, q, bool(c), int(ts), int(seq), None if pd.isna(d) else float(d), SOURCE)
        for eid, (s, q, c, ts, seq, d) in zip(
            features.index, features[cols].itertuples(index=False), strict=True
        )
    ]


def _students(kept: pd.DataFrame, name: str) -> list[Student]:
    """Students with at least one kept attempt, in order of first appearance in the file."""
    return [Student(f"{name}:student:{s}", source=SOURCE) for s in dict.fromkeys(kept["student"])]


# --- report ------------------------------------------------------------------------------------


def _report(
    path: Path, read: int, shape_problems: list[RowProblem], cleaned: Cleaned
) -> ImportReport:
    """Counts per rule, every dropped row with its line and reason, one note per rule."""
    counts = {"read": read}
    for rule in _DROPPING_RULES:
        counts[f"dropped_{rule}"] = cleaned.step(rule).dropped
    counts["dropped_parse"] += len(shape_problems)
    counts["filled_values"] = cleaned.step("fill").changed
    counts["kept"] = len(cleaned.frame)
    problems = sorted(
        [*shape_problems, *(p for s in cleaned.steps for p in s.problems)], key=lambda p: p.line
    )
    notes = [f"read {read} row(s), kept {len(cleaned.frame)}"]
    if shape_problems:
        lines = format_lines(p.line for p in shape_problems)
        notes.append(
            f"parse: dropped {len(shape_problems)} row(s) with a wrong field count ({lines})"
        )
    notes += [s.note for s in cleaned.steps]
    return ImportReport(str(path), counts, problems, notes)


def read_lms_csv(
    path: Path | str, name: str | None = None, options: CleaningOptions = DEFAULT_OPTIONS
) -> LmsDataset:
    """Read, clean and map one LMS export; see the module docstring for format and rules."""
    path = Path(path)
    name = name or path.stem
    raw, shape_problems, read = read_raw(path)
    cleaned = clean(raw, options)
    chapter = Chapter(f"{name}:chapter:all", name, source=SOURCE)
    kps, questions, tests, notes = _content(cleaned.step("parse").frame, name, chapter)
    features = _features(cleaned.frame, name)
    report = _report(path, read, shape_problems, cleaned)
    report.notes += notes
    students = _students(cleaned.frame, name)
    report.counts.update(
        students=len(students), questions=len(questions), kps=len(kps), attempts=len(features)
    )
    return LmsDataset(name=name, chapter=chapter, kps=kps, questions=questions, tests=tests,
                      students=students, attempts=_attempts(features), report=report,
                      student_files={}, features=features)
