"""Tests of the Junyi exercise-table reader: the real shared file and small synthetic tables."""

from __future__ import annotations

import os
from pathlib import Path

import networkx as nx
import pytest

from datasets.junyi import JunyiDataset, read_junyi
from tutor.errors import DataFormatError
from tutor.imports import RowProblem

DATA_DIR = Path(
    os.environ.get("KGTUTOR_DATA", Path(__file__).resolve().parents[2].parent / "shared" / "data")
)
REAL_FILE = DATA_DIR / "junyi" / "junyi_Exercise_table.csv"
HEADER = (
    "name,live,prerequisites,h_position,v_position,creation_date,seconds_per_fast_problem,"
    "pretty_display_name,short_display_name,topic,area"
)
CYCLE_3 = (
    "adding_and_subtracting_radicals -> radical_multiplication_and_division"
    " -> simplifying_radicals -> adding_and_subtracting_radicals"
)


def row(name: str, prereqs: str = "", date: str = "2012-10-11 17:55:24.8056 UTC", **kw: str) -> str:
    """One data line in the real file's layout (prerequisites quoted like the source does)."""
    topic, area = kw.get("topic", "fractions"), kw.get("area", "arithmetic")
    live = kw.get("live", "TRUE")
    return f'{name},{live},"{prereqs}",1,2,{date},9,名稱 {name},名{name},{topic},{area}'


def write_csv(tmp_path: Path, *rows: str, header: str = HEADER) -> Path:
    path = tmp_path / "junyi.csv"
    path.write_text("\ufeff" + "\n".join([header, *rows]) + "\n", encoding="utf-8")
    return path


def edges(ds: JunyiDataset) -> set[tuple[str, str]]:
    """Loaded edges as slug pairs."""
    return {(p.before.split(":kp:")[1], p.after.split(":kp:")[1]) for p in ds.prerequisites}


def rejected(ds: JunyiDataset) -> dict[tuple[str, str], str]:
    return {(r.before.split(":kp:")[1], r.after.split(":kp:")[1]): r.reason for r in ds.rejected}


def is_dag(ds: JunyiDataset) -> bool:
    return nx.is_directed_acyclic_graph(nx.DiGraph((p.before, p.after) for p in ds.prerequisites))


# --- the real file -------------------------------------------------------------------------

real = pytest.mark.skipif(
    not REAL_FILE.is_file(), reason=f"Junyi exercise table not found at {REAL_FILE} (KGTUTOR_DATA)"
)


@pytest.fixture(scope="module")
def junyi() -> JunyiDataset:
    return read_junyi(REAL_FILE)


@real
def test_real_counts(junyi: JunyiDataset) -> None:
    assert len(junyi.kps) == 835
    assert len({kp.id for kp in junyi.kps}) == 835
    assert len(junyi.chapters) == 41
    assert len({c.area for c in junyi.chapters}) == 9
    assert junyi.report.counts == {
        "rows_read": 837,
        "rows_malformed": 0,
        "duplicate_rows_merged": 2,
        "distinct_exercises": 835,
        "live_exercises": 776,
        "topics": 41,
        "areas": 9,
        "source_edges": 988,
        "duplicate_references": 7,
        "distinct_edges": 981,
        "loaded_edges": 978,
        "rejected_edges": 3,
        "rejected_self_loop": 2,
        "rejected_cycle": 1,
        "rejected_unknown_prerequisite": 0,
    }
    assert junyi.report.problems == []


@real
def test_real_edges_add_up_and_form_a_dag(junyi: JunyiDataset) -> None:
    assert len(junyi.prerequisites) == 978
    assert len(junyi.rejected) == 3
    assert len(junyi.prerequisites) + len(junyi.rejected) == 981
    assert not edges(junyi) & set(rejected(junyi))
    assert is_dag(junyi)
    kp_ids = {kp.id for kp in junyi.kps}
    assert all(p.before in kp_ids and p.after in kp_ids for p in junyi.prerequisites)


@real
def test_real_self_loops_and_cycle_reported(junyi: JunyiDataset) -> None:
    assert rejected(junyi) == {
        ("proportions_1", "proportions_1"): "self-loop",
        ("number_sense_length_l1", "number_sense_length_l1"): "self-loop",
        ("radical_multiplication_and_division", "simplifying_radicals"): f"cycle: {CYCLE_3}",
    }
    notes = "\n".join(junyi.report.notes)
    for name in ("proportions_1", "number_sense_length_l1", CYCLE_3):
        assert name in notes
    assert {("simplifying_radicals", "adding_and_subtracting_radicals")} <= edges(junyi)


@real
def test_real_duplicates_merged_and_named(junyi: JunyiDataset) -> None:
    notes = "\n".join(junyi.report.notes)
    assert "matrix_mul_two (lines 195, 231)" in notes
    assert "matrix_app_fruit_oil (lines 607, 635)" in notes
    kp = next(k for k in junyi.kps if k.id == "junyi:kp:matrix_mul_two")
    assert kp.chapter_id == "junyi:topic:N/A"
    assert "live=FALSE" in kp.description and "2014-04-30" in kp.description  # earliest date
    assert ("matrix_add_sub_3", "matrix_mul_two") in edges(junyi)


@real
def test_real_chapters(junyi: JunyiDataset) -> None:
    by_id = {c.id: c for c in junyi.chapters}
    assert [c.order for c in junyi.chapters] == list(range(1, 42))
    assert by_id["junyi:topic:area-perimeter-and-volume"].name == "Area perimeter and volume"
    assert by_id["junyi:topic:N/A"].area == "N/A"
    assert {kp.chapter_id for kp in junyi.kps} == set(by_id)


# --- synthetic tables ----------------------------------------------------------------------


