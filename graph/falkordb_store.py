"""GraphStore adapter for FalkorDB through the ``falkordb`` client (embedded or remote)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import redis
from falkordb import FalkorDB

from graph.cypher import query, statements
from graph.schema import NODE_KEYS, RELATIONSHIP_KEYS
from tutor.errors import (
    CONFLICT,
    REJECTED,
    UNAVAILABLE,
    ConstraintViolation,
    GraphQueryError,
    GraphUnavailable,
)
from tutor.ports import Row


class FalkorStore:
    """Each query is atomic in FalkorDB (one writer per graph); there are no multi-query
    transactions, so a logical change must be one query."""

    def __init__(self, db: FalkorDB, graph_name: str):
        self._db = db
        self._graph = db.select_graph(graph_name)

    def read(self, name: str, params: Mapping[str, Any] | None = None) -> list[Row]:
        return self._run(name, params, read_only=True)

    def write(self, name: str, params: Mapping[str, Any] | None = None) -> list[Row]:
        return self._run(name, params, read_only=False)

    def ensure_schema(self) -> None:
        existing = self._existing_constraints()
        for statement in statements("schema_falkordb"):
            try:
                self._graph.query(statement)
            except redis.ResponseError as e:
                if "already indexed" not in str(e):
                    raise _translate(e) from e
        for label, prop in NODE_KEYS.items():
            if (label, prop) not in existing:
                self._constraint(self._graph.create_node_unique_constraint, label, prop)
        for rel, prop in RELATIONSHIP_KEYS.items():
            if (rel, prop) not in existing:
                self._constraint(self._graph.create_edge_unique_constraint, rel, prop)

    def clear(self) -> None:
        """Delete the whole graph (tests and `graph reset` only)."""
        try:
            self._graph.delete()
        except redis.ResponseError as e:
            if "empty key" not in str(e) and "Invalid graph operation" not in str(e):
                raise _translate(e) from e

    def close(self) -> None:
        self._db.connection.close()

    def _run(self, name: str, params: Mapping[str, Any] | None, read_only: bool) -> list[Row]:
        text = query(name)
        run = self._graph.ro_query if read_only else self._graph.query
        try:
            result = run(text, dict(params or {}))
        except redis.ConnectionError as e:
            raise GraphUnavailable(f"FalkorDB unreachable: {e}", public=UNAVAILABLE) from e
        except redis.ResponseError as e:
            raise _translate(e, name) from e
        columns = [col[1] for col in result.header]
        return [dict(zip(columns, map(_plain, row), strict=True)) for row in result.result_set]

    def _existing_constraints(self) -> set[tuple[str, str]]:
        try:
            found = self._graph.list_constraints()
        except redis.ResponseError:
            return set()  # a graph that does not exist yet has none
        return {(c["label"], p) for c in found for p in c["properties"]}

    @staticmethod
    def _constraint(create: Any, label: str, prop: str) -> None:
        try:
            create(label, prop)
        except redis.ResponseError as e:
            if "already exists" not in str(e):
                raise _translate(e) from e


def _plain(value: Any) -> Any:
    """Turn the client's OrderedDicts into plain dicts, recursively."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def _translate(error: redis.ResponseError, name: str = "") -> GraphQueryError:
    where = f" in cypher/{name}.cypher" if name else ""
    message = f"FalkorDB rejected the query{where}: {error}"
    if "unique constraint" in str(error).lower():
        return ConstraintViolation(message, public=CONFLICT)
    return GraphQueryError(message, public=REJECTED)
