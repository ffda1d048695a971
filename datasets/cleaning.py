"""Cleaning rules for generic LMS-export attempt logs (the product design's seven rules).

Input format (read by :mod:`datasets.lms_csv`)
-----------------------------------------------------
CSV with a header row, UTF-8 (a leading BOM is tolerated); header names are trimmed and
lower-cased. One data row = one answer of a student to a question.

Required columns:

- ``student``   - the student's id in the LMS (any text).
- ``question``  - the question's id (any text).
- ``kps``       - one or more knowledge-point ids separated by ``;`` (e.g. ``fractions;ratios``).
- ``correct``   - ``1``/``0``, ``true``/``false`` or ``yes``/``no`` (case-insensitive).
- ``timestamp`` - ISO-8601 with or without a zone (naive means UTC), e.g.
  ``2024-03-01T09:15:00``, ``2024-03-01 09:15:00+01:00``, ``2024-03-01T08:15:00Z``; or a plain
  number of epoch seconds or milliseconds (absolute values >= 1e11 are read as milliseconds).
- ``duration``  - seconds spent on the answer, >= 0; may be empty.

Optional: any further columns. A numeric one (every non-empty value a number) whose name ends in
``_count`` (e.g. ``hint_count``) is a *count*; any other numeric one is a *measure*; a non-numeric
one (e.g. ``device``, ``source``) is *categorical*. Column names starting with ``_`` are reserved.

Rules, applied in this order by :func:`clean`
---------------------------------------------
1. ``parse``      - type the values; a row with a missing student/question/kps, an unparseable
   ``correct`` or ``timestamp``, or a bad/negative ``duration`` is dropped as a bad row.
2. ``duplicates`` - drop repeated (student, timestamp) rows, keeping the first in file order.
3. ``fill``       - missing duration and measures get the column mean; missing counts get 0.
4. ``outliers``   - drop rows whose duration is more than ``sigma`` standard deviations from the
   file's mean (skipped under 3 rows or when the deviation is 0).
5. ``sessions``   - split each student's attempts into sessions at idle gaps longer than
   ``session_gap_min``; drop every row of a session shorter than ``min_session_min`` or longer
   than ``max_session_min``.
6. ``zscore``     - add ``<col>_z`` for duration and each measure (raw values kept).
7. ``onehot``     - add ``<col>=<value>`` 0/1 columns for each categorical column.

Rules 6-7 only add model features. Every rule is a pure function ``DataFrame -> RuleResult``:
the cleaned frame, one :class:`RowProblem` (file line, reason) per dropped row, and a note.
The frame carries the file line of each row in the ``_line`` column throughout.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from tutor.errors import InvalidInput
from tutor.imports import RowProblem

REQUIRED_COLUMNS = ("student", "question", "kps", "correct", "timestamp", "duration")
LINE = "_line"  # file line number of the row (header = line 1)
SESSION = "_session"  # session number within the student, added by rule 5
KP_SEPARATOR = ";"
EPOCH_MS_THRESHOLD = 1e11  # |x| >= 1e11 is epoch ms (1973+); below, epoch seconds
MAX_EPOCH_MS = 1e15  # beyond year 33000: not a real clock, treated as unparseable
MIN_ROWS_FOR_SIGMA = 3
MAX_ONE_HOT_VALUES = 50  # a categorical with more values (an id, free text) is not one-hot encoded
_TRUTH = {"1": True, "true": True, "yes": True, "0": False, "false": False, "no": False}
_MS_PER_MIN = 60_000
_MAX_LINES_IN_NOTE = 10


@dataclass(frozen=True)
class CleaningOptions:
    """Parameters of rules 4 and 5; the defaults are the product design's."""

    session_gap_min: float = 30
    min_session_min: float = 5
    max_session_min: float = 180
    sigma: float = 3.0

    def __post_init__(self) -> None:
        if min(self.session_gap_min, self.sigma) <= 0 or self.min_session_min < 0:
            raise InvalidInput("cleaning options: gap and sigma must be > 0, min session >= 0")
        if self.min_session_min > self.max_session_min:
            raise InvalidInput("cleaning options: min_session_min exceeds max_session_min")


