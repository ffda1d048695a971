"""The graph the settings name: Settings mapped onto graph.connect's plain values."""

from __future__ import annotations

from typing import TYPE_CHECKING

from graph import connect
from services.settings import Settings

if TYPE_CHECKING:
    from graph.embedded import EmbeddedServer
    from tutor.ports import GraphStore


def open_store(settings: Settings) -> GraphStore:
    """Connect to the configured graph and make sure its schema exists."""
    return connect.open_store(
        settings.graph_uri, settings.graph_name, settings.graph_dir,
        tcp_port=settings.embedded_tcp_port, neo4j_user=settings.neo4j_user,
        neo4j_password=settings.neo4j_password, neo4j_database=settings.neo4j_database,
        falkordb_password=settings.falkordb_password)


def embedded_server(settings: Settings) -> EmbeddedServer:
    """The embedded FalkorDB server of ``settings.var_dir``, not started."""
    return connect.embedded_server(settings.graph_dir, settings.embedded_tcp_port)
