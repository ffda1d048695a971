"""Write per-KP BKT parameters fitted on the answers (``models.kp_bkt``) onto the KP nodes, and
recompute every student's mastery with them. Plain arrays in: graph/ does not import models/."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from graph.ingest import refresh_mastery, write_batches
from graph.roster import all_students
from tutor.mastery import BktParams
from tutor.ports import GraphStore


def write_kp_bkt(store: GraphStore, kp_ids: Sequence[str], params: Sequence[BktParams],
                 own: Iterable[bool], batch_size: int = 5000) -> tuple[int, int]:
    """Set ``bkt_prior``, ``bkt_learn``, ``bkt_guess``, ``bkt_slip`` and ``bkt_own`` on the KPs,
    then refresh the mastery of every student (it is traced with these parameters); return
    how many KPs of the graph matched and how many MASTERY edges were retraced."""
    rows = [{"id": k, "prior": b.prior, "learn": b.learn, "guess": b.guess, "slip": b.slip,
             "own": bool(o)} for k, b, o in zip(kp_ids, params, own, strict=True)]
    kps = write_batches(store, "set_kp_bkt", "rows", rows, batch_size)
    students = [sid for sid, _ in all_students(store)]
    return kps, refresh_mastery(store, students, BktParams())
