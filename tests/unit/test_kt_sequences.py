"""Knowledge-tracing sequence files as DKT, AKT and pyKT ship them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from datasets.kt_sequences import is_sequence_file, is_sequences, read_sequences
from models.sources import load_responses
from tutor.errors import DataFormatError

DKT = "3\n1,2,2,\n1,0,1,\n2\n2,3\n0,1\n"  # DKVMN writes a comma at each line's end
AKT = ("1,501\n10,10,11,12\n3,4,3,5\n1,1,0,1\n"  # problem 10 has skills 3 and 4: one answer
       "2,502\n11,12\n3,5\n0,0\n"
       "3,503\n10,10\n3,3\n1,1\n")  # the same skill again: a second answer, not a repeat
PYKT = ("s1,3\nq1,q2,q3\nc1,c1_c2,c3\n1,0,1\n1600000000000,1600000060000,1600000120000\nNA\n"
        "u9,2\nNA\n7,8\n0,1\nNA\nNA\n")  # u9: no questions, the concept is the item
PYCD = "64525,3\r\n51424,51435,92320\r\n1_13,1_13,2\r\n1,1,0\r\nNA\r\nNA\r\n0,1,1\r\n"
HEADER = "fold,uid,questions,concepts,responses,timestamps,is_repeat"
TRAIN_VALID = (f"{HEADER}\n"
               '0,s1,"0,1,1,2","0,0,1,2","1,0,0,1","1000,2000,2000,3000","0,0,1,0"\n')
TEST = f'{HEADER}\n-1,s2,"2,0","2,0","0,1","1000,5000","0,0"\n'
KEYS = {"questions": {"Q-a": 0, "Q-b": 1, "Q-c": 2}, "concepts": {"A": 0, "B": 1, "C": 2},
        "max_concepts": 2}


def answers(path: Path, name: str = "kt") -> list[tuple]:
    """(student, question, correct, ts, seq) of each answer, by student and seq."""
    ds = read_sequences(path, name)
    got = [(a.student_id.rsplit(":", 1)[1], a.question_id.rsplit(":", 1)[1], a.correct, a.ts,
            a.seq) for a in ds.attempts]
    return sorted(got, key=lambda a: (a[0], a[4]))


def edges_of(path: Path) -> set[tuple[str, str]]:
    return {(t.question_id.rsplit(":", 1)[1], t.kp_id.rsplit(":", 1)[1])
            for t in read_sequences(path, "kt").tests}


def test_dkt_three_lines_the_skill_is_the_item(tmp_path: Path) -> None:
    path = tmp_path / "toy.csv"
    path.write_text(DKT)
    assert answers(path) == [("toy-0", "1", True, 0, 0), ("toy-0", "2", False, 0, 1),
                             ("toy-0", "2", True, 0, 2), ("toy-1", "2", False, 0, 0),
                             ("toy-1", "3", True, 0, 1)]
    assert edges_of(path) == {("1", "1"), ("2", "2"), ("3", "3")}


def test_akt_four_lines_fold_a_problem_repeated_per_skill(tmp_path: Path) -> None:
    path = tmp_path / "akt_pid_test1.csv"
    path.write_text(AKT)
    (tmp_path / "problems.json").write_text(json.dumps({"9001": 10, "9002": 11, "9003": 12}))
    (tmp_path / "skill.json").write_text(json.dumps({"Fractions": 3, "Decimals": 4,
                                                     "Ratios": 5}))
    assert answers(path) == [("501", "9001", True, 0, 0), ("501", "9002", False, 0, 1),
                             ("501", "9003", True, 0, 2), ("502", "9002", False, 0, 0),
                             ("502", "9003", False, 0, 1), ("503", "9001", True, 0, 0),
                             ("503", "9001", True, 0, 1)]
    assert edges_of(path) == {("9001", "3"), ("9001", "4"), ("9002", "3"), ("9003", "5")}
    ds = read_sequences(path, "kt")
    assert {k.name for k in ds.kps} == {"Fractions", "Decimals", "Ratios"}
    assert "rows repeating an answer for a further skill, one answer each: 1" in ds.report.notes


def test_pykt_data_txt_and_pycd_seven_lines(tmp_path: Path) -> None:
    path = tmp_path / "data.txt"
    path.write_text(PYKT)
    assert answers(path) == [("s1", "q1", True, 1600000000000, 0),
                             ("s1", "q2", False, 1600000060000, 1),
                             ("s1", "q3", True, 1600000120000, 2),
                             ("u9", "7", False, 0, 0), ("u9", "8", True, 0, 1)]
    assert edges_of(path) == {("q1", "c1"), ("q2", "c1"), ("q2", "c2"), ("q3", "c3"),
                              ("7", "7"), ("8", "8")}
    pycd = tmp_path / "pycd" / "data.txt"
    pycd.parent.mkdir()
    pycd.write_bytes(PYCD.encode())
    assert answers(pycd.parent) == [("64525", "51424", True, 0, 0),
                                    ("64525", "51435", True, 0, 1),
                                    ("64525", "92320", False, 0, 2)]
    assert edges_of(pycd) == {("51424", "1"), ("51424", "13"), ("51435", "1"),
                              ("51435", "13"), ("92320", "2")}


def test_pykt_csvs_whole_or_in_padded_windows_give_the_same_answers(tmp_path: Path) -> None:
    whole, windows = tmp_path / "whole", tmp_path / "windows"
    for folder in (whole, windows):
        folder.mkdir()
        (folder / "keyid2idx.json").write_text(json.dumps(KEYS))
    (whole / "train_valid.csv").write_text(TRAIN_VALID)
    (whole / "test.csv").write_text(TEST)
    # windows of 2, the last padded with -1; the repeat for concept B opens the second window
    (windows / "train_valid_sequences.csv").write_text(
        f"{HEADER},selectmasks\n"
        '0,s1,"0,1","0,0","1,0","1000,2000","0,0","1,1"\n'
        '0,s1,"1,2,-1","1,2,-1","0,1,-1","2000,3000,-1","1,0,-1","1,1,-1"\n')
    (windows / "test_sequences.csv").write_text(
        f"{HEADER},selectmasks\n"
        '-1,s2,"2,0,-1","2,0,-1","0,1,-1","1000,5000,-1","0,0,-1","1,1,-1"\n')
    expected = [("s1", "Q-a", True, 1000, 0), ("s1", "Q-b", False, 2000, 1),
                ("s1", "Q-c", True, 3000, 2), ("s2", "Q-c", False, 1000, 0),
                ("s2", "Q-a", True, 5000, 1)]
    assert answers(whole) == expected == answers(windows)
    assert edges_of(whole) == edges_of(windows) == {("Q-a", "A"), ("Q-b", "A"), ("Q-b", "B"),
                                                    ("Q-c", "C")}
    ds = read_sequences(whole, "kt")
    assert set(ds.student_files.values()) == {"train_valid.csv", "test.csv"}


def test_a_folder_of_folds_is_read_at_its_first_fold(tmp_path: Path) -> None:
    """AKT ships train1-5, valid1-5 and test1-5: fold 1's files hold every student once."""
    def students(first: int, count: int) -> str:
        return "".join(f"1,{u}\n{u % 5},{u % 7}\n{u % 3},{u % 4}\n1,{u % 2}\n"
                       for u in range(first, first + count))
    folder = tmp_path / "akt"
    folder.mkdir()
    (folder / "x_train1.csv").write_text(students(100, 6))
    (folder / "x_valid1.csv").write_text(students(106, 2))
    (folder / "x_test1.csv").write_text(students(108, 2))
    (folder / "x_train2.csv").write_text(students(104, 6))  # another fold: not read
    (folder / "README.md").write_text("not data")
    ds = read_sequences(folder, "f")
    assert len(ds.students) == 10 and ds.report.counts["files"] == 3
    assert is_sequences(folder) and not is_sequence_file(folder / "README.md")
    kt = load_responses(folder)  # the test file's students are the test split
    assert len(kt.test.students) == 2 and len(kt.train.students) == 8