DEFAULT_OPTIONS = CleaningOptions()


@dataclass(frozen=True, eq=False)
class RuleResult:
    """What one rule returned: the cleaned frame, the rows it dropped (with why), a note."""

    rule: str
    frame: pd.DataFrame
    problems: tuple[RowProblem, ...] = ()
    changed: int = 0  # values the rule changed in place (filled cells); 0 for the others
    note: str = ""

    @property
    def dropped(self) -> int:
        return len(self.problems)


@dataclass(frozen=True)
class ColumnKinds:
    """The optional columns of a typed frame, by role."""

    counts: tuple[str, ...]
    measures: tuple[str, ...]
    categoricals: tuple[str, ...]


@dataclass(frozen=True, eq=False)
class Cleaned:
    """The outcome of :func:`clean`: the final frame and each rule's result, in order."""

    frame: pd.DataFrame
    steps: tuple[RuleResult, ...]

    def step(self, rule: str) -> RuleResult:
        return next(s for s in self.steps if s.rule == rule)


# --- helpers -----------------------------------------------------------------------------------


def format_lines(lines: Iterable[int]) -> str:
    """``lines 3, 7, 9`` (first ten, then a count) so a note stays one readable line."""
    lines = sorted(lines)
    shown = ", ".join(str(n) for n in lines[:_MAX_LINES_IN_NOTE])
    more = f" and {len(lines) - _MAX_LINES_IN_NOTE} more" if len(lines) > _MAX_LINES_IN_NOTE else ""
    return f"line{'s' if len(lines) != 1 else ''} {shown}{more}"


def _drop_note(rule: str, problems: list[RowProblem], why: str) -> str:
    if not problems:
        return f"{rule}: nothing dropped"
    return (
        f"{rule}: dropped {len(problems)} row(s) {why} ({format_lines(p.line for p in problems)})"
    )


def _drop(
    rule: str, frame: pd.DataFrame, mask: pd.Series, reasons: pd.Series, why: str
) -> RuleResult:
    """Split ``frame`` by ``mask`` into the kept frame and one RowProblem per dropped row."""
    lines, texts = frame.loc[mask, LINE].tolist(), reasons[mask].tolist()
    problems = [RowProblem(int(n), str(r)) for n, r in zip(lines, texts, strict=True)]
    return RuleResult(rule, frame.loc[~mask], tuple(problems), 0, _drop_note(rule, problems, why))


def _is_derived(name: str, columns: pd.Index) -> bool:
    """True for columns rules 6-7 added, so re-reading kinds after them stays stable."""
    if name.endswith("_z") and name[:-2] in columns:
        return True
    return "=" in name and name.split("=", 1)[0] in columns


def optional_columns(frame: pd.DataFrame) -> list[str]:
    """The input's extra columns: not required, not internal (``_``), not derived features."""
    return [
        c
        for c in frame.columns
        if c not in REQUIRED_COLUMNS and not c.startswith("_") and not _is_derived(c, frame.columns)
    ]


def column_kinds(frame: pd.DataFrame) -> ColumnKinds:
    """Classify optional columns of a typed frame (after rule 1) by dtype and name."""
    numeric = [c for c in optional_columns(frame) if pd.api.types.is_numeric_dtype(frame[c])]
    return ColumnKinds(
        counts=tuple(c for c in numeric if c.endswith("_count")),
        measures=tuple(c for c in numeric if not c.endswith("_count")),
        categoricals=tuple(c for c in optional_columns(frame) if c not in numeric),
    )


# --- rule 1: parse -----------------------------------------------------------------------------


def _blank(text: pd.Series) -> pd.Series:
    return text.isna() | (text == "")


def _finite_numbers(text: pd.Series) -> pd.Series:
    """Numbers as float; NaN for blanks, non-numbers and infinities."""
    num = pd.to_numeric(text, errors="coerce").astype("float64")
    return num.where(np.isfinite(num))


