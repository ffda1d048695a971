"""The fidelity control compares a large data set on a sample of its students."""

from __future__ import annotations

import numpy as np

from evaluation.fidelity import capped
from models.kt_data import KTData, build_kt_data
from tutor import curriculum
from tutor.mastery import Attempt


def data(students: int = 50, answers: int = 20) -> KTData:
    attempts = [Attempt(event_id=f"e{s}:{t}", student_id=f"s{s:03d}", question_id=f"q{t % 4}",
                        correct=bool((s + t) % 2), ts=t, seq=t)
                for s in range(students) for t in range(answers)]
    tests = [curriculum.Tests(f"q{i}", "k0") for i in range(4)]
    return build_kt_data(attempts, tests, [f"q{i}" for i in range(4)], ["k0"],
                         {f"s{s:03d}" for s in range(40, students)})


def test_a_small_data_set_is_compared_whole() -> None:
    kt = data()
    same, info = capped(kt, 1000, np.random.default_rng(0))
    assert same is kt and info == {"students_compared": 50, "sampled": False}


def test_a_large_one_on_a_share_of_train_and_test_students_alike() -> None:
    kt = data()  # 1,000 answers: 800 train, 200 test
    small, info = capped(kt, 300, np.random.default_rng(0))
    assert info["sampled"] and info["students_compared"] == 15
    assert small.train.n_responses == 240 and small.test.n_responses == 60
    assert set(small.train.students) <= set(kt.train.students)
    assert set(small.test.students) <= set(kt.test.students)
    again, _ = capped(kt, 300, np.random.default_rng(0))
    assert again.train.students == small.train.students  # seeded: the same sample
