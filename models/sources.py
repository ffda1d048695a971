"""Read a training dataset from files into ``KTData`` (the I/O edge of the models package):
an lpp-format folder (:mod:`datasets.assist2009`), an ASSISTments CSV as ASSISTments ships it
(:mod:`datasets.assistments`), a DataShop student-step export (:mod:`datasets.datashop`),
Junyi's problem log (:mod:`datasets.junyi_log`), Eedi's NeurIPS 2020 answers
(:mod:`datasets.eedi`), an EdNet KT1 folder (:mod:`datasets.ednet`) or knowledge-tracing
sequence files, DKT's, AKT's or pyKT's (:mod:`datasets.kt_sequences`)."""

from __future__ import annotations

from pathlib import Path

from datasets.assist2009 import read_assist
from datasets.assistments import RELEASES, read_assistments
from datasets.datashop import read_datashop
from datasets.ednet import is_ednet, questions_file, read_ednet
from datasets.eedi import is_eedi, metadata_files, read_eedi
from datasets.junyi import read_junyi
from datasets.junyi_log import DEFAULT_NAME, exercise_table, is_junyi_log, read_junyi_log
from datasets.kt_sequences import is_sequence_file, is_sequences, read_sequences
from datasets.logs import LogDataset
from datasets.problem_logs import header_of
from models.kt_data import KTData, build_kt_data, hashed_test_students
from tutor.errors import DataFormatError

MIN_TRAIN_STUDENTS = 2  # one at least is held out for validation
TEST_SHARE = 0.2  # lpp's own split where a folder ships none
KNOWN_LOGS = ("ASSISTments: user_id problem_id correct order_id, or a later release's; "
              "DataShop: Anon Student Id, Problem Name, Step Name; Junyi: user_id exercise "
              "time_done correct; Eedi: QuestionId UserId AnswerId IsCorrect; KT sequences: "
              "3, 4, 6 or 7 lines per student, or pyKT's CSVs")


def load_responses(folder: Path, name: str | None = None) -> KTData:
    """An lpp-format folder (``q_mat.npz`` gives skills), an EdNet KT1 folder, KT sequence
    files (a file or a folder: DKT's, AKT's, pyKT's), an ASSISTments CSV, a DataShop
    student-step export (its ``KC(Default)`` model), Eedi's answers or Junyi's problem log (KPs
    named by the exercise table beside it). The students are split by the folder's test file
    (a file with ``test`` in its name, e.g. ``preprocessed_data_test.csv``), or, where there
    is none, by a hash of their ids (``TEST_SHARE``, the same on every run).

    Ids are namespaced like the graph import of the same folder or file (default: its name),
    so fitted parameters can be written back onto the imported nodes.
    """
    folder = Path(folder)
    name = name or dataset_name(folder)
    ds = (_read_file(folder, name) if folder.is_file()
          else read_ednet(folder, name) if is_ednet(folder)
          else read_sequences(folder, name) if is_sequences(folder)
          else read_assist(folder, name, names_from=folder.parent))
    if problems := ds.report.problems:  # a model must not silently train on part of a file
        first = problems[0].reason.removesuffix("; row skipped")
        raise DataFormatError(f"{folder}: {len(problems)} bad row(s); first: {first}")
    if not ds.attempts:
        raise DataFormatError(f"{folder}: the dataset is empty")
    test_files = {f for f in ds.student_files.values() if "test" in f}
    students = [s.id for s in ds.students]
    test_students = ({s for s, f in ds.student_files.items() if f in test_files} if test_files
                     else hashed_test_students(students, TEST_SHARE, MIN_TRAIN_STUDENTS))
    if len(students) - len(test_students) < MIN_TRAIN_STUDENTS:
        raise DataFormatError(f"{folder}: fewer than {MIN_TRAIN_STUDENTS} students outside "
                              "the test split: the training set is empty")
    return build_kt_data(ds.attempts, ds.tests, [q.id for q in ds.questions],
                         [k.id for k in ds.kps], test_students, [k.name for k in ds.kps])


def dataset_name(path: Path) -> str:
    """The name a file's or folder's ids are namespaced by when none is given, as at import
    (Junyi's log shares the exercise table's: ``junyi``)."""
    if path.is_file():
        return DEFAULT_NAME if is_junyi_log(path) else path.stem
    return path.name


def source_files(path: Path) -> list[Path]:
    """Every file reading ``path`` reads: a folder's files, and the side tables a log's reader
    finds beside it (a cache of what was fitted on the data names them all)."""
    if not path.is_file():
        files = sorted(p for p in path.iterdir() if p.is_file())
        questions = questions_file(path) if is_ednet(path) else None
        return [*files, questions] if questions and questions not in files else files
    side = (list(metadata_files(path)) if is_eedi(path)
            else [exercise_table(path)] if is_junyi_log(path) else [])
    return [path, *(p for p in side if p is not None and p.is_file())]


def _read_file(path: Path, name: str) -> LogDataset:
    """A DataShop export is told by its ``Anon Student Id``, Eedi's answers, Junyi's log and
    ASSISTments' releases by their columns, KT sequences by their lines; any other file is
    refused, naming what is read."""
    if is_sequence_file(path):
        return read_sequences(path, name)
    header = header_of(path)
    if "anon student id" in header:
        return read_datashop(path, name)
    if is_eedi(path):
        return read_eedi(path, name)
    if is_junyi_log(path):
        table = exercise_table(path)
        return read_junyi_log(path, name, read_junyi(table, name) if table else None)
    if not any(release.matches(header) for release in RELEASES):
        raise DataFormatError(f"{path}: not a log this project reads ({KNOWN_LOGS}); an lpp "
                              "or EdNet KT1 data set is a folder")
    return read_assistments(path, name)
