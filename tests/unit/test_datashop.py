"""The reader of DataShop student-step exports, as the KDD Cup 2010 files and OLI courses ship
them: small files."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from datasets.datashop import read_datashop
from models.sources import load_responses
from tutor.errors import DataFormatError

COLUMNS = ["Row", "Anon Student Id", "Problem Hierarchy", "Problem Name", "Problem View",
           "Step Name", "First Transaction Time", "Correct First Attempt", "Incorrects",
           "KC(Default)", "Opportunity(Default)", "KC(SubSkills)"]
REMOVE = "[SkillRule: Remove constant; {ax+b=c, positive; x+a=b, negative}]"
ROWS = [
    ["1", "0BrbPbwCMz", "Unit ES_04, Section ES_04-1", "EG4-FIXED", "1", "3(x+2) = 15",
     "2005-09-09 12:24:49.0", "0", "2", "", "", ""],
    ["3", "0BrbPbwCMz", "Unit ES_04, Section ES_04-1", "EG4-FIXED", "1", "x = 1",
     "2005-09-09 12:25:40.0", "1", "0", f"{REMOVE}~~Divide", "1~~1", "Remove~~Divide"],
    ["2", "0BrbPbwCMz", "Unit ES_04, Section ES_04-1", "EG4-FIXED", "1", "x+2 = 5",
     "2005-09-09 12:25:31.0", "1", "0", REMOVE, "1", "Remove"],
    ["4", "1CcdQrX", "Unit ES_04, Section ES_04-1", "EG4-FIXED", "1", "x+2 = 5",
     "2005-09-10 08:00:00.0", "", "0", REMOVE, "2", "Remove"],  # line 5: no first attempt
    ["5", "1CcdQrX", "Unit ES_04, Section ES_04-1", "EG40", "1", "\"quoted\" step",
     "2005-09-10 08:01:00.0", "0", "1", "Divide", "1", "Divide"],
]


def export(tmp_path: Path, rows: list[list[str]] = ROWS) -> Path:
    path = tmp_path / "algebra_2005_2006_train.txt"
    path.write_text("\n".join("\t".join(r) for r in [COLUMNS, *rows]) + "\n")
    return path


def test_steps_are_items_kcs_are_kps_and_the_first_attempt_is_the_answer(tmp_path: Path) -> None:
    ds = read_datashop(export(tmp_path), "kdd")
    texts = {q.id: q.text for q in ds.questions}
    order = [texts[a.question_id] for a in ds.attempts]
    assert order == ["EG4-FIXED: 3(x+2) = 15", "EG4-FIXED: x+2 = 5", "EG4-FIXED: x = 1",
                     'EG40: "quoted" step']  # by first transaction time, not by row
    assert [a.correct for a in ds.attempts] == [False, True, True, False]
    assert ds.attempts[1].ts - ds.attempts[0].ts == 42_000
    assert [a.event_id for a in ds.attempts][:2] == ["kdd:0BrbPbwCMz:0", "kdd:0BrbPbwCMz:1"]
    names = {k.id: k.name for k in ds.kps}
    assert sorted(names.values()) == ["Divide", REMOVE]
    kp_of = {v: k for k, v in names.items()}
    tested = {(texts[t.question_id], t.kp_id, t.weight) for t in ds.tests}
    assert ("EG4-FIXED: x = 1", kp_of["Divide"], 0.5) in tested
    assert ("EG4-FIXED: x = 1", kp_of[REMOVE], 0.5) in tested
    assert not any(q == "EG4-FIXED: 3(x+2) = 15" for q, _, _ in tested)  # no KC: no KP
    assert [p.line for p in ds.report.problems] == [5]
    assert "correct first attempt is not a score" in ds.report.problems[0].reason


def test_another_kc_model_and_a_missing_one(tmp_path: Path) -> None:
    path = export(tmp_path)
    assert sorted(k.name for k in read_datashop(path, "kdd", kc="SubSkills").kps) == [
        "Divide", "Remove"]
    with pytest.raises(DataFormatError, match="no KC\\(Rules\\) column; its KC models: "
                                              "default, subskills"):
        read_datashop(path, "kdd", kc="Rules")


def test_the_same_ids_on_every_read_and_a_wrong_file(tmp_path: Path) -> None:
    path = export(tmp_path)
    first, again = read_datashop(path, "kdd"), read_datashop(path, "kdd")
    assert first.attempts == again.attempts and first.kps == again.kps
    other = tmp_path / "other.txt"
    other.write_text("Anon Student Id\tOutcome\nx\tCORRECT\n")
    with pytest.raises(DataFormatError, match="lacks the columns"):
        read_datashop(other)


def test_models_read_an_export(tmp_path: Path) -> None:
    rows = [[str(n), f"s{n % 12}", "u", f"P{n % 5}", "1", f"step {n % 3}",
             f"2005-09-09 12:{n // 60:02d}:{n % 60:02d}.0", str(n % 2), "0",
             "A~~B" if n % 3 else "A", "1", "A"] for n in range(120)]
    kt = load_responses(export(tmp_path, rows))
    assert kt.n_skills == 2 and len(kt.train.students) + len(kt.test.students) == 12


STATICS_COLUMNS = [
    "Row", "Sample", "Anon Student Id", "Problem Hierarchy", "Problem Name", "Problem View",
    "Step Name", "Step Start Time", "First Transaction Time", "Correct Transaction Time",
    "Step End Time", "First Attempt", "Incorrects", "Hints", "Corrects", "KC (F2011)",
    "KC (Single-KC)", "KC (Unique-step)"]
UNIT = "sequence Statics, unit 1"
STATICS_ROWS = [  # Stu_0b11's second first attempt, "maybe", is line 5
    ["1", "All Data", "Stu_0a2a", UNIT, "_m1_assess", "1", "q1_1 UpdateComboBox",
     "2011/09/21 17:35", "2011/09/21 17:35", "2011/09/21 17:36", "2011/09/21 17:36",
     "incorrect", "1", "0", "1", "concept_of_force", "Single-KC", "q1_1 UpdateComboBox"],
    ["2", "All Data", "Stu_0a2a", UNIT, "_m1_assess", "1", "q1_2 UpdateComboBox",
     "2011/09/21 17:37", "2011/09/21 17:37", "2011/09/21 17:37", "2011/09/21 17:37",
     "correct", "0", "0", "1", "concept_of_force~~free_body", "Single-KC",
     "q1_2 UpdateComboBox"],
    ["3", "All Data", "Stu_0b11", UNIT, "_m1_assess", "1", "q1_1 UpdateComboBox",
     "2011/09/22 09:00", "2011/09/22 09:01", "2011/09/22 09:02", "2011/09/22 09:02",
     "hint", "0", "1", "1", "concept_of_force", "Single-KC", "q1_1 UpdateComboBox"],
    ["4", "All Data", "Stu_0b11", UNIT, "_m1_assess", "1", "q1_2 UpdateComboBox",
     "2011/09/22 09:03", "2011/09/22 09:04", "2011/09/22 09:05", "2011/09/22 09:05",
     "maybe", "0", "0", "1", "free_body", "Single-KC", "q1_2 UpdateComboBox"],
]


def test_an_oli_export_scores_its_first_attempt_words(tmp_path: Path) -> None:
    """Statics 2011 as DataShop serves it: comma-separated, ``First Attempt`` in words,
    ``KC (model)`` with a space and no Default model: the first model is taken."""
    path = tmp_path / "AllData_student_step_2011F.csv"
    with path.open("w", newline="") as fh:
        csv.writer(fh).writerows([STATICS_COLUMNS, *STATICS_ROWS])
    ds = read_datashop(path, "statics")
    assert [(a.student_id, a.correct) for a in ds.attempts] == [
        ("statics:student:Stu_0a2a", False), ("statics:student:Stu_0a2a", True),
        ("statics:student:Stu_0b11", False)]  # a hint first counts as wrong
    assert ds.attempts[1].ts - ds.attempts[0].ts == 120_000
    assert sorted(k.name for k in ds.kps) == ["concept_of_force", "free_body"]
    assert [p.line for p in ds.report.problems] == [5]  # "maybe"
    assert any("'f2011'" in n for n in ds.report.notes)
    unique = read_datashop(path, "statics", kc="Unique-step")
    assert len(unique.kps) == 2 and unique.kps[0].name.startswith("q1_")


TX_COLUMNS = ["Row", "Sample Name", "Transaction Id", "Anon Student Id", "Session Id", "Time",
              "Student Response Type", "Problem Name", "Problem View", "Step Name",
              "Attempt At Step", "Outcome", "Selection", "KC (F2011)"]
TX_ROWS = [  # line 7 (B's second step) has an outcome DataShop does not write
    ["1", "All Data", "t1", "Stu_A", "s1", "2011-09-21 17:35:10", "ATTEMPT", "_m1_assess", "1",
     "q1_1 UpdateComboBox", "1", "INCORRECT", "q1_1", "concept_of_force"],
    ["2", "All Data", "t2", "Stu_A", "s1", "2011-09-21 17:35:40", "ATTEMPT", "_m1_assess", "1",
     "q1_1 UpdateComboBox", "2", "CORRECT", "q1_1", "concept_of_force"],
    ["3", "All Data", "t3", "Stu_A", "s1", "2011-09-21 17:36:00", "HINT_REQUEST", "_m1_assess",
     "1", "q1_2 UpdateComboBox", "1", "HINT", "q1_2", "free_body"],
    ["4", "All Data", "t4", "Stu_A", "s1", "2011-09-21 17:36:30", "ATTEMPT", "_m1_assess", "1",
     "q1_2 UpdateComboBox", "2", "CORRECT", "q1_2", "free_body"],
    ["5", "All Data", "t5", "Stu_B", "s2", "2011-09-22 09:00:00", "ATTEMPT", "_m1_assess", "1",
     "q1_1 UpdateComboBox", "1", "CORRECT", "q1_1", "concept_of_force"],
    ["6", "All Data", "t6", "Stu_B", "s2", "2011-09-22 09:01:00", "ATTEMPT", "_m1_assess", "1",
     "q1_2 UpdateComboBox", "1", "WHAT", "q1_2", "free_body"],
]


def test_a_transaction_export_answers_with_each_steps_first_attempt(tmp_path: Path) -> None:
    path = tmp_path / "ds507_tx_All_Data_1664_2017_0227_035434.txt"
    path.write_text("\n".join("\t".join(r) for r in [TX_COLUMNS, *TX_ROWS]) + "\n")
    ds = read_datashop(path, "tx")
    steps = {q.id: q.text for q in ds.questions}
    assert [(a.student_id, steps[a.question_id], a.correct) for a in ds.attempts] == [
        ("tx:student:Stu_A", "_m1_assess: q1_1 UpdateComboBox", False),
        ("tx:student:Stu_A", "_m1_assess: q1_2 UpdateComboBox", False),  # a hint first
        ("tx:student:Stu_B", "_m1_assess: q1_1 UpdateComboBox", True)]
    assert [p.line for p in ds.report.problems] == [7]
    assert any("after a step's first attempt left out: 2" in n for n in ds.report.notes)
    assert "transaction export" in " ".join(ds.report.notes)
