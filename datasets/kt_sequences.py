"""Knowledge-tracing sequence files as the field's code ships them, read into the problem-log
dataset of :mod:`datasets.problem_logs`.

* **DKT, DKVMN, SAKT** (``assist2009_updated_train1.csv``, ``STATICS_train.csv``...): 3 lines
  per student, no header: the number of answers, the skills, the answers (``0``/``1``). The
  item is the skill. Lines may end with a comma.
* **AKT's** ``*_pid`` files: 4 lines: ``<index>,<user id>`` (or the number of answers), the
  problems, their skills, the answers. A problem with n skills is written n times in a row
  (same problem, same answer, another skill): such a run is one answer testing each skill.
  ``problems.json`` and ``skill.json`` beside the files give back the original problem ids and
  the skills' names.
* **pyKT's** ``data.txt``: 6 lines: ``<uid>,<length>``, questions, concepts (``_`` joins the
  concepts of one question), responses, timestamps (epoch ms), use times; a line of ``NA``
  where the data set has none (no questions: the concept is the item; no concepts: the question
  is its own KP). PyCD's adds a 7th line, test flags per answer, which are not read.
* **pyKT's split CSVs**: ``train_valid.csv`` and ``test.csv`` (else ``train_valid_sequences.csv``
  and ``test_sequences.csv``, windows of 200 padded with ``-1``): a header, one row per student
  or window, columns ``uid``, ``questions``, ``concepts``, ``responses``, ``timestamps``,
  ``is_repeat`` (1: the answer before, again, for a further concept). ``keyid2idx.json``
  beside them maps the indices back to the data set's ids.

A folder of 3- or 4-line files split into folds (``train1``, ``valid1``, ``test1``...) is read
at its first fold, whose files hold every student once; a student met again in another file is
left out and counted. A student with lines of unequal length, or an incomplete last group, is
reported with its line and skipped; an answer that is not 0 or 1 is a bad row.
"""

from __future__ import annotations

import csv
import json
import re
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
import pandas as pd

from datasets.logs import LogDataset
from datasets.problem_logs import LogFormat, logs_of_frame, student_id
from tutor.errors import DataFormatError
from tutor.imports import ImportReport, RowProblem

SOURCE = "kt-sequences"
SEP = "\x1f"  # joins one answer's skills; no id contains it
FORMAT = LogFormat("KT sequences", "user", ("item",), "correct", ("ts", "pos"), "skills", None,
                   SEP, clock="ts", clock_unit=1e-3)
SIZES = (7, 6, 4, 3)  # lines per student, tried in this order
PYKT_FILES = (("train_valid.csv", "test.csv"),
              ("train_valid_sequences.csv", "test_sequences.csv"))
SUFFIXES = (".csv", ".txt")
_FOLD = re.compile(r"(train|valid|test)_?(\d+)$", re.IGNORECASE)
_SAMPLE = 40  # groups a layout must fit to be chosen


@dataclass
class _Answers:
    """Answers of several students, column by column, before they become a frame."""

    columns: dict[str, list[str]] = field(default_factory=lambda: {
        c: [] for c in ("user", "item", "skills", "correct", "ts", "line", "file")})
    users: set[str] = field(default_factory=set)
    repeated: int = 0  # students met again (in another fold's file), left out
    folded: int = 0  # rows repeating an answer for a further skill
    flags: bool = False  # PyCD's seventh line (test flags per answer) was met

    def add(self, user: str, items: list[str], skills: list[str], correct: list[str],
            ts: list[str], lines: list[int], file: str) -> bool:
        """Add one student's answers, unless the student was met before."""
        if user in self.users:
            self.repeated += 1
            return False
        self.users.add(user)
        n = len(items)
        for key, values in (("user", [user] * n), ("item", items), ("skills", skills),
                            ("correct", correct), ("ts", ts), ("line", lines),
                            ("file", [file] * n)):
            self.columns[key].extend(values)
        return True


def is_sequence_file(path: Path) -> bool:
    """A headerless file of 3, 4, 6 or 7 lines per student, or one of pyKT's split CSVs."""
    try:
        return _pykt_header(path) is not None or _layout(_head(path)) is not None
    except (OSError, UnicodeDecodeError):
        return False


def is_sequences(folder: Path) -> bool:
    """A folder of KT sequence files (pyKT's, or files of 3 or 4 lines per student)."""
    return folder.is_dir() and bool(_folder_files(folder))


