"""Read what the recommender needs from the graph, as the pure types of ``tutor.recommend``.

Questions without a fitted IRT difficulty (e.g. the seed curriculum before ``kgtutor train
irt``) get one from their level: basic -1, standard 0, challenge +1 on the theta scale, with
a = 1, so the P(correct) band still orders them sensibly (``tutor.ability.item_params``, which
the theta written after every answer uses too).
"""

from __future__ import annotations

import base64
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from tutor.ability import LEVEL_DIFFICULTY as LEVEL_DIFFICULTY  # re-exported: named here
from tutor.ability import item_params
from tutor.curriculum import ResourceLevel
from tutor.errors import NotFound
from tutor.mastery import BktParams
from tutor.ports import GraphStore, Row
from tutor.recommend import Catalogue, PeerMastery
from tutor.recommend_types import LearnerState, QuestionFacts
from tutor.similar import ItemText, item_text

HISTORY_LIMIT = 200  # answers read per student: the Bi-LSTM's chunk and the recent window


def load_catalogue(store: GraphStore, dataset: str) -> Catalogue:
    kps = store.read("rec_kps", {"dataset": dataset})
    questions: dict[str, QuestionFacts] = {}
    for r in store.read("rec_questions", {"dataset": dataset}):
        level = ResourceLevel(r["level"]) if r["level"] else ResourceLevel.STANDARD
        a, b = item_params(r["a"], r["b"], level)
        q = QuestionFacts(r["id"], tuple(sorted(r["kp_ids"])), a, b, level,
                          r["a"] is not None and r["b"] is not None)
        questions[q.id] = q
    popularity = {r["id"]: int(r["attempts"])
                  for r in store.read("kp_popularity", {"dataset": dataset})}
    return Catalogue(
        kp_names={r["id"]: r["name"] for r in kps},
        prerequisites={r["id"]: tuple(sorted(r["prerequisites"])) for r in kps},
        order={r["id"]: i for i, r in enumerate(kps)},  # rows come in chapter order
        questions=questions,
        popularity=popularity,
        known_share={r["id"]: float(r["known_share"]) for r in kps
                     if r["known_share"] is not None},
        kp_bkt={r["id"]: BktParams(r["bkt_prior"], r["bkt_learn"], r["bkt_guess"], r["bkt_slip"])
                for r in kps if r["bkt_learn"] is not None},
        chapters={r["id"]: r["chapter_id"] for r in kps if r["chapter_id"] is not None},
    )


def load_peers(store: GraphStore, dataset: str, kp_ids: tuple[str, ...]) -> PeerMastery:
    index = {k: i for i, k in enumerate(kp_ids)}
    rows = store.read("mastery_matrix", {"dataset": dataset})
    students = sorted({r["student_id"] for r in rows})
    row_of = {s: i for i, s in enumerate(students)}
    matrix = np.zeros((len(students), len(kp_ids)))
    for r in rows:
        if r["kp_id"] in index:
            matrix[row_of[r["student_id"]], index[r["kp_id"]]] = r["p"]
    return PeerMastery(kp_ids, matrix)


def load_learner(store: GraphStore, student_id: str) -> tuple[str, LearnerState]:
    """The student's dataset and state (mastery, latest answers, theta), in one round trip:
    every recommendation reads it, even one answered from the kept lists."""
    return learner_of(student_id, _learner_row(store, student_id, kept=False))


def load_learner_kept(store: GraphStore, student_id: str
                      ) -> tuple[str, LearnerState, Kept | None]:
    """:func:`load_learner`, and the models' state kept for the student (:func:`kept_of`)."""
    row = _learner_row(store, student_id, kept=True)
    return (*learner_of(student_id, row), kept_of(row))


def _learner_row(store: GraphStore, student_id: str, kept: bool) -> Row:
    rows = store.read("rec_learner", {"student_id": student_id, "limit": HISTORY_LIMIT,
                                      "kept": kept})
    if not rows:
        raise NotFound(f"no student {student_id!r}")
    return rows[0]


@dataclass(frozen=True)
class Kept:
    """The models' state kept on a student (``services.recommend.Recommender.keep``), as
    stored; opaque here (the models check whose it is), and decoded only when a list is
    computed, not when a kept list answers."""

    text: str

    @property
    def data(self) -> bytes:
        return base64.b64decode(self.text)


def kept_of(row: Row) -> Kept | None:
    """The models' state kept for a student in a row that reads ``s.model_state AS
    model_state``; None if none was kept."""
    text = row.get("model_state")
    return Kept(text) if text else None


def model_histories(store: GraphStore, student_ids: Sequence[str]
                    ) -> list[tuple[str, str, tuple[tuple[str, bool], ...], Kept | None]]:
    """(student, dataset, latest answers as the recommender reads them, kept state) of each
    known student, in one round trip for the batch."""
    rows = store.read("model_histories", {"student_ids": list(student_ids),
                                          "limit": HISTORY_LIMIT})
    return [(r["student_id"], r["dataset"] or "", _history(r), kept_of(r)) for r in rows]


def write_kept(store: GraphStore, kept: Sequence[tuple[str, bytes]]) -> None:
    """Keep each student's models' state on the student (one round trip)."""
    store.write("write_model_states", {"rows": [
        {"student_id": sid, "state": base64.b64encode(data).decode("ascii")}
        for sid, data in kept]})


def learner_of(student_id: str, row: Row) -> tuple[str, LearnerState]:
    """The dataset and state in a row of ``rec_learner`` (or of a query that reads the same)."""
    mastery = dict(zip(row["mastery_kps"], map(float, row["mastery_p"]), strict=True))
    history = _history(row)
    fitted = row["theta"] is not None  # else the recommender estimates it from history
    placed = {m["kp_id"]: float(m["p"]) for m in row.get("placed") or ()}
    return row["dataset"], LearnerState(
        student_id, mastery, history, float(row["theta"]) if fitted else None,
        float(row["var"]) if fitted and row["var"] is not None else 1.0,
        int(row["responses"] or 0), placed,
        int(row["placed_at"]) if row.get("placed_at") is not None else None)


def _history(row: Row) -> tuple[tuple[str, bool], ...]:
    """The latest answers, oldest first, from a row's newest-first lists."""
    return tuple(zip(reversed(row["answer_ids"]), map(bool, reversed(row["answer_correct"])),
                     strict=True))


def load_item_texts(store: GraphStore, dataset: str) -> list[ItemText]:
    """Questions and resources of a dataset as texts for the similarity index: own text, the
    explanation or body, and the names of their KPs (which tie short texts to their topic)."""
    items = []
    for kind, query in (("question", "question_texts"), ("resource", "resource_texts")):
        for r in store.read(query, {"dataset": dataset}):
            items.append(item_text(r["id"], kind, (r["text"], r["extra"]), r["kp_names"],
                                   sorted(r["kp_ids"])))
    return items


def item_dataset(store: GraphStore, item_id: str) -> str:
    rows = store.read("item_dataset", {"item_id": item_id})
    if not rows or rows[0]["dataset"] is None:
        raise NotFound(f"no question or resource {item_id!r}")
    return rows[0]["dataset"]
