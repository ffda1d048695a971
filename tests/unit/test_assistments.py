"""The reader of ASSISTments CSVs as ASSISTments ships them: one small file per release."""

from __future__ import annotations

from pathlib import Path

import pytest

from datasets.assistments import read_assistments
from models.sources import load_responses
from tutor.errors import DataFormatError

SKILL_BUILDER_2009 = """\
order_id,assignment_id,user_id,assistment_id,problem_id,original,correct,attempt_count,ms_first_response,skill_id,skill_name
35450204,220674,70363,33159,51444,1,0,2,25390,1,Box and Whisker
33022537,277618,64525,33139,51424,1,1,1,32454,1,Box and Whisker
35450204,220674,70363,33159,51444,1,0,2,25390,10,Venn Diagram
33022709,277618,64525,33150,51435,1,1,1,4922,1,Box and Whisker
35450295,220674,70363,33110,51395,1,1,1,4859,,
35450311,220674,70363,33159,51444,1,x,1,14650,1,Box and Whisker
35450400,220674,,33159,51444,1,1,1,14650,1,Box and Whisker
"""

COLLAPSED_2009 = """\
order_id,user_id,problem_id,correct,skill_id,skill_name
2,7,100,1,9_15,Ordering Fractions_Equivalent Fractions
1,7,101,0,9,Ordering Fractions
3,8,100,0,9_15,Ordering Fractions_Equivalent Fractions
"""

RELEASE_2012 = """\
problem_log_id,skill,problem_id,user_id,assignment_id,start_time,end_time,original,correct,skill_id
2,Pythagorean Theorem,211,5,9,2012-09-26 10:23:33.0,2012-09-26 10:24:00.0,1,1.0,46
1,Pythagorean Theorem,210,5,9,2012-09-26 10:20:03.0,2012-09-26 10:21:00.0,1,0.0,46
3,,212,6,9,2012-10-01 08:00:00.0,2012-10-01 08:01:00.0,1,0.5,
4,Area Circle,213,6,9,2012-10-01 08:05:00.0,2012-10-01 08:06:00.0,1,1,47
"""

RELEASE_2015 = """\
user_id,log_id,sequence_id,correct
50121,167478035,7014,0
50121,167478043,7014,1
50964,167478053,7014,1
50964,167478070,7012,0.25
"""

RELEASE_2017 = """\
studentId,MiddleSchoolId,skill,problemId,assignmentId,startTime,endTime,timeTaken,correct,original
8,2,properties-of-geometric-figures,104051,346,1096470301,1096470346,45,0,1
8,2,sum-of-interior-angles-more-than-3-sides,104052,346,1096470250,1096470300,50,1,1
9,2,properties-of-geometric-figures,104051,346,1096470500,1096470530,30,1,1
"""


def write(tmp_path: Path, text: str, name: str = "log.csv", encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding=encoding)
    return path


def answers(path: Path) -> list[tuple[str, str, bool, int, int]]:
    return [(a.event_id, a.question_id, a.correct, a.ts, a.seq)
            for a in read_assistments(path, "a").attempts]


def test_2009_skill_builder_one_answer_per_log_in_order_id_order(tmp_path: Path) -> None:
    ds = read_assistments(write(tmp_path, SKILL_BUILDER_2009, encoding="iso-8859-1"), "a")
    assert [(a.event_id, a.question_id, a.correct, a.ts) for a in ds.attempts] == [
        ("a:64525:0", "a:q:51424", True, 0), ("a:64525:1", "a:q:51435", True, 0),
        ("a:70363:0", "a:q:51444", False, 0), ("a:70363:1", "a:q:51395", True, 0)]
    assert {k.id: k.name for k in ds.kps} == {"a:kp:1": "Box and Whisker",
                                              "a:kp:10": "Venn Diagram"}
    weights = {(t.question_id, t.kp_id): t.weight for t in ds.tests}
    assert weights[("a:q:51444", "a:kp:1")] == weights[("a:q:51444", "a:kp:10")] == 0.5
    assert not any(t.question_id == "a:q:51395" for t in ds.tests)  # no skill: no TESTS edge
    problems = {p.line: p.reason for p in ds.report.problems}
    assert sorted(problems) == [7, 8]
    assert "correct is not a score" in problems[7]
    assert "user_id is empty" in problems[8]
    assert any("repeat a log" in n for n in ds.report.notes)
    assert {s.id for s in ds.students} == {"a:student:64525", "a:student:70363"}