def test_bad_students_and_answers_are_reported_and_models_refuse_them(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(DKT + "3\n1,2,3\n1,0\n" + "2\n4,5\n1,2\n" + "2\n4,5\n")
    ds = read_sequences(path, "kt")
    assert [p.reason for p in ds.report.problems] == [
        "bad.csv line 7: the student's lines differ in length; skipped",
        "line 12: correct is not a score from 0 to 1; row skipped",
        "bad.csv line 13: an incomplete student (2 of 3 lines); skipped"]
    assert len(ds.attempts) == 5 + 1  # the good students and 4's answer
    with pytest.raises(DataFormatError, match="3 bad row"):
        load_responses(path)


def test_what_is_not_a_sequence_file(tmp_path: Path) -> None:
    text = tmp_path / "notes.txt"
    text.write_text("hello, world\nthis is, not, a, sequence\n")
    assert not is_sequence_file(text)
    with pytest.raises(DataFormatError, match="not a KT sequence file"):
        read_sequences(text)
    (tmp_path / "empty").mkdir()
    with pytest.raises(DataFormatError, match="no KT sequence files"):
        read_sequences(tmp_path / "empty")
    with pytest.raises(DataFormatError, match="does not exist"):
        read_sequences(tmp_path / "nope")
    lpp = tmp_path / "lpp.csv"
    lpp.write_text("user_id,item_id,timestamp,correct\n0,1,0,1\n")
    assert not is_sequence_file(lpp)
