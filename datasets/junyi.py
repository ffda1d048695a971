"""Reader for the Junyi Academy exercise table (the knowledge map with prerequisites).

Pure: reads the CSV and returns domain objects; it never touches the graph. One exercise is one
KnowledgePoint, one topic is one Chapter (its ``area`` is the Junyi area), and every listed
prerequisite is a ``Prerequisite(before=prerequisite, after=exercise)`` edge.

Decisions (all reported, nothing dropped silently):

* Records are one per physical line (the format has no multi-line fields), so a broken quote ruins
  only its own line and every problem carries its exact file line (header = line 1).
* Malformed rows (CSV error, wrong field count, empty name, a name with a comma, which no
  prerequisite list could reference) are skipped and become ``RowProblem``s. Suspicious rows
  (empty topic or area, unknown ``live`` value, unparseable ``creation_date``) still load and are
  reported too; an empty topic or area is filed under ``"N/A"``, the source's own value for
  unassigned exercises.
* Duplicate names merge into one KP: the first row's fields, the union of the prerequisites and
  the earliest ``creation_date`` (when the exercise first existed); the notes name them.
* Chapters are ordered by the first appearance of their topic in the file (1-based).
* Distinct (prerequisite, exercise) pairs are either loaded or rejected, never both: reasons
  ``"self-loop"``, ``"unknown prerequisite"`` or ``"cycle: a -> b -> ... -> a"``.
* Cycle rule (deterministic): while the graph has a cycle (``networkx.find_cycle`` on a graph built
  in sorted order), remove the cycle edge whose prerequisite was created latest relative to its
  dependent (largest ``created(prerequisite) - created(exercise)``): a prerequisite authored after
  the exercise that needs it is the likeliest mistake. Edges with an unknown date rank last; ties
  go to the alphabetically first ``(prerequisite, exercise)`` pair.
"""

from __future__ import annotations

import csv
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import networkx as nx

from tutor.curriculum import Chapter, KnowledgePoint, Prerequisite
from tutor.errors import DataFormatError
from tutor.imports import ImportReport, RejectedPrerequisite, RowProblem

COLUMNS = (
    "name",
    "live",
    "prerequisites",
    "h_position",
    "v_position",
    "creation_date",
    "seconds_per_fast_problem",
    "pretty_display_name",
    "short_display_name",
    "topic",
    "area",
)
UNASSIGNED = "N/A"
SELF_LOOP = "self-loop"
UNKNOWN_PREREQUISITE = "unknown prerequisite"

Edge = tuple[str, str]  # (prerequisite slug, exercise slug)


@dataclass
class JunyiDataset:
    name: str
    chapters: list[Chapter]
    kps: list[KnowledgePoint]
    prerequisites: list[Prerequisite]
    rejected: list[RejectedPrerequisite]
    report: ImportReport


@dataclass
class _Exercise:
    """One exercise after parsing (and merging of duplicate rows)."""

    line: int
    fields: dict[str, str]
    prereqs: list[str]
    created: datetime | None
    references: list[str]  # every listed prerequisite, repeats included
    lines: list[int] = field(default_factory=list)

    @property
    def slug(self) -> str:
        return self.fields["name"]


def read_junyi(path: Path, name: str = "junyi") -> JunyiDataset:
    """Read the exercise table into chapters, KPs and an acyclic prerequisite edge list."""
    path = Path(path)
    report = ImportReport(source=str(path))
    lines = _read_lines(path)
    header = _parse_header(lines[0], path)
    exercises = _merge_duplicates(_parse_rows(lines[1:], header, report), report)
    _count_exercises(exercises, report)
    chapters = _chapters(exercises, name, report)
    loaded, rejected = _classify_edges(exercises, report)
    return JunyiDataset(
        name=name,
        chapters=chapters,
        kps=[_kp(ex, name) for ex in exercises.values()],
        prerequisites=[Prerequisite(_kp_id(name, b), _kp_id(name, a)) for b, a in loaded],
        rejected=[
            RejectedPrerequisite(_kp_id(name, b), _kp_id(name, a), r) for b, a, r in rejected
        ],
        report=report,
    )


# --- reading and parsing ---------------------------------------------------------------------


def _read_lines(path: Path) -> list[str]:
    """The file's lines (BOM and CR removed); a missing or undecodable file is a DataFormatError."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise DataFormatError(f"cannot read Junyi exercise table {path}: {exc}") from exc
    lines = [line.removesuffix("\r") for line in text.split("\n")]
    if not lines[0].strip():
        raise DataFormatError(f"Junyi exercise table {path} is empty")
    return lines


def _parse_header(line: str, path: Path) -> list[str]:
    """The header's column names; all expected columns must be there (extra ones are ignored)."""
    try:
        header = [col.strip() for col in next(csv.reader([line], strict=True))]
    except csv.Error as exc:
        raise DataFormatError(f"{path}: unreadable header: {exc}") from exc
    missing = [col for col in COLUMNS if col not in header]
    if missing:
        raise DataFormatError(f"{path}: not a Junyi exercise table, missing columns {missing}")
    return header


