"""The graph the settings name: Settings mapped onto graph.connect's plain values."""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import quote

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


def rate_limit_storage(settings: Settings) -> str:
    """The limits library's storage URI for the API's rate limits: the setting, else the
    embedded graph server (a Redis server: its unix socket and password), so that every
    `kgtutor serve` process on one graph counts together; else this process's memory (a
    Neo4j deployment with several API processes sets ``KGTUTOR_RATE_LIMIT_STORAGE`` to a
    Redis of its own, e.g. ``redis://host:6379``)."""
    if settings.rate_limit_storage:
        return settings.rate_limit_storage
    if settings.backend != "embedded":
        return "memory://"
    server = embedded_server(settings)
    if not server.password_path.is_file():  # no embedded server in use by this process
        return "memory://"
    password = quote(server.password_path.read_text().strip(), safe="")
    return f"redis+unix://{server.socket_path}?password={password}"


def embedded_server(settings: Settings) -> EmbeddedServer:
    """The embedded FalkorDB server of ``settings.var_dir``, not started."""
    return connect.embedded_server(settings.graph_dir, settings.embedded_tcp_port)
