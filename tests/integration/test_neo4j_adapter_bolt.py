"""Smoke tests of the Neo4j adapter over FalkorDB's experimental Bolt listener.

The Bolt listener is off limits outside this file: it binds every interface, ignores the
password, never rolls back and pastes string parameters into the query. So this server is
throwaway, shared with no other test, fed only plain values, and proves nothing about
transactions; it shows that the adapter speaks Bolt through the official driver with the
same Cypher files, and that driver errors arrive as the project's own errors. The full
contract suite runs on a real Neo4j 5 when KGTUTOR_TEST_NEO4J_URI is set (see conftest).
"""

from __future__ import annotations

import socket
from collections.abc import Iterator

import neo4j
import pytest

from graph.embedded import EmbeddedServer
from graph.neo4j_store import Neo4jStore
from tutor.errors import GraphQueryError, GraphUnavailable

pytestmark = pytest.mark.neo4j_bolt


def _free_port_below_32768() -> int:
    """FalkorDB's BOLT_PORT silently fails above 32767 (measured), so pick a low free port."""
    for port in range(17687, 32000, 97):
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError("no free port below 32768")


@pytest.fixture(scope="module")
def bolt_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Neo4jStore]:
    port = _free_port_below_32768()
    server = EmbeddedServer(tmp_path_factory.mktemp("bolt"), _bolt_port=port)
    server.start()
    # FalkorDB's Bolt accepts the user "falkordb" (any password) and rejects others
    store = Neo4jStore.connect(f"bolt://127.0.0.1:{port}", "falkordb", "", "kgtutor")
    yield store
    store.close()
    server.stop()


def _student(i: int) -> dict[str, object]:
    return {"id": f"s{i}", "name": f"Student {i}", "email": f"s{i}@example.org",
            "affect_consent": False, "dataset": "bolt"}


def test_write_and_read_through_the_driver(bolt_store: Neo4jStore) -> None:
    assert bolt_store.write("upsert_students", {"rows": [_student(1), _student(2)]}) == [{"n": 2}]
    assert bolt_store.read("student_exists", {"student_id": "s1"}) == [
        {"id": "s1", "dataset": "bolt"}]
    assert bolt_store.read("student_exists", {"student_id": "s9"}) == []


def test_knowledge_map_queries_run_unchanged(bolt_store: Neo4jStore) -> None:
    chapter = {"id": "c1", "name": "Fractions", "order": 1, "area": "arithmetic",
               "dataset": "bolt"}
    bolt_store.write("upsert_chapters", {"rows": [chapter]})
    kps = [{"id": f"k{i}", "name": f"KP {i}", "description": "", "chapter_id": "c1",
            "dataset": "bolt"} for i in range(3)]
    bolt_store.write("upsert_kps", {"rows": kps})
    edges = [{"before": "k0", "after": "k1", "inferred": False, "confidence": 1.0},
             {"before": "k1", "after": "k2", "inferred": False, "confidence": 1.0}]
    bolt_store.write("upsert_prerequisites", {"rows": edges})
    ancestors = bolt_store.read("kp_ancestors", {"kp_id": "k2"})
    assert [r["id"] for r in ancestors] == ["k0", "k1"]
    chain = bolt_store.read("prerequisite_chain", {"from_id": "k0", "to_id": "k2"})
    assert chain == [{"chain": ["k0", "k1", "k2"]}]


def test_driver_errors_become_project_errors(bolt_store: Neo4jStore) -> None:
    with pytest.raises(GraphQueryError):
        bolt_store.read("upsert_students", {"rows": "not a list"})
    driver = neo4j.GraphDatabase.driver("bolt://127.0.0.1:9", auth=("falkordb", ""),
                                        max_transaction_retry_time=0.5)
    dead = Neo4jStore(driver, "kgtutor")  # nothing listens on port 9
    with pytest.raises(GraphUnavailable):
        dead.read("student_exists", {"student_id": "s1"})
    dead.close()
