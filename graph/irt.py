"""Write what was learnt from the data back onto the graph: IRT a, b per question and theta
per student, and inferred prerequisite edges."""

from __future__ import annotations

from collections.abc import Sequence

import networkx as nx

from graph.ingest import prerequisite_row, write_batches
from models.registry import IrtModel
from tutor.curriculum import Prerequisite
from tutor.errors import NotFound
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



def write_inferred_prerequisites(store: GraphStore, dataset: str,
                                 edges: Sequence[Prerequisite], batch_size: int = 5000
                                 ) -> tuple[int, list[Prerequisite]]:
    """Store inferred edges that keep the dataset's prerequisite graph acyclic together with
    the edges already there; return how many were written and the ones refused."""
    dag = nx.DiGraph()
    for r in store.read("rec_kps", {"dataset": dataset}):
        dag.add_node(r["id"])
        dag.add_edges_from((p, r["id"]) for p in r["prerequisites"])
    missing = sorted({k for e in edges for k in (e.before, e.after)} - set(dag))
    if missing:
        raise NotFound(f"{len(missing)} KPs of the inferred edges are not in dataset "
                       f"{dataset!r} (first: {missing[0]}); import the data first")
    keep, refused = [], []
    for e in sorted(edges, key=lambda e: -e.confidence):
        if dag.has_edge(e.before, e.after) or not nx.has_path(dag, e.after, e.before):
            dag.add_edge(e.before, e.after)
            keep.append(e)
        else:
            refused.append(e)
    rows = [prerequisite_row(e) for e in keep]
    return write_batches(store, "upsert_prerequisites", "rows", rows, batch_size), refused