def _parse_rows(lines: list[str], header: list[str], report: ImportReport) -> list[_Exercise]:
    """Parse data lines; malformed ones become RowProblems so the rest still loads."""
    rows: list[_Exercise] = []
    read = 0
    for line_no, line in enumerate(lines, start=2):
        if not line.strip():
            continue
        read += 1
        row = _parse_row(line_no, line, header, report)
        if isinstance(row, str):
            report.problems.append(RowProblem(line_no, f"{row}; row skipped"))
        else:
            rows.append(row)
    report.counts["rows_read"] = read
    report.counts["rows_malformed"] = read - len(rows)
    return rows


def _parse_row(line_no: int, line: str, header: list[str], report: ImportReport) -> _Exercise | str:
    """One data line as an exercise, or the reason it cannot be one."""
    try:
        values = next(csv.reader([line], strict=True))
    except csv.Error as exc:
        return f"unparseable CSV ({exc})"
    if len(values) != len(header):
        return f"expected {len(header)} fields, got {len(values)}"
    fields = {col: val.strip() for col, val in zip(header, values, strict=True) if col in COLUMNS}
    if not fields["name"]:
        return "missing name"
    if "," in fields["name"]:
        return f"name {fields['name']!r} contains a comma"
    _check_fields(line_no, fields, report)
    refs = [p.strip() for p in fields["prerequisites"].split(",") if p.strip()]
    created = _parse_date(fields["creation_date"])
    if created is None:
        msg = f"unparseable creation_date {fields['creation_date']!r}; loaded without a date"
        report.problems.append(RowProblem(line_no, msg))
    return _Exercise(line_no, fields, list(dict.fromkeys(refs)), created, refs, [line_no])


def _check_fields(line_no: int, fields: dict[str, str], report: ImportReport) -> None:
    """Report (and repair) suspicious values that do not stop the row from loading."""
    for col in ("topic", "area"):
        if not fields[col]:
            fields[col] = UNASSIGNED
            report.problems.append(RowProblem(line_no, f"no {col}; filed under {UNASSIGNED!r}"))
    if fields["live"].upper() not in ("TRUE", "FALSE"):
        msg = f"live is {fields['live']!r}, expected TRUE or FALSE; loaded"
        report.problems.append(RowProblem(line_no, msg))


def _parse_date(text: str) -> datetime | None:
    """``2012-10-11 17:55:24.8056 UTC`` as an aware datetime; None when unparseable."""
    try:
        return datetime.fromisoformat(text.removesuffix("UTC").strip()).replace(tzinfo=UTC)
    except ValueError:
        return None


def _merge_duplicates(rows: list[_Exercise], report: ImportReport) -> dict[str, _Exercise]:
    """One exercise per name: first row's fields, union of prerequisites, earliest date."""
    merged: dict[str, _Exercise] = {}
    for row in rows:
        first = merged.setdefault(row.slug, row)
        if first is not row:
            _merge_into(first, row, report)
    dups = [ex for ex in merged.values() if len(ex.lines) > 1]
    report.counts["duplicate_rows_merged"] = sum(len(ex.lines) - 1 for ex in dups)
    if dups:
        names = ", ".join(f"{ex.slug} (lines {', '.join(map(str, ex.lines))})" for ex in dups)
        report.notes.append(
            "duplicate rows merged into one KP each (first row's fields, union of prerequisites,"
            f" earliest creation_date): {names}"
        )
    return merged


def _merge_into(first: _Exercise, row: _Exercise, report: ImportReport) -> None:
    """Fold a duplicate row into the first one and note fields on which they disagree."""
    first.lines.append(row.line)
    first.references += row.references
    first.prereqs.extend(p for p in row.prereqs if p not in first.prereqs)
    if row.created and (first.created is None or row.created < first.created):
        first.created = row.created
        first.fields["creation_date"] = row.fields["creation_date"]
    ignored = ("name", "prerequisites", "creation_date")
    differ = [c for c in COLUMNS if c not in ignored and first.fields[c] != row.fields[c]]
    if differ:
        report.notes.append(
            f"{first.slug}: line {row.line} differs from line {first.line} in {differ}; "
            f"kept line {first.line}'s values"
        )


# --- domain objects --------------------------------------------------------------------------


def _kp_id(name: str, slug: str) -> str:
    return f"{name}:kp:{slug}"


def _chapter_id(name: str, topic: str) -> str:
    return f"{name}:topic:{topic}"


def _readable(slug: str) -> str:
    """``area-perimeter-and-volume`` -> ``Area perimeter and volume``."""
    text = slug.replace("-", " ").replace("_", " ")
    return text[:1].upper() + text[1:]


def _chapters(exercises: dict[str, _Exercise], name: str, report: ImportReport) -> list[Chapter]:
    """One chapter per topic, ordered by first appearance; its area is its first row's area."""
    areas: dict[str, Counter[str]] = {}
    for ex in exercises.values():
        areas.setdefault(ex.fields["topic"], Counter())[ex.fields["area"]] += 1
    chapters = []
    for order, (topic, counts) in enumerate(areas.items(), start=1):
        area = next(iter(counts))
        if len(counts) > 1:
            report.notes.append(f"topic {topic} spans areas {dict(counts)}; chapter area {area}")
        chapters.append(Chapter(_chapter_id(name, topic), _readable(topic), order, area, name))
    report.counts["topics"] = len(chapters)
    report.counts["areas"] = len({ex.fields["area"] for ex in exercises.values()})
    return chapters


