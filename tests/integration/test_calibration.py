"""IRT refits from a course's stored answers: only questions with enough answers get their own
a and b, the rest keep their level's; the daily job refits only the courses due."""

from __future__ import annotations

import numpy as np

from graph.ingest import GraphData, ingest
from services import calibration
from services.calibration import CalibrationConfig
from tutor import curriculum
from tutor.curriculum import Chapter, KnowledgePoint, Question
from tutor.mastery import Attempt
from tutor.ports import GraphStore
from tutor.roster import Student

DATASET = "cal"
CONFIG = CalibrationConfig(min_responses=30, refit_after=100)


def _course(store: GraphStore, students: int, rare_answers: int, first: int = 0) -> None:
    """Five questions of rising difficulty answered by ``students`` simulated students, and
    one more (``cal-q-rare``) answered by only ``rare_answers`` of them."""
    rng = np.random.default_rng(first)
    ids = [f"cal-q{i}" for i in range(5)] + ["cal-q-rare"]
    people = [Student(f"cal-s{j}", f"S{j}") for j in range(first, first + students)]
    attempts = []
    for j, s in enumerate(people):
        ability = rng.normal()
        for i, q in enumerate(ids):
            if q == "cal-q-rare" and j >= rare_answers:
                continue
            p = 1 / (1 + np.exp(-(ability - (i - 2))))
            attempts.append(Attempt(f"cal:{s.id}:{q}", s.id, q, bool(rng.random() < p),
                                    ts=1_000 * (j * 10 + i), seq=i))
    ingest(store, GraphData(
        DATASET, chapters=[Chapter("cal-ch", "Ch")],
        kps=[KnowledgePoint("cal-k", "K", "cal-ch")],
        questions=[Question(q, f"Question {q}?", ("a", "b"), "a") for q in ids],
        tests=[curriculum.Tests(q, "cal-k") for q in ids], students=people, attempts=attempts))


def test_a_refit_gives_a_and_b_to_questions_with_enough_answers_only(store: GraphStore) -> None:
    _course(store, students=40, rare_answers=5)
    assert calibration.state(store, DATASET, CONFIG)[0]["due"] is True
    done = calibration.refit(store, DATASET, now=77, config=CONFIG)
    assert done["questions"] == 5 and done["below_min_responses"] == 1
    assert done["students"] == 40 and done["answers"] == 205
    b = {r["id"]: r["b"] for r in store.read("rec_questions", {"dataset": DATASET})}
    assert b["cal-q-rare"] is None  # its level still gives its difficulty
    fitted = [b[f"cal-q{i}"] for i in range(5)]
    assert all(x is not None for x in fitted)
    assert fitted == sorted(fitted)  # the simulated difficulties rise, the fit follows
    state = calibration.state(store, DATASET, CONFIG)[0]
    assert (state["fitted_answers"], state["fitted_at"], state["due"]) == (205, 77, False)


def test_the_daily_job_refits_only_the_courses_with_enough_new_answers(store: GraphStore
                                                                        ) -> None:
    _course(store, students=40, rare_answers=0)
    assert set(calibration.refit_due(store, now=1, config=CONFIG)) == {DATASET}
    assert calibration.refit_due(store, now=2, config=CONFIG) == {}  # nothing new since
    _course(store, students=20, rare_answers=0, first=40)  # 100 new answers
    again = calibration.refit_due(store, now=3, config=CONFIG)
    assert again[DATASET]["answers"] == 300 and again[DATASET]["students"] == 60


def test_a_course_with_too_few_students_is_skipped_with_its_reason(store: GraphStore) -> None:
    _course(store, students=2, rare_answers=0)
    done = calibration.refit_due(store, now=1, config=CalibrationConfig(refit_after=5))
    assert "at least 3" in done[DATASET]["skipped"]