def parse_timestamps_ms(text: pd.Series) -> pd.Series:
    """Epoch milliseconds (float, NaN when unparseable) from ISO-8601 or epoch s/ms text."""
    text = text.astype("str").str.strip()
    num = _finite_numbers(text)
    from_num = num.where(num.abs() >= EPOCH_MS_THRESHOLD, num * 1000).round()
    from_num = from_num.where(from_num.abs() < MAX_EPOCH_MS)
    iso = pd.to_datetime(text.where(num.isna()), format="ISO8601", utc=True, errors="coerce")
    from_iso = (iso - pd.Timestamp(0, tz="UTC")) // pd.Timedelta(milliseconds=1)
    return from_num.fillna(from_iso.astype("float64"))


def split_kps(text: str) -> tuple[str, ...]:
    """``"a; b;;a"`` -> ``("a", "b")``: trimmed, empties skipped, repeats removed, order kept."""
    parts = (p.strip() for p in str(text).split(KP_SEPARATOR))
    return tuple(dict.fromkeys(p for p in parts if p))


def _problem_text(raw: pd.Series, parsed_ok: pd.Series, what: str) -> pd.Series:
    """Per row: '' when fine, 'missing <what>' or "unparseable <what> '<value>'"."""
    blank = _blank(raw)
    reason = pd.Series("", index=raw.index, dtype="object")
    reason[blank] = f"missing {what}"
    bad = ~blank & ~parsed_ok
    reason[bad] = [f"unparseable {what} {v!r}" for v in raw[bad]]
    return reason


def _type_optional(text: pd.Series) -> pd.Series:
    """Numbers as float when every non-empty value is one; otherwise trimmed text, blank = NA."""
    present = ~_blank(text)
    num = _finite_numbers(text)
    if present.any() and num[present].notna().all():
        return num
    return text.where(present)


def _parse_reasons(text: dict[str, pd.Series], typed: dict[str, pd.Series]) -> pd.Series:
    """Join every failed check of a row into one reason ('' for a good row)."""
    dur, index = typed["duration"], typed["duration"].index
    parts = [
        _problem_text(typed["student"], typed["student"] != "", "student"),
        _problem_text(typed["question"], typed["question"] != "", "question"),
        _problem_text(typed["kps"].map(KP_SEPARATOR.join), typed["kps"].map(len) > 0, "kps"),
        _problem_text(text["correct"], typed["correct"].notna(), "correct"),
        _problem_text(text["timestamp"], typed["timestamp"].notna(), "timestamp"),
        _problem_text(text["duration"], dur.notna(), "duration").where(
            ~_blank(text["duration"]), ""
        ),
        pd.Series(np.where(dur < 0, "negative duration", ""), index=index),
    ]
    joined = np.full(len(index), "", dtype=object)
    for part in parts:
        text_part = part.to_numpy(dtype=object)
        sep = np.where((joined != "") & (text_part != ""), "; ", "")
        joined = joined + sep + text_part
    return pd.Series(joined, index=index, dtype="object")


def parse_rows(raw: pd.DataFrame) -> RuleResult:
    """Rule 1: type the required columns and drop rows that cannot be an attempt.

    First because every later rule needs typed values (times, numbers) to compute anything;
    a bad row is reported with its file line so the user can fix the export.
    """
    strip = {c: raw[c].fillna("").astype("str").str.strip() for c in raw.columns if c != LINE}
    typed = {
        "student": strip["student"],
        "question": strip["question"],
        "kps": strip["kps"].map(split_kps).astype("object"),
        "correct": strip["correct"].str.lower().map(_TRUTH),
        "timestamp": parse_timestamps_ms(strip["timestamp"]),
        "duration": _finite_numbers(strip["duration"]),
    }
    reasons = _parse_reasons(strip, typed)
    frame = pd.DataFrame({LINE: raw[LINE].astype("int64"), **typed}, index=raw.index)
    for col in optional_columns(raw):
        frame[col] = _type_optional(strip[col])
    result = _drop("parse", frame, reasons != "", reasons, "that could not be parsed")
    good = result.frame.astype({"correct": "bool", "timestamp": "int64"})
    return RuleResult("parse", good, result.problems, 0, result.note)


# --- rule 2: duplicates ------------------------------------------------------------------------


