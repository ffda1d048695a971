"""The resource ranking's rules: shrinkage, students at the same level, level fit, the
challenge share, reasons, and the fixed order it replaced."""

from __future__ import annotations

import pytest

from tutor.curriculum import ResourceLevel
from tutor.errors import InvalidInput
from tutor.resources import (
    NO_USES,
    ResourceOption,
    Use,
    UseTable,
    basic_first,
    outcome,
    rank,
)

BASIC, STANDARD, CHALLENGE = ResourceLevel.BASIC, ResourceLevel.STANDARD, ResourceLevel.CHALLENGE


def _uses(resource: str, right: int, wrong: int, before: float | None = None,
          kp: str = "k") -> list[Use]:
    return [Use(resource, kp, before, True)] * right + [Use(resource, kp, before, False)] * wrong


def _ids(ranked: list) -> list[str]:
    return [r.option.id for r in ranked]


def test_a_few_lucky_uses_do_not_beat_many_good_ones() -> None:
    options = [ResourceOption("lucky", "k"), ResourceOption("proven", "k"),
               ResourceOption("weak", "k")]
    uses = UseTable.of(_uses("lucky", 2, 0) + _uses("proven", 32, 8) + _uses("weak", 20, 20))
    ranked = rank(options, uses, {"k": 0.5}, {}, 3)
    assert _ids(ranked) == ["proven", "lucky", "weak"]
    lift = {r.option.id: r.signals["lift"] for r in ranked}
    assert lift["proven"] > lift["lucky"] > 0 > lift["weak"]


def test_students_at_the_same_level_count_most() -> None:
    """Strong students did well after the challenge reading, struggling ones after the video:
    each kind of student gets what helped their own kind first."""
    options = [ResourceOption("reading", "k", STANDARD), ResourceOption("video", "k", STANDARD)]
    uses = UseTable.of(_uses("reading", 9, 1, before=0.9) + _uses("reading", 1, 9, before=0.1)
                       + _uses("video", 2, 8, before=0.9) + _uses("video", 8, 2, before=0.1))
    assert _ids(rank(options, uses, {"k": 0.1}, {}, 2)) == ["video", "reading"]
    assert _ids(rank(options, uses, {"k": 0.9}, {}, 2)) == ["reading", "video"]
    strong = rank(options, uses, {"k": 0.9}, {}, 1, kp_names={"k": "Slope"})[0]
    assert strong.reasons[0].startswith("9 of 10 students at your level got their next Slope")


def test_without_uses_the_level_and_the_text_decide() -> None:
    options = [ResourceOption("b", "k", BASIC), ResourceOption("s", "k", STANDARD),
               ResourceOption("c", "k", CHALLENGE)]
    assert _ids(rank(options, NO_USES, {"k": 0.1}, {}, 3, challenge_share=0))[0] == "b"
    assert _ids(rank(options, NO_USES, {"k": 0.55}, {}, 3, challenge_share=0))[0] == "s"
    assert _ids(rank(options, NO_USES, {"k": 0.9}, {}, 3, challenge_share=0))[0] == "c"
    # a text much closer to the student's recent work outweighs one level of fit
    assert _ids(rank(options, NO_USES, {"k": 0.55}, {"b": 0.9}, 1, challenge_share=0)) == ["b"]
    first = rank(options, NO_USES, {"k": 0.1}, {"b": 0.3}, 1)[0]
    assert first.reasons == (
        "not yet used by students at your level on k: ranked by level and text",
        "basic level: your mastery of k is 10%, it fits",
        "close to your recent work (similarity 0.30)")


def test_the_challenge_share_reserves_its_slots_above_level() -> None:
    options = [ResourceOption(f"b{i}", "k", BASIC) for i in range(4)] + [
        ResourceOption("c1", "k", CHALLENGE), ResourceOption("c2", "k", CHALLENGE)]
    calm = rank(options, NO_USES, {"k": 0.1}, {}, 3, challenge_share=0.3)
    assert sum(r.challenge for r in calm) == 1  # round(0.3 * 3)
    picked = next(r for r in calm if r.challenge)
    assert picked.reasons[-1] == "above your level on purpose: the challenge share is 30%"
    assert sum(r.challenge for r in rank(options, NO_USES, {"k": 0.1}, {}, 3, 0.0)) == 0
    assert sum(r.challenge for r in rank(options, NO_USES, {"k": 0.1}, {}, 5, 0.4)) == 2
    # nothing at the student's level left: the rest of the list fills from above it
    few = rank(options[3:], NO_USES, {"k": 0.1}, {}, 3, challenge_share=0)
    assert _ids(few) == ["b3", "c1", "c2"]
    assert few[-1].reasons[-1] == "above your level: nothing at your level is left"


def test_a_resource_teaching_several_kps_comes_once_for_its_best() -> None:
    options = [ResourceOption("r", "weak-kp", BASIC), ResourceOption("r", "strong-kp", BASIC),
               ResourceOption("other", "weak-kp", BASIC)]
    ranked = rank(options, NO_USES, {"weak-kp": 0.1, "strong-kp": 0.95}, {}, 5)
    assert sorted(_ids(ranked)) == ["other", "r"]
    assert next(r for r in ranked if r.option.id == "r").option.kp_id == "weak-kp"


def test_a_use_reads_the_answers_before_and_after_it() -> None:
    answers = [(10, False), (20, True), (30, False), (40, True), (60, False)]
    assert outcome(answers, 35, window=3) == (pytest.approx(1 / 3), True)
    assert outcome(answers, 5, window=3) == (None, False)
    assert outcome(answers, 60, window=2) is None  # nothing after it yet
    assert outcome(answers, 45, window=2) == (0.5, False)


def test_the_fixed_order_is_basic_first_then_by_id() -> None:
    options = [ResourceOption("z", "k", BASIC), ResourceOption("a", "k", CHALLENGE),
               ResourceOption("m", "k", STANDARD), ResourceOption("b", "k", BASIC),
               ResourceOption("b", "k2", BASIC)]
    assert _ids(basic_first(options, 10)) == ["b", "z", "m", "a"]
    assert _ids(basic_first(options, 2)) == ["b", "z"]


@pytest.mark.parametrize(("n", "share"), [(-1, 0.3), (3, 1.5), (3, -0.1)])
def test_bad_arguments_are_refused(n: int, share: float) -> None:
    with pytest.raises(InvalidInput):
        rank([], NO_USES, {}, {}, n, share)
