"""Reader for responses in the learner-performance-prediction (``lpp``) folder format, the
layout ASSISTments 2009 is shipped in here and that lpp's ``prepare_data.py`` writes for every
data set it prepares (ASSISTments 2009/12/15/17, KDD Cup 2010, Squirrel AI ...).

Pure: reads files and returns domain objects; it never touches the graph. The folder holds one or
more ``*.csv`` files (header ``user_id item_id timestamp correct``, optionally ``skill_id``;
tab-separated as lpp writes them, or comma-separated; rows grouped by user, in time order within
a user) and ``q_mat.npz`` (SciPy CSR, items x skills; without it, each item tests the skills
its rows' ``skill_id`` names).

Decisions:

* The CSV files are read in sorted file-name order; a user's ``seq`` counts on across files.
  A full file (``preprocessed_data.csv``) is left out when its train and test splits
  (``preprocessed_data_train.csv``, ``..._test.csv``) are there (:func:`lpp_files`): the same
  rows would land twice under other event ids. Rows are
  not de-duplicated by content across other files: lpp timestamps are often 0, so two genuine
  answers to one item can look alike.
* Validation is vectorised (line ends and tab counts from the bytes, values through pandas' C
  parser) because the full lpp has 278k rows. Bad rows (wrong field count, non-integer value,
  negative id, ``correct`` not 0/1, ``item_id`` outside the Q-matrix rows) are skipped and become
  ``RowProblem``s with the file line (header = line 1) and the file name in the reason. Empty lines
  are skipped silently. Folder-level faults raise ``DataFormatError``.
* ``timestamp`` is in seconds (lpp counts them from the data set's first answer; ASSISTments
  2009 has none, all 0); attempts carry it in milliseconds, as every source does.
* ``skill_id``, where a file has it, is an id of a skill *combination*; it is validated, and used
  only where the folder has no ``q_mat.npz``: the Q-matrix gives every skill of an item, each
  with weight ``1 / skills of the item``. lpp's own ``prepare_data.py`` writes no such column.
* Questions are the items that appear in the files or have Q-matrix skills; one KP per Q-matrix
  column. KP names come from :mod:`datasets.assist_names` when ``names_from`` holds the
  ``akt/`` and ``pycd/`` releases; otherwise KPs are named by original skill id or by column.
* Building ~300k frozen dataclasses dominates the time (~0.8 s of ~1.1 s for the full lpp), so
  cyclic GC is paused during an import (the objects hold no cycles) and ids are built once per
  student/item and shared. Keyword arguments keep a reordered domain field from swapping ids.
* ``report.counts``: files, rows_read, rows_kept, rows_bad, items, tests, students, kps, named_kps.
"""

from __future__ import annotations

import csv
import io
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import scipy.sparse as sp

from datasets import assist_names
from datasets.logs import LogDataset, gc_paused, questions_and_tests, students_and_attempts
from tutor.curriculum import Chapter, KnowledgePoint
from tutor.errors import DataFormatError
from tutor.imports import ImportReport, RowProblem

SOURCE = "assist2009"
COLUMNS = ("user_id", "item_id", "timestamp", "correct")  # required; the first four kept
OPTIONAL = ("skill_id",)  # validated where present; read only without a q_mat.npz
ID_COLUMNS = ("user_id", "item_id", "skill_id")
NO_LIMIT = 2**62  # the item bound when there is no Q-matrix to check items against
MAX_SECONDS = 9 * 10**12  # timestamps are seconds; in milliseconds they must fit int64
SEPARATORS = {"\t": 9, ",": 44}  # text -> byte; the header line tells which one a file uses
Q_MATRIX = "q_mat.npz"
_INT = r"[+-]?\d{1,18}"  # at most 18 digits always fits int64


def read_assist(
    folder: Path, name: str | None = None, names_from: Path | None = None
) -> LogDataset:
    """Read an lpp-format folder; ids are namespaced by ``name`` (default: the folder's name)."""
    folder = Path(folder)
    files, q = _locate(folder)
    with gc_paused():
        return _build(folder, files, q, name or folder.name, names_from)


