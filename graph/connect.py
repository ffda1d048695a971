"""Open the configured GraphStore; the embedded server is started on demand."""

from __future__ import annotations

from urllib.parse import urlparse

from falkordb import FalkorDB

from graph.embedded import EmbeddedServer
from graph.falkordb_store import FalkorStore
from graph.neo4j_store import Neo4jStore
from services.settings import Settings
from tutor.ports import GraphStore


def embedded_server(settings: Settings) -> EmbeddedServer:
    return EmbeddedServer(settings.graph_dir, settings.embedded_tcp_port)


def open_store(settings: Settings) -> GraphStore:
    """Connect to the graph named by ``settings.graph_uri`` and make sure its schema exists."""
    store: GraphStore
    if settings.backend == "embedded":
        server = embedded_server(settings)
        server.start()
        store = FalkorStore(server.client(), settings.graph_name)
    elif settings.backend == "falkordb":
        url = urlparse(settings.graph_uri)
        db = FalkorDB(host=url.hostname or "127.0.0.1", port=url.port or 6379,
                      password=settings.falkordb_password or None)
        store = FalkorStore(db, settings.graph_name)
    else:
        store = Neo4jStore.connect(settings.graph_uri, settings.neo4j_user,
                                   settings.neo4j_password, settings.neo4j_database)
    store.ensure_schema()
    return store
