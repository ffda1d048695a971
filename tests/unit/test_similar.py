"""Item-item similarity finds near-duplicates, respects its threshold and cap, and explains hits."""

from __future__ import annotations

import pytest

from seeds.curriculum import load_curriculum
from tutor.errors import InvalidInput
from tutor.similar import (
    ItemIndex,
    ItemText,
    SimilarityConfig,
    curriculum_items,
    for_student,
    item_text,
    more_like_this,
    profile_scores,
)

QUAD = "solve the quadratic equation by factoring the trinomial and find both roots"
FRAC = "add the fractions using a common denominator then simplify the fraction"
GEOM = "find the area of the triangle from its base and height in square centimetres"
CORPUS = (
    ItemText("q-quad-1", "question", QUAD, ("kp-quad",)),
    ItemText("q-quad-2", "question", QUAD + " quickly", ("kp-quad",)),
    ItemText("r-quad", "resource", "video: " + QUAD, ("kp-quad",)),
    ItemText("q-frac-1", "question", FRAC, ("kp-frac",)),
    ItemText("q-frac-2", "question", FRAC + " fully", ("kp-frac",)),
    ItemText("q-geom-1", "question", GEOM, ("kp-geom",)),
    ItemText("q-geom-2", "question", GEOM + " exactly", ("kp-geom",)),
    ItemText("q-empty", "question", "", ()),
)


@pytest.fixture(scope="module")
def index() -> ItemIndex:
    return ItemIndex.build(CORPUS)


def ids(results: list) -> list[str]:
    return [r.id for r in results]


def test_near_duplicate_found_and_explained(index: ItemIndex) -> None:
    hits = more_like_this(index, "q-quad-1")
    assert {(h.id, h.kind) for h in hits} == {("q-quad-2", "question"), ("r-quad", "resource")}
    assert hits[0].score > 0.8
    assert all(h.score >= 0.7 and h.shared_terms for h in hits)
    assert {"quadratic", "quadratic equation"} & set(hits[0].shared_terms)


def test_unrelated_items_below_threshold_are_excluded(index: ItemIndex) -> None:
    assert set(ids(more_like_this(index, "q-quad-1"))) == {"q-quad-2", "r-quad"}
    assert ids(more_like_this(index, "q-empty")) == []


def test_self_is_never_returned(index: ItemIndex) -> None:
    loose = SimilarityConfig(min_cosine=0.0, top_k=50)
    for item in CORPUS:
        assert item.id not in ids(more_like_this(index, item.id, loose))


def test_top_k_caps_and_orders_results() -> None:
    bank = [ItemText(f"q{i}", "question", QUAD + " variant" * (i % 3)) for i in range(12)]
    hits = more_like_this(ItemIndex.build(bank), "q0", SimilarityConfig(top_k=5))
    assert len(hits) == 5
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)


def test_kinds_restricts_results(index: ItemIndex) -> None:
    assert ids(more_like_this(index, "q-quad-1", kinds=("resource",))) == ["r-quad"]
    assert "r-quad" not in ids(more_like_this(index, "q-quad-1", kinds=("question",)))


def test_unknown_id_is_invalid_input_naming_it(index: ItemIndex) -> None:
    with pytest.raises(InvalidInput, match="no-such-item"):
        more_like_this(index, "no-such-item")
    with pytest.raises(InvalidInput, match="ghost"):
        for_student(index, ["q-quad-1", "ghost"])


def test_bad_bank_and_config_are_invalid_input() -> None:
    with pytest.raises(InvalidInput, match="duplicate item id 'a'"):
        ItemIndex.build([ItemText("a", "question", "x"), ItemText("a", "question", "y")])
    with pytest.raises(InvalidInput, match="kind"):
        ItemIndex.build([ItemText("a", "video", "x")])  # type: ignore[arg-type]
    with pytest.raises(InvalidInput):
        SimilarityConfig(min_cosine=1.5)


def test_empty_or_textless_index_gives_empty_results() -> None:
    empty = ItemIndex.build([])
    assert more_like_this(empty, "anything") == []
    assert for_student(empty, ["anything"], {"kp": 1.0}) == []
    stop_words_only = ItemIndex.build([ItemText("a", "question", "the and of"),
                                       ItemText("b", "resource", "")])
    assert more_like_this(stop_words_only, "a") == []
    assert for_student(stop_words_only, ["a"], {"the": 1.0}) == []


