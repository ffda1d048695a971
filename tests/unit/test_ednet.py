"""EdNet KT1 as Riiid ships it: a folder of one file per student beside the contents."""

from __future__ import annotations

from pathlib import Path

import pytest

from datasets.ednet import read_ednet
from models.sources import load_responses, source_files
from tutor.errors import DataFormatError

QUESTIONS = """\
question_id,bundle_id,explanation_id,correct_answer,part,tags,deployed_at
q1,b1,e1,b,1,1;2;179,1558093217098
q2,b2,e2,a,1,1;181,1558093224720
q3,b3,e3,c,2,-1,1558093217098
"""
HEADER = "timestamp,solving_id,question_id,user_answer,elapsed_time\n"


def release(tmp_path: Path, students: dict[str, str]) -> Path:
    """EdNet-KT1 and EdNet-Contents unpacked side by side; returns the KT1 folder."""
    kt1, contents = tmp_path / "KT1", tmp_path / "contents"
    kt1.mkdir()
    contents.mkdir()
    (contents / "questions.csv").write_text(QUESTIONS)
    for user, rows in students.items():
        (kt1 / f"{user}.csv").write_text(HEADER + rows)
    return kt1


STUDENTS = {
    "u10": "1565096190868,1,q1,b,18000\n1565096500000,5,q1\n",  # line 3: ragged
    "u2": ("1565096221000,2,q2,c,23000\n"  # wrong: q2's answer is a
           "1565096190868,1,q1,b,18000\n"  # earlier, so first
           "1565096300000,3,q9,a,1000\n"  # line 4: no such question
           "1565096400000,4,q3,,1000\n"),  # line 5: no answer
    "u1": "1565096190000,1,q3,c,5000\n",
}


def test_answers_are_scored_against_the_contents_and_tags_are_kps(tmp_path: Path) -> None:
    ds = read_ednet(release(tmp_path, STUDENTS), "ed")
    got = [(a.student_id, a.question_id, a.correct, a.ts, a.seq) for a in ds.attempts]
    assert got == [("ed:student:u1", "ed:q:q3", True, 1565096190000, 0),
                   ("ed:student:u10", "ed:q:q1", True, 1565096190868, 0),
                   ("ed:student:u2", "ed:q:q1", True, 1565096190868, 0),
                   ("ed:student:u2", "ed:q:q2", False, 1565096221000, 1)]
    assert sorted(p.reason for p in ds.report.problems) == [
        "u10.csv line 3: 3 fields, not 5; row skipped",
        "u2.csv line 4: the question is not in questions.csv; row skipped",
        "u2.csv line 5: no answer; row skipped"]
    tests = {(t.question_id, t.kp_id) for t in ds.tests}
    assert tests == {("ed:q:q1", "ed:kp:1"), ("ed:q:q1", "ed:kp:2"), ("ed:q:q1", "ed:kp:179"),
                     ("ed:q:q2", "ed:kp:1"), ("ed:q:q2", "ed:kp:181")}  # q3's -1: no tag


def test_the_first_students_only_and_bad_folders(tmp_path: Path) -> None:
    kt1 = release(tmp_path, STUDENTS)
    assert {s.id for s in read_ednet(kt1, "ed", users=2).students} == {
        "ed:student:u1", "ed:student:u2"}  # u1, u2 before u10
    with pytest.raises(DataFormatError, match="no EdNet KT1 student files"):
        read_ednet(tmp_path / "contents")
    (tmp_path / "contents" / "questions.csv").unlink()
    with pytest.raises(DataFormatError, match=r"no questions\.csv"):
        read_ednet(kt1)


def test_models_read_a_kt1_folder(tmp_path: Path) -> None:
    students = {f"u{n}": "".join(f"{1565096190000 + 1000 * k},{k},q{1 + (n + k) % 3},"
                                 f"{'abc'[(n * k) % 3]},1000\n" for k in range(6))
                for n in range(1, 13)}
    kt = load_responses(release(tmp_path, students))
    assert len(kt.train.students) + len(kt.test.students) == 12 and kt.n_skills == 4


def test_a_student_without_answers_and_a_byte_order_mark(tmp_path: Path) -> None:
    kt1 = release(tmp_path, {"u1": ""})  # a header only
    assert read_ednet(kt1).attempts == []
    (kt1 / "u2.csv").write_text("\ufeff" + HEADER + "1565096190868,1,q1,b,18000\n")
    assert [a.correct for a in read_ednet(kt1).attempts] == [True]


def test_what_a_kt1_folder_is_read_from(tmp_path: Path) -> None:
    """The study caches its fit by the files read: the contents' questions are one of them."""
    kt1 = release(tmp_path, {"u1": "1565096190000,1,q3,c,5000\n"})
    assert source_files(kt1) == [kt1 / "u1.csv", tmp_path / "contents" / "questions.csv"]
