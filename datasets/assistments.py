"""ASSISTments logs as ASSISTments ships them: one CSV of problem logs per release, told apart by
its columns and read by :mod:`datasets.problem_logs`.

* **2009-2010 skill builder** (``skill_builder_data.csv``, ``..._corrected.csv``,
  ``..._corrected_collapsed.csv``): ``order_id user_id problem_id correct skill_id skill_name``.
  The original files repeat a log once per skill (same ``order_id``); the collapsed one names a
  log's skills as ``9_15``. No clock: ``order_id`` is chronological.
* **2012-2013** (``2012-2013-data-with-predictions-4-final.csv``): ``problem_log_id user_id
  problem_id correct start_time skill_id skill``.
* **2014-2015 skill builder** (``2015_100_skill_builders_main_problems.csv``): ``log_id user_id
  sequence_id correct``: the problem set is both the item and its skill, as lpp prepares it.
* **2017 challenge** (``anonymized_full_release_competition_dataset.csv``): ``studentId
  problemId skill correct startTime`` (epoch seconds); the skill names are the KPs.
"""

from __future__ import annotations

from pathlib import Path

from datasets.logs import LogDataset
from datasets.problem_logs import LogFormat, read_problem_logs

SOURCE = "assistments"
RELEASES = (
    LogFormat("the ASSISTments 2009-2010 skill builder release", "user_id", ("problem_id",),
              "correct", ("order_id",), "skill_id", "skill_name", "_", log="order_id"),
    LogFormat("the ASSISTments 2012-2013 release", "user_id", ("problem_id",), "correct",
              ("start_time", "problem_log_id"), "skill_id", "skill", "_", clock="start_time"),
    LogFormat("the ASSISTments 2014-2015 skill builder release", "user_id", ("sequence_id",),
              "correct", ("log_id",), "sequence_id", None, "_"),
    LogFormat("the ASSISTments 2017 challenge release", "studentid", ("problemid",), "correct",
              ("starttime", "action_num"), None, "skill", "_", clock="starttime"),
)


def read_assistments(path: Path, name: str | None = None) -> LogDataset:
    """Read one ASSISTments CSV; ids are namespaced by ``name`` (default: the file's stem)."""
    path = Path(path)
    return read_problem_logs(path, RELEASES, name or path.stem, SOURCE, "ASSISTments skills")
