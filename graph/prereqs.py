"""Store prerequisite edges inferred from answers (``tutor.prereqs``), refusing any that
would close a cycle with the edges already in the graph."""

from __future__ import annotations

from collections.abc import Sequence

import networkx as nx

from graph.ingest import prerequisite_row, write_batches
from tutor.curriculum import Prerequisite
from tutor.errors import NotFound
from tutor.ports import GraphStore


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
