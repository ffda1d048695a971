"""Chapters and knowledge maps over the seeded graph: external prerequisites, the student and
class overlays, and who may see which overlay."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from tutor.ports import GraphStore

Caller = Callable[[str], Any]
EXPRESSIONS = "alg-ch-expressions"
INTEGERS = "alg-ch-integers"


def kps_by_id(body: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {kp["id"]: kp for kp in body["kps"]}


def test_chapters_are_paginated_in_curriculum_order(as_: Caller) -> None:
    r = as_("amara").get("/chapters?dataset=seed&page_size=2")
    assert r.status_code == 200
    assert [c["id"] for c in r.json] == [INTEGERS, EXPRESSIONS]
    assert all(c["dataset"] == "seed" and c["kps"] > 0 for c in r.json)
    paging = json.loads(r.headers["X-Pagination"])
    assert paging["page"] == 1 and paging["total_pages"] > 1 and paging["total"] > 2
    assert as_("amara").get("/chapters?dataset=no-such-dataset").json == []


def test_a_chapter_map_draws_prerequisites_from_other_chapters(as_: Caller) -> None:
    r = as_("ben").get(f"/chapters/{EXPRESSIONS}/map")
    assert r.status_code == 200 and r.json["overlay"] == "none"
    kps = kps_by_id(r.json)
    external = kps["alg-kp-order-of-operations"]  # from the integers chapter
    assert external["external"] and external["chapter_id"] == INTEGERS
    evaluating = kps["alg-kp-evaluating-expressions"]
    assert not evaluating["external"] and evaluating["questions"] > 0
    assert evaluating["mastery"] is None and evaluating["attempts"] is None
    edges = {(e["before"], e["after"]) for e in r.json["edges"]}
    assert ("alg-kp-order-of-operations", "alg-kp-evaluating-expressions") in edges
    assert ("alg-kp-variables-and-expressions", "alg-kp-evaluating-expressions") in edges
    assert all(e["after"] in kps and e["before"] in kps for e in r.json["edges"])


def test_an_unknown_chapter_is_a_404_problem(as_: Caller) -> None:
    r = as_("hpark").get("/chapters/alg-ch-nowhere/map")
    assert r.status_code == 404 and r.mimetype == "application/problem+json"
    assert "alg-ch-nowhere" in r.json["detail"]
    assert as_("hpark").get("/classes/alg-class-9a/map/alg-ch-nowhere").status_code == 404


def test_the_student_overlay_shows_their_mastery_and_frontier(as_: Caller,
                                                              api_store: GraphStore) -> None:
    r = as_("amara").get(f"/students/alg-st-amara/map/{INTEGERS}")
    assert r.status_code == 200 and r.json["overlay"] == "student"
    stored = {m["kp_id"]: m for m in api_store.read("student_mastery",
                                                    {"student_id": "alg-st-amara"})}
    kps = kps_by_id(r.json)
    shown = {k: kp for k, kp in kps.items() if kp["mastery"] is not None}
    assert shown, "amara has practised the integers chapter"
    for kp_id, kp in shown.items():
        assert kp["mastery"] == pytest.approx(stored[kp_id]["p"])
        assert kp["attempts"] == stored[kp_id]["attempts"] and kp["students"] is None
    assert all(kp["mastery"] is None for k, kp in kps.items() if k not in stored)
    for ready in r.json["frontier"]:
        assert ready["id"] in kps and ready["p"] < 0.85
        assert all(stored[p]["p"] >= 0.85 for p in ready["prerequisites"])


def test_the_class_overlay_is_the_mean_over_students_who_practised(
        as_: Caller, api_store: GraphStore) -> None:
    r = as_("hpark").get(f"/classes/alg-class-9a/map/{INTEGERS}")
    assert r.status_code == 200 and r.json["overlay"] == "class"
    members = as_("hpark").get("/students?class_id=alg-class-9a&page_size=100").json
    estimates: dict[str, list[dict[str, Any]]] = {}
    for s in members:
        for m in api_store.read("student_mastery", {"student_id": s["id"]}):
            estimates.setdefault(m["kp_id"], []).append(m)
    kps = kps_by_id(r.json)
    assert any(kp["students"] and kp["students"] > 1 for kp in kps.values())
    for kp_id, kp in kps.items():
        rows = estimates.get(kp_id, [])
        if not rows:
            assert kp["mastery"] is None and kp["students"] is None
            continue
        assert kp["students"] == len(rows)
        assert kp["mastery"] == pytest.approx(sum(m["p"] for m in rows) / len(rows))
        assert kp["attempts"] == sum(m["attempts"] for m in rows)


@pytest.mark.parametrize(("who", "url"), [
    ("trivera", f"/classes/alg-class-9a/map/{INTEGERS}"),  # tutor of another class
    ("trivera", f"/students/alg-st-amara/map/{INTEGERS}"),  # amara is in 9A only
    ("amara", f"/classes/alg-class-9a/map/{INTEGERS}"),  # students see no class data
    ("ben", f"/students/alg-st-amara/map/{INTEGERS}"),
    ("north", f"/students/alg-st-amara/map/{INTEGERS}"),  # not its tenant's: no student (404)
])
def test_overlays_of_others_are_forbidden(as_: Caller, who: str, url: str) -> None:
    r = as_(who).get(url)
    assert r.status_code == (404 if who == "north" else 403)
    assert r.mimetype == "application/problem+json"
    assert "kps" not in r.json


def test_maps_need_a_token(client: Any) -> None:
    r = client.get(f"/chapters/{INTEGERS}/map")
    assert r.status_code == 401 and r.mimetype == "application/problem+json"