def drop_duplicates(frame: pd.DataFrame) -> RuleResult:
    """Rule 2: keep the first row of each (student, timestamp).

    One student cannot answer twice at the same instant: the repeat is an export artefact
    (double submission, re-export). Done before filling so copies do not weigh on means, and it
    makes ``student + timestamp`` a stable, unique attempt id.
    """
    key = ["student", "timestamp"]
    mask = frame.duplicated(key, keep="first")
    first = frame.groupby(key, sort=False)[LINE].transform("first")
    reasons = "duplicate of line " + first.astype("str") + " (same student and timestamp)"
    return _drop("duplicates", frame, mask, reasons, "repeating a (student, timestamp)")


# --- rule 3: fill ------------------------------------------------------------------------------


def fill_missing(frame: pd.DataFrame) -> RuleResult:
    """Rule 3: missing duration/measures get the column mean, missing counts get 0.

    The mean leaves the column's average unchanged and puts the filled row at z = 0, so it is
    never taken for an outlier by rule 4; an absent count means nothing happened (no hints).
    """
    kinds = column_kinds(frame)
    out, notes, changed = frame.copy(), [], 0
    for col in ("duration", *kinds.measures):
        n, mean = int(out[col].isna().sum()), out[col].mean()
        if n and pd.isna(mean):
            notes.append(f"{col}: all {n} empty, left empty")
        elif n:
            out[col], changed = out[col].fillna(mean), changed + n
            notes.append(f"{col}: {n} filled with mean {mean:.4g}")
    for col in kinds.counts:
        n = int(out[col].isna().sum())
        out[col], changed = out[col].fillna(0.0), changed + n
        if n:
            notes.append(f"{col}: {n} filled with 0")
    return RuleResult("fill", out, (), changed, "fill: " + ("; ".join(notes) or "nothing missing"))


# --- rule 4: outliers --------------------------------------------------------------------------


def drop_outliers(frame: pd.DataFrame, sigma: float = 3.0, column: str = "duration") -> RuleResult:
    """Rule 4: drop rows with ``|z| > sigma`` on ``column`` (population sd, one pass).

    A duration far off the file's norm is a tab left open or a clock glitch, and it would
    distort the session lengths of rule 5 and the z-scores of rule 6. Skipped when under 3
    values or sd = 0 (no spread: nothing can be an outlier).
    """
    values = frame[column]
    present = values.dropna()
    mean, sd = present.mean(), present.std(ddof=0)
    if len(present) < MIN_ROWS_FOR_SIGMA or not sd > 0:
        why = f"fewer than {MIN_ROWS_FOR_SIGMA} values" if len(present) < 3 else "no spread"
        return RuleResult("outliers", frame, (), 0, f"outliers: skipped ({why})")
    z = (values - mean) / sd
    mask = z.abs() > sigma
    reasons = z.map(lambda v: f"{column} outlier: |z| = {abs(v):.2f} > {sigma:g}")
    why = f"with |z| > {sigma:g} on {column} (mean {mean:.4g}, sd {sd:.4g})"
    return _drop("outliers", frame, mask, reasons, why)


# --- rule 5: sessions --------------------------------------------------------------------------


def sessionize(frame: pd.DataFrame, gap_min: float = 30) -> tuple[pd.Series, pd.Series]:
    """Per row: session number within its student and that session's length in minutes.

    A new session starts when the idle gap (this start - previous attempt's end) exceeds
    ``gap_min``. Length = last timestamp + last duration - first timestamp; an empty duration
    counts as 0.
    """
    order = frame.sort_values(["student", "timestamp"], kind="stable")
    end = order["timestamp"] + order["duration"].fillna(0) * 1000
    prev_end = end.groupby(order["student"], sort=False).shift()
    starts = prev_end.isna() | (order["timestamp"] - prev_end > gap_min * _MS_PER_MIN)
    session = starts.astype("int64").groupby(order["student"], sort=False).cumsum() - 1
    key = [order["student"], session]
    first = order["timestamp"].groupby(key, sort=False).transform("first")
    last_end = end.groupby(key, sort=False).transform("last")
    length = (last_end - first) / _MS_PER_MIN
    return session.reindex(frame.index), length.reindex(frame.index)