def _build(
    folder: Path, files: list[Path], q: sp.csr_matrix, name: str, names_from: Path | None
) -> LogDataset:
    """Rows, KPs, questions, students and attempts of a located folder."""
    report = ImportReport(source=str(folder))
    for full in sorted(full_files({p.name for p in folder.glob("*.csv")})):
        report.notes.append(f"{full} left out: the same rows as its train and test files")
    rows = _read_rows(files, q.shape[0] if q is not None else NO_LIMIT, report)
    if q is None:
        q = _q_from_skill_ids(rows, folder, report)
    chapter = _chapter(name)
    kps = _kps(name, chapter.id, q, names_from, report)
    question_ids = [f"{name}:q:{i}" for i in range(q.shape[0])]
    kp_ids = [kp.id for kp in kps]
    questions, tests = questions_and_tests(question_ids, kp_ids, q, rows["item_id"].to_numpy(),
                                           report, SOURCE)
    rows["ts"] = rows["timestamp"] * 1000  # lpp's seconds; Attempt.ts is milliseconds
    students, attempts = students_and_attempts(name, question_ids, rows, SOURCE)
    report.counts.update(items=len(questions), tests=len(tests), students=len(students))
    report.counts["kps"] = len(kps)
    return LogDataset(
        name=name,
        chapter=chapter,
        kps=kps,
        questions=questions,
        tests=tests,
        students=students,
        attempts=attempts,
        report=report,
        student_files=_student_files(name, files, rows),
    )


# --- folder and Q-matrix ---------------------------------------------------------------------


def _locate(folder: Path) -> tuple[list[Path], sp.csr_matrix | None]:
    """The folder's CSV files (sorted by name) and its Q-matrix as a 0/1 pattern, if it has
    one."""
    if not folder.is_dir():
        raise DataFormatError(f"ASSISTments folder {folder} does not exist")
    files = sorted((p for p in folder.glob("*.csv") if p.is_file()), key=lambda p: p.name)
    if not files:
        raise DataFormatError(f"ASSISTments folder {folder} has no *.csv files")
    q_file = folder / Q_MATRIX
    return lpp_files(files), _load_q(q_file) if q_file.exists() else None


def lpp_files(files: list[Path]) -> list[Path]:
    """The files to read: the learner-performance-prediction layout may ship the full file beside
    its train and test splits, the same rows twice (``preprocessed_data.csv`` beside
    ``preprocessed_data_train.csv`` and ``..._test.csv``; forks write ``preprocessed_df.csv``
    beside ``preprocessed_train_df.csv`` and ``preprocessed_test_df.csv``). With both splits
    present the full file is left out (the splits carry the train/test assignment the
    evaluations need); every other CSV is read."""
    left_out = full_files({p.name for p in files})
    return [p for p in files if p.name not in left_out]


def full_files(names: set[str]) -> set[str]:
    """Names of full files whose train and test splits are both among ``names``."""
    full = set()
    for name in names:
        if "train" in name and name.replace("train", "test") in names:
            for part in ("_train", "train_", "train"):
                if part in name:
                    full.add(name.replace(part, "", 1))
                    break
    return full & names


def _q_from_skill_ids(rows: pd.DataFrame, folder: Path, report: ImportReport) -> sp.csr_matrix:
    """Without ``q_mat.npz``, each item tests the skills its rows name in ``skill_id`` (one
    column per distinct id, in id order)."""
    if "skill_id" not in rows or rows["skill_id"].isna().any():
        raise DataFormatError(f"Q-matrix {folder / Q_MATRIX} is missing and not every file has a "
                              "skill_id column to build one from")
    skills, column = np.unique(rows["skill_id"].to_numpy(dtype=np.int64), return_inverse=True)
    items = int(rows["item_id"].max()) + 1 if len(rows) else 0
    q = sp.csr_matrix((np.ones(len(rows)), (rows["item_id"].to_numpy(), column)),
                      shape=(items, len(skills)))
    q.sum_duplicates()
    q.data[:] = 1.0
    report.notes.append(f"no {Q_MATRIX}: the Q-matrix is built from the rows' skill_id "
                        f"({len(skills)} skills; column k is the k-th smallest id)")
    return q


