"""Tests of the LMS-export CSV reader on small files written to ``tmp_path``."""

from __future__ import annotations

from pathlib import Path

import pytest

from datasets.cleaning import CleaningOptions
from datasets.lms_csv import read_lms_csv
from tutor.curriculum import Chapter, KnowledgePoint
from tutor.curriculum import Tests as KpEdge
from tutor.errors import DataFormatError
from tutor.roster import Student

HEADER = "student,question,kps,correct,timestamp,duration"
T0 = 1_704_103_200_000  # 2024-01-01T10:00:00Z


def write(tmp_path: Path, lines: list[str], name: str = "course.csv", bom: bool = False) -> Path:
    path = tmp_path / name
    path.write_text(("\ufeff" if bom else "") + "\n".join(lines) + "\n", encoding="utf-8")
    return path


def session(student: str, start_min: int = 0, n: int = 6, extra: str = "") -> list[str]:
    """``n`` one-minute attempts, one per minute: a 6-minute session by default (kept)."""
    return [
        f"{student},q{i % 3},kp{i % 2};kp2,{i % 2},"
        f"{(T0 + (start_min + i) * 60_000) // 1000},60{extra}"
        for i in range(n)
    ]


def test_reads_domain_objects(tmp_path: Path) -> None:
    path = write(tmp_path, [HEADER, *session("ann"), *session("bob", 100)])
    data = read_lms_csv(path)
    assert data.name == "course"
    assert data.chapter == Chapter("course:chapter:all", "course", source="lms_csv")
    assert data.kps[0] == KnowledgePoint(
        "course:kp:kp0", "kp0", "course:chapter:all", source="lms_csv"
    )
    assert [k.id for k in data.kps] == ["course:kp:kp0", "course:kp:kp2", "course:kp:kp1"]
    assert [q.id for q in data.questions] == ["course:q:q0", "course:q:q1", "course:q:q2"]
    assert KpEdge("course:q:q0", "course:kp:kp2", 0.5) in data.tests
    assert data.students == [
        Student("course:student:ann", source="lms_csv"),
        Student("course:student:bob", source="lms_csv"),
    ]
    first = data.attempts[0]
    assert first.event_id == f"course:ann:{T0}"
    assert (first.student_id, first.question_id, first.correct) == (
        "course:student:ann",
        "course:q:q0",
        False,
    )
    assert (first.ts, first.seq, first.duration_s, first.source) == (T0, 0, 60.0, "lms_csv")
    assert [a.seq for a in data.attempts if a.student_id.endswith("bob")] == list(range(6))
    assert data.report.counts["read"] == data.report.counts["kept"] == 12
    assert data.report.counts["attempts"] == 12 and data.report.problems == []
    assert list(data.features.index) == [a.event_id for a in data.attempts]


def test_tests_weights_sum_to_one(tmp_path: Path) -> None:
    path = write(tmp_path, [HEADER, "s,q,a;b;c,1,2024-01-01T10:00:00,400"])
    data = read_lms_csv(path)
    assert [t.weight for t in data.tests] == pytest.approx([1 / 3] * 3)


def test_bad_rows_reported_with_file_lines_and_good_rows_load(tmp_path: Path) -> None:
    good = session("ann")
    lines = [
        HEADER,
        good[0],  # line 2
        "bob,,kp1,1,2024-01-01T10:00:00,60",  # line 3: missing question
        good[1],  # line 4
        "",  # line 5: blank, skipped but counted
        "bob,q1,kp1,perhaps,2024-01-01T10:00:00,60",  # line 6
        good[2],  # line 7
        "bob,q1,kp1,1,not-a-time,60",  # line 8
        "bob,q1,kp1,1,2024-01-01T10:00:00,-3",  # line 9
        "bob,q1,kp1,1,2024-01-01T10:00:00,60,extra",  # line 10: too many fields
        *good[3:],  # lines 11-13
    ]
    data = read_lms_csv(write(tmp_path, lines))
    assert [(p.line, p.reason) for p in data.report.problems] == [
        (3, "missing question"),
        (6, "unparseable correct 'perhaps'"),
        (8, "unparseable timestamp 'not-a-time'"),
        (9, "negative duration"),
        (10, "has 7 fields, header has 6"),
    ]
    assert data.features["_line"].tolist() == [2, 4, 7, 11, 12, 13]
    assert data.report.counts["dropped_parse"] == 5 and data.report.counts["kept"] == 6
    assert data.students == [Student("course:student:ann", source="lms_csv")]