def read_sequences(path: Path, name: str | None = None) -> LogDataset:
    """Read a sequence file, or a folder of them (its first fold); ids are namespaced by
    ``name`` (default: the file's stem or the folder's name)."""
    path = Path(path)
    if not path.exists():
        raise DataFormatError(f"{path} does not exist")
    files = _folder_files(path) if path.is_dir() else [path]
    if not files:
        raise DataFormatError(f"{path}: no KT sequence files (3, 4, 6 or 7 lines per student, "
                              "or pyKT's train_valid.csv and test.csv)")
    report = ImportReport(source=str(path))
    answers = _Answers()
    maps = _Maps.beside(files[0].parent, report)
    for file in files:
        if _pykt_header(file) is not None:
            _read_pykt_csv(file, answers, report)
        else:
            _read_text(file, answers, report)
    if answers.repeated:
        report.notes.append(f"students met again, their later sequences left out: "
                            f"{answers.repeated}")
    if answers.folded:
        report.notes.append(f"rows repeating an answer for a further skill, one answer each: "
                            f"{answers.folded}")
    if answers.flags:
        report.notes.append("PyCD's per-answer test flags (each student's 7th line) are not read")
    report.counts["files"] = len(files)
    frame = pd.DataFrame({k: v for k, v in answers.columns.items() if k not in ("line", "file")},
                         dtype=str)
    frame["item"] = frame["item"].map(maps.question)
    frame["skills"] = frame["skills"].map(maps.skills)
    frame["pos"] = np.arange(len(frame)).astype(str)
    lines = np.asarray(answers.columns["line"], dtype=np.int64)
    name = name or (path.name if path.is_dir() else path.stem)
    ds = logs_of_frame(frame, lines, FORMAT, report, name, SOURCE, "KT sequences")
    report.counts["rows_read"] += answers.folded  # the rows in the files, repeats included
    files_of = dict(zip(answers.columns["user"], answers.columns["file"], strict=True))
    ds.student_files = {student_id(name, user): file for user, file in files_of.items()}
    if maps.names:
        ds.kps = [replace(k, name=maps.names.get(k.id.rsplit(":", 1)[1], k.name))
                  for k in ds.kps]
        report.counts["named_kps"] = sum(k.id.rsplit(":", 1)[1] in maps.names for k in ds.kps)
    return ds


# --- which files ---------------------------------------------------------------------------------


def _folder_files(folder: Path) -> list[Path]:
    """pyKT's ``data.txt``, else its split CSVs, else the first fold of the sequence files."""
    if (folder / "data.txt").is_file() and _layout(_head(folder / "data.txt")) is not None:
        return [folder / "data.txt"]
    for pair in PYKT_FILES:
        if (folder / pair[0]).is_file():
            return [folder / f for f in pair if (folder / f).is_file()]
    files = sorted(p for p in folder.iterdir()
                   if p.suffix.lower() in SUFFIXES and p.is_file() and is_sequence_file(p))
    folds = {p: int(m[2]) for p in files if (m := _FOLD.search(p.stem))}
    first = min(folds.values(), default=None)
    return [p for p in files if folds.get(p, first) == first]


# --- headerless files ----------------------------------------------------------------------------


def _head(path: Path, groups: int = _SAMPLE) -> list[list[str]]:
    """The first lines of the file, split into fields (enough for ``groups`` of each size)."""
    out = []
    with path.open(encoding="utf-8-sig", errors="replace") as fh:
        for line in fh:
            if line.strip():
                out.append(_fields(line))
            if len(out) >= groups * max(SIZES):
                break
    return out


def _fields(line: str) -> list[str]:
    text = line.strip().rstrip(",")
    return [f.strip() for f in text.split(",")] if text else []


def _layout(lines: list[list[str]]) -> int | None:
    """The number of lines per student that the first sampled group and most others fit (a
    few bad students must not hide the layout), if any."""
    best, share = None, 0.5
    for size in SIZES:
        groups = [lines[i:i + size] for i in range(0, len(lines) - size + 1, size)]
        if groups and _fits(groups[0]):
            fit = sum(map(_fits, groups)) / len(groups)
            if fit > share or (best is None and fit >= share):
                best, share = size, fit
    return best


