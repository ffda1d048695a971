"""GraphStore adapter for Neo4j 5 through the official driver (also routing ``neo4j://`` URIs)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, LiteralString

import neo4j
from neo4j import exceptions as nx

from graph.cypher import query, statements
from tutor.errors import (
    CONFLICT,
    REJECTED,
    UNAVAILABLE,
    ConstraintViolation,
    GraphQueryError,
    GraphUnavailable,
)
from tutor.ports import Row


class Neo4jStore:
    """Reads and writes run as transaction functions, so the driver may retry them on
    transient errors and cluster leader changes; every write query is therefore idempotent."""

    def __init__(self, driver: neo4j.Driver, database: str):
        self._driver = driver
        self._database = database

    @classmethod
    def connect(cls, uri: str, user: str, password: str, database: str) -> Neo4jStore:
        driver = neo4j.GraphDatabase.driver(uri, auth=(user, password))
        return cls(driver, database)

    def read(self, name: str, params: Mapping[str, Any] | None = None) -> list[Row]:
        return self._session_call("read", query(name), params, name)

    def write(self, name: str, params: Mapping[str, Any] | None = None) -> list[Row]:
        return self._session_call("write", query(name), params, name)

    def ensure_schema(self) -> None:
        for statement in statements("schema_neo4j"):
            self._session_call("write", statement, None, "schema_neo4j")

    def clear(self) -> None:
        """Delete every node and relationship (tests only)."""
        self.write("clear_graph")

    def close(self) -> None:
        self._driver.close()

    def _session_call(self, mode: str, text: LiteralString, params: Mapping[str, Any] | None,
                      name: str) -> list[Row]:
        try:
            with self._driver.session(database=self._database) as session:
                run = session.execute_read if mode == "read" else session.execute_write
                return run(_run, text, dict(params or {}))
        except nx.ConstraintError as e:
            raise ConstraintViolation(f"Neo4j constraint in cypher/{name}.cypher: {e}",
                                      public=CONFLICT) from e
        except (nx.ServiceUnavailable, nx.AuthError, nx.SessionExpired) as e:
            raise GraphUnavailable(f"Neo4j unreachable: {e}", public=UNAVAILABLE) from e
        except nx.Neo4jError as e:
            raise GraphQueryError(f"Neo4j rejected cypher/{name}.cypher: {e}",
                                  public=REJECTED) from e
        except nx.DriverError as e:
            raise GraphUnavailable(f"Neo4j driver error: {e}", public=UNAVAILABLE) from e


def _run(tx: neo4j.ManagedTransaction, text: LiteralString, params: dict[str, Any]) -> list[Row]:
    return [record.data() for record in tx.run(text, params)]
