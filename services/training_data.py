"""Training data from the graph's stored answers (`kgtutor train ... --dataset NAME`): what
production logs the tutor trains on when no lpp folder holds them, e.g. the seed curriculum
with its simulated cohort (`make demo` without a data set).

Students are split for the test set by a hash of their id (about ``test_share`` of them), so
the split is the same on every run and a student keeps their side when others are added.
"""

from __future__ import annotations

from graph.training_data import stored_logs
from models.kt_data import KTData, build_kt_data, hashed_test_students
from tutor.errors import InvalidInput
from tutor.ports import GraphStore

MIN_STUDENTS = 3  # one for the test set, two to train and validate on


def graph_kt_data(store: GraphStore, dataset: str, test_share: float = 0.2) -> KTData:
    """The dataset's answers as ``KTData``, item and skill ids the graph's own."""
    logs = stored_logs(store, dataset)
    students = sorted({a.student_id for a in logs.attempts})
    if len(students) < MIN_STUDENTS:
        raise InvalidInput(f"dataset {dataset!r} has answers from {len(students)} student(s) in "
                           f"the graph; training needs at least {MIN_STUDENTS}")
    test = hashed_test_students(students, test_share, MIN_STUDENTS - 1)
    return build_kt_data(logs.attempts, logs.tests, logs.question_ids, logs.kp_ids, test,
                         logs.kp_names)