def test_2009_collapsed_skills_are_split(tmp_path: Path) -> None:
    ds = read_assistments(write(tmp_path, COLLAPSED_2009), "a")
    pairs = {(t.question_id, t.kp_id) for t in ds.tests}
    assert pairs == {("a:q:100", "a:kp:9"), ("a:q:100", "a:kp:15"), ("a:q:101", "a:kp:9")}
    names = {k.id: k.name for k in ds.kps}
    assert names == {"a:kp:9": "Ordering Fractions", "a:kp:15": "Skill 15"}
    assert [a.question_id for a in ds.attempts if a.student_id == "a:student:7"] == [
        "a:q:101", "a:q:100"]


def test_2012_orders_by_start_time_and_keeps_the_clock(tmp_path: Path) -> None:
    ds = read_assistments(write(tmp_path, RELEASE_2012), "a")
    assert [(a.event_id, a.question_id, a.correct) for a in ds.attempts] == [
        ("a:5:0", "a:q:210", False), ("a:5:1", "a:q:211", True), ("a:6:0", "a:q:213", True)]
    assert ds.attempts[1].ts - ds.attempts[0].ts == 210_000
    assert ds.attempts[0].ts == 1348654803000  # 2012-09-26 10:20:03 UTC in ms
    assert not ds.report.problems
    assert "answers with partial credit left out, as lpp leaves them out: 1" in ds.report.notes
    assert {k.name for k in ds.kps} == {"Pythagorean Theorem", "Area Circle"}


def test_2015_the_problem_set_is_item_and_skill(tmp_path: Path) -> None:
    ds = read_assistments(write(tmp_path, RELEASE_2015), "a")
    assert [(a.event_id, a.question_id) for a in ds.attempts] == [
        ("a:50121:0", "a:q:7014"), ("a:50121:1", "a:q:7014"), ("a:50964:0", "a:q:7014")]
    assert [(t.question_id, t.kp_id) for t in ds.tests] == [("a:q:7014", "a:kp:7014")]
    assert not ds.report.problems and any("partial credit" in n for n in ds.report.notes)


def test_2017_skill_names_become_kps(tmp_path: Path) -> None:
    ds = read_assistments(write(tmp_path, RELEASE_2017), "a")
    assert [(a.event_id, a.question_id, a.correct) for a in ds.attempts] == [
        ("a:8:0", "a:q:104052", True), ("a:8:1", "a:q:104051", False), ("a:9:0", "a:q:104051",
                                                                        True)]
    assert ds.attempts[0].ts == 1096470250000
    assert {k.id: k.name for k in ds.kps}["a:kp:properties-of-geometric-figures"] == (
        "properties-of-geometric-figures")


def test_reading_twice_gives_the_same_ids(tmp_path: Path) -> None:
    path = write(tmp_path, SKILL_BUILDER_2009)
    assert answers(path) == answers(path)


@pytest.mark.parametrize(("text", "match"), [
    ("student,question,right\n1,2,1\n", "lacks the columns of every known export"),
    ("", "is empty"),
])
def test_other_files_are_one_line_errors(tmp_path: Path, text: str, match: str) -> None:
    with pytest.raises(DataFormatError, match=match):
        read_assistments(write(tmp_path, text))


def test_a_missing_file(tmp_path: Path) -> None:
    with pytest.raises(DataFormatError, match="does not exist"):
        read_assistments(tmp_path / "nowhere.csv")


def test_models_read_the_file_split_by_a_hash(tmp_path: Path) -> None:
    rows = "".join(f"{n},{u},{100 + n % 4},{n % 2},{n % 3}\n" for n in range(200)
                   for u in [n % 25])
    path = write(tmp_path, "order_id,user_id,problem_id,correct,skill_id\n" + rows)
    kt = load_responses(path)
    assert len(kt.train.students) + len(kt.test.students) == 25 and len(kt.test.students) >= 1
    assert kt.item_skills.shape == (4, 3)
    assert set(load_responses(path).test.students) == set(kt.test.students)


def test_ragged_and_blank_lines_keep_the_line_numbers_right(tmp_path: Path) -> None:
    text = ("order_id,user_id,problem_id,correct,skill_id\n"
            "1,7,100,1,9\n"
            "\n"  # line 3: blank, skipped silently
            "2,7,101,1,9,extra\n"  # 4: too many fields
            "3,7,102,maybe,9\n"  # 5: not a score
            "4,7,103,0,9\n")
    ds = read_assistments(write(tmp_path, text), "a")
    problems = {p.line: p.reason for p in ds.report.problems}
    assert sorted(problems) == [4, 5]
    assert "expected 5 fields, saw 6" in problems[4] and "correct is not a score" in problems[5]
    assert [a.question_id for a in ds.attempts] == ["a:q:100", "a:q:103"]


def test_models_name_every_log_they_read_when_a_file_is_none(tmp_path: Path) -> None:
    other = write(tmp_path, "student,item,score\n1,2,1\n")
    with pytest.raises(DataFormatError, match=r"not a log this project reads.*Junyi.*Eedi"):
        load_responses(other)
