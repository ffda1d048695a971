"""Tests of the ASSISTments 2009 reader and the skill-name join: real data and tiny folders."""

from __future__ import annotations

import json
import os
from collections import defaultdict
from pathlib import Path

import numpy as np
import pytest
import scipy.sparse as sp

from datasets import assist_names
from datasets.assist2009 import read_assist
from datasets.logs import LogDataset
from tutor.errors import DataFormatError
from tutor.imports import RowProblem

DATA_DIR = Path(
    os.environ.get("KGTUTOR_DATA", Path(__file__).resolve().parents[2].parent / "shared" / "data")
)
ASSIST_ROOT = DATA_DIR / "assist2009"
LPP = ASSIST_ROOT / "lpp"
HEADER = "user_id\titem_id\ttimestamp\tcorrect\tskill_id"

real = pytest.mark.skipif(
    not (LPP / "q_mat.npz").is_file(),
    reason=f"ASSISTments 2009 lpp data not found at {LPP} (set KGTUTOR_DATA)",
)
real_names = pytest.mark.skipif(
    not assist_names.names_available(ASSIST_ROOT),
    reason=f"ASSISTments 2009 akt/ and pycd/ not found under {ASSIST_ROOT} (set KGTUTOR_DATA)",
)


def write_folder(
    root: Path, files: dict[str, str], q: list[list[int]] | None = None, name: str = "mini"
) -> Path:
    """A tiny lpp-format folder: the given CSV texts plus a Q-matrix (items x skills) if given."""
    folder = root / name
    folder.mkdir()
    for file_name, text in files.items():
        (folder / file_name).write_text(text, encoding="utf-8")
    if q is not None:
        sp.save_npz(folder / "q_mat.npz", sp.csr_matrix(np.array(q, dtype=np.float64)))
    return folder


def csv_text(*rows: str, header: str = HEADER) -> str:
    return "\n".join([header, *rows]) + "\n"


Q3 = [[1, 0, 0], [0, 1, 0], [1, 1, 1], [0, 0, 0]]  # item 3 has no skills


def problem_lines(ds: LogDataset) -> dict[int, str]:
    return {p.line: p.reason for p in ds.report.problems}


# --- the real lpp folder -------------------------------------------------------------------


@pytest.fixture(scope="module")
def lpp() -> LogDataset:
    return read_assist(LPP, name="assist2009", names_from=ASSIST_ROOT)


@real
@real_names
def test_real_counts(lpp: LogDataset) -> None:
    assert len(lpp.attempts) == 278_336
    assert len(lpp.students) == 3_114
    assert len(lpp.questions) == 17_708  # every Q-matrix row appears in the files or has skills
    assert len(lpp.kps) == 123
    assert len(lpp.tests) == 21_202  # the Q-matrix's ones
    assert lpp.report.problems == []
    counts = lpp.report.counts
    assert counts["files"] == 2 and counts["rows_read"] == counts["rows_kept"] == 278_336
    assert counts["named_kps"] == 99


@real
@real_names
def test_real_names_spot_checks(lpp: LogDataset) -> None:
    """Verified by hand: an item tagged with only that skill in pycd carries only that AKT name."""
    kp = {k.id: k for k in lpp.kps}
    assert kp["assist2009:kp:0"].name == "Box and Whisker"  # skill_id 1 (problem 135662)
    assert kp["assist2009:kp:37"].name == "Addition Whole Numbers"  # skill_id 58 (problem 49276)
    assert kp["assist2009:kp:98"].name == "Equation Solving Two or Fewer Steps"  # 311 (87498)
    assert kp["assist2009:kp:40"].name == "Skill 64"  # "Fraction Of" is 10 or 64: ambiguous
    assert "skill_id 311" in kp["assist2009:kp:98"].description
    assert all(k.name == k.name.strip() for k in lpp.kps)  # AKT has "Circumference " etc.
    assert len({k.name for k in lpp.kps}) == 123


@real
@real_names
def test_real_pycd_column_order() -> None:
    """The README's claim: numeric sort of pycd's 123 ids matches the Q-matrix column counts."""
    ids = assist_names.original_skill_ids(ASSIST_ROOT)
    assert len(ids) == 123 and ids[:5] == [1, 2, 4, 5, 8] and ids == sorted(set(ids))
    q = sp.load_npz(LPP / "q_mat.npz").tocsc()
    pycd = assist_names.pycd_item_counts(ASSIST_ROOT)
    diffs = np.abs(np.diff(q.indptr) - np.array([pycd[s] for s in ids]))
    assert int((diffs == 0).sum()) == 109 and int(diffs.max()) == 10


