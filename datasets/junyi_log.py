"""Junyi Academy's problem log as Junyi ships it (``junyi_ProblemLog_original.csv``, the 2015
release of PSLC DataShop data set 1198), read by :mod:`datasets.problem_logs`.

One row per problem a student answered: ``user_id``, ``exercise``, ``problem_type``,
``problem_number``, ``time_done`` (microseconds since the epoch), ``correct`` (``true`` or
``false``), and counts of attempts, hints and points that are not read. The exercise is both
the item and its KP, as the knowledge-tracing literature reads these logs (its problems are
generated instances of the exercise).

The exercise table (:mod:`datasets.junyi`) names the same exercises. With it, given or beside
the log as ``junyi_Exercise_table.csv``, the log's KPs are the table's (its names, topics and
prerequisites, under the ids ``kgtutor graph import junyi`` gives them, both named ``junyi``
by default), so answers and the real knowledge map meet in one dataset; an exercise the table
lacks keeps a KP of its own, in a chapter of the log's.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from datasets.logs import LogDataset
from datasets.problem_logs import LogFormat, header_of, read_problem_logs

if TYPE_CHECKING:
    from datasets.junyi import JunyiDataset

SOURCE = "junyi-log"
DEFAULT_NAME = "junyi"  # as `graph import junyi` names the exercise table's ids
EXERCISE_TABLE = "junyi_Exercise_table.csv"
FORMAT = LogFormat("the Junyi Academy problem log", "user_id", ("exercise",), "correct",
                   ("time_done",), None, "exercise", ",", clock="time_done", clock_unit=1e-6)


def is_junyi_log(path: Path) -> bool:
    """Whether the file's header has the problem log's columns."""
    return FORMAT.matches(header_of(path))


def exercise_table(log: Path) -> Path | None:
    """The exercise table beside the log, if there is one."""
    table = Path(log).parent / EXERCISE_TABLE
    return table if table.is_file() else None


def read_junyi_log(path: Path, name: str = DEFAULT_NAME,
                   exercises: JunyiDataset | None = None) -> LogDataset:
    """Read the problem log; ids are namespaced by ``name``. ``exercises``, the exercise table
    read under the same name, gives the KPs it knows."""
    ds = read_problem_logs(Path(path), (FORMAT,), name, SOURCE, "Junyi exercises")
    if exercises is None:
        return ds
    known = {k.id: k for k in exercises.kps}
    matched = sum(k.id in known for k in ds.kps)
    ds.report.notes.append(f"exercises found in the exercise table ({exercises.report.source}):"
                           f" {matched} of {len(ds.kps)}")
    return replace(ds, kps=[known.get(k.id, k) for k in ds.kps])