def test_duplicates_outliers_and_sessions_in_report(tmp_path: Path) -> None:
    normal = [f"ann,q{i},k,1,{T0 // 1000 + 60 * i},{50 + i % 5}" for i in range(29)]
    lines = [
        HEADER,
        *normal,  # lines 2-30: one 29-minute session
        f"ann,q0,k,0,{T0 // 1000},55",  # line 31: duplicate of line 2
        f"ann,q1,k,1,{T0 // 1000 + 60 * 29},5000",  # line 32: duration outlier
        f"bob,q1,k,1,{T0 // 1000},60",  # line 33: a one-minute session
    ]
    report = read_lms_csv(write(tmp_path, lines)).report
    assert report.counts["dropped_duplicates"] == 1
    assert report.counts["dropped_outliers"] == 1
    assert report.counts["dropped_sessions"] == 1
    assert report.counts["kept"] == 29
    assert [p.line for p in report.problems] == [31, 32, 33]
    assert report.problems[0].reason == "duplicate of line 2 (same student and timestamp)"
    assert any(
        n.startswith("duplicates: dropped 1 row(s)") and "line 31" in n for n in report.notes
    )
    assert any(n.startswith("outliers: dropped 1 row(s)") for n in report.notes)
    assert any(n.startswith("sessions: dropped 1 row(s)") for n in report.notes)


def test_optional_columns_become_features(tmp_path: Path) -> None:
    rows = session("ann", extra=",1,0.5,web")
    rows[1] = rows[1].replace(",1,0.5,web", ",,,")
    path = write(tmp_path, [HEADER + ",Hint_Count,score,device", *rows])
    data = read_lms_csv(path)
    features = data.features
    assert features["hint_count"].tolist() == [1, 0, 1, 1, 1, 1]
    assert features["score"].tolist() == [0.5] * 6
    assert features["device=web"].tolist() == [1, 0, 1, 1, 1, 1]
    assert {"duration_z", "score_z"} <= set(features.columns)
    assert "hint_count_z" not in features.columns
    assert data.report.counts["filled_values"] == 2


def test_event_ids_idempotent_across_reimports(tmp_path: Path) -> None:
    path = write(tmp_path, [HEADER, *session("ann"), *session("bob", 50)])
    first, second = read_lms_csv(path), read_lms_csv(path)
    assert [a.event_id for a in first.attempts] == [a.event_id for a in second.attempts]
    assert first.attempts == second.attempts
    assert len({a.event_id for a in first.attempts}) == 12


def test_timestamp_forms_agree(tmp_path: Path) -> None:
    forms = {
        "iso": "2024-01-01T10:00:00",
        "zulu": "2024-01-01T10:00:00Z",
        "offset": "2024-01-01T12:00:00+02:00",
        "secs": "1704103200",
        "ms": "1704103200000",
    }
    rows = [f"{who},q,k,1,{ts},400" for who, ts in forms.items()]  # each a 6:40-min session
    data = read_lms_csv(write(tmp_path, [HEADER, *rows]))
    assert {a.ts for a in data.attempts} == {T0}
    assert len(data.attempts) == 5


def test_name_bom_header_case_and_unsorted_rows(tmp_path: Path) -> None:
    rows = session("ann")
    path = write(tmp_path, [HEADER.upper(), *reversed(rows)], bom=True)
    data = read_lms_csv(path, name="pilot")
    assert [a.seq for a in data.attempts] == list(range(6))
    assert [a.ts for a in data.attempts] == sorted(a.ts for a in data.attempts)
    assert data.attempts[0].event_id == f"pilot:ann:{T0}"


def test_custom_options(tmp_path: Path) -> None:
    path = write(tmp_path, [HEADER, *session("ann", n=2)])  # a 2-minute session
    assert read_lms_csv(path).attempts == []
    assert len(read_lms_csv(path, options=CleaningOptions(min_session_min=1)).attempts) == 2


def test_all_rows_bad_gives_an_empty_dataset(tmp_path: Path) -> None:
    data = read_lms_csv(write(tmp_path, [HEADER, "a,q,k,?,1704103200,1", "b,,k,1,1704103200,1"]))
    assert data.attempts == [] and data.students == [] and data.features.empty
    assert [p.line for p in data.report.problems] == [2, 3]
    assert data.report.counts["kept"] == 0


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(DataFormatError, match=r"nope\.csv: file not found"):
        read_lms_csv(tmp_path / "nope.csv")


@pytest.mark.parametrize("content", ["", "\n\n"])
def test_empty_file(tmp_path: Path, content: str) -> None:
    path = tmp_path / "empty.csv"
    path.write_text(content)
    with pytest.raises(DataFormatError, match=r"empty\.csv: empty file"):
        read_lms_csv(path)


def test_header_without_rows(tmp_path: Path) -> None:
    with pytest.raises(DataFormatError, match="no data rows"):
        read_lms_csv(write(tmp_path, [HEADER]))


def test_missing_columns_named_in_one_line(tmp_path: Path) -> None:
    path = write(tmp_path, ["student,question,correct,when", "s,q,1,2024-01-01"])
    with pytest.raises(DataFormatError) as info:
        read_lms_csv(path)
    message = str(info.value)
    assert str(path) in message and "\n" not in message
    assert "missing required column(s): kps, timestamp, duration" in message


def test_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "latin.csv"
    path.write_bytes((HEADER + "\nJos\xe9,q,k,1,1704103200,1\n").encode("latin-1"))
    with pytest.raises(DataFormatError, match="not UTF-8"):
        read_lms_csv(path)


def test_reserved_column_rejected(tmp_path: Path) -> None:
    with pytest.raises(DataFormatError, match="reserved column"):
        read_lms_csv(write(tmp_path, [HEADER + ",_line", "s,q,k,1,1704103200,1,x"]))
