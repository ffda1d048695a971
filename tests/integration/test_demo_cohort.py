"""The no-data demo (`make demo` without ASSIST2009): `kgtutor demo setup`, everything `make
demo` does before it serves, in a folder with no data set. The seed curriculum gets a simulated
cohort, every model trains on the graph's stored answers of it, so the seed's own students get
calibrated items, per-KP learn rates, population priors, the Bi-LSTM and the progress model.
Runs with nothing beside the clone (about 10 s)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from cli.common import store_for
from cli.demo import DEMO_TEST
from cli.main import main
from evaluation.demo_cohort import PRACTICE
from models import registry
from seeds.curriculum import load_curriculum
from services import assessment, calibration
from services.imports import SEED_DATASET
from services.recommend import Recommender, load_predictors
from services.settings import Settings
from tutor.ability import LEVEL_DIFFICULTY
from tutor.assessment import Status

STUDENTS = 60


def _run(var: Path, data: Path, *args: str) -> Result:
    """`kgtutor ARGS` in-process, with ``data`` as the data folder (KGTUTOR_DATA)."""
    return CliRunner().invoke(main, list(args),
                              env={"KGTUTOR_VAR": str(var), "KGTUTOR_DATA": str(data)})


@pytest.fixture(scope="module")
def no_data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("no-data")  # no assist2009/lpp in it


def test_demo_setup_without_data_trains_what_the_seed_students_meet(
        empty_var: Path, no_data: Path) -> None:
    out = _run(empty_var, no_data, "demo", "setup", "--students", str(STUDENTS), "--epochs",
               "2", "--embed-epochs", "10")
    assert out.exit_code == 0, out.output
    assert f"no ASSISTments 2009 data at {no_data / 'assist2009' / 'lpp'}" in out.output
    again = _run(empty_var, no_data, "graph", "simulate-cohort", "--students", str(STUDENTS))
    cohort = STUDENTS * PRACTICE.budget
    assert f"attempts new: 0, already stored: {cohort:,}" in again.output  # idempotent
    seeded = len(load_curriculum().attempts)
    assert f"attempts: {seeded + cohort:,}" in out.output  # `graph stats`: the cohort is in
    assert "demo logins" in out.output
    # every student with answers keeps the models' state: their first list reads it
    kept = re.search(r"kept the models' state of ([\d,]+) students \(seed\)", out.output)
    assert kept and int(kept[1].replace(",", "")) >= STUDENTS, out.output

    settings = Settings(var_dir=empty_var)
    predictors = load_predictors(settings.models_dir)
    assert predictors[SEED_DATASET].sequence is not None  # trained for the seed's own ids
    assert predictors[SEED_DATASET].weak is not None
    assert (settings.models_dir / registry.VECTORS_FILE).is_file()
    with store_for(settings) as store:
        service = Recommender(store, predictors)
        catalogue, _ = service.catalogue(SEED_DATASET)
        rec = service.recommend("alg-st-amara")
        fitted = {r["id"]: r for r in store.read("question_irt",
                                                  {"question_ids": sorted(catalogue.questions)})}
    assert set(catalogue.kp_bkt) == set(catalogue.known_share) == set(catalogue.kp_names)
    assert rec.items
    for item in rec.items:
        assert item.p_kt is not None  # the Bi-LSTM stage ran
        assert any(r.startswith("P(correct): IRT") and "Bi-LSTM" in r for r in item.reasons)
        stored = fitted[item.question_id]
        if stored["b"] is None:  # under 30 answers in the cohort: its level gives it
            assert item.difficulty in set(LEVEL_DIFFICULTY.values())
            assert any("until IRT is fitted on its answers" in r for r in item.reasons)
        else:  # calibrated on the cohort's answers
            assert stored["responses"] >= 30
            assert item.difficulty == pytest.approx(stored["b"])
            assert f"difficulty b = {stored['b']:.2f}" in item.reasons
    with store_for(settings) as store:  # the training was the course's refit
        refit = calibration.state(store, SEED_DATASET)[0]
    assert refit["fitted_answers"] == refit["answers"] and refit["fitted_questions"] > 0
    with store_for(settings) as store:  # a test to show, and a placement bank to place with
        demo_test = assessment.get(store, DEMO_TEST)
        placement = assessment.placement(store, "alg-st-amara", 0)
        bank = assessment.cat_bank(store, placement)
    assert demo_test.status is Status.PUBLISHED and demo_test.class_ids == ("alg-class-9a",)
    assert "demo test 'demo-integers-check' published" in out.output
    # a placement bank: the items the cohort answered 50 times or more; the rest are counted
    assert bank.question_ids and len(bank.question_ids) + bank.excluded == len(
        catalogue.questions)


def test_training_on_the_graph_needs_answers(empty_var: Path, no_data: Path) -> None:
    out = _run(empty_var, no_data, "train", "irt", "--dataset", "no-such-dataset")
    assert out.exit_code == 1
    assert out.output.strip() == ("Error: dataset 'no-such-dataset' has answers from 0 "
                                  "student(s) in the graph; training needs at least 3")
    both = _run(empty_var, no_data, "train", "irt", "--dataset", "seed", "--data", str(no_data))
    assert both.exit_code == 1 and "give --data DIR or --dataset NAME, not both" in both.output
