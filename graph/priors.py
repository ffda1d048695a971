"""The population prior's reads and writes: first answers per KP, and the share of students who
know each KP before practising it, stored on the KP (``k.known_share``) for the recommender's
catalogue (``graph.recommend.load_catalogue``). Plain values in and out: graph/ does not
import models/."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from graph.ingest import write_batches
from tutor.ports import GraphStore


@dataclass(frozen=True)
class FirstAnswers:
    dataset: str
    kp_id: str
    students: int  # students with at least one answer on the KP
    right: int  # of them, those whose first answer on it was right


def first_answers(store: GraphStore) -> list[FirstAnswers]:
    """Every KP of the graph (those nobody answered with 0 students), by dataset and id."""
    return [FirstAnswers(r["dataset"] or "", r["kp_id"], int(r["students"]), int(r["right"]))
            for r in store.read("kp_first_answers")]


def write_known_shares(store: GraphStore, kp_ids: Sequence[str], shares: Sequence[float],
                       students: Sequence[int], batch_size: int = 5000) -> int:
    """Set ``known_share`` and ``known_share_students`` on the KPs; return how many matched."""
    rows = [{"id": k, "share": float(s), "students": int(n)}
            for k, s, n in zip(kp_ids, shares, students, strict=True)]
    return write_batches(store, "set_kp_known_share", "rows", rows, batch_size)
