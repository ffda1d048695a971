"""Read a training dataset from files into ``KTData`` (the I/O edge of the models package)."""

from __future__ import annotations

from pathlib import Path

from graph.importers.assist2009 import read_assist
from models.kt_data import KTData, build_kt_data
from tutor.errors import DataFormatError

TEST_FILE = "preprocessed_data_test.csv"


def load_lpp(folder: Path, name: str | None = None) -> KTData:
    """An lpp-format folder: train/test files split the students, ``q_mat.npz`` gives skills.

    Ids are namespaced like the graph import of the same folder (default: the folder name),
    so fitted parameters can be written back onto the imported nodes.
    """
    ds = read_assist(folder, name, names_from=folder.parent)
    test_students = {s for s, f in ds.student_files.items() if f == TEST_FILE}
    if not test_students:
        raise DataFormatError(f"{folder}: no {TEST_FILE}; the evaluation needs the test split")
    if problems := ds.report.problems:
        first = problems[0]
        raise DataFormatError(f"{folder}: {len(problems)} bad rows, first at line {first.line}: "
                              f"{first.reason}")
    return build_kt_data(ds.attempts, ds.tests, [q.id for q in ds.questions],
                         [k.id for k in ds.kps], test_students, [k.name for k in ds.kps])
