"""Affect fusion and the affect rule table, as tables."""

from __future__ import annotations

import pytest

from tutor.affect import AffectReading, AffectSource, AffectState, AffectTag, fuse, self_report
from tutor.affect_rules import REST_TEXT, AffectRuleConfig, adapt, confusing_kp
from tutor.errors import InvalidInput
from tutor.recommend_types import RecConfig

MIN = 60_000
NOW = 1_000 * MIN
FACE, VOICE, SELF = AffectSource.FACE, AffectSource.VOICE, AffectSource.SELF_REPORT
T = AffectTag


def reading(tag: AffectTag, source: AffectSource, minutes_ago: float, conf: float = 0.8
            ) -> AffectReading:
    return AffectReading(tag, conf, source, int(NOW - minutes_ago * MIN))


@pytest.mark.parametrize(("readings", "tag", "why"), [
    ([], T.NEUTRAL, "no recent"),
    ([reading(T.FATIGUED, FACE, 1)], T.FATIGUED, "vote"),
    ([reading(T.FATIGUED, FACE, 20)], T.NEUTRAL, "no recent"),  # older than 15 min
    ([reading(T.POSITIVE, FACE, 1, 0.9), reading(T.CONFUSED, SELF, 8)], T.CONFUSED,
     "outranks sensors"),
    ([reading(T.POSITIVE, SELF, 3), reading(T.NEGATIVE, SELF, 1)], T.NEGATIVE,
     "outranks sensors"),  # the latest self-report wins
    ([reading(T.POSITIVE, FACE, 1, 0.9), reading(T.NEGATIVE, VOICE, 1, 0.85)], T.NEUTRAL,
     "too weak"),  # a split vote is no evidence
    ([reading(T.CONFUSED, FACE, 1), reading(T.CONFUSED, VOICE, 2), reading(T.POSITIVE, FACE, 14)],
     T.CONFUSED, "vote"),
    ([reading(T.FATIGUED, FACE, 1, 0.3)], T.NEUTRAL, "too weak"),
])
def test_fusion(readings: list[AffectReading], tag: AffectTag, why: str) -> None:
    state = fuse(readings, NOW)
    assert state.tag == tag
    assert 0.0 <= state.confidence <= 1.0
    assert why in " ".join(state.reasons)


def test_emoji_names_and_characters_map_to_tags() -> None:
    assert self_report("tired", NOW).tag == T.FATIGUED
    assert self_report(" Happy ", NOW).tag == T.POSITIVE
    assert self_report("😕", NOW).tag == T.CONFUSED
    assert self_report("upset", NOW).source == SELF
    with pytest.raises(InvalidInput, match="unknown emoji"):
        self_report("🦄", NOW)


PREREQS = {"k3": ("k1", "k2"), "k2": ("k1",)}
STATE = {t: AffectState(t, 0.9, (SELF,), ("test",)) for t in T}


@pytest.mark.parametrize(("tag", "n", "share", "actions", "rest", "notify"), [
    (T.POSITIVE, 5, 0.4, {"raise_challenge"}, None, False),
    (T.FATIGUED, 3, 0.3, {"rest"}, REST_TEXT, False),
    (T.NEGATIVE, 5, 0.3, {"support_resources", "notify_tutor"}, None, True),
    (T.CONFUSED, 5, 0.3, {"basic_resources", "offer_tutoring", "reroute"}, None, False),
    (T.NEUTRAL, 5, 0.3, set(), None, False),
])
def test_the_design_rule_table(tag: AffectTag, n: int, share: float, actions: set[str],
                               rest: str | None, notify: bool) -> None:
    a = adapt(STATE[tag], RecConfig(), "k3", PREREQS, {"k1": 0.9, "k2": 0.2})
    assert (a.config.n, a.config.challenge_share) == (n, share)
    assert {x.kind for x in a.actions} == actions
    assert (a.rest, a.notify_tutor) == (rest, notify)
    assert a.reasons


def test_confusion_reroutes_to_unmastered_prerequisites_with_basic_resources() -> None:
    a = adapt(STATE[T.CONFUSED], RecConfig(), "k3", PREREQS, {"k1": 0.9, "k2": 0.2})
    assert a.focus_kps == ("k2",)  # k1 is mastered
    basics = next(x for x in a.actions if x.kind == "basic_resources")
    assert basics.kp_ids == ("k2", "k3")
    all_met = adapt(STATE[T.CONFUSED], RecConfig(), "k3", PREREQS, {"k1": 0.9, "k2": 0.9})
    assert all_met.focus_kps == () and "reroute" not in {x.kind for x in all_met.actions}
    assert {"basic_resources", "offer_tutoring"} == {x.kind for x in all_met.actions}
    assert "practice follows the path" in all_met.reasons[0]
    held = adapt(STATE[T.CONFUSED], RecConfig(), "k3", PREREQS, {"k1": 0.9, "k2": 0.9},
                 AffectRuleConfig(hold_confusing_kp=True))  # the rule until 2026-12-04
    assert held.focus_kps == ("k3",)
    nowhere = adapt(STATE[T.CONFUSED], RecConfig(), None)
    assert nowhere.focus_kps == () and [x.kind for x in nowhere.actions] == ["offer_tutoring"]


def test_a_weak_sensor_reading_of_negative_does_not_email_the_tutor() -> None:
    sensed = AffectState(T.NEGATIVE, 0.5, (VOICE,), ("test",))
    a = adapt(sensed, RecConfig())
    assert not a.notify_tutor and {x.kind for x in a.actions} == {"support_resources"}
    sure = AffectState(T.NEGATIVE, 0.7, (VOICE,), ("test",))
    assert adapt(sure, RecConfig()).notify_tutor


def test_fatigue_never_lengthens_a_short_list() -> None:
    assert adapt(STATE[T.FATIGUED], RecConfig(n=2)).config.n == 2


def test_the_confusing_kp_is_the_latest_wrong_answer_else_the_latest() -> None:
    kps = {"q1": ("k1",), "q2": ("k2",), "q3": ("k3",)}
    assert confusing_kp([("q1", False), ("q2", True), ("q3", True)], kps) == "k1"
    assert confusing_kp([("q1", True), ("q2", True)], kps) == "k2"
    assert confusing_kp([], kps) is None
