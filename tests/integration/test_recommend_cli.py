"""`kgtutor recommend` and the cached recommender service on the seeded embedded graph."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path

import pytest

from cli.common import store_for
from graph.maps import frontier
from graph.recommend import load_learner
from services.recommend import Recommender
from services.settings import Settings
from tests.integration.conftest import run
from tutor.mastery import MASTERY_THRESHOLD


@pytest.fixture(scope="module")
def var_dir(seeded_var: Path) -> Path:
    return seeded_var


def test_recommendations_come_from_the_frontier_or_say_they_are_past_it(var_dir: Path) -> None:
    out = run(var_dir, "recommend", "alg-st-ben", "--json")
    assert out.exit_code == 0, out.output
    result = json.loads(out.output)
    assert len(result["items"]) == 5 and result["band_met"] and not result["cold_start"]
    with store_for(Settings(var_dir=var_dir)) as store:
        ready = {k.id for k in frontier(store, "alg-st-ben", MASTERY_THRESHOLD)}
    past = {k["kp_id"] for k in result["kps"] if k["reasons"][0].startswith(
        "past the frontier: its prerequisites are probably known")}
    assert {k["kp_id"] for k in result["kps"]} <= ready | past and not ready & past
    for item in result["items"]:
        assert item["kp_id"] in ready | past and 0.5 <= item["p"] <= 0.85
        assert any(r.startswith("practises ") for r in item["reasons"])
        assert any("P(correct): IRT" in r for r in item["reasons"])
    low, high = result["difficulty_band"]
    assert low <= result["avg_difficulty"] <= high
    text = run(var_dir, "recommend", "alg-st-ben", "-n", "3")
    assert text.exit_code == 0 and "knowledge points:" in text.output
    assert text.output.count("P(correct): IRT") == 3


def test_a_student_without_answers_gets_the_cold_start_path(var_dir: Path) -> None:
    result = json.loads(run(var_dir, "recommend", "alg-st-farah", "--json").output)
    assert result["cold_start"] and len(result["items"]) == 5
    assert all("new student" in k["reasons"][0] for k in result["kps"])


@pytest.mark.parametrize("args", [("recommend", "nobody"),
                                  ("recommend", "alg-st-ben", "--band", "0.9", "0.5"),
                                  ("recommend", "alg-st-ben", "-n", "0")])
def test_bad_input_is_a_clear_error(var_dir: Path, args: tuple[str, ...]) -> None:
    out = run(var_dir, *args)
    assert out.exit_code != 0
    assert "Error" in out.output and "Traceback" not in out.output


def test_concurrent_callers_share_one_cached_catalogue(var_dir: Path) -> None:
    students = ["alg-st-amara", "alg-st-ben", "alg-st-chloe", "alg-st-diego", "alg-st-emma"]
    with store_for(Settings(var_dir=var_dir)) as store:
        service = Recommender(store)
        alone = {s: service.recommend(s) for s in students}
        with ThreadPoolExecutor(8) as pool:
            together = list(pool.map(service.recommend, students * 4))
        assert len(service._cache) == 1
    for result in together:
        assert result == alone[result.student_id]


def test_a_list_is_kept_until_the_student_or_the_catalogue_changes(var_dir: Path) -> None:
    with store_for(Settings(var_dir=var_dir)) as store:
        service = Recommender(store)
        first = service.recommend("alg-st-ben")
        assert service.recommend("alg-st-ben") is first  # asked again: the kept list
        assert service.recommend("alg-st-ben", n=3) is not first  # other settings
        dataset, state = load_learner(store, "alg-st-ben")
        question = first.items[0].question_id
        answered = replace(state, history=(*state.history, (question, False)))
        after = service.recommend("alg-st-ben", learner=(dataset, answered))
        assert after is not first and after.items  # a new answer: a new list
        service.invalidate()
        again = service.recommend("alg-st-ben")
        assert again is not first and again == first  # rebuilt from a fresh catalogue


def test_more_like_this_finds_questions_on_the_same_kp(var_dir: Path) -> None:
    out = run(var_dir, "similar", "alg-q-absolute-value-03", "--min-cosine", "0.1", "--json")
    assert out.exit_code == 0, out.output
    found = json.loads(out.output)
    assert 1 <= len(found) <= 5 and "alg-q-absolute-value-03" not in {f["id"] for f in found}
    assert all(f["score"] >= 0.1 and f["shared_terms"] for f in found)
    assert [f["score"] for f in found] == sorted((f["score"] for f in found), reverse=True)
    assert any("absolute" in " ".join(f["shared_terms"]) for f in found)


def test_more_like_this_for_a_student_and_bad_ids(var_dir: Path) -> None:
    out = run(var_dir, "similar", "alg-q-absolute-value-03", "--student", "alg-st-ben",
              "--min-cosine", "0.1", "--kind", "resource", "--json")
    assert out.exit_code == 0, out.output
    assert all(f["kind"] == "resource" for f in json.loads(out.output))
    tagged = run(var_dir, "similar", "alg-q-absolute-value-03", "--student", "alg-st-ben",
                 "--min-cosine", "0.1", "--tag", "exponents powers=3", "--json")
    assert tagged.exit_code == 0, tagged.output
    assert any("exponent" in " ".join(f["shared_terms"]) for f in json.loads(tagged.output))
    bad = run(var_dir, "similar", "alg-q-absolute-value-03", "--student", "alg-st-ben",
              "--tag", "x=heavy")
    assert bad.exit_code == 1 and "TAG=WEIGHT" in bad.output
    missing = run(var_dir, "similar", "no-such-item")
    assert missing.exit_code == 1 and "no question or resource" in missing.output