@real
@real_names
def test_real_weights_and_attempts(lpp: LogDataset) -> None:
    totals: dict[str, float] = defaultdict(float)
    for t in lpp.tests:
        totals[t.question_id] += t.weight
    assert len(totals) == 17_708 and all(w == pytest.approx(1.0) for w in totals.values())
    first = lpp.attempts[0]  # preprocessed_data_test.csv, line 2: 5 1619 0 0 41
    assert (first.event_id, first.student_id, first.question_id) == (
        "assist2009:5:0",
        "assist2009:student:5",
        "assist2009:q:1619",
    )
    assert first.correct is False and first.ts == 0 and first.source == "assist2009"
    seqs: dict[str, list[int]] = defaultdict(list)
    for a in lpp.attempts:
        seqs[a.student_id].append(a.seq)
    assert all(s == list(range(len(s))) for s in seqs.values())
    assert len({a.event_id for a in lpp.attempts}) == 278_336


@real
def test_real_without_names_falls_back() -> None:
    ds = read_assist(LPP)
    assert ds.kps[0].id == "lpp:kp:0" and ds.kps[0].name == "Skill column 0"
    assert ds.report.counts["named_kps"] == 0
    assert any("no names source" in n for n in ds.report.notes)


# --- synthetic folders ---------------------------------------------------------------------


def test_bad_rows_reported_with_lines_good_rows_load(tmp_path: Path) -> None:
    text = csv_text(
        "1\t0\t0\t1\t0",  # line 2: good
        "1\t1\t0\t1",  # 3: too few fields
        "x\t1\t0\t1\t0",  # 4: non-integer user
        "1\t1\t0\t2\t0",  # 5: correct not 0/1
        "1\t9\t0\t1\t0",  # 6: item outside the Q-matrix
        "-1\t1\t0\t1\t0",  # 7: negative user
        "",  # 8: empty line, skipped silently
        "1\t2\t0\t0\t0\textra",  # 9: too many fields
        "1.5\t1\t0\t1\t0",  # 10: non-integer user
        "1\t1\t9000000000001\t1\t0",  # 11: timestamp beyond int64 in milliseconds
        "1\t2\t5\t0\t0",  # 12: good
    )
    ds = read_assist(write_folder(tmp_path, {"a.csv": text}, Q3))
    problems = problem_lines(ds)
    assert sorted(problems) == [3, 4, 5, 6, 7, 9, 10, 11]
    assert all(r.startswith(f"a.csv line {n}:") for n, r in problems.items())
    assert "expected 5 fields, found 4" in problems[3]
    assert "user_id is not an integer" in problems[4] and "'x'" in problems[4]
    assert "correct is not 0 or 1" in problems[5]
    assert "outside the Q-matrix rows 0..3" in problems[6]
    assert "negative user_id" in problems[7]
    assert "found 6" in problems[9] and "not an integer" in problems[10]
    assert "timestamp out of range" in problems[11]
    assert [(a.event_id, a.question_id, a.correct, a.ts, a.seq) for a in ds.attempts] == [
        ("mini:1:0", "mini:q:0", True, 0, 0),
        ("mini:1:1", "mini:q:2", False, 5000, 1),  # seconds in, milliseconds out
    ]
    assert ds.report.counts["rows_read"] == 10 and ds.report.counts["rows_kept"] == 2


def test_out_of_range_item_only_row_dropped(tmp_path: Path) -> None:
    text = csv_text("0\t3\t0\t1\t0", "0\t4\t0\t1\t0", "0\t1\t0\t0\t0")
    ds = read_assist(write_folder(tmp_path, {"a.csv": text}, Q3))
    assert ds.report.problems == [
        RowProblem(3, "a.csv line 3: item_id outside the Q-matrix rows 0..3 ('4'); row skipped")
    ]
    assert [a.question_id for a in ds.attempts] == ["mini:q:3", "mini:q:1"]


