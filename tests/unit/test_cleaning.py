"""Unit tests of the LMS cleaning rules, one pure function each, on small in-memory frames."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from datasets.cleaning import (
    LINE,
    SESSION,
    CleaningOptions,
    add_z_scores,
    clean,
    column_kinds,
    drop_bad_sessions,
    drop_duplicates,
    drop_outliers,
    fill_missing,
    one_hot_encode,
    parse_rows,
    parse_timestamps_ms,
    sessionize,
    split_kps,
)
from tutor.errors import InvalidInput

T0 = 1_704_103_200_000  # 2024-01-01T10:00:00Z in epoch ms
MIN = 60_000


def raw(rows: list[dict[str, str]]) -> pd.DataFrame:
    """An all-text frame as the reader builds it: data rows on file lines 2, 3, ..."""
    base = {"student": "s1", "question": "q1", "kps": "a", "correct": "1", "duration": "60"}
    full = [{**base, "timestamp": str(T0 // 1000 + 60 * i), **r} for i, r in enumerate(rows)]
    frame = pd.DataFrame(full, dtype="str")
    frame.insert(0, LINE, range(2, len(full) + 2))
    return frame


def typed(rows: list[dict[str, str]]) -> pd.DataFrame:
    result = parse_rows(raw(rows))
    assert result.problems == ()
    return result.frame


def attempts(student: str, minutes: list[float], duration: float = 60) -> list[dict[str, str]]:
    """Rows of one student starting ``minutes`` after T0."""
    ts = [str(T0 + round(m * MIN)) for m in minutes]
    return [{"student": student, "timestamp": t, "duration": str(duration)} for t in ts]


# --- rule 1 ------------------------------------------------------------------------------------


def test_parse_types_good_rows() -> None:
    frame = typed([{"kps": " a ; b;;a", "correct": "Yes"}, {"correct": "FALSE", "duration": ""}])
    assert frame["kps"].tolist() == [("a", "b"), ("a",)]
    assert frame["correct"].tolist() == [True, False]
    assert frame["timestamp"].tolist() == [T0, T0 + MIN]
    assert frame["duration"].iloc[0] == 60.0 and math.isnan(frame["duration"].iloc[1])
    assert frame[LINE].tolist() == [2, 3]


def test_parse_reports_bad_rows_with_lines_and_keeps_good_ones() -> None:
    result = parse_rows(
        raw(
            [
                {},  # line 2: good
                {"student": " "},  # line 3
                {"question": "", "kps": ";"},  # line 4
                {"correct": "maybe"},  # line 5
                {"timestamp": "yesterday"},  # line 6
                {"duration": "-1"},  # line 7
                {"duration": "abc"},  # line 8
                {"correct": "0", "duration": ""},  # line 9: good
            ]
        )
    )
    assert result.frame[LINE].tolist() == [2, 9]
    reasons = {p.line: p.reason for p in result.problems}
    assert reasons == {
        3: "missing student",
        4: "missing question; missing kps",
        5: "unparseable correct 'maybe'",
        6: "unparseable timestamp 'yesterday'",
        7: "negative duration",
        8: "unparseable duration 'abc'",
    }
    assert result.dropped == 6 and "lines 3, 4, 5, 6, 7, 8" in result.note


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024-01-01T10:00:00", T0),  # naive = UTC
        ("2024-01-01 10:00:00", T0),
        ("2024-01-01T10:00:00Z", T0),
        ("2024-01-01T11:00:00+01:00", T0),
        ("2024-01-01T10:00:00.250", T0 + 250),
        ("1704103200", T0),  # epoch seconds
        ("1704103200.5", T0 + 500),
        ("1704103200000", T0),  # epoch milliseconds
    ],
)
def test_timestamps_iso_and_epoch(text: str, expected: int) -> None:
    assert parse_timestamps_ms(pd.Series([text])).tolist() == [expected]


def test_timestamps_unparseable_are_nan() -> None:
    assert parse_timestamps_ms(pd.Series(["", "soon", "inf", "2024-13-45"])).isna().all()


def test_split_kps() -> None:
    assert split_kps("x; y ;x;;") == ("x", "y")
    assert split_kps(" ; ") == ()


def test_optional_columns_typed_and_classified() -> None:
    frame = typed(
        [
            {"hint_count": "1", "score": "0.5", "device": "mobile", "room": "12"},
            {"hint_count": "", "score": "", "device": "", "room": "A1"},
        ]
    )
    kinds = column_kinds(frame)
    assert kinds.counts == ("hint_count",)
    assert kinds.measures == ("score",)
    assert kinds.categoricals == ("device", "room")
    assert frame["device"].isna().tolist() == [False, True]


# --- rule 2 ------------------------------------------------------------------------------------


def test_duplicates_removed_keep_first_and_reported() -> None:
    frame = typed(
        [
            {"timestamp": "1704103200", "question": "first"},
            {"timestamp": "1704103200", "question": "copy"},  # line 3: same student, same time
            {"timestamp": "1704103200", "student": "s2"},  # other student: kept
            {"timestamp": "2024-01-01T10:00:00Z", "question": "copy2"},  # line 5: same instant
        ]
    )
    result = drop_duplicates(frame)
    assert result.frame["question"].tolist() == ["first", "q1"]
    assert [(p.line, p.reason) for p in result.problems] == [
        (3, "duplicate of line 2 (same student and timestamp)"),
        (5, "duplicate of line 2 (same student and timestamp)"),
    ]
    assert "dropped 2 row(s)" in result.note and "lines 3, 5" in result.note


# --- rule 3 ------------------------------------------------------------------------------------


def test_fill_mean_for_duration_and_measures_zero_for_counts() -> None:
    frame = typed(
        [
            {"duration": "10", "score": "1", "hint_count": "3"},
            {"duration": "", "score": "", "hint_count": ""},
            {"duration": "30", "score": "2", "hint_count": "1"},
        ]
    )
    result = fill_missing(frame)
    assert result.frame["duration"].tolist() == [10.0, 20.0, 30.0]
    assert result.frame["score"].tolist() == [1.0, 1.5, 2.0]
    assert result.frame["hint_count"].tolist() == [3.0, 0.0, 1.0]
    assert result.changed == 3 and result.dropped == 0
    assert frame["duration"].isna().sum() == 1  # pure: the input is untouched


def test_fill_leaves_an_all_empty_column_empty() -> None:
    result = fill_missing(typed([{"duration": ""}, {"duration": ""}]))
    assert result.frame["duration"].isna().all()
    assert "all 2 empty" in result.note


# --- rule 4 ------------------------------------------------------------------------------------


def test_three_sigma_outlier_removed() -> None:
    rows = [{"duration": str(50 + i % 5)} for i in range(29)] + [{"duration": "3000"}]
    result = drop_outliers(typed(rows), sigma=3.0)
    assert len(result.frame) == 29
    assert [p.line for p in result.problems] == [31]
    assert result.problems[0].reason.startswith("duration outlier: |z| = ")


def test_outliers_skipped_for_tiny_or_flat_samples() -> None:
    assert drop_outliers(typed([{"duration": "1"}, {"duration": "900"}])).dropped == 0
    flat = drop_outliers(typed([{"duration": "5"}] * 10))
    assert flat.dropped == 0 and "skipped (no spread)" in flat.note


def test_no_outlier_below_sigma() -> None:
    rows = [{"duration": str(d)} for d in (10, 20, 30, 40, 50, 60)]
    assert drop_outliers(typed(rows)).dropped == 0


# --- rule 5 ------------------------------------------------------------------------------------


def test_sessions_short_and_long_dropped_normal_kept() -> None:
    rows = (
        attempts("short", [0, 1])  # 0 .. 2 min
        + attempts("normal", [0, 5, 9])  # 0 .. 10 min
        + attempts("long", [20 * i for i in range(10)])  # gaps 19 min: one 181-min session
    )
    result = drop_bad_sessions(typed(rows), gap_min=30, min_min=5, max_min=180)
    assert result.frame["student"].unique().tolist() == ["normal"]
    reasons = {p.line: p.reason for p in result.problems}
    assert reasons[2] == "session too short: 2.0 min (< 5 min)"
    assert reasons[7] == "session too long: 181.0 min (> 180 min)"
    assert len(reasons) == 2 + 10


def test_sessions_split_at_idle_gaps() -> None:
    # 60-s attempts; idle gaps (start - previous end): 4, 4, 31, 4, 153, 1 minutes
    frame = typed(attempts("s", [0, 5, 10, 42, 47, 201, 203]))
    session, length = sessionize(frame, gap_min=30)
    assert session.tolist() == [0, 0, 0, 1, 1, 2, 2]
    assert length.tolist() == [11.0] * 3 + [6.0] * 2 + [3.0] * 2
    result = drop_bad_sessions(frame)
    assert result.frame[SESSION].tolist() == [0, 0, 0, 1, 1]
    assert [p.line for p in result.problems] == [7, 8]


def test_session_gap_limit_is_inclusive() -> None:
    frame = typed(attempts("s", [0, 31]))  # idle gap exactly 30 minutes: one session
    session, length = sessionize(frame, gap_min=30)
    assert session.tolist() == [0, 0] and length.tolist() == [32.0, 32.0]


def test_sessions_use_parameters() -> None:
    frame = typed(attempts("s", [0, 1]))  # 2-minute session
    assert drop_bad_sessions(frame, min_min=1).dropped == 0
    assert drop_bad_sessions(frame, min_min=0, max_min=1).dropped == 2


# --- rules 6-7 ---------------------------------------------------------------------------------


def test_z_scores_have_mean_zero_std_one_and_keep_raw() -> None:
    rows = [{"duration": str(d), "score": str(s)} for d, s in [(10, 1), (20, 4), (60, 9), (90, 2)]]
    result = add_z_scores(typed(rows))
    out = result.frame
    for col in ("duration_z", "score_z"):
        assert out[col].mean() == pytest.approx(0.0, abs=1e-12)
        assert out[col].std(ddof=0) == pytest.approx(1.0)
    assert out["duration"].tolist() == [10.0, 20.0, 60.0, 90.0]
    assert len(out) == 4 and result.dropped == 0


def test_z_score_of_a_flat_column_is_zero() -> None:
    out = add_z_scores(typed([{"duration": "7"}] * 3)).frame
    assert out["duration_z"].tolist() == [0.0, 0.0, 0.0]


def test_one_hot_columns() -> None:
    frame = typed([{"device": "web"}, {"device": "app"}, {"device": ""}, {"device": "web"}])
    out = one_hot_encode(frame).frame
    assert out["device=app"].tolist() == [0, 1, 0, 0]
    assert out["device=web"].tolist() == [1, 0, 0, 1]
    assert [c for c in out.columns if c.startswith("device")] == [
        "device",
        "device=app",
        "device=web",
    ]


# --- pipeline ----------------------------------------------------------------------------------


def test_clean_runs_rules_in_order_and_only_early_rules_drop() -> None:
    rows = [*attempts("s", [0, 1, 2, 3, 4, 5]), {"student": "s", "correct": "?"}]
    cleaned = clean(raw(rows), CleaningOptions())
    order = ["parse", "duplicates", "fill", "outliers", "sessions", "zscore", "onehot"]
    assert [s.rule for s in cleaned.steps] == order
    assert cleaned.step("parse").dropped == 1
    assert cleaned.step("zscore").dropped == cleaned.step("onehot").dropped == 0
    assert len(cleaned.frame) == 6 and "duration_z" in cleaned.frame


def test_clean_handles_all_rows_bad() -> None:
    cleaned = clean(raw([{"correct": "?"}, {"student": ""}]))
    assert cleaned.frame.empty and cleaned.step("parse").dropped == 2


@pytest.mark.parametrize(
    "kwargs",
    [{"sigma": 0}, {"session_gap_min": -1}, {"min_session_min": 200, "max_session_min": 100}],
)
def test_options_validated(kwargs: dict[str, float]) -> None:
    with pytest.raises(InvalidInput):
        CleaningOptions(**kwargs)


def test_one_hot_skips_high_cardinality_columns() -> None:
    frame = typed([{"comment": f"note {i}", "device": "web"} for i in range(4)])
    result = one_hot_encode(frame, max_values=3)
    assert "device=web" in result.frame and not any(c.startswith("comment=") for c in result.frame)
    assert "comment (4 values)" in result.note


def test_absurd_epoch_is_unparseable() -> None:
    assert parse_timestamps_ms(pd.Series(["1e20", "-1e19"])).isna().all()
