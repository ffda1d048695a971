"""Recommendations with reasons and "more like this", over the seeded graph."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from graph.recommend import load_learner
from services.similar import SimilarItems, for_store
from tutor.ports import GraphStore

NEW = "c1r-new-student"  # made here: no answers, no affect readings, no adjustments


@pytest.fixture
def new_student(as_: Callable[..., Any]) -> str:
    if as_("admin").get(f"/students/{NEW}").status_code == 404:
        r = as_("hpark").post("/students", json={"id": NEW, "class_ids": ["alg-class-9a"]})
        assert r.status_code == 201, r.json
    return NEW


def test_a_student_reads_their_plan_with_reasons_on_every_item(as_: Callable[..., Any]
                                                                ) -> None:
    r = as_("amara").get("/students/alg-st-amara/recommendations?n=3")
    assert r.status_code == 200, r.json
    plan = r.json
    assert plan["student_id"] == "alg-st-amara" and not plan["cold_start"]
    assert plan["items"] and all(item["reasons"] for item in plan["items"])
    assert plan["kps"] and all(kp["reasons"] and kp["signals"] for kp in plan["kps"])
    assert {i["kp_id"] for i in plan["items"]} <= {k["kp_id"] for k in plan["kps"]}
    low, high = plan["band"]
    assert 0 < low < high < 1
    assert plan["affect"]["tag"] in {"positive", "neutral", "confused", "fatigued", "negative"}
    assert plan["reasons"] and all(r["id"] and r["title"] for r in plan["resources"])


@pytest.mark.parametrize("n", [1, 2, 4])
def test_n_is_the_list_length(as_: Callable[..., Any], new_student: str, n: int) -> None:
    plan = as_("hpark").get(f"/students/{new_student}/recommendations?n={n}").json
    assert plan["cold_start"] is True
    assert len(plan["items"]) == n
    assert all(item["reasons"] for item in plan["items"])
    assert plan["affect"]["tag"] == "neutral" and plan["actions"] == []


@pytest.mark.parametrize(("who", "student", "status"), [
    ("ben", "alg-st-amara", 403),
    ("trivera", "alg-st-amara", 403),
    ("north", "alg-st-amara", 404),  # not its tenant's student: to it, no student
    ("hpark", "alg-st-amara", 200),
    ("admin", "alg-st-nobody", 404),
])
def test_who_may_read_recommendations(as_: Callable[..., Any], who: str, student: str,
                                      status: int) -> None:
    r = as_(who).get(f"/students/{student}/recommendations?n=1")
    assert r.status_code == status
    if status != 200:
        assert r.mimetype == "application/problem+json"


@pytest.mark.parametrize(("url", "field"), [
    ("/students/alg-st-amara/recommendations?n=0", "n"),
    ("/students/alg-st-amara/recommendations?n=51", "n"),
    ("/students/alg-st-amara/recommendations?n=five", "n"),
    ("/questions/alg-q-exponents-02/similar?kind=video", "kind"),
    ("/questions/alg-q-exponents-02/similar?top=0", "top"),
    ("/questions/alg-q-exponents-02/similar?min_cosine=1.5", "min_cosine"),
    ("/students/alg-st-amara/similar?top=many", "top"),
])
def test_bad_query_values_are_422_naming_the_field(as_: Callable[..., Any], url: str,
                                                   field: str) -> None:
    r = as_("amara").get(url)
    assert r.status_code == 422
    assert r.mimetype == "application/problem+json"
    assert [(e["location"], e["field"]) for e in r.json["errors"]] == [("query", field)]


def test_more_like_a_question_scores_others_best_first(as_: Callable[..., Any]) -> None:
    r = as_("north").get("/questions/alg-q-exponents-02/similar?top=3&min_cosine=0.1")
    assert r.status_code == 200
    found = r.json
    assert len(found) == 3 and "alg-q-exponents-02" not in {s["id"] for s in found}
    scores = [s["score"] for s in found]
    assert scores == sorted(scores, reverse=True) and all(0.1 <= s <= 1 for s in scores)
    assert all(s["shared_terms"] for s in found)
    assert found[0]["id"].startswith("alg-q-exponents-")  # the same KP's questions come first


def test_more_like_this_filters_by_kind_and_threshold(as_: Callable[..., Any]) -> None:
    resources = as_("amara").get("/questions/alg-q-integers-number-line-01/similar"
                                 "?kind=resource&min_cosine=0").json
    assert resources and {s["kind"] for s in resources} == {"resource"}
    strict = as_("amara").get("/questions/alg-q-integers-number-line-01/similar"
                              "?min_cosine=0.99").json
    assert strict == []


@pytest.mark.parametrize("item", ["alg-q-nonexistent", "alg-res-video-number-line"])
def test_more_like_something_that_is_no_question_is_404(as_: Callable[..., Any],
                                                        item: str) -> None:
    r = as_("amara").get(f"/questions/{item}/similar")
    assert r.status_code == 404 and item in r.json["detail"]


def test_more_like_a_students_answers_leaves_out_what_they_answered(
        as_: Callable[..., Any], api_store: GraphStore) -> None:
    r = as_("amara").get("/students/alg-st-amara/similar?kind=question&top=5&min_cosine=0.05")
    assert r.status_code == 200 and len(r.json) == 5
    _, learner = load_learner(api_store, "alg-st-amara")
    assert not {s["id"] for s in r.json} & {q for q, _ in learner.history}
    assert {s["kind"] for s in r.json} == {"question"}
    assert as_("ben").get("/students/alg-st-amara/similar").status_code == 403


def test_a_student_with_no_answers_gets_nothing_similar(as_: Callable[..., Any],
                                                        new_student: str) -> None:
    r = as_("hpark").get(f"/students/{new_student}/similar?min_cosine=0")
    assert r.status_code == 200 and r.json == []


def test_the_index_is_built_once_per_dataset_until_it_expires(api_store: GraphStore) -> None:
    assert for_store(api_store) is for_store(api_store)
    now = [0.0]
    items = SimilarItems(api_store, ttl_s=60, clock=lambda: now[0])
    first = items.index("seed")
    assert len(first) > 0 and items.index("seed") is first
    now[0] = 61.0
    rebuilt = items.index("seed")
    assert rebuilt is not first and rebuilt.ids == first.ids
    items.invalidate("seed")
    assert items.index("seed") is not rebuilt
