"""Open a GraphStore from plain values; the embedded server is started on demand.

The adapters (falkordb, redis, neo4j) are imported only when a store is opened, so importing
this module costs nothing: the command line imports it for every command.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlparse

if TYPE_CHECKING:
    from graph.embedded import EmbeddedServer
    from tutor.ports import GraphStore


def backend(uri: str) -> str:
    """Return "embedded", "neo4j" or "falkordb" according to the URI."""
    if uri == "embedded":
        return "embedded"
    if uri.startswith("falkordb://"):
        return "falkordb"
    return "neo4j"


def embedded_server(graph_dir: Path, tcp_port: int | None = None) -> EmbeddedServer:
    from graph.embedded import EmbeddedServer
    return EmbeddedServer(graph_dir, tcp_port)


def open_store(uri: str, graph_name: str, graph_dir: Path, *, tcp_port: int | None = None,
               neo4j_user: str = "neo4j", neo4j_password: str = "",
               neo4j_database: str = "neo4j", falkordb_password: str = "") -> GraphStore:
    """Connect to the graph at ``uri`` ("embedded": the server owning ``graph_dir``) and make
    sure its schema exists."""
    store: GraphStore
    kind = backend(uri)
    if kind == "embedded":
        from graph.falkordb_store import FalkorStore
        server = embedded_server(graph_dir, tcp_port)
        server.start()
        store = FalkorStore(server.client(), graph_name)
    elif kind == "falkordb":
        store = _external_falkordb(uri, graph_name, falkordb_password)
    else:
        from graph.neo4j_store import Neo4jStore
        store = Neo4jStore.connect(uri, neo4j_user, neo4j_password, neo4j_database)
    store.ensure_schema()
    return store


def _external_falkordb(uri: str, graph_name: str, password: str) -> GraphStore:
    """A FalkorDB server someone else runs; a refused password or an unreachable server is
    ``GraphUnavailable`` (the client raises redis' own errors while it connects)."""
    import redis
    from falkordb import FalkorDB

    from graph.falkordb_store import FalkorStore
    from tutor.errors import UNAVAILABLE, GraphUnavailable

    url = urlparse(uri)
    try:
        db = FalkorDB(host=url.hostname or "127.0.0.1", port=url.port or 6379,
                      password=password or None)
    except redis.AuthenticationError as e:
        raise GraphUnavailable(f"FalkorDB at {url.hostname}:{url.port} refused the password "
                               "(KGTUTOR_FALKORDB_PASSWORD)", public=UNAVAILABLE) from e
    except redis.ConnectionError as e:
        raise GraphUnavailable(f"FalkorDB unreachable at {url.hostname}:{url.port}: {e}",
                               public=UNAVAILABLE) from e
    return FalkorStore(db, graph_name)
