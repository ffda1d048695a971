"""Read a training dataset from files into ``KTData`` (the I/O edge of the models package)."""

from __future__ import annotations

from pathlib import Path

from datasets.assist2009 import read_assist
from models.kt_data import KTData, build_kt_data
from tutor.errors import DataFormatError

TEST_FILE = "preprocessed_data_test.csv"
MIN_TRAIN_STUDENTS = 2  # one at least is held out for validation


def load_lpp(folder: Path, name: str | None = None) -> KTData:
    """An lpp-format folder: train/test files split the students, ``q_mat.npz`` gives skills.

    Ids are namespaced like the graph import of the same folder (default: the folder name),
    so fitted parameters can be written back onto the imported nodes.
    """
    ds = read_assist(folder, name, names_from=folder.parent)
    if problems := ds.report.problems:  # a model must not silently train on part of a file
        first = problems[0].reason.removesuffix("; row skipped")
        raise DataFormatError(f"{folder}: {len(problems)} bad row(s); first: {first}")
    test_students = {s for s, f in ds.student_files.items() if f == TEST_FILE}
    if not test_students:
        raise DataFormatError(f"{folder}: no students in {TEST_FILE}: the dataset is empty or "
                              "has no test split")
    if len(ds.student_files) - len(test_students) < MIN_TRAIN_STUDENTS:
        raise DataFormatError(f"{folder}: fewer than {MIN_TRAIN_STUDENTS} students outside "
                              f"{TEST_FILE}: the training set is empty")
    return build_kt_data(ds.attempts, ds.tests, [q.id for q in ds.questions],
                         [k.id for k in ds.kps], test_students, [k.name for k in ds.kps])
