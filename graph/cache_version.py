"""The version of what API workers cache from the graph, kept in the graph itself.

Each worker process holds its own caches (``services.dataset_cache``); a write that changes
what they hold moves this version, and every worker, checking it at most twice a second,
drops its values. The graph is the one thing every worker shares, on FalkorDB and on a Neo4j
cluster alike, so no message bus is needed: a read of one small node is the whole cost.
"""

from __future__ import annotations

from tutor.ports import GraphStore

CATALOGUE = "catalogue"


def current(store: GraphStore, name: str = CATALOGUE) -> int:
    """The version now (0 before the first bump)."""
    rows = store.read("cache_version", {"name": name})
    return int(rows[0]["version"] or 0) if rows else 0


def bump(store: GraphStore, name: str = CATALOGUE) -> int:
    """Move the version; returns the new one."""
    return int(store.write("bump_cache_version", {"name": name})[0]["version"])