def drop_bad_sessions(
    frame: pd.DataFrame, gap_min: float = 30, min_min: float = 5, max_min: float = 180
) -> RuleResult:
    """Rule 5: drop every row of a session shorter than ``min_min`` or longer than ``max_min``.

    Very short sessions are peeks or tests of the system, very long ones are shared or idle
    accounts; neither is a study session the models should learn from. Runs after rule 4 so
    one absurd duration cannot stretch a whole session. Adds the ``_session`` column.
    """
    if frame.empty:
        return RuleResult("sessions", frame.assign(**{SESSION: pd.Series(dtype="int64")}))
    session, length = sessionize(frame, gap_min)
    out = frame.assign(**{SESSION: session})
    mask = (length < min_min) | (length > max_min)
    reasons = length.map(
        lambda m: (
            f"session too {'short' if m < min_min else 'long'}: {m:.1f} min "
            f"({'<' if m < min_min else '>'} {(min_min if m < min_min else max_min):g} min)"
        )
    )
    why = f"in sessions outside {min_min:g}-{max_min:g} min (gap {gap_min:g} min)"
    return _drop("sessions", out, mask, reasons, why)


# --- rules 6-7: features -----------------------------------------------------------------------


def add_z_scores(frame: pd.DataFrame) -> RuleResult:
    """Rule 6: add ``<col>_z`` = (x - mean) / sd (population) for duration and measures.

    Models need comparable scales; the raw values stay for people and for the graph. A column
    with no spread gets z = 0. Runs after all drops so the scale is the kept data's.
    """
    cols = ("duration", *column_kinds(frame).measures)
    added = {}
    for col in cols:
        values = frame[col]
        sd = values.std(ddof=0)
        added[f"{col}_z"] = (values - values.mean()) / sd if sd > 0 else values * 0.0
    out = pd.concat([frame, pd.DataFrame(added, index=frame.index)], axis=1)
    return RuleResult("zscore", out, (), 0, "zscore: added " + ", ".join(added))


def one_hot_encode(frame: pd.DataFrame, max_values: int = MAX_ONE_HOT_VALUES) -> RuleResult:
    """Rule 7: add a 0/1 ``<col>=<value>`` column per value of each categorical column.

    Models take numbers, not labels; values are sorted so the columns are stable across
    re-imports. An empty value sets no indicator. The raw column is kept. A column with more
    than ``max_values`` distinct values (an id, free text) is skipped and named in the note.
    """
    added: dict[str, pd.Series] = {}
    skipped = []
    for col in column_kinds(frame).categoricals:
        values = sorted(frame[col].dropna().unique())
        if len(values) > max_values:
            skipped.append(f"{col} ({len(values)} values)")
            continue
        for value in values:
            added[f"{col}={value}"] = (frame[col] == value).fillna(False).astype("int8")
    out = pd.concat([frame, pd.DataFrame(added, index=frame.index)], axis=1)
    note = "onehot: added " + (", ".join(added) or "nothing")
    note += f"; skipped (over {max_values} values): {', '.join(skipped)}" if skipped else ""
    return RuleResult("onehot", out, (), 0, note)


# --- the pipeline ------------------------------------------------------------------------------


def rules(options: CleaningOptions) -> list[Callable[[pd.DataFrame], RuleResult]]:
    """The seven rules in the design's order, bound to ``options``."""
    return [
        parse_rows,
        drop_duplicates,
        fill_missing,
        lambda f: drop_outliers(f, options.sigma),
        lambda f: drop_bad_sessions(
            f, options.session_gap_min, options.min_session_min, options.max_session_min
        ),
        add_z_scores,
        one_hot_encode,
    ]


def clean(raw: pd.DataFrame, options: CleaningOptions = DEFAULT_OPTIONS) -> Cleaned:
    """Run the rules on a raw all-text frame (required columns + ``_line``), in order."""
    steps, frame = [], raw
    for rule in rules(options):
        result = rule(frame)
        steps.append(result)
        frame = result.frame
    return Cleaned(frame, tuple(steps))
