"""Turn each supported source into ``GraphData`` plus the reader's report.

One function per source; the readers stay pure, the writing stays in ``graph.ingest``. Each
function imports its own reader: they bring pandas and scipy, which the xAPI ingestion that
imports this module for ``SEED_DATASET`` does not need.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from graph.ingest import GraphData
from seeds.curriculum import DEFAULT_SEED, load_curriculum
from tutor.imports import ImportReport

if TYPE_CHECKING:
    from datasets.logs import LogDataset

SEED_DATASET = "seed"


def seed_source(folder: Path = DEFAULT_SEED) -> tuple[GraphData, ImportReport]:
    c = load_curriculum(folder)
    data = GraphData(SEED_DATASET, c.chapters, c.kps, c.prerequisites, (), c.questions, c.tests,
                     c.resources, c.students, c.tutors, c.classes, c.attempts)
    return data, ImportReport(str(folder))


def assist_source(folder: Path, name: str | None = None) -> tuple[GraphData, ImportReport]:
    from datasets.assist2009 import read_assist
    ds = read_assist(folder, name, names_from=folder.parent)
    return _logs(ds), ds.report


def assistments_source(path: Path, name: str | None = None) -> tuple[GraphData, ImportReport]:
    from datasets.assistments import read_assistments
    ds = read_assistments(path, name)
    return _logs(ds), ds.report


def datashop_source(path: Path, name: str | None = None,
                    kc: str | None = None) -> tuple[GraphData, ImportReport]:
    from datasets.datashop import read_datashop
    ds = read_datashop(path, name, kc)
    return _logs(ds), ds.report


def eedi_source(path: Path, name: str | None = None) -> tuple[GraphData, ImportReport]:
    from datasets.eedi import read_eedi
    ds = read_eedi(path, name)
    return _logs(ds), ds.report


def ednet_source(folder: Path, name: str | None = None, questions: Path | None = None,
                 users: int | None = None) -> tuple[GraphData, ImportReport]:
    from datasets.ednet import read_ednet
    ds = read_ednet(folder, name, questions, users)
    return _logs(ds), ds.report


def sequences_source(path: Path, name: str | None = None) -> tuple[GraphData, ImportReport]:
    from datasets.kt_sequences import read_sequences
    ds = read_sequences(path, name)
    return _logs(ds), ds.report


def junyi_source(path: Path, name: str = "junyi") -> tuple[GraphData, ImportReport]:
    from datasets.junyi import read_junyi
    ds = read_junyi(path, name)
    data = GraphData(ds.name, ds.chapters, ds.kps, ds.prerequisites, ds.rejected)
    return data, ds.report


def junyi_log_source(path: Path, name: str = "junyi", exercises: Path | None = None
                     ) -> tuple[GraphData, ImportReport]:
    """The problem log with the exercise table (``exercises``, else the one beside the log,
    if any): the table's topics, KPs and prerequisites come with the answers."""
    from datasets.junyi import read_junyi
    from datasets.junyi_log import exercise_table, read_junyi_log
    table_path = exercises or exercise_table(path)
    table = read_junyi(table_path, name) if table_path is not None else None
    ds = read_junyi_log(path, name, table)
    data = _logs(ds)
    if table is None:
        return data, ds.report
    own = [ds.chapter] if any(k.chapter_id == ds.chapter.id for k in ds.kps) else []
    ds.report.notes.extend(f"exercise table: {note}" for note in table.report.notes)
    return replace(data, chapters=[*table.chapters, *own], prerequisites=table.prerequisites,
                   rejected=table.rejected), ds.report


def lms_source(path: Path, name: str | None = None,
               features_out: Path | None = None) -> tuple[GraphData, ImportReport]:
    from datasets.lms_csv import read_lms_csv
    ds = read_lms_csv(path, name)
    if features_out is not None:
        ds.features.to_csv(features_out)
    return _logs(ds), ds.report


def _logs(ds: LogDataset) -> GraphData:
    """A log reader's one chapter, KPs, questions, students and answers."""
    return GraphData(ds.name, [ds.chapter], ds.kps, questions=ds.questions, tests=ds.tests,
                     students=ds.students, attempts=ds.attempts)
