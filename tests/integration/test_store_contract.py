"""Contract of the GraphStore port, run on the embedded FalkorDB, on a FalkorDB server reached
over TCP with a password as an external one is (``falkordb://``), and on Neo4j when
configured."""

from __future__ import annotations

from pathlib import Path

import pytest

from graph.connect import open_store
from tutor.errors import UNAVAILABLE, ConstraintViolation, GraphUnavailable
from tutor.ports import GraphStore


@pytest.fixture
def store(contract_store: GraphStore) -> GraphStore:
    """Every backend of the contract (tests/conftest.py ``contract_store``)."""
    return contract_store

NASTY = [
    "it's \"q\" \\ ' MATCH (n) DETACH DELETE n //",
    "' MATCH (n) DETACH DELETE n //",
    "back\\slash \\' \\\" end\\",
    "ünïcødé — 数学 🙂",
    "line\nbreak\ttab",
    "}) DETACH DELETE n WITH 1 AS x MATCH (m) SET m.pwned = true //",
]


def _student(i: int, name: str) -> dict:
    return {"id": f"s{i}", "name": name, "email": f"{name}@x", "affect_consent": False,
            "dataset": "t"}


def test_written_rows_read_back(store) -> None:
    out = store.write("upsert_students", {"rows": [_student(1, "Ada"), _student(2, "Bo")]})
    assert out == [{"n": 2}]
    assert store.read("student_exists", {"student_id": "s2"}) == [{"id": "s2", "dataset": "t"}]
    assert store.read("student_exists", {"student_id": "nobody"}) == []


def test_hostile_strings_are_stored_verbatim_and_change_nothing_else(store) -> None:
    store.write("upsert_students", {"rows": [_student(0, "guard")]})
    rows = [{"id": text, "name": text, "order": 1, "area": text, "dataset": "t"} for text in NASTY]
    store.write("upsert_chapters", {"rows": rows})
    chapters = {r["id"]: r for r in store.read("chapters", {"dataset": "t"})}
    assert set(chapters) == set(NASTY)
    assert all(chapters[t]["name"] == t and chapters[t]["area"] == t for t in NASTY)
    assert store.read("student_exists", {"student_id": "s0"}) == [{"id": "s0", "dataset": "t"}]
    for text in NASTY:  # hostile values as lookup parameters match literally, nothing more
        assert store.read("chapter_exists", {"chapter_id": text}) == [{"id": text}]
    stats = {r["label"]: r["n"] for r in store.read("graph_stats_nodes")}
    assert stats == {"Chapter": len(NASTY), "Student": 1}


def test_upserts_are_idempotent(store) -> None:
    for _ in range(2):
        store.write("upsert_students", {"rows": [_student(1, "Ada")]})
    assert {r["label"]: r["n"] for r in store.read("graph_stats_nodes")} == {"Student": 1}


def _one_attempt(store) -> dict:
    """Store a student, a question and one answer; return the answer's row."""
    store.write("upsert_students", {"rows": [_student(1, "Ada")]})
    store.write("upsert_questions", {"rows": [{"id": "q1", "text": "", "options": [], "answer": "",
                                               "explanation": "", "level": "standard",
                                               "dataset": "t"}]})
    row = {"event_id": "e1", "student_id": "s1", "question_id": "q1", "correct": True, "ts": 0,
           "seq": 0, "duration_s": None, "source": "t"}
    store.write("create_attempts", {"rows": [row]})
    return row


def test_ensure_schema_twice_keeps_the_data_and_the_keys(store) -> None:
    """Every start applies the schema again: the stored rows stay and keys stay unique."""
    row = _one_attempt(store)
    store.ensure_schema()
    store.ensure_schema()
    assert store.read("student_exists", {"student_id": "s1"}) == [{"id": "s1", "dataset": "t"}]
    assert store.read("count_existing_attempts", {"ids": ["e1"]}) == [{"n": 1}]
    with pytest.raises(ConstraintViolation):
        store.write("create_attempts", {"rows": [row]})
    store.write("upsert_students", {"rows": [_student(1, "Ada")]})
    stats = {r["label"]: r["n"] for r in store.read("graph_stats_nodes")}
    assert stats == {"Student": 1, "Question": 1}


def test_duplicate_event_id_is_a_constraint_violation(store) -> None:
    row = _one_attempt(store)
    with pytest.raises(ConstraintViolation):
        store.write("create_attempts", {"rows": [row]})
    assert store.read("count_existing_attempts", {"ids": ["e1"]}) == [{"n": 1}]


def test_unknown_query_name_is_a_programming_error(store) -> None:
    with pytest.raises(KeyError, match="no Cypher file"):
        store.read("no_such_query")


def test_an_external_falkordb_refuses_a_wrong_password(
        external_falkordb: tuple[str, str]) -> None:
    uri, _ = external_falkordb
    with pytest.raises(GraphUnavailable) as refused:
        open_store(uri, "t_wrong_password", Path("unused"), falkordb_password="not-the-one")
    assert "refused the password (KGTUTOR_FALKORDB_PASSWORD)" in str(refused.value)
    assert refused.value.public == UNAVAILABLE  # what an API caller would read
