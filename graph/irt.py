"""Write IRT parameters learnt from the data back onto the graph: a, b per question and theta
per student. Takes plain arrays, so graph/ does not depend on how models/ stores a fit."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from graph.ingest import write_batches
from tutor.ports import GraphStore


def write_irt(store: GraphStore, *, item_ids: Sequence[str], a: Iterable[float],
              b: Iterable[float], item_responses: Iterable[int], student_ids: Sequence[str],
              theta: Iterable[float], theta_var: Iterable[float],
              student_responses: Iterable[int], batch_size: int = 5000) -> tuple[int, int]:
    """Set ``irt_a``, ``irt_b``, ``irt_responses`` and ``theta``, ``theta_var``; return how many
    questions and students of the graph matched (ids absent from the graph are skipped)."""
    items = [{"id": q, "a": float(x), "b": float(y), "responses": int(n)}
             for q, x, y, n in zip(item_ids, a, b, item_responses, strict=True)]
    students = [{"id": s, "theta": float(t), "var": float(v), "responses": int(n)}
                for s, t, v, n in zip(student_ids, theta, theta_var, student_responses,
                                      strict=True)]
    return (write_batches(store, "set_item_irt", "rows", items, batch_size),
            write_batches(store, "set_student_theta", "rows", students, batch_size))
