"""Learning paths stored in the real graph: plan, re-route, current and history round-trip,
idempotent saves, and the `kgtutor path` commands."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

import pytest
from click.testing import CliRunner, Result

from cli.common import store_for
from cli.paths import path as path_cli
from graph import paths as path_store
from graph.embedded import EmbeddedServer
from graph.ingest import refresh_mastery
from services import paths as service
from services.settings import Settings
from tutor.errors import InvalidInput, NotFound
from tutor.ports import GraphStore

TAU = 0.85
# chapter 1: A -> B, A -> C; chapter 2: B + C -> D -> G; Z stands alone
KPS = {"A": "c1", "B": "c1", "C": "c1", "D": "c2", "G": "c2", "Z": "c1"}
EDGES = [("A", "B"), ("A", "C"), ("B", "D"), ("C", "D"), ("D", "G")]


def seed(store: GraphStore) -> None:
    store.write("upsert_chapters", {"rows": [
        {"id": c, "name": c, "order": i, "area": "", "dataset": "t"} for i, c in ((2, "c2"),
                                                                                  (1, "c1"))]})
    store.write("upsert_kps", {"rows": [{"id": k, "name": f"KP {k}", "description": "",
                                         "chapter_id": c, "dataset": "t"}
                                        for k, c in KPS.items()]})
    store.write("upsert_prerequisites", {"rows": [{"before": a, "after": b, "inferred": False,
                                                   "confidence": 1.0} for a, b in EDGES]})
    store.write("upsert_students", {"rows": [{"id": s, "name": s, "email": "",
                                              "affect_consent": False, "dataset": "t"}
                                             for s in ("ann", "bob")]})
    store.write("upsert_questions", {"rows": [{"id": f"q{k}", "text": "", "options": [],
                                               "answer": "", "explanation": "",
                                               "level": "standard", "dataset": "t"} for k in KPS]})
    store.write("upsert_tests", {"rows": [{"question_id": f"q{k}", "kp_id": k, "weight": 1.0}
                                          for k in KPS]})


def answer(store: GraphStore, student: str, kp: str, *correct: bool, ts: int = 0) -> None:
    """Record answers on ``kp`` and refresh BKT mastery (three right answers master a KP)."""
    rows = [{"event_id": f"{student}-{kp}-{ts}-{i}", "student_id": student,
             "question_id": f"q{kp}", "correct": c, "ts": ts + i, "seq": i, "duration_s": None,
             "source": "t"} for i, c in enumerate(correct)]
    store.write("create_attempts", {"rows": rows})
    refresh_mastery(store, [student])


def steps(p) -> list[tuple[str, str]]:
    return [(s.kp_id, str(s.status)) for s in p.steps]


def test_the_planning_subgraph_is_the_goal_and_its_ancestors_in_curriculum_order(store) -> None:
    seed(store)
    prerequisites, order = path_store.prerequisite_subgraph(store, "G")
    assert prerequisites == {"A": (), "B": ("A",), "C": ("A",), "D": ("B", "C"), "G": ("D",)}
    assert list(order) == ["A", "B", "C", "D", "G"]
    with pytest.raises(NotFound):
        path_store.prerequisite_subgraph(store, "nope")


def test_start_saves_version_one_and_a_second_start_keeps_it(store) -> None:
    seed(store)
    answer(store, "ann", "A", True, True, True)
    p = service.start(store, "ann", "G", TAU, now=1_000)
    assert steps(p) == [("B", "current"), ("C", "todo"), ("D", "todo"), ("G", "todo")]
    assert path_store.current(store, "ann", "G") == p == path_store.current(store, "ann")
    assert service.start(store, "ann", "G", TAU, now=2_000) == p
    assert path_store.history(store, "ann") == [p]
    assert path_store.current(store, "bob") is None


def test_re_routes_store_new_versions_and_keep_the_history(store) -> None:
    seed(store)
    answer(store, "bob", "A", True, True, True)
    service.start(store, "bob", "G", TAU, now=1)
    service.tutor_pin(store, "bob", "C", now=2)
    service.tutor_remove(store, "bob", "B", now=3)
    service.fatigue(store, "bob", 1, now=4)
    answer(store, "bob", "A", False, False, ts=10)  # A slipped below tau again
    service.refresh_mastery(store, "bob", TAU, now=5)  # nothing newly mastered: no version
    last = service.reroute_confused(store, "bob", "D", TAU, now=6)
    assert steps(last) == [("B", "removed"), ("A", "current"), ("C", "todo"), ("D", "todo"),
                           ("G", "todo")]
    assert [s.kp_id for s in last.steps if s.pinned] == ["C"]
    assert [s.kp_id for s in last.steps if s.inserted] == ["A"] and last.session_size == 1
    versions = service.history(store, "bob", "G")
    assert [v.version for v in versions] == [5, 4, 3, 2, 1] and versions[0] == last
    assert [v.reason.split(":")[0] for v in versions] == [
        "confused on D", "fatigued", "tutor removed B", "tutor pinned C", "created"]
    flags = store.read("learning_path_history", {"student_id": "bob", "goal": None})
    assert [r["current"] for r in flags] == [True, False, False, False, False]
    stats = {r["type"]: r["n"] for r in store.read("graph_stats_relationships")}
    assert stats["HAS_PATH"] == stats["GOAL"] == 5
    assert stats["STEP"] == sum(len(v.steps) for v in versions)


def test_saving_a_version_twice_stores_it_once(store) -> None:
    seed(store)
    p = service.start(store, "ann", "D", TAU, now=1)
    assert path_store.save(store, p) is False
    assert path_store.save(store, replace(p, reason="changed")) is False  # the first one wins
    nodes = {r["label"]: r["n"] for r in store.read("graph_stats_nodes")}
    assert nodes["LearningPath"] == 1 and path_store.history(store, "ann") == [p]
    with pytest.raises(NotFound):
        path_store.save(store, replace(p, student_id="nobody"))


def test_unknown_students_kps_and_steps_are_clear_errors(store) -> None:
    seed(store)
    with pytest.raises(NotFound):
        service.start(store, "nobody", "G", TAU, 1)
    with pytest.raises(NotFound):
        service.start(store, "ann", "nope", TAU, 1)
    with pytest.raises(NotFound, match="no learning path"):
        service.current(store, "ann")
    service.start(store, "ann", "D", TAU, 1)
    with pytest.raises(NotFound):
        service.tutor_pin(store, "ann", "nope", 2)
    with pytest.raises(InvalidInput):
        service.tutor_pin(store, "ann", "Z", 2)  # a KP, but not on the path
    with pytest.raises(InvalidInput):
        service.tutor_remove(store, "ann", "D", 2)  # the goal


@pytest.fixture(scope="module")
def settings(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Settings]:
    s = Settings(var_dir=tmp_path_factory.mktemp("var"))
    with store_for(s) as store:
        seed(store)
    yield s
    EmbeddedServer(s.var_dir / "graph").stop(force=True)


def run(settings: Settings, *args: str) -> Result:
    return CliRunner().invoke(path_cli, list(args), obj=settings)


def test_the_path_commands_print_the_path_and_its_history(settings: Settings) -> None:
    out = run(settings, "start", "ann", "G")
    assert out.exit_code == 0, out.output
    assert "ann -> G  (version 1" in out.output and ">   1. current  A" in out.output
    assert "next session: A, B, C, D, G" in out.output
    assert "tutor pinned B" in run(settings, "pin", "ann", "B").output
    assert "(unchanged" in run(settings, "pin", "ann", "B").output
    removed = run(settings, "remove", "ann", "C")
    assert "-   3. removed  C" in removed.output and "next session: A, B, D, G" in removed.output
    assert "shortened to 2 by fatigue" in run(settings, "fatigue", "ann", "2").output
    shown = run(settings, "show", "ann", "--goal", "G")
    assert "version 4" in shown.output and "B  pinned" in shown.output
    history = run(settings, "history", "ann").output.splitlines()
    assert [line.split()[0] for line in history] == ["v4", "v3", "v2", "v1"]
    bad = run(settings, "remove", "ann", "G")
    assert bad.exit_code == 1 and "cannot be removed" in bad.output
    assert "Traceback" not in bad.output and run(settings, "show", "bob").exit_code == 1