def test_for_student_excludes_seen_and_excluded_items(index: ItemIndex) -> None:
    hits = for_student(index, ["q-quad-1"], exclude={"r-quad"})
    assert ids(hits) == ["q-quad-2"]
    assert hits[0].shared_terms


def test_tag_weights_steer_towards_the_tagged_topic(index: ItemIndex) -> None:
    config = SimilarityConfig(min_cosine=0.3, tag_weight=2.0)
    history = ["q-quad-1"]
    assert ids(for_student(index, history, config=config))[0] in {"q-quad-2", "r-quad"}
    by_id_tag = for_student(index, history, {"kp-geom": 1.0}, config)
    assert ids(by_id_tag)[0].startswith("q-geom")
    by_text_tag = for_student(index, history, {"fraction denominator": 1.0}, config)
    assert ids(by_text_tag)[0].startswith("q-frac")


def test_profile_scores_give_the_cosine_of_given_items_seen_or_not(index: ItemIndex) -> None:
    """The resource ranking's text signal: the same profile as ``for_student``, scored for
    the items asked about (an item answered already or unknown is still given a score)."""
    scores = profile_scores(index, ["q-quad-1"], {}, ["r-quad", "q-frac-1", "q-quad-1", "nope"])
    hits = {h.id: h.score for h in for_student(index, ["q-quad-1"],
                                               config=SimilarityConfig(min_cosine=0.0))}
    assert scores["r-quad"] == pytest.approx(hits["r-quad"])
    assert scores["r-quad"] > 0.5 > scores["q-frac-1"] and scores["nope"] == 0.0
    assert scores["q-quad-1"] == pytest.approx(1.0)
    steered = profile_scores(index, ["q-quad-1"], {"kp-frac": 1.0}, ["q-frac-1"])
    assert steered["q-frac-1"] > scores["q-frac-1"]
    assert profile_scores(index, [], {}, ["r-quad"]) == {"r-quad": 0.0}


def test_only_the_last_history_records_count(index: ItemIndex) -> None:
    config = SimilarityConfig(history=1, min_cosine=0.5)
    hits = for_student(index, ["q-geom-1", "q-frac-1"], config=config)
    assert ids(hits) == ["q-frac-2"]  # geometry is older than the window: no pull, still seen
    wider = for_student(index, ["q-geom-1", "q-frac-1"],
                        config=SimilarityConfig(history=2, min_cosine=0.3))
    assert "q-geom-2" in ids(wider)


def test_recent_records_weigh_more_than_old_ones(index: ItemIndex) -> None:
    config = SimilarityConfig(min_cosine=0.0, recency_half_life=1.0, top_k=1)
    assert ids(for_student(index, ["q-geom-1", "q-frac-1"], config=config)) == ["q-frac-2"]
    assert ids(for_student(index, ["q-frac-1", "q-geom-1"], config=config)) == ["q-geom-2"]


def test_negative_tag_weight_is_invalid_input(index: ItemIndex) -> None:
    with pytest.raises(InvalidInput, match="kp-quad"):
        for_student(index, [], {"kp-quad": -1.0})


def test_seed_curriculum_questions_find_same_kp_neighbours() -> None:
    seed = load_curriculum()
    items = curriculum_items(seed.questions, seed.tests, seed.resources, seed.kps)
    index = ItemIndex.build(items)
    assert len(index) == len(seed.questions) + len(seed.resources)
    tags = {i.id: set(i.tags) for i in items}
    config = SimilarityConfig(min_cosine=0.5, top_k=1)
    hits = {i.id: more_like_this(index, i.id, config) for i in items if i.kind == "question"}
    found = [(q, h[0].id) for q, h in hits.items() if h]
    assert found and sum(bool(tags[q] & tags[n]) for q, n in found) >= 0.8 * len(found)


def test_the_tex_commands_of_math_are_no_terms() -> None:
    a = item_text("q-a", "question", (r"Compute $\frac{1}{3} + \frac{1}{4}$.",), ["Fractions"], [])
    b = item_text("q-b", "question", (r"Solve $\frac{x}{8} = -9$.",), ["Equations"], [])
    terms = set(ItemIndex.build([a, b]).terms)
    assert {"compute", "fractions", "solve", "equations"} <= terms and "frac" not in terms
