"""Eedi's NeurIPS 2020 answers as Eedi ships them, with and without the metadata."""

from __future__ import annotations

from pathlib import Path

from datasets.eedi import read_eedi
from models.sources import load_responses, source_files

ANSWERS = """\
QuestionId,UserId,AnswerId,IsCorrect,CorrectAnswer,AnswerValue
27,412,1289438,0,2,3
100,412,1021522,1,3,3
27,5,1095214,1,2,2
100,5,99999999,1,3,3
"""
DATES = """\
AnswerId,DateAnswered,Confidence,GroupId,QuizId,SchemeOfWorkId
1289438,2019-10-21 14:36:00.000,,84,79,52562.0
1021522,2019-10-21 14:35:00.000,75.0,84,79,52562.0
1095214,2020-02-13 09:10:00.000,,10,7,52562.0
"""
QUESTIONS = """\
QuestionId,SubjectId
27,"[3, 71, 98, 209]"
100,"[3, 49, 62, 70, 281]"
"""
SUBJECTS = """\
SubjectId,Name,ParentId,Level
3,Maths,,0
71,Number,3,1
49,Algebra,3,1
98,Place Value,71,2
62,Expressions,49,2
70,Simplifying,62,3
209,Rounding,98,3
281,Collecting Like Terms,62,3
"""


def release(tmp_path: Path, metadata: bool = True) -> Path:
    (tmp_path / "train_data").mkdir()
    path = tmp_path / "train_data" / "train_task_3_4.csv"
    path.write_text(ANSWERS)
    if metadata:
        meta = tmp_path / "metadata"
        meta.mkdir()
        (meta / "answer_metadata_task_3_4.csv").write_text(DATES)
        (meta / "question_metadata_task_3_4.csv").write_text(QUESTIONS)
        (meta / "subject_metadata.csv").write_text(SUBJECTS)
    return path


def test_answers_in_date_order_and_the_deepest_subjects_are_kps(tmp_path: Path) -> None:
    ds = read_eedi(release(tmp_path), "eedi")
    got = sorted((a.student_id, a.seq, a.question_id, a.correct) for a in ds.attempts)
    assert got == [("eedi:student:412", 0, "eedi:q:100", True),  # 14:35, before 14:36
                   ("eedi:student:412", 1, "eedi:q:27", False),
                   ("eedi:student:5", 0, "eedi:q:27", True)]
    assert [p.line for p in ds.report.problems] == [5]  # an answer without its date
    names = {k.id: k.name for k in ds.kps}
    assert names == {"eedi:kp:209": "Rounding", "eedi:kp:70": "Simplifying",
                     "eedi:kp:281": "Collecting Like Terms"}
    assert {(t.question_id, t.kp_id) for t in ds.tests} == {
        ("eedi:q:27", "eedi:kp:209"), ("eedi:q:100", "eedi:kp:70"),
        ("eedi:q:100", "eedi:kp:281")}


def test_without_the_metadata_answers_follow_their_ids(tmp_path: Path) -> None:
    ds = read_eedi(release(tmp_path, metadata=False), "eedi")
    assert sorted((a.student_id, a.seq, a.question_id, a.ts) for a in ds.attempts) == [
        ("eedi:student:412", 0, "eedi:q:100", 0), ("eedi:student:412", 1, "eedi:q:27", 0),
        ("eedi:student:5", 0, "eedi:q:27", 0), ("eedi:student:5", 1, "eedi:q:100", 0)]
    assert not ds.kps and any("no clock" in n or "AnswerId" in n for n in ds.report.notes)


def test_models_read_the_answers(tmp_path: Path) -> None:
    rows = "".join(f"{27 if k % 2 else 100},{u},{u * 100 + k},{(u + k) % 2},2,2\n"
                   for u in range(1, 13) for k in range(5))
    path = release(tmp_path, metadata=False)
    path.write_text(ANSWERS.splitlines()[0] + "\n" + rows)
    kt = load_responses(path)
    assert len(kt.train.students) + len(kt.test.students) == 12


def test_what_answers_are_read_from(tmp_path: Path) -> None:
    """The study caches its fit by the files read: the metadata beside are some of them."""
    path = release(tmp_path)
    meta = tmp_path / "metadata"
    assert source_files(path) == [path, meta / "answer_metadata_task_3_4.csv",
                                  meta / "question_metadata_task_3_4.csv",
                                  meta / "subject_metadata.csv"]