def _fits(group: list[list[str]]) -> bool:
    """A student's lines: a head of one or two fields, then lines of one length (``NA`` where
    pyKT has none); pyKT's head is ``uid,length``."""
    head, rest = group[0], group[1:]
    if len(group) in (6, 7):
        answers = rest[2]
        n = len(answers)
        return (len(head) == 2 and head[1] == str(n) and n > 0
                and all(line == ["NA"] or len(line) == n for line in rest))
    answers = rest[-1]
    n = len(answers)
    return (n > 0 and ((len(head) == 1 and head[0] == str(n)) or (len(head) == 2 and all(head)))
            and all(len(line) == n and "NA" not in line for line in rest))


def _read_text(path: Path, answers: _Answers, report: ImportReport) -> None:
    """Every student of a headerless file."""
    with path.open(encoding="utf-8-sig", errors="replace") as fh:
        lines = [(n, _fields(line)) for n, line in enumerate(fh, start=1) if line.strip()]
    size = _layout([fields for _, fields in lines[:_SAMPLE * max(SIZES)]])
    if size is None:
        raise DataFormatError(f"{path}: not a KT sequence file (3, 4, 6 or 7 lines per "
                              "student: counts, items, skills, answers)")
    for start in range(0, len(lines), size):
        group = lines[start:start + size]
        first = group[0][0]
        if len(group) < size:
            report.problems.append(RowProblem(first, f"{path.name} line {first}: an incomplete "
                                                     f"student ({len(group)} of {size} lines); "
                                                     "skipped"))
        elif not _fits([fields for _, fields in group]):
            report.problems.append(RowProblem(first, f"{path.name} line {first}: the student's "
                                                     "lines differ in length; skipped"))
        else:
            _add_group(path, [fields for _, fields in group], group[3 if size >= 6 else -1][0],
                       start // size, answers)


def _add_group(path: Path, group: list[list[str]], line: int, index: int,
               answers: _Answers) -> None:
    head, n = group[0], len(group[3] if len(group) >= 6 else group[-1])
    if len(group) >= 6:
        answers.flags |= len(group) == 7
        user = head[0]
        questions, concepts, correct = group[1], group[2], group[3]
        ts = group[4] if group[4] != ["NA"] else ["0"] * n
        if questions == ["NA"]:
            questions = concepts
        if concepts == ["NA"]:
            concepts = questions
        skills = [c.replace("_", SEP) for c in concepts]
        items = questions
    else:
        if len(head) == 1:  # the count alone: the student is the group
            user = f"{path.stem}-{index}"
        else:  # uid,length or index,user id
            user = head[0] if head[1] == str(n) else head[1]
        items = group[1]
        skills = group[2] if len(group) == 4 else group[1]
        correct, ts = group[-1], ["0"] * n
        if len(group) == 4:
            items, skills, correct, ts = _collapse(items, skills, correct, ts)
    if answers.add(user, items, skills, correct, ts, [line] * len(items), path.name):
        answers.folded += n - len(items)


def _collapse(items: list[str], skills: list[str], correct: list[str], ts: list[str]
              ) -> tuple[list[str], list[str], list[str], list[str]]:
    """One answer per run of rows repeating a problem, its answer and time for another skill."""
    out: tuple[list[str], list[str], list[str], list[str]] = ([], [], [], [])
    for item, skill, right, time in zip(items, skills, correct, ts, strict=True):
        if (out[0] and out[0][-1] == item and out[2][-1] == right and out[3][-1] == time
                and skill not in out[1][-1].split(SEP)):
            out[1][-1] += SEP + skill
            continue
        for column, value in zip(out, (item, skill, right, time), strict=True):
            column.append(value)
    return out


# --- pyKT's split CSVs ---------------------------------------------------------------------------


def _pykt_header(path: Path) -> list[str] | None:
    """The header of one of pyKT's CSVs (``uid`` and ``responses`` among its columns)."""
    if not path.is_file() or path.suffix.lower() != ".csv":
        return None
    with path.open(encoding="utf-8-sig", newline="") as fh:
        header = [c.strip().lower() for c in next(csv.reader(fh), [])]
    return header if {"uid", "responses"} <= set(header) else None


def _read_pykt_csv(path: Path, answers: _Answers, report: ImportReport) -> None:
    """Every student of one of pyKT's CSVs; a student's windows are joined in file order,
    the padding (-1) dropped and the repeats for further concepts folded into their answer."""
    per_user: dict[str, dict[str, list[str]]] = {}
    with path.open(encoding="utf-8-sig", newline="") as fh:
        rows = csv.reader(fh)
        header = [c.strip().lower() for c in next(rows)]
        for line, row in enumerate(rows, start=2):
            if not any(f.strip() for f in row):
                continue
            if len(row) != len(header):
                report.problems.append(RowProblem(line, f"{path.name} line {line}: {len(row)} "
                                                        f"fields, not {len(header)}; skipped"))
                continue
            cells = {c: _fields(v) for c, v in zip(header, row, strict=True) if c != "uid"}
            n = len(cells["responses"])
            keys = [c for c in ("questions", "concepts", "timestamps", "is_repeat",
                                "selectmasks") if c in cells and cells[c] != ["NA"]]
            if any(len(cells[c]) != n for c in keys):
                report.problems.append(RowProblem(line, f"{path.name} line {line}: the row's "
                                                        "sequences differ in length; skipped"))
                continue
            mine = per_user.setdefault(row[header.index("uid")].strip(),
                                       {c: [] for c in ("items", "skills", "correct", "ts",
                                                        "repeat", "line")})
            items = cells.get("questions") if "questions" in keys else None
            concepts = cells.get("concepts") if "concepts" in keys else None
            for j in range(n):
                if cells["responses"][j] == "-1" or (
                        "selectmasks" in keys and cells["selectmasks"][j] == "-1"):
                    continue  # padding
                item = (items or concepts or cells["responses"])[j]
                mine["items"].append(item)
                mine["skills"].append((concepts or items or cells["responses"])[j])
                mine["correct"].append(cells["responses"][j])
                mine["ts"].append(cells["timestamps"][j] if "timestamps" in keys else "0")
                mine["repeat"].append(cells["is_repeat"][j] if "is_repeat" in keys else "0")
                mine["line"].append(str(line))
    for user, seq in per_user.items():
        items, skills, correct, ts, lines = [], [], [], [], []
        folded = 0
        for item, skill, right, time, repeat, line in zip(
                seq["items"], seq["skills"], seq["correct"], seq["ts"], seq["repeat"],
                seq["line"], strict=True):
            if repeat == "1" and items:
                skills[-1] += SEP + skill
                folded += 1
                continue
            for column, value in ((items, item), (skills, skill), (correct, right),
                                  (ts, time), (lines, int(line))):
                column.append(value)
        if answers.add(user, items, skills, correct, ts, lines, path.name):
            answers.folded += folded


# --- ids back to the data set's own --------------------------------------------------------------


@dataclass
class _Maps:
    """Indices back to ids and names, from the JSON tables the releases ship beside the files."""

    questions: dict[str, str] = field(default_factory=dict)
    concepts: dict[str, str] = field(default_factory=dict)
    names: dict[str, str] = field(default_factory=dict)

    @classmethod
    def beside(cls, folder: Path, report: ImportReport) -> _Maps:
        maps = cls()
        if (pykt := _json(folder / "keyid2idx.json", report, "ids")) is not None:
            maps.questions = _inverse(pykt.get("questions"))
            maps.concepts = _inverse(pykt.get("concepts"))
        if (problems := _json(folder / "problems.json", report, "problem ids")) is not None:
            maps.questions = _inverse(problems)
        if (skills := _json(folder / "skill.json", report, "skill names")) is not None:
            maps.names = _inverse(skills)
        return maps

    def question(self, item: str) -> str:
        return self.questions.get(item, item)

    def skills(self, joined: str) -> str:
        return SEP.join(self.concepts.get(s, s) for s in joined.split(SEP))


def _json(path: Path, report: ImportReport, what: str) -> dict | None:
    if not path.is_file():
        return None
    try:
        table = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        report.notes.append(f"{path.name} is not readable JSON ({exc}); its ids are not used")
        return None
    if not isinstance(table, dict):
        report.notes.append(f"{path.name} is not a table of ids; not used")
        return None
    report.notes.append(f"{what} from {path.name}")
    return table


def _inverse(table: object) -> dict[str, str]:
    """``{id: index}`` as ``{index: id}``."""
    if not isinstance(table, dict):
        return {}
    return {str(index): str(key) for key, index in table.items()}
