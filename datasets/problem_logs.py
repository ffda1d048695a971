"""Reader of one table of problem logs, one answer per row, as tutoring systems export them; the
formats (:class:`LogFormat`) live with their sources (:mod:`datasets.assistments`,
:mod:`datasets.datashop`).

Pure: reads a file and returns domain objects; it never touches the graph. Decisions:

* Columns are looked up by name, trimmed and lower-cased; only the format's columns are kept,
  a chunk at a time (the 2012 ASSISTments file has 6 million rows of 30 columns). Text is UTF-8
  or ISO-8859-1; a tab in the header means tab-separated, unquoted text, else CSV.
* ``correct`` is a score from 0 to 1, or a word the format scores (``true``/``false`` by
  default, any case): 0 and 1 are answers; partial credit (essays and the like) is left out
  and counted in a note, as lpp's preparation leaves it out. A row whose user, item, score or
  order cannot be read, or with too many fields, is a bad row, reported with its file line
  and skipped.
* Rows are ordered by the format's order columns (a clock, then a log id); ``seq`` is the
  position in the user's history and ``ts`` the clock in epoch milliseconds (0 without one;
  a numeric clock counts seconds unless the format says otherwise).
  A log written once per skill (ASSISTments 2009) is one answer; in a transaction log
  (DataShop's) only a step's first attempt is an answer.
* Ids are the file's own where they are plain (``NAME:q:51424``, ``NAME:student:64525``,
  ``NAME:kp:9``); other texts (DataShop's ``problem:step``, skill names) get a short hash, and
  the text becomes the question's text or the KP's name. A re-import stores nothing twice.
* A row names its skills with the format's separator (``9_15``, ``A~~B``); a skill's name comes
  from a row naming it alone, else it is ``Skill <id>``. An item without a skill is a question
  that tests no KP.
"""

from __future__ import annotations

import csv
import hashlib
import re
import warnings
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import scipy.sparse as sp

from datasets.logs import LogDataset, gc_paused, questions_and_tests, students_and_attempts
from tutor.curriculum import Chapter, KnowledgePoint
from tutor.errors import DataFormatError
from tutor.imports import ImportReport, RowProblem

CHUNK = 250_000  # rows parsed at a time
_PLAIN = re.compile(r"[0-9A-Za-z_.-]{1,64}")
_WHOLE = re.compile(r"-?\d+\.0+")


@dataclass(frozen=True)
class LogFormat:
    """How one export names its columns (lower-case) and orders its rows."""

    name: str
    user: str
    item: tuple[str, ...]  # joined by ": " when several (DataShop's problem and step)
    correct: str
    order: tuple[str, ...]  # sort keys; the first is required to tell the format
    skill_id: str | None  # the column naming a row's skills by id, if any
    skill_name: str | None  # the column naming them in words, if any
    skill_sep: str
    clock: str | None = None  # the order column holding the answer's time, if any
    clock_unit: float = 1.0  # seconds per unit of a numeric clock (Junyi: microseconds)
    words: tuple[tuple[str, float], ...] = (("true", 1.0), ("false", 0.0))  # answers in words
    first: str | None = None  # a column numbering a step's attempts: only its 1s are answers
    log: str | None = None  # a log id that repeats once per skill of one answer

    @property
    def columns(self) -> set[str]:
        return {self.user, *self.item, self.correct, *self.order} | {
            c for c in (self.skill_id, self.skill_name, self.first) if c}

    @property
    def required(self) -> tuple[str, ...]:
        return (self.user, *self.item, self.correct, self.order[0],
                *((self.first,) if self.first else ()))

    def matches(self, header: Iterable[str]) -> bool:
        return set(self.required) <= set(header)


def read_problem_logs(path: Path, formats: tuple[LogFormat, ...], name: str, source: str,
                      chapter_name: str) -> LogDataset:
    """Read ``path`` in the first of ``formats`` its header matches; ids namespaced by ``name``."""
    path = Path(path)
    header, sep = _header(path)
    fmt = next((f for f in formats if f.matches(header)), None)
    if fmt is None:
        expected = "; ".join(f"{f.name}: {' '.join(f.required)}" for f in formats)
        raise DataFormatError(f"{path}: the header lacks the columns of every known export "
                              f"({expected}); found {sorted(header)[:8]}")
    frame, lines, problems = _read(path, fmt, sep)
    report = ImportReport(source=str(path), problems=problems)
    return logs_of_frame(frame, lines, fmt, report, name, source, chapter_name)


