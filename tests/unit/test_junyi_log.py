"""Junyi's problem log as Junyi ships it, alone and with the exercise table beside it."""

from __future__ import annotations

from pathlib import Path

from datasets.junyi_log import read_junyi_log
from models.sources import dataset_name, load_responses, source_files
from services.imports import junyi_log_source

LOG = """\
user_id,exercise,problem_type,problem_number,topic_mode,suggested,review_mode,time_done,time_taken,time_taken_attempts,correct,count_attempts,hint_used,count_hints,hint_time_taken_list,earned_proficiency,points_earned
1001,adding_fractions,,2,false,true,false,1377914700000000,12,12,true,1,false,0,,false,75
1001,adding_fractions,,1,false,true,false,1377914633542370,30,20&10,false,2,false,0,,false,0
1001,multiplying_fractions,,1,false,true,false,1377914800000000,9,9,TRUE,1,false,0,,false,75
1002,adding_fractions,,1,true,false,false,1377920000000000,40,40,maybe,1,false,0,,false,0
1002,,,1,true,false,false,1377920000000001,40,40,true,1,false,0,,false,0
1002,counting_dots,,1,true,false,false,1377920100000000,5,5,false,1,false,0,,false,0
"""

TABLE = "\n".join([
    "\ufeffname,live,prerequisites,h_position,v_position,creation_date,"
    "seconds_per_fast_problem,pretty_display_name,short_display_name,topic,area",
    "adding_fractions,TRUE,,40,-20,2012-10-11 17:55:33.41014 UTC,27,分數加法,分數加法,"
    "fractions,arithmetic",
    "multiplying_fractions,TRUE,adding_fractions,41,-20,2012-10-11 17:56:33.41014 UTC,27,"
    "分數乘法,分數乘法,fractions,arithmetic",
    ""])


def write(folder: Path, table: bool) -> Path:
    log = folder / "junyi_ProblemLog_original.csv"
    log.write_text(LOG, encoding="utf-8")
    if table:
        (folder / "junyi_Exercise_table.csv").write_text(TABLE, encoding="utf-8")
    return log


def test_answers_in_time_order_with_the_clock_in_milliseconds(tmp_path: Path) -> None:
    ds = read_junyi_log(write(tmp_path, table=False))
    got = [(a.student_id, a.question_id, a.correct, a.ts, a.seq) for a in ds.attempts]
    assert got == [
        ("junyi:student:1001", "junyi:q:adding_fractions", False, 1377914633542, 0),
        ("junyi:student:1001", "junyi:q:adding_fractions", True, 1377914700000, 1),
        ("junyi:student:1001", "junyi:q:multiplying_fractions", True, 1377914800000, 2),
        ("junyi:student:1002", "junyi:q:counting_dots", False, 1377920100000, 0),
    ]
    assert [p.line for p in ds.report.problems] == [5, 6]  # "maybe", no exercise
    assert {(t.question_id, t.kp_id) for t in ds.tests} == {
        (f"junyi:q:{e}", f"junyi:kp:{e}")
        for e in ("adding_fractions", "multiplying_fractions", "counting_dots")}


def test_the_exercise_table_names_the_kps_and_brings_the_map(tmp_path: Path) -> None:
    data, report = junyi_log_source(write(tmp_path, table=True))
    kps = {k.id: k for k in data.kps}
    assert kps["junyi:kp:adding_fractions"].name.startswith("分數加法")
    assert kps["junyi:kp:adding_fractions"].chapter_id == "junyi:topic:fractions"
    assert kps["junyi:kp:counting_dots"].chapter_id == "junyi:chapter:skills"  # not in the table
    assert {c.id for c in data.chapters} == {"junyi:topic:fractions", "junyi:chapter:skills"}
    assert [(p.before, p.after) for p in data.prerequisites] == [
        ("junyi:kp:adding_fractions", "junyi:kp:multiplying_fractions")]
    assert any("exercise table" in n and "2 of 3" in n for n in report.notes)


def test_models_read_the_log_under_the_tables_name(tmp_path: Path) -> None:
    lines = LOG.splitlines()
    more = [f"{u},adding_fractions,,1,false,true,false,13779{u}000000,9,9,{u % 2 == 0},1,false,"
            "0,,false,75" for u in range(1003, 1010)]  # enough students to hold some out
    log = tmp_path / "junyi_ProblemLog_original.csv"  # without the two bad rows: they refuse
    log.write_text("\n".join(lines[:4] + lines[6:] + more) + "\n", encoding="utf-8")
    (tmp_path / "junyi_Exercise_table.csv").write_text(TABLE, encoding="utf-8")
    assert dataset_name(log) == "junyi"
    data = load_responses(log)
    names = dict(zip(data.skill_ids, data.skill_names, strict=True))
    assert set(names) == {f"junyi:kp:{e}" for e in
                          ("adding_fractions", "multiplying_fractions", "counting_dots")}
    assert names["junyi:kp:adding_fractions"].startswith("分數加法")
    assert names["junyi:kp:counting_dots"] == "counting_dots"


def test_what_a_log_is_read_from(tmp_path: Path) -> None:
    """The study caches its fit by the files read: the exercise table beside is one of them."""
    assert source_files(write(tmp_path, table=False)) == [
        tmp_path / "junyi_ProblemLog_original.csv"]
    log = write(tmp_path, table=True)
    assert source_files(log) == [log, tmp_path / "junyi_Exercise_table.csv"]
