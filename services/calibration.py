"""IRT refits of a course from its stored answers: on demand (a tutor, ``POST
/curriculum/irt``) and daily for the courses with ``refit_after`` new answers since the last.

A refit calibrates the 2PL on every answer of the course (``models.training.calibrate_irt``)
and writes a and b only to the questions with at least ``min_responses`` answers: a question
with fewer keeps the difficulty its level gives (``tutor.ability.item_params``), and its
recommendation reasons say so. Every student's theta is written. The cache version moves, so
every API worker rereads the catalogue.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from graph import cache_version
from graph import calibration as store_
from graph.irt import write_irt
from services.training_data import graph_kt_data
from tutor.errors import InvalidInput
from tutor.ports import GraphStore

if TYPE_CHECKING:
    from models.registry import IrtModel


@dataclass(frozen=True)
class CalibrationConfig:
    min_responses: int = 30  # a question's a, b are written from this many answers on
    refit_after: int = 200  # new answers in a course that make the daily job refit it
    batch_size: int = 5000


DEFAULT = CalibrationConfig()


def refit(store: GraphStore, dataset: str, now: int, config: CalibrationConfig = DEFAULT
          ) -> dict[str, Any]:
    """Refit the course's IRT now; what was written."""
    from models.irt import IrtConfig
    from models.training import calibrate_irt

    kt = graph_kt_data(store, dataset)  # InvalidInput when too few students answered
    return write(store, dataset, calibrate_irt(kt, IrtConfig()), now, config)


def write(store: GraphStore, dataset: str, model: IrtModel, now: int,
          config: CalibrationConfig = DEFAULT) -> dict[str, Any]:
    """Write a fit of the course's stored answers (``kgtutor train irt --dataset`` makes one
    too) and record it as the course's last refit."""
    p = model.params
    keep = np.flatnonzero(p.item_responses >= config.min_responses)
    questions, students = write_irt(
        store, item_ids=[model.item_ids[i] for i in keep], a=p.a[keep], b=p.b[keep],
        item_responses=p.item_responses[keep], student_ids=model.student_ids, theta=p.theta,
        theta_var=p.theta_var, student_responses=model.student_responses,
        batch_size=config.batch_size)
    answers = int(p.item_responses.sum())
    store_.save(store, dataset, answers, questions, students, now)
    cache_version.bump(store)
    return {"dataset": dataset, "answers": answers, "questions": questions,
            "below_min_responses": int((p.item_responses > 0).sum()) - len(keep),
            "students": students, "fitted_at": now}


def state(store: GraphStore, dataset: str | None = None,
          config: CalibrationConfig = DEFAULT) -> list[dict[str, Any]]:
    """Per course (or the one asked): answers now and at the last refit, and whether the
    daily job will refit it."""
    return [{**r, "due": r["answers"] - (r["fitted_answers"] or 0) >= config.refit_after}
            for r in store_.state(store, dataset)]


def refit_due(store: GraphStore, now: int, config: CalibrationConfig = DEFAULT
              ) -> dict[str, Any]:
    """The daily job: refit every course with enough new answers; a course with too few
    students is skipped, with its reason."""
    done: dict[str, Any] = {}
    for row in state(store, config=config):
        if row["due"] and row["dataset"]:
            try:
                done[row["dataset"]] = refit(store, row["dataset"], now, config)
            except InvalidInput as e:
                done[row["dataset"]] = {"skipped": str(e)}
    return done