def logs_of_frame(frame: pd.DataFrame, lines: np.ndarray, fmt: LogFormat, report: ImportReport,
                  name: str, source: str, chapter_name: str) -> LogDataset:
    """The dataset of a frame of the format's columns (text, names lower-cased) whose rows sit
    on ``lines`` of their file: what a reader of a log in several files hands over."""
    report.notes.append(f"read as {fmt.name}")
    with gc_paused():
        rows, skills = _rows(frame, lines, fmt, report)
        return _build(name, rows, skills, report, source, chapter_name)


def student_id(name: str, user: str) -> str:
    """The id a user of the file gets (a reader that splits students by file needs it)."""
    return f"{name}:student:{_id(_canonical(user.strip()))}"


# --- reading -------------------------------------------------------------------------------------


def header_of(path: Path) -> list[str]:
    """The file's column names, trimmed and lower-cased, in order."""
    return _header(Path(path))[0]


def _header(path: Path) -> tuple[list[str], str]:
    """The header's column names and the separator: a tab where the header has one, else a
    comma."""
    if not path.is_file():
        raise DataFormatError(f"{path} does not exist")
    with path.open("rb") as fh:
        first = fh.readline().decode("utf-8", "replace").lstrip("\ufeff").rstrip("\r\n")
    if not first.strip():
        raise DataFormatError(f"{path} is empty: a header row is needed")
    sep = "\t" if "\t" in first else ","
    return [c.strip().strip('"').lower() for c in first.split(sep)], sep


def _read(path: Path, fmt: LogFormat, sep: str
          ) -> tuple[pd.DataFrame, np.ndarray, list[RowProblem]]:
    """The format's columns as text, header names lower-cased; the file line of each row; rows
    with too many fields, skipped. Tab-separated text is read unquoted, as DataShop writes it."""
    tab = sep == "\t"
    for encoding in ("utf-8-sig", "iso-8859-1"):
        try:
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always", pd.errors.ParserWarning)
                chunks = pd.read_csv(path, sep=sep, dtype=str, keep_default_na=False,
                                     encoding=encoding, on_bad_lines="warn", chunksize=CHUNK,
                                     quoting=csv.QUOTE_NONE if tab else csv.QUOTE_MINIMAL)
                frame = pd.concat([_columns(chunk, fmt) for chunk in chunks], ignore_index=True)
            break
        except UnicodeDecodeError:
            continue
        except (pd.errors.ParserError, pd.errors.EmptyDataError, ValueError, OSError) as exc:
            reason = " ".join(str(exc).split())
            raise DataFormatError(f"{path}: not a readable {fmt.name} file ({reason})") from None
    skipped = [(int(m[0]), m[1]) for w in caught
               for m in re.findall(r"Skipping line (\d+): (.*)", str(w.message))]
    problems = [RowProblem(n, f"line {n}: {why}; row skipped") for n, why in skipped]
    return frame, _lines(path, len(frame), {n for n, _ in skipped}), problems


def _columns(chunk: pd.DataFrame, fmt: LogFormat) -> pd.DataFrame:
    """The format's columns of one chunk, names lower-cased (a chunk at a time keeps the memory
    to those columns while the parser still sees every field of a row)."""
    chunk.columns = [str(c).strip().lower() for c in chunk.columns]
    return chunk[[c for c in chunk.columns if c in fmt.columns]]


def _lines(path: Path, rows: int, skipped: set[int]) -> np.ndarray:
    """File line of each parsed row: lines after the header that are neither blank nor skipped
    (a quoted field that spans lines would shift them: rows are then numbered by record)."""
    with path.open("rb") as fh:
        blank = [n for n, line in enumerate(fh, start=1) if n > 1 and not line.strip()]
    total = rows + len(skipped) + len(blank) + 1
    lines = np.setdiff1d(np.arange(2, total + 1), np.array([*skipped, *blank], dtype=np.int64))
    return lines if len(lines) == rows else np.arange(rows) + 2