def test_self_loop_rejected(tmp_path: Path) -> None:
    ds = read_junyi(write_csv(tmp_path, row("a", "a,b"), row("b")))
    assert rejected(ds) == {("a", "a"): "self-loop"}
    assert edges(ds) == {("b", "a")}
    assert any("self-loop" in n and "a" in n for n in ds.report.notes)


def test_two_cycle_drops_prerequisite_created_after_its_dependent(tmp_path: Path) -> None:
    old, new = "2012-01-01 00:00:00.1 UTC", "2014-01-01 00:00:00.1 UTC"
    ds = read_junyi(write_csv(tmp_path, row("x_new", "y_old", new), row("y_old", "x_new", old)))
    # x_new (2014) as prerequisite of y_old (2012) is the later-authored link: it goes.
    assert rejected(ds) == {("x_new", "y_old"): "cycle: x_new -> y_old -> x_new"}
    assert edges(ds) == {("y_old", "x_new")}


def test_three_cycle_rule_and_tie_break(tmp_path: Path) -> None:
    # c -> a, a -> b, b -> c (prerequisite -> exercise); c is newest, so c -> a has the largest gap.
    dates = {"a": "2012-01-01 00:00:00 UTC", "b": "2013-01-01 00:00:00 UTC"}
    dates["c"] = "2015-01-01 00:00:00 UTC"
    prereq = {"a": "c", "b": "a", "c": "b"}
    ds = read_junyi(write_csv(tmp_path, *(row(n, prereq[n], dates[n]) for n in "abc")))
    assert rejected(ds) == {("c", "a"): "cycle: a -> b -> c -> a"}
    assert is_dag(ds) and len(ds.prerequisites) == 2
    # Same dates everywhere: the alphabetically first (prerequisite, exercise) pair goes.
    ds = read_junyi(write_csv(tmp_path, *(row(n, prereq[n]) for n in "abc")))
    assert set(rejected(ds)) == {("a", "b")}


def test_unknown_prerequisite_rejected(tmp_path: Path) -> None:
    ds = read_junyi(write_csv(tmp_path, row("a", "ghost,b"), row("b")))
    assert rejected(ds) == {("ghost", "a"): "unknown prerequisite"}
    assert edges(ds) == {("b", "a")}
    assert ds.report.counts["rejected_unknown_prerequisite"] == 1


def test_duplicate_rows_merged(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path,
        row("m", "p,p", "2014-06-20 03:42:01.7206 UTC", live="FALSE"),
        row("p"),
        row("m", "p,q", "2014-04-30 07:23:40.23105 UTC", live="FALSE"),
        row("q"),
    )
    ds = read_junyi(path)
    assert [kp.id for kp in ds.kps] == ["junyi:kp:m", "junyi:kp:p", "junyi:kp:q"]
    assert edges(ds) == {("p", "m"), ("q", "m")}
    counts = ds.report.counts
    assert (counts["rows_read"], counts["duplicate_rows_merged"]) == (4, 1)
    assert (counts["source_edges"], counts["distinct_edges"], counts["duplicate_references"]) == (
        4,
        2,
        2,
    )
    assert any("m (lines 2, 4)" in n for n in ds.report.notes)
    assert "2014-04-30" in ds.kps[0].description


def test_malformed_rows_reported_with_line_numbers(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path,
        row("a"),
        row(""),  # line 3: no name
        "b,TRUE,,1,2",  # line 4: too few fields
        'c,TRUE,"unterminated,1,2,2012-01-01 00:00:00 UTC,9,c,c,t,ar',  # line 5: broken quote
        row("d", "a", topic="", area=""),  # line 6: loads, filed under N/A
        row("e", "d", date="yesterday"),  # line 7: loads without a date
    )
    ds = read_junyi(path)
    assert [kp.id.split(":kp:")[1] for kp in ds.kps] == ["a", "d", "e"]
    assert [p.line for p in ds.report.problems] == [3, 4, 5, 6, 6, 7]
    assert all(isinstance(p, RowProblem) for p in ds.report.problems)
    assert "missing name" in ds.report.problems[0].reason
    assert ds.report.counts["rows_malformed"] == 3
    assert ds.kps[1].chapter_id == "junyi:topic:N/A"
    assert edges(ds) == {("a", "d"), ("d", "e")}


def test_missing_file_raises(tmp_path: Path) -> None:
    with pytest.raises(DataFormatError, match="cannot read"):
        read_junyi(tmp_path / "nope.csv")


def test_wrong_header_raises(tmp_path: Path) -> None:
    path = write_csv(tmp_path, "a,b,c", header="user_id,skill_id,correct")
    with pytest.raises(DataFormatError, match="missing columns") as info:
        read_junyi(path)
    assert "\n" not in str(info.value)


def test_empty_file_raises(tmp_path: Path) -> None:
    path = tmp_path / "empty.csv"
    path.write_text("", encoding="utf-8")
    with pytest.raises(DataFormatError):
        read_junyi(path)


def test_crlf_and_no_bom_accepted(tmp_path: Path) -> None:
    path = tmp_path / "crlf.csv"
    path.write_bytes("\r\n".join([HEADER, row("a"), row("b", "a")]).encode("utf-8"))
    ds = read_junyi(path, name="jy")
    assert [kp.id for kp in ds.kps] == ["jy:kp:a", "jy:kp:b"]
    assert ds.chapters[0].id == "jy:topic:fractions" and ds.chapters[0].area == "arithmetic"


def test_deterministic(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path,
        row("a", "c,b"),
        row("b", "a"),
        row("c", "b,c,ghost"),
        row("d", "a,a", topic="decimals"),
    )
    assert read_junyi(path) == read_junyi(path)
    if REAL_FILE.is_file():
        assert read_junyi(REAL_FILE) == read_junyi(REAL_FILE)