def test_questions_tests_students_and_kps(tmp_path: Path) -> None:
    text = csv_text("2\t3\t0\t1\t0", "0\t1\t0\t0\t0")
    ds = read_assist(write_folder(tmp_path, {"a.csv": text}, Q3))
    assert [q.id for q in ds.questions] == ["mini:q:0", "mini:q:1", "mini:q:2", "mini:q:3"]
    assert all(q.text == "" and q.source == "assist2009" for q in ds.questions)
    weights = {(t.question_id, t.kp_id): t.weight for t in ds.tests}
    assert weights[("mini:q:2", "mini:kp:1")] == pytest.approx(1 / 3)
    assert sum(w for (q, _), w in weights.items() if q == "mini:q:2") == pytest.approx(1.0)
    assert not any(q == "mini:q:3" for q, _ in weights)  # untagged: a question without TESTS
    assert [s.id for s in ds.students] == ["mini:student:0", "mini:student:2"]
    assert (ds.kps[0].id, ds.kps[0].name, ds.kps[0].chapter_id) == (
        "mini:kp:0",
        "Skill column 0",
        "mini:chapter:skills",
    )
    assert ds.chapter.name == "ASSISTments 2009 skills (mini)"


def test_unseen_untagged_item_is_no_question(tmp_path: Path) -> None:
    ds = read_assist(write_folder(tmp_path, {"a.csv": csv_text("0\t0\t0\t1\t0")}, Q3))
    assert [q.id for q in ds.questions] == ["mini:q:0", "mini:q:1", "mini:q:2"]


def test_files_in_name_order_and_seq_continues(tmp_path: Path) -> None:
    files = {
        "b.csv": csv_text("7\t1\t0\t1\t0"),
        "a.csv": csv_text("7\t0\t0\t0\t0", "8\t0\t0\t1\t0"),
        "notes.txt": "ignored",
    }
    ds = read_assist(write_folder(tmp_path, files, Q3))
    assert [(a.event_id, a.question_id) for a in ds.attempts] == [
        ("mini:7:0", "mini:q:0"),
        ("mini:8:0", "mini:q:0"),
        ("mini:7:1", "mini:q:1"),
    ]
    assert ds.report.counts["files"] == 2
    assert any("more than one file" in n for n in ds.report.notes)


def test_crlf_and_bom(tmp_path: Path) -> None:
    text = "\ufeff" + csv_text("0\t0\t0\t1\t0", "", "0\t1\t0\t0\t0").replace("\n", "\r\n")
    ds = read_assist(write_folder(tmp_path, {"a.csv": text}, Q3))
    assert ds.report.problems == []
    assert [a.correct for a in ds.attempts] == [True, False]


def test_stray_carriage_return_is_one_bad_row(tmp_path: Path) -> None:
    text = csv_text("1\t2\r3\t0\t1\t5", "1\t2\t0\t1\t5")
    ds = read_assist(write_folder(tmp_path, {"a.csv": text}, Q3))
    assert list(problem_lines(ds)) == [2] and "item_id is not an integer" in problem_lines(ds)[2]
    assert [a.question_id for a in ds.attempts] == ["mini:q:2"]


def test_header_only_file(tmp_path: Path) -> None:
    ds = read_assist(write_folder(tmp_path, {"a.csv": csv_text()}, Q3))
    assert ds.attempts == [] and ds.students == [] and len(ds.questions) == 3


def test_without_a_q_matrix_the_skill_ids_make_one(tmp_path: Path) -> None:
    folder = write_folder(tmp_path, {"a.csv": csv_text("0\t5\t0\t1\t40", "0\t2\t0\t1\t7",
                                                       "1\t5\t0\t0\t40")})
    ds = read_assist(folder)
    assert len(ds.kps) == 2 and len(ds.attempts) == 3
    assert {(t.question_id, t.kp_id) for t in ds.tests} == {("mini:q:2", "mini:kp:0"),
                                                            ("mini:q:5", "mini:kp:1")}
    assert any("built from the rows' skill_id" in n for n in ds.report.notes)


def test_missing_q_matrix_and_skill_ids(tmp_path: Path) -> None:
    folder = write_folder(tmp_path, {"a.csv": csv_text(
        "0\t0\t0\t1", header="user_id\titem_id\ttimestamp\tcorrect")})
    with pytest.raises(DataFormatError, match=r"q_mat\.npz is missing and not every file"):
        read_assist(folder)


