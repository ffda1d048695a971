"""Ports: what the tutoring logic needs from the outside world, as narrow Protocols."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol

Row = dict[str, Any]


class GraphStore(Protocol):
    """Runs named Cypher queries (files in ``cypher/``) with parameters; nothing else.

    Queries are addressed by name so the domain never holds Cypher text, and every value
    travels as a parameter. Each call is one transaction on backends that have them.
    """

    def read(self, query: str, params: Mapping[str, Any] | None = None) -> list[Row]:
        """Run a read-only query and return its rows as dicts keyed by column name."""
        ...

    def write(self, query: str, params: Mapping[str, Any] | None = None) -> list[Row]:
        """Run a write query in one transaction and return its rows."""
        ...

    def ensure_schema(self) -> None:
        """Create the uniqueness constraints and indexes (idempotent)."""
        ...

    def close(self) -> None:
        """Release connections."""
        ...