def _kp(ex: _Exercise, name: str) -> KnowledgePoint:
    """The exercise as a KP; the description keeps what a tutor or reviewer may want to see."""
    f = ex.fields
    description = (
        f"{ex.slug}; live={f['live'].upper()}; short name {f['short_display_name']}; "
        f"created {f['creation_date']}; map position ({f['h_position']}, {f['v_position']}); "
        f"fast answer under {f['seconds_per_fast_problem']} s"
    )
    title = f["pretty_display_name"] or f["short_display_name"] or ex.slug
    return KnowledgePoint(
        _kp_id(name, ex.slug), title, _chapter_id(name, f["topic"]), description, name
    )


def _count_exercises(exercises: dict[str, _Exercise], report: ImportReport) -> None:
    report.counts["distinct_exercises"] = len(exercises)
    live = sum(ex.fields["live"].upper() == "TRUE" for ex in exercises.values())
    report.counts["live_exercises"] = live


# --- edges and cycles ------------------------------------------------------------------------


def _classify_edges(
    exercises: dict[str, _Exercise], report: ImportReport
) -> tuple[list[Edge], list[tuple[str, str, str]]]:
    """Split distinct source pairs into loaded edges (a DAG) and rejected ones with a reason."""
    pairs = sorted({(p, ex.slug) for ex in exercises.values() for p in ex.prereqs})
    _count_references(exercises, pairs, report)
    rejected: list[tuple[str, str, str]] = []
    graph = nx.DiGraph()
    graph.add_nodes_from(sorted(exercises))
    for before, after in pairs:
        if before == after:
            rejected.append((before, after, SELF_LOOP))
            report.notes.append(f"self-loop rejected: {after} lists itself as a prerequisite")
        elif before not in exercises:
            rejected.append((before, after, UNKNOWN_PREREQUISITE))
        else:
            graph.add_edge(before, after)
    rejected += _break_cycles(graph, exercises, report)
    assert nx.is_directed_acyclic_graph(graph), "cycle left after breaking cycles"
    loaded = sorted(graph.edges())
    _count_edges(loaded, rejected, report)
    return loaded, sorted(rejected)


def _count_references(
    exercises: dict[str, _Exercise], pairs: list[Edge], report: ImportReport
) -> None:
    """Count raw references and name the pairs that were listed more than once."""
    listed = Counter((p, ex.slug) for ex in exercises.values() for p in ex.references)
    refs = listed.total()
    report.counts["source_edges"] = refs
    report.counts["duplicate_references"] = refs - len(pairs)
    report.counts["distinct_edges"] = len(pairs)
    if refs > len(pairs):
        repeats = ", ".join(f"{b} -> {a} x{n}" for (b, a), n in sorted(listed.items()) if n > 1)
        report.notes.append(f"{refs - len(pairs)} repeated references collapsed: {repeats}")


def _break_cycles(
    graph: nx.DiGraph, exercises: dict[str, _Exercise], report: ImportReport
) -> list[tuple[str, str, str]]:
    """Remove one edge per found cycle by the module's cycle rule until the graph is a DAG."""
    removed = []
    while True:
        try:
            cycle: list[Edge] = [(u, v) for u, v in nx.find_cycle(graph)]
        except nx.NetworkXNoCycle:
            return removed
        before, after = min(cycle, key=lambda e: _removal_rank(e, exercises))
        graph.remove_edge(before, after)
        reason = f"cycle: {_cycle_text(cycle)}"
        removed.append((before, after, reason))
        report.notes.append(f"{reason}; removed {before} -> {after}")


def _removal_rank(edge: Edge, exercises: dict[str, _Exercise]) -> tuple[bool, float, Edge]:
    """Sort key: known dates first, then the latest prerequisite relative to its dependent."""
    before, after = exercises[edge[0]].created, exercises[edge[1]].created
    if before is None or after is None:
        return (True, 0.0, edge)
    return (False, -(before - after).total_seconds(), edge)


def _cycle_text(cycle: list[Edge]) -> str:
    """``a -> b -> c -> a``, rotated to start at the alphabetically first node (stable text)."""
    nodes = [u for u, _ in cycle]
    start = nodes.index(min(nodes))
    nodes = nodes[start:] + nodes[:start]
    return " -> ".join([*nodes, nodes[0]])


def _count_edges(
    loaded: list[Edge], rejected: list[tuple[str, str, str]], report: ImportReport
) -> None:
    report.counts["loaded_edges"] = len(loaded)
    report.counts["rejected_edges"] = len(rejected)
    kinds = Counter("cycle" if r.startswith("cycle:") else r for _, _, r in rejected)
    for kind in ("self-loop", "cycle", UNKNOWN_PREREQUISITE):
        report.counts[f"rejected_{kind.replace('-', '_').replace(' ', '_')}"] = kinds[kind]
