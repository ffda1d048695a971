"""`GET|POST /curriculum/irt`: a course's IRT refit on demand, for its editors only."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.integration.test_calibration import DATASET, _course
from tutor.ports import GraphStore

PROBLEM = "application/problem+json"


def test_an_admin_refits_a_course_and_its_state_says_so(as_: Callable[..., Any],
                                                        api_store: GraphStore) -> None:
    _course(api_store, students=40, rare_answers=5)
    before = as_("admin").get(f"/curriculum/irt?dataset={DATASET}")
    assert before.status_code == 200, before.json
    assert before.json["answers"] == 205 and before.json["fitted_answers"] is None
    done = as_("admin").post(f"/curriculum/irt?dataset={DATASET}")
    assert done.status_code == 200, done.json
    assert (done.json["questions"], done.json["below_min_responses"]) == (5, 1)
    after = as_("admin").get(f"/curriculum/irt?dataset={DATASET}").json
    assert after["fitted_answers"] == 205 and after["fitted_questions"] == 5
    audit = as_("admin").get("/audit").json
    assert any(a["action"] == "refit irt" and a["target"] == DATASET for a in audit)


def test_only_a_courses_editors_refit_it(as_: Callable[..., Any]) -> None:
    for who in ("amara", "hpark"):  # a student; a tutor of no class of the course
        r = as_(who).post(f"/curriculum/irt?dataset={DATASET}")
        assert r.status_code == 403 and r.content_type == PROBLEM, (who, r.json)


def test_a_course_nobody_answered_cannot_be_refitted(as_: Callable[..., Any]) -> None:
    r = as_("admin").post("/curriculum/irt?dataset=no-such-course")
    assert r.status_code == 422 and r.content_type == PROBLEM
    assert "no-such-course" in r.json["detail"]
