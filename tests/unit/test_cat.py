"""The adaptive test (``models.cat``, catsim underneath) and `kgtutor evaluate cat`."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from evaluation.cat import CatStudy, cold_start, evaluate_cat
from models.cat import Cat, CatConfig, most_informative, sit
from tests.integration.conftest import run
from tests.integration.test_kp_bkt_cli import write_lpp
from tutor.recommend_types import Catalogue, QuestionFacts


def bank(n: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    return rng.uniform(0.5, 2.5, n), rng.normal(0.0, 1.2, n)


def examinee(a: np.ndarray, b: np.ndarray, theta: float, seed: int) -> Callable[[int], bool]:
    rng = np.random.default_rng(seed)
    return lambda i: bool(rng.random() < 1 / (1 + np.exp(-a[i] * (theta - b[i]))))


def test_the_test_stops_at_its_standard_error_or_its_length() -> None:
    a, b = bank(500)
    precise = sit(Cat(a, b, CatConfig(se_stop=0.3, max_items=60)), examinee(a, b, 0.3, 1),
                  np.random.default_rng(0))
    assert precise.se <= 0.3 < Cat(a, b).se(precise.theta, precise.items[:-1])
    short = sit(Cat(a, b, CatConfig(se_stop=0.01, max_items=7)), examinee(a, b, 0.3, 1),
                np.random.default_rng(0))
    assert len(short.items) == 7 and short.se > 0.01


def test_an_able_examinee_gets_harder_items_and_a_higher_theta() -> None:
    a, b = bank(800)
    cat = Cat(a, b, CatConfig(randomesque=1))
    strong = sit(cat, examinee(a, b, 2.0, 3), np.random.default_rng(0))
    weak = sit(cat, examinee(a, b, -2.0, 3), np.random.default_rng(0))
    assert strong.theta > 1.0 > -1.0 > weak.theta
    assert np.mean(b[list(strong.items[3:])]) > np.mean(b[list(weak.items[3:])])
    assert strong.items[0] == most_informative(a, b, 1)[0]  # from theta 0, the most informative


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 60), st.integers(1, 25), st.integers(1, 8),
       st.floats(-3, 3), st.integers(0, 10_000))
def test_a_cat_never_repeats_an_item_nor_runs_past_its_length(
        n_items: int, max_items: int, randomesque: int, theta: float, seed: int) -> None:
    a, b = bank(n_items, seed)
    cat = Cat(a, b, CatConfig(max_items=max_items, randomesque=randomesque, se_stop=0.05))
    out = sit(cat, examinee(a, b, theta, seed), np.random.default_rng(seed))
    assert len(set(out.items)) == len(out.items) <= min(max_items, n_items)
    assert len(out.items) == min(max_items, n_items) or out.se <= 0.05


def test_the_study_reports_every_form_and_the_cat_measures_well() -> None:
    a, b = bank(600, 5)
    report = evaluate_cat(a, b, np.full(600, 100), CatStudy(examinees=150, seed=2))
    assert set(report["forms"]) == {"cat", "fixed30", "info20"}
    for form in report["forms"].values():
        assert set(form) == {"corr", "rmse", "bias", "median_items", "p90_items",
                             "max_exposure"}
    cat, fixed = report["forms"]["cat"], report["forms"]["fixed30"]
    assert cat["corr"] > 0.85 and cat["median_items"] <= 20
    assert fixed["median_items"] == 30 and fixed["max_exposure"] == 1.0
    thin = evaluate_cat(a, b, np.r_[np.full(500, 100), np.zeros(100)], CatStudy(examinees=10))
    assert thin["bank"] == {"items": 500, "left_out": 100, "min_responses": 50}


def test_a_bank_too_small_is_a_one_line_error(tmp_path: Path) -> None:
    folder = write_lpp(tmp_path / "lpp", students=40)
    result = run(tmp_path / "var", "evaluate", "cat", "--data", str(folder), "--out",
                 str(tmp_path / "cat.json"))
    assert result.exit_code == 1
    assert "too few for a 30-item form" in result.output and "Traceback" not in result.output


def test_placement_puts_more_of_a_new_students_first_list_in_the_band() -> None:
    a, b = bank(400, 9)
    b = b * 2.0  # a wide range of difficulty: the prior's theta 0 fits few students
    kps = [f"k{k}" for k in range(4)]
    questions = {str(i): QuestionFacts(str(i), (kps[i % 4],), float(a[i]), float(b[i]))
                 for i in range(400)}
    catalogue = Catalogue({k: k for k in kps}, {k: () for k in kps},
                          {k: i for i, k in enumerate(kps)}, questions)
    out = cold_start(catalogue, a, b, np.arange(400), students=60, seed=1)
    assert out["students"] == 60 and out["band"] == [0.5, 0.85]
    assert out["in_band_share"]["placement"] > out["in_band_share"]["roots"] + 0.1
