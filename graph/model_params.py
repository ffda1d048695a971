"""Write fitted model parameters onto graph nodes (IRT a, b per question; theta per student)."""

from __future__ import annotations

from graph.ingest import write_batches
from models.registry import IrtModel
from tutor.ports import GraphStore


def write_irt(store: GraphStore, model: IrtModel, batch_size: int = 5000) -> tuple[int, int]:
    """Set ``irt_a``, ``irt_b``, ``irt_responses`` and ``theta``, ``theta_var``; return how many
    questions and students of the graph matched (ids absent from the graph are skipped)."""
    p = model.params
    items = [{"id": q, "a": float(a), "b": float(b), "responses": int(n)}
             for q, a, b, n in zip(model.item_ids, p.a, p.b, p.item_responses, strict=True)]
    students = [{"id": s, "theta": float(t), "var": float(v), "responses": int(n)}
                for s, t, v, n in zip(model.student_ids, p.theta, p.theta_var,
                                      model.student_responses, strict=True)]
    return (write_batches(store, "set_item_irt", "rows", items, batch_size),
            write_batches(store, "set_student_theta", "rows", students, batch_size))