def _load_q(path: Path) -> sp.csr_matrix:
    """Load the items x skills matrix; any nonzero entry means the item tests that skill."""
    try:
        q = sp.csr_matrix(sp.load_npz(path))
    except (OSError, ValueError, KeyError, zipfile.BadZipFile) as exc:
        raise DataFormatError(f"Q-matrix {path} is not a SciPy sparse .npz: {exc}") from exc
    q.eliminate_zeros()
    q.sum_duplicates()
    q.sort_indices()
    return q


# --- CSV rows ----------------------------------------------------------------------------------


def _read_rows(files: list[Path], n_items: int, report: ImportReport) -> pd.DataFrame:
    """Valid rows of all files in file order, with ``seq`` = position in the user's history."""
    frames = [_read_file(path, n_items, report) for path in files]
    for i, frame in enumerate(frames):
        frame["file"] = i
    rows = pd.concat(frames, ignore_index=True)
    rows["seq"] = rows.groupby("user_id", sort=False).cumcount()
    spanning = int((rows.groupby("user_id")["file"].nunique() > 1).sum())
    if spanning:
        report.notes.append(f"{spanning} users appear in more than one file; seq counts on")
    report.counts.update(files=len(files), rows_kept=len(rows), rows_bad=len(report.problems))
    return rows


def _read_file(path: Path, n_items: int, report: ImportReport) -> pd.DataFrame:
    """One file's valid rows (columns ``COLUMNS`` as int64); bad rows go to the report."""
    data = _read_bytes(path)
    sep = _separator(data)
    starts, ends, fields, blank = _line_layout(data, SEPARATORS[sep])
    header = _header(data[starts[0] : ends[0]] if len(starts) else b"", sep, path)
    body = np.flatnonzero(~blank)
    body = body[body > 0]
    good = body[fields[body] == len(header)]
    for i in body[fields[body] != len(header)].tolist():
        _problem(report, path, i + 1, f"expected {len(header)} fields, found {fields[i]}")
    report.counts["rows_read"] = report.counts.get("rows_read", 0) + len(body)
    frame = _parse(_payload(data, starts, ends, good), header, sep)
    if len(frame) != len(good):
        raise DataFormatError(f"{path}: parsed {len(frame)} rows from {len(good)} lines")
    return _validate(frame, good + 1, path, n_items, report)


def _read_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise DataFormatError(f"cannot read {path}: {exc}") from exc


def _separator(data: bytes) -> str:
    """Tab, as lpp writes, unless the header line has commas and no tab."""
    first = data[: data.find(b"\n")] if b"\n" in data else data
    return "," if b"," in first and b"\t" not in first else "\t"


