"""The 15-minute adjustment's findings and actions on hand-made snapshots."""

from __future__ import annotations

from tutor.adjust import WINDOW_MS, Snapshot, assess, practice_left, window_of
from tutor.affect import AffectSource, AffectState, AffectTag

NEUTRAL = AffectState(AffectTag.NEUTRAL, 0.0, (), ("none",))
KPS = {"q1": ("k1",), "q2": ("k1",), "q3": ("k2",), "q4": ("k3",)}


def snap(history: list[tuple[str, bool]], progress: float | None = 70.0,
         affect: AffectState = NEUTRAL, mastery: dict[str, float] | None = None) -> Snapshot:
    return Snapshot("s1", history, KPS, mastery or {"k1": 0.3, "k2": 0.6, "k3": 0.95},
                    progress, affect, {"k2": ("k1",)})


def test_windows_are_aligned_quarter_hours() -> None:
    assert window_of(0) == 0 and window_of(WINDOW_MS - 1) == 0
    assert window_of(WINDOW_MS) == WINDOW_MS and window_of(3 * WINDOW_MS + 5) == 3 * WINDOW_MS


def test_on_track_changes_nothing_and_says_so() -> None:
    a = assess(snap([("q1", True), ("q3", True)]), 0)
    assert a.findings == () and a.actions == () and "on track" in a.reasons[0]


def test_lagging_progress_raises_resources_to_five_on_the_weakest_kps() -> None:
    a = assess(snap([("q1", True)], progress=25.0), 0)
    assert a.findings == ("lagging",)
    (more,) = a.actions
    assert more.kind == "more_resources" and more.count == 5
    assert more.kp_ids == ("k1", "k2")  # lowest mastery first; k3 is mastered
    assert "25 %" in a.reasons[0]


def test_repeated_wrong_answers_on_one_kp_give_a_practice_set_and_qa_help() -> None:
    history = [("q1", False), ("q3", True), ("q2", False), ("q1", False)]
    a = assess(snap(history), 0)
    assert a.findings == ("stuck",)
    assert [(x.kind, x.kp_ids, x.count) for x in a.actions] == [
        ("practice_set", ("k1",), 3), ("offer_qa", ("k1",), 0)]


def test_a_practice_set_counts_down_with_answers_on_its_kp_only() -> None:
    (practice, _) = assess(snap([("q1", False)] * 3), 0).actions
    assert practice_left(practice, [], KPS) == 3
    assert practice_left(practice, ["q3", "q4", "unknown"], KPS) == 3  # other KPs, or none
    assert practice_left(practice, ["q1", "q3", "q2"], KPS) == 1
    assert practice_left(practice, ["q1", "q2", "q1", "q2"], KPS) == 0  # done, never below


def test_wrong_answers_on_a_mastered_kp_or_long_ago_are_not_stuck() -> None:
    assert assess(snap([("q4", False)] * 3), 0).findings == ()  # k3 is mastered
    old = [("q1", False)] * 3 + [("q3", True)] * 10  # outside the last 10 answers
    assert assess(snap(old), 0).findings == ()


def test_a_negative_state_brings_an_intervention() -> None:
    upset = AffectState(AffectTag.NEGATIVE, 1.0, (AffectSource.SELF_REPORT,), ("said so",))
    a = assess(snap([("q1", True)], progress=20.0, affect=upset), 0)
    assert a.findings == ("lagging", "negative")
    assert {"more_resources", "support_resources", "notify_tutor"} == {x.kind for x in a.actions}


def test_confusion_while_stuck_reroutes_from_the_stuck_kp() -> None:
    confused = AffectState(AffectTag.CONFUSED, 1.0, (AffectSource.SELF_REPORT,), ("said so",))
    history = [("q3", False)] * 3
    a = assess(snap(history, affect=confused), 0)
    reroute = next(x for x in a.actions if x.kind == "reroute")
    assert reroute.kp_ids == ("k2",) and "k1" in reroute.text  # back through k2's prerequisite
    assert a.findings == ("stuck", "confused")
