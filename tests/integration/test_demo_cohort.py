"""The no-data demo (`make demo` without ASSIST2009): the seed curriculum plus a simulated
cohort, and the tutor's graph-side fits on it, so the seed's own students get calibrated items
and per-KP learn rates. Runs with nothing beside the clone."""

from __future__ import annotations

from pathlib import Path

from cli.common import store_for
from graph.recommend import load_catalogue
from services.imports import SEED_DATASET
from services.recommend import Recommender
from services.settings import Settings
from tests.integration.conftest import run


def test_the_simulated_cohort_trains_what_the_seed_students_meet(empty_var: Path) -> None:
    assert run(empty_var, "graph", "seed").exit_code == 0
    for _ in range(2):  # idempotent: the second run stores no attempt again
        out = run(empty_var, "graph", "simulate-cohort", "--students", "60")
        assert out.exit_code == 0, out.output
    assert "attempts new: 0, already stored: 6,000" in out.output
    with store_for(Settings(var_dir=empty_var)) as store:
        catalogue = load_catalogue(store, SEED_DATASET)
        assert len(catalogue.kp_bkt) == len(catalogue.kp_names)  # every KP has BKT
        learns = {b.learn for b in catalogue.kp_bkt.values()}
        assert len(learns) > 5  # fitted per KP, not one default
        irt = store.read("question_irt", {"question_ids": sorted(catalogue.questions)})
        assert sum(r["responses"] or 0 for r in irt) == 6_000
        rec = Recommender(store).recommend("alg-st-amara")
    assert rec.items
    reasons = [r for k in rec.kps for r in k.reasons]
    assert any("students learn it with chance" in r for r in reasons), reasons
