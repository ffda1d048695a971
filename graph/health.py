"""Is the graph there: the readiness probe's one query."""

from __future__ import annotations

from tutor.ports import GraphStore


def ping(store: GraphStore) -> None:
    """Run a trivial query; raises the store's error when the graph cannot be reached."""
    store.read("ping")