def test_missing_folder_and_no_csv(tmp_path: Path) -> None:
    with pytest.raises(DataFormatError, match="does not exist"):
        read_assist(tmp_path / "nowhere")
    with pytest.raises(DataFormatError, match=r"no \*\.csv files"):
        read_assist(write_folder(tmp_path, {}, Q3))


@pytest.mark.parametrize(
    "text",
    [
        "user\titem\ttimestamp\tcorrect\tskill_id\n0\t0\t0\t1\t0\n",
        "",
    ],
)
def test_wrong_header(tmp_path: Path, text: str) -> None:
    with pytest.raises(DataFormatError, match="header must name"):
        read_assist(write_folder(tmp_path, {"a.csv": text}, Q3))


def test_bad_q_matrix(tmp_path: Path) -> None:
    folder = write_folder(tmp_path, {"a.csv": csv_text("0\t0\t0\t1\t0")})
    (folder / "q_mat.npz").write_bytes(b"not a zip")
    with pytest.raises(DataFormatError, match="not a SciPy sparse"):
        read_assist(folder)


def test_same_folder_twice_same_ids_and_names_disjoint(tmp_path: Path) -> None:
    folder = write_folder(tmp_path, {"a.csv": csv_text("0\t0\t0\t1\t0", "0\t2\t0\t0\t0")}, Q3)
    first, again = read_assist(folder), read_assist(folder)
    assert [a.event_id for a in first.attempts] == [a.event_id for a in again.attempts]
    assert first.attempts == again.attempts and first.kps == again.kps
    x, y = read_assist(folder, name="x"), read_assist(folder, name="y")

    def ids(ds: LogDataset) -> set[str]:
        objs = [ds.chapter, *ds.kps, *ds.questions, *ds.students]
        return {o.id for o in objs} | {a.event_id for a in ds.attempts}

    assert ids(x).isdisjoint(ids(y))
    assert all(i.startswith("x:") for i in ids(x))


# --- the name join, on tiny akt/ and pycd/ folders -----------------------------------------


def write_name_sources(root: Path, akt: bool = True) -> None:
    """Skills 9 and 10 (numeric order 9 < 10, string order "10" < "9") plus 20 and 21 that always
    co-occur, so their names cannot be told apart."""
    pycd = root / "pycd"
    pycd.mkdir()
    concepts = {"10": 0, "20": 1, "21": 2, "9": 3}
    (pycd / "id_mapping.json").write_text(json.dumps({"concepts": concepts}))
    (pycd / "que_kc_lookup.txt").write_text("100:9\r\n101:10\r\n102:9,10\r\n103:20,21\r\n")
    if not akt:
        return
    (root / "akt").mkdir()
    problems = {"100": 1, "101": 2, "102": 3, "103": 4}
    skills = {"Fractions ": 1, "Decimals": 2, "Slope": 3, "Intercept": 4}
    (root / "akt" / "problems.json").write_text(json.dumps(problems))
    (root / "akt" / "skill.json").write_text(json.dumps(skills))
    (root / "akt" / "seq_test1.csv").write_text("1,555\n1,2,3,3,4,4\n1,2,1,2,3,4\n1,0,1,1,0,0\n")


def test_skill_names_join(tmp_path: Path) -> None:
    write_name_sources(tmp_path)
    assert assist_names.original_skill_ids(tmp_path) == [9, 10, 20, 21]
    assert assist_names.resolved_names(tmp_path) == {9: "Fractions", 10: "Decimals"}
    assert assist_names.skill_names(tmp_path) == {0: "Fractions", 1: "Decimals"}


def test_reader_uses_names_and_falls_back(tmp_path: Path) -> None:
    write_name_sources(tmp_path)
    q = [[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 1]]
    folder = write_folder(tmp_path, {"a.csv": csv_text("0\t0\t0\t1\t0")}, q, name="lpp")
    ds = read_assist(folder, names_from=folder.parent)
    assert [k.name for k in ds.kps] == ["Fractions", "Decimals", "Skill 20", "Skill 21"]
    assert "akt/skill.json" in ds.kps[0].description
    assert "no unambiguous name" in ds.kps[2].description
    assert ds.report.counts["named_kps"] == 2


