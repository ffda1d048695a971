"""The daily profile's aggregates and interest tags."""

from __future__ import annotations

from tutor.affect import AffectReading, AffectSource, AffectTag
from tutor.profiles import DAY_MS, Answer, ProfileConfig, build_profile

NOW = 100 * DAY_MS
KPS = {"q1": ("k1",), "q2": ("k1", "k2"), "q3": ("k3",)}


def test_aggregates_interest_tags_and_latest_emotion() -> None:
    answers = [Answer("q3", False, NOW - 30 * DAY_MS, 20.0), Answer("q1", True, NOW - DAY_MS, 10.0),
               Answer("q2", True, NOW - DAY_MS // 2, None), Answer("q1", False, NOW - 1000, 5.0)]
    mood = AffectReading(AffectTag.CONFUSED, 0.7, AffectSource.FACE, NOW - 5000)
    p = build_profile("s1", answers, KPS, mood, NOW, ProfileConfig(interest_window=3))
    assert (p.attempts, p.correct_rate, p.time_spent_s, p.attempts_7d) == (4, 0.5, 35.0, 3)
    assert p.last_active == NOW - 1000
    assert p.interest_tags == {"k1": 2.5 / 3, "k2": 0.5 / 3}  # the last three answers only
    assert (p.latest_emotion, p.latest_emotion_ts, p.refreshed) == ("confused", NOW - 5000, NOW)


def test_a_student_without_answers_has_an_empty_profile() -> None:
    p = build_profile("s2", [], KPS, None, NOW)
    assert (p.attempts, p.correct_rate, p.interest_tags, p.latest_emotion) == (0, None, {}, "")