def _line_layout(data: bytes, sep: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Start, end (before ``\\n``), field count and emptiness of every line, straight from bytes."""
    buf = np.frombuffer(data, dtype=np.uint8)
    newlines = np.flatnonzero(buf == 10)
    starts = np.concatenate(([0], newlines + 1))
    ends = np.concatenate((newlines, [len(buf)]))
    if len(starts) and starts[-1] == len(buf):  # the text ends with a newline
        starts, ends = starts[:-1], ends[:-1]
    seps = np.flatnonzero(buf == sep)
    fields = np.searchsorted(seps, ends) - np.searchsorted(seps, starts) + 1
    blank = ends == starts
    lone = ends - starts == 1
    blank[lone] = buf[starts[lone]] == 13  # a CRLF file's empty line
    return starts, ends, fields, blank


def _header(line: bytes, sep: str, path: Path) -> list[str]:
    """The header's column names; all of ``COLUMNS`` must be there, each once."""
    names = [c.strip() for c in line.decode("utf-8", "replace").lstrip("\ufeff").split(sep)]
    missing = [c for c in COLUMNS if c not in names]
    if missing or len(set(names)) != len(names):
        raise DataFormatError(
            f"{path}: header must name the columns {' '.join(COLUMNS)} once each, separated by"
            f" tabs or commas (skill_id may follow; missing {missing}, found {names[:8]})"
        )
    return names


def _payload(data: bytes, starts: np.ndarray, ends: np.ndarray, good: np.ndarray) -> bytes:
    """The good data lines as one text; the body as is (no copy per line) when all are good."""
    if len(good) == len(starts) - 1:  # good lines are a subset of lines 1.., so all of them
        return data[starts[1] :] if len(good) else b""
    return b"\n".join(
        data[s:e] for s, e in zip(starts[good].tolist(), ends[good].tolist(), strict=True)
    )


def _parse(payload: bytes, header: list[str], sep: str) -> pd.DataFrame:
    """Parse the good lines with the C parser; re-read as text when a column is not all ints."""
    used = _used(header)
    if not payload.strip():
        return pd.DataFrame({c: pd.Series([], dtype=np.int64) for c in used})
    frame = _read_csv(payload, header, used, sep, None)
    if all(pd.api.types.is_signed_integer_dtype(frame[c]) for c in used):
        return frame
    return _read_csv(payload, header, used, sep, str)


def _used(header: list[str]) -> list[str]:
    return [*COLUMNS, *(c for c in OPTIONAL if c in header)]


def _read_csv(
    payload: bytes, header: list[str], used: list[str], sep: str, dtype: type | None
) -> pd.DataFrame:
    return pd.read_csv(
        io.BytesIO(payload),
        sep=sep,
        header=None,
        names=header,
        usecols=used,
        dtype=dtype,
        na_filter=False,
        quoting=csv.QUOTE_NONE,
        lineterminator="\n",  # a stray CR must not split a line the separator count saw as one
        skip_blank_lines=False,
        encoding_errors="replace",
        engine="c",
    )


def _validate(
    frame: pd.DataFrame, lines: np.ndarray, path: Path, n_items: int, report: ImportReport
) -> pd.DataFrame:
    """Integer columns of the rows that pass every check; the first failed check is reported."""
    values, checks = {}, []
    used = [c for c in (*COLUMNS, *OPTIONAL) if c in frame.columns]
    for col in used:
        values[col], ok = _as_int(frame[col])
        checks.append((~ok, col, f"{col} is not an integer"))
    for col in (c for c in ID_COLUMNS if c in values):
        checks.append((values[col] < 0, col, f"negative {col}"))
    checks.append((~np.isin(values["correct"], (0, 1)), "correct", "correct is not 0 or 1"))
    checks.append((np.abs(values["timestamp"]) > MAX_SECONDS, "timestamp",
                   "timestamp out of range (seconds expected)"))
    out_of_q = values["item_id"] >= n_items
    if n_items < NO_LIMIT:
        checks.append((out_of_q, "item_id",
                       f"item_id outside the Q-matrix rows 0..{n_items - 1}"))
    bad = np.zeros(len(frame), dtype=bool)
    for mask, col, reason in checks:
        for i in np.flatnonzero(mask & ~bad).tolist():
            _problem(report, path, int(lines[i]), f"{reason} ({str(frame[col].iloc[i])!r})")
        bad |= mask
    keep = ~bad
    return pd.DataFrame({c: values[c][keep] for c in used})


def _as_int(col: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """The column as int64 and a mask of the values that really are integers."""
    if pd.api.types.is_signed_integer_dtype(col):
        return col.to_numpy(dtype=np.int64), np.ones(len(col), dtype=bool)
    text = col.astype(str).str.strip()
    ok = text.str.fullmatch(_INT).to_numpy(dtype=bool)
    values = np.zeros(len(col), dtype=np.int64)
    values[ok] = text[ok].astype(np.int64).to_numpy()
    return values, ok


def _problem(report: ImportReport, path: Path, line: int, reason: str) -> None:
    report.problems.append(RowProblem(line, f"{path.name} line {line}: {reason}; row skipped"))


# --- domain objects ----------------------------------------------------------------------------


def _chapter(name: str) -> Chapter:
    """One chapter holds every skill (the data has no grouping above skills)."""
    title = "ASSISTments 2009 skills" + ("" if name == SOURCE else f" ({name})")
    return Chapter(id=f"{name}:chapter:skills", name=title, source=SOURCE)


def _kps(
    name: str, chapter_id: str, q: sp.csr_matrix, names_from: Path | None, report: ImportReport
) -> list[KnowledgePoint]:
    """One KP per Q-matrix column, named from the AKT/PyCD join where it resolves."""
    titles, descriptions = _kp_names(q, names_from, report)
    return [
        KnowledgePoint(
            id=f"{name}:kp:{k}",
            name=title,
            chapter_id=chapter_id,
            description=description,
            source=SOURCE,
        )
        for k, (title, description) in enumerate(zip(titles, descriptions, strict=True))
    ]


def _kp_names(
    q: sp.csr_matrix, names_from: Path | None, report: ImportReport
) -> tuple[list[str], list[str]]:
    """Names and their provenance per column; falls back (and notes why) when no source fits."""
    n = q.shape[1]
    skill_ids: list[int] | None = None
    names: dict[int, str] = {}
    if names_from is None:
        report.notes.append("no names source given; KPs are named 'Skill column k'")
    else:
        try:
            skill_ids = _skill_ids(n, Path(names_from), report)
            if skill_ids is not None:
                _note_count_check(q, skill_ids, Path(names_from), report)
                names = _join_names(Path(names_from), report)
        except DataFormatError as exc:
            skill_ids, names = None, {}
            report.notes.append(f"KP names fall back to 'Skill column k': {exc}")
    report.counts["named_kps"] = len(names)
    return [_kp_title(k, skill_ids, names) for k in range(n)], [
        _kp_description(k, skill_ids, names) for k in range(n)
    ]


def _skill_ids(n: int, root: Path, report: ImportReport) -> list[int] | None:
    """Original skill ids per column from PyCD, or None (noted) when they are not available."""
    if not (root / assist_names.PYCD).is_dir():
        report.notes.append(f"no pycd/ under {root}; KPs are named 'Skill column k'")
        return None
    ids = assist_names.original_skill_ids(root)
    if len(ids) != n:
        report.notes.append(f"pycd lists {len(ids)} skills, Q-matrix has {n}; names not used")
        return None
    return ids


def _join_names(root: Path, report: ImportReport) -> dict[int, str]:
    """Column -> name from the AKT join, or nothing (noted) when akt/ is absent."""
    if not assist_names.names_available(root):
        report.notes.append(f"no akt/ under {root}; KPs are named 'Skill <original id>'")
        return {}
    names = assist_names.skill_names(root)
    report.notes.append(f"{len(names)} KP names joined from {root}/akt and {root}/pycd")
    return names


def _note_count_check(
    q: sp.csr_matrix, skill_ids: list[int], root: Path, report: ImportReport
) -> None:
    """Record how well PyCD's per-skill item counts match the Q-matrix column counts."""
    pycd = assist_names.pycd_item_counts(root)
    diffs = np.abs(np.diff(q.tocsc().indptr) - np.array([pycd[s] for s in skill_ids]))
    report.notes.append(
        f"column order check: Q-matrix item counts equal pycd's for {int((diffs == 0).sum())}"
        f" of {len(skill_ids)} skills (largest difference {int(diffs.max(initial=0))})"
    )


def _kp_title(k: int, skill_ids: list[int] | None, names: dict[int, str]) -> str:
    if k in names:
        return names[k]
    return f"Skill {skill_ids[k]}" if skill_ids else f"Skill column {k}"


def _kp_description(k: int, skill_ids: list[int] | None, names: dict[int, str]) -> str:
    if skill_ids is None:
        return f"Q-matrix column {k}; original skill id and name unknown (no pycd/ given)"
    origin = f"Q-matrix column {k} = original ASSISTments skill_id {skill_ids[k]}"
    if k in names:
        return f"{origin}; name from akt/skill.json joined via pycd/que_kc_lookup.txt"
    return f"{origin}; no unambiguous name in akt/skill.json"


def _student_files(name: str, files: list[Path], rows: pd.DataFrame) -> dict[str, str]:
    """Which file each student starts in: lpp's train/test split is by file."""
    first = rows.groupby("user_id", sort=True)["file"].first()
    return {f"{name}:student:{u}": files[f].name for u, f in first.items()}