def _rows(frame: pd.DataFrame, lines: np.ndarray, fmt: LogFormat, report: ImportReport
          ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """One row per answer (user_id, item, correct, ts, seq) in time order, and the (item, skill,
    name) pairs of the kept rows; bad rows go to the report."""
    report.counts["rows_read"] = len(frame) + len(report.problems)
    if fmt.first:  # a transaction log: a step's later attempts and hints after it are not answers
        first = frame[fmt.first].str.strip().isin(("1", "1.0")).to_numpy()
        if later := int((~first).sum()):
            report.notes.append(f"transactions after a step's first attempt left out: {later}")
        frame, lines = frame[first], lines[first]
    user = frame[fmt.user].str.strip().map(_canonical)
    item = _item(frame, fmt)
    score = _scores(frame[fmt.correct], dict(fmt.words))
    partial = (score > 0) & (score < 1)
    keys = {c: _order_key(frame[c], fmt.clock_unit if c == fmt.clock else 1.0)
            for c in fmt.order if c in frame.columns}
    checks: list[tuple[np.ndarray, str]] = [
        ((user == "").to_numpy(), f"{fmt.user} is empty"),
        ((item == "").to_numpy(), f"{' or '.join(fmt.item)} is empty"),
        (~(np.isin(score, (0.0, 1.0)) | partial), f"{fmt.correct} is not a score from 0 to 1"),
        *((np.isnan(k), f"{c} is not a time or number") for c, k in keys.items()),
    ]
    keep = _keep(checks, lines, report)
    if left := int((partial & keep).sum()):
        report.notes.append(f"answers with partial credit left out, as lpp leaves them out: {left}")
    keep &= ~partial
    clock = keys.get(fmt.clock or "")
    rows = pd.DataFrame({
        "user_id": user.to_numpy()[keep], "item": item.to_numpy()[keep],
        "correct": (score[keep] == 1.0).astype(np.int64),
        "ts": (np.round(clock[keep] * 1000).astype(np.int64) if clock is not None
               else np.zeros(int(keep.sum()), dtype=np.int64)),
        "log": frame[fmt.log].to_numpy()[keep] if fmt.log else np.arange(keep.sum()),
        **{f"_k{j}": k[keep] for j, k in enumerate(keys.values())},
    })
    rows = rows.sort_values([f"_k{j}" for j in range(len(keys))], kind="stable")
    if fmt.log:  # a log's rows, one per skill, are one answer
        rows = rows.drop_duplicates(subset=["user_id", "log"])
        if repeated := int(keep.sum()) - len(rows):
            report.notes.append(f"rows that repeat a log once per further skill, one answer "
                                f"each: {repeated}")
    rows = rows[["user_id", "item", "correct", "ts"]].reset_index(drop=True)
    rows["seq"] = rows.groupby("user_id", sort=False).cumcount()
    report.counts.update(rows_kept=len(rows), rows_bad=len(report.problems))
    return rows, _skills(frame.loc[keep], item[keep], fmt)


def _scores(col: pd.Series, words: dict[str, float]) -> np.ndarray:
    """Scores as float64, the format's words (``true``/``false``, DataShop's ``correct``...)
    as their scores, any case; NaN where neither."""
    text = col.str.strip()
    words = text.str.lower().map(words)
    numbers = pd.to_numeric(text, errors="coerce")
    return numbers.fillna(words).to_numpy(dtype=float)


def _item(frame: pd.DataFrame, fmt: LogFormat) -> pd.Series:
    parts = [frame[c].str.strip().map(_canonical) for c in fmt.item]
    if len(parts) == 1:
        return parts[0]
    joined = parts[0].str.cat(parts[1:], sep=": ")
    return joined.where(pd.concat(parts, axis=1).ne("").all(axis=1), "")


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


def _canonical(text: str) -> str:
    """``'12.0'`` (an id a float column wrote) as ``'12'``; other texts as they are."""
    return text.split(".", 1)[0] if _WHOLE.fullmatch(text) else text


def _order_key(col: pd.Series, unit: float = 1.0) -> np.ndarray:
    """A column as sortable float64: numbers times ``unit`` (a clock's seconds per unit),
    date-times as epoch seconds."""
    text = col.str.strip()
    numbers = pd.to_numeric(text, errors="coerce").to_numpy(dtype=float)
    if np.isfinite(numbers).sum() * 2 >= len(text):
        return numbers * unit
    times = pd.to_datetime(text, errors="coerce", utc=True, format="mixed")
    return ((times - pd.Timestamp(0, tz="UTC")).dt.total_seconds()).to_numpy(dtype=float)


# --- skills --------------------------------------------------------------------------------------


def _skills(frame: pd.DataFrame, item: pd.Series, fmt: LogFormat) -> pd.DataFrame:
    """Unique (item, skill, name) of the kept rows; a row may name several skills."""
    names = (frame[fmt.skill_name].str.strip() if fmt.skill_name in frame.columns
             else pd.Series("", index=frame.index))
    ids = (frame[fmt.skill_id].str.strip() if fmt.skill_id in frame.columns
           else names)  # no id column: the name is the skill
    pairs = pd.DataFrame({"item": item, "skill": ids, "name": names}).drop_duplicates()
    pairs = pairs[pairs["skill"] != ""]
    split = pairs["skill"].str.split(fmt.skill_sep, regex=False)
    several = split.str.len() > 1
    many = pairs[several].assign(skill=split[several]).explode("skill")
    if fmt.skill_id in frame.columns:
        many["name"] = ""  # a joined name cannot be split safely: names come from lone skills
    else:
        many["name"] = many["skill"]
    out = pd.concat([pairs[~several], many], ignore_index=True)
    out["skill"] = out["skill"].str.strip().map(_canonical)
    return out[out["skill"] != ""].drop_duplicates(["item", "skill", "name"])


# --- domain objects ------------------------------------------------------------------------------


def _build(name: str, rows: pd.DataFrame, skills: pd.DataFrame, report: ImportReport,
           source: str, chapter_name: str) -> LogDataset:
    items, codes = np.unique(rows["item"].to_numpy(dtype=str), return_inverse=True)
    rows["item_id"] = codes
    item_list = items.tolist()
    question_ids = [f"{name}:q:{_id(i)}" for i in item_list]
    texts = [i if _id(i) != i else "" for i in item_list]
    skill_ids = sorted(set(skills["skill"]), key=_natural)
    titles = (skills[skills["name"] != ""].drop_duplicates("skill")
              .set_index("skill")["name"].to_dict())
    chapter = Chapter(id=f"{name}:chapter:skills", name=f"{chapter_name} ({name})",
                      source=source)
    kps = [KnowledgePoint(id=f"{name}:kp:{_id(k)}", name=titles.get(k) or f"Skill {k}",
                          chapter_id=chapter.id, source=source,
                          description=f"skill {k!r} of {chapter_name}") for k in skill_ids]
    item_index = {i: n for n, i in enumerate(item_list)}
    skill_index = {k: n for n, k in enumerate(skill_ids)}
    q = sp.csr_matrix((np.ones(len(skills)), ([item_index[i] for i in skills["item"]],
                                              [skill_index[k] for k in skills["skill"]])),
                      shape=(len(items), len(skill_ids)))
    q.sum_duplicates()
    q.data[:] = 1.0
    questions, tests = questions_and_tests(question_ids, [k.id for k in kps], q, codes, report,
                                           source, texts if any(texts) else None)
    users = rows["user_id"].map(_id)
    students, attempts = students_and_attempts(name, question_ids, rows.assign(user_id=users),
                                               source)
    report.counts.update(items=len(questions), tests=len(tests), students=len(students),
                         kps=len(kps), named_kps=len(titles))
    return LogDataset(name=name, chapter=chapter, kps=kps, questions=questions, tests=tests,
                      students=students, attempts=attempts, report=report, student_files={})


def _id(text: str) -> str:
    """The text itself where it is a plain id, else a short stable hash of it."""
    if _PLAIN.fullmatch(text):
        return text
    return hashlib.sha1(text.encode()).hexdigest()[:12]


def _natural(skill: str) -> tuple[int, str]:
    return (int(skill), "") if skill.isdigit() else (1 << 62, skill)