def test_reader_pycd_only_names_by_skill_id(tmp_path: Path) -> None:
    write_name_sources(tmp_path, akt=False)
    q = [[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 1]]
    folder = write_folder(tmp_path, {"a.csv": csv_text("0\t0\t0\t1\t0")}, q, name="lpp")
    ds = read_assist(folder, names_from=tmp_path)
    assert [k.name for k in ds.kps] == ["Skill 9", "Skill 10", "Skill 20", "Skill 21"]
    assert any("no akt/" in n for n in ds.report.notes)


def test_reader_names_source_mismatch_falls_back(tmp_path: Path) -> None:
    write_name_sources(tmp_path)
    folder = write_folder(tmp_path, {"a.csv": csv_text("0\t0\t0\t1\t0")}, Q3, name="lpp")
    ds = read_assist(folder, names_from=tmp_path)  # pycd lists 4 skills, the Q-matrix has 3
    assert [k.name for k in ds.kps] == ["Skill column 0", "Skill column 1", "Skill column 2"]
    assert any("pycd lists 4 skills" in n for n in ds.report.notes)


# --- the layouts lpp's prepare_data.py and its forks write ---------------------------------


def attempts_of(ds: LogDataset) -> list[tuple[str, str, bool, int, int]]:
    return [(a.event_id, a.question_id, a.correct, a.ts, a.seq) for a in ds.attempts]


def test_four_columns_and_commas_read_like_the_tab_file_with_skill_ids(tmp_path: Path) -> None:
    rows = [(1, 0, 0, 1), (1, 2, 5, 0), (2, 1, 3, 1)]
    tab = csv_text(*("\t".join(map(str, (*r, 0))) for r in rows))
    four = csv_text(*("\t".join(map(str, r)) for r in rows),
                    header="user_id\titem_id\ttimestamp\tcorrect")  # what lpp itself writes
    comma = csv_text(*(",".join(map(str, r)) for r in rows),
                     header="user_id,item_id,timestamp,correct")
    read = [read_assist(write_folder(tmp_path, {"a.csv": t}, Q3, name=n), "mini")
            for n, t in (("tab", tab), ("four", four), ("comma", comma))]
    for ds in read[1:]:
        assert attempts_of(ds) == attempts_of(read[0]) and not ds.report.problems
    assert attempts_of(read[0])[1] == ("mini:1:1", "mini:q:2", False, 5000, 1)


def test_bad_rows_of_a_comma_file_are_reported_with_their_lines(tmp_path: Path) -> None:
    text = csv_text("1,0,0,1", "1,0,0", "1,x,0,1", "2,1,0,1,7", "2,1,0,0",
                    header="user_id,item_id,timestamp,correct")
    ds = read_assist(write_folder(tmp_path, {"a.csv": text}, Q3))
    problems = problem_lines(ds)
    assert sorted(problems) == [3, 4, 5]
    assert "expected 4 fields, found 3" in problems[3]
    assert "item_id is not an integer" in problems[4]
    assert [a.event_id for a in ds.attempts] == ["mini:1:0", "mini:2:0"]


@pytest.mark.parametrize(("full", "train", "test"), [
    ("preprocessed_data.csv", "preprocessed_data_train.csv", "preprocessed_data_test.csv"),
    ("preprocessed_df.csv", "preprocessed_train_df.csv", "preprocessed_test_df.csv"),
])
def test_a_full_file_beside_its_splits_is_left_out(
        tmp_path: Path, full: str, train: str, test: str) -> None:
    a, b = csv_text("1\t0\t0\t1\t0"), csv_text("2\t1\t0\t0\t0")
    ds = read_assist(write_folder(tmp_path, {train: a, test: b, full: a + b.split("\n", 1)[1]},
                                  Q3))
    assert sorted(x.event_id for x in ds.attempts) == ["mini:1:0", "mini:2:0"]
    assert ds.student_files == {"mini:student:1": train, "mini:student:2": test}
    assert any(note.startswith(f"{full} left out") for note in ds.report.notes)


def test_a_full_file_without_both_splits_is_read(tmp_path: Path) -> None:
    a = csv_text("1\t0\t0\t1\t0")
    ds = read_assist(write_folder(tmp_path, {"preprocessed_data.csv": a,
                                             "preprocessed_data_train.csv": a}, Q3))
    assert len(ds.attempts) == 2 and not any("left out" in n for n in ds.report.notes)
