"""Importers end to end on the embedded server: real data slices, idempotency, reports."""

from __future__ import annotations

import shutil
from pathlib import Path

import networkx as nx
import numpy as np
import pytest

from graph import maps as km
from graph.ingest import GraphData, ingest
from graph.irt import write_irt
from services import imports as sources
from tutor import curriculum
from tutor.ability import item_params, theta_from_responses
from tutor.curriculum import Chapter, KnowledgePoint, Question
from tutor.mastery import Attempt, bkt_trace
from tutor.ports import GraphStore
from tutor.roster import Student

LPP_HEADER = "user_id\titem_id\ttimestamp\tcorrect\tskill_id\n"


@pytest.fixture(scope="module")
def lpp_slice(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The first 40 students of the real lpp test file, with the real Q-matrix."""
    lpp = shared_data / "assist2009" / "lpp"
    folder = tmp_path_factory.mktemp("assist2009") / "lpp"
    folder.mkdir()
    shutil.copy(lpp / "q_mat.npz", folder / "q_mat.npz")
    lines = (lpp / "preprocessed_data_test.csv").read_text().splitlines()[1:]
    users: list[str] = []
    kept = []
    for line in lines:
        user = line.split("\t", 1)[0]
        if user not in users:
            if len(users) == 40:
                break
            users.append(user)
        kept.append(line)
    (folder / "part.csv").write_text(LPP_HEADER + "\n".join(kept) + "\n")
    return folder


def _counts(store) -> dict:
    return km.graph_stats(store)


def test_assist_import_is_idempotent(store, lpp_slice: Path) -> None:
    data, report = sources.assist_source(lpp_slice, "a09")
    first = ingest(store, data, batch_size=500)
    stats = _counts(store)
    assert first.attempts_new == len(data.attempts) == stats["attempts"] > 1000
    assert stats["nodes"]["Student"] == 40
    assert report.problems == []
    second = ingest(store, data, batch_size=500)
    assert second.attempts_new == 0 and second.attempts_existing == len(data.attempts)
    assert _counts(store) == stats


def test_assist_mastery_is_bkt_over_the_history(store, lpp_slice: Path) -> None:
    data, _ = sources.assist_source(lpp_slice, "a09")
    ingest(store, data, batch_size=500)
    student = data.students[0].id
    kps_of = {}
    for t in data.tests:
        kps_of.setdefault(t.question_id, []).append(t.kp_id)
    history: dict[str, list[bool]] = {}
    for a in sorted((a for a in data.attempts if a.student_id == student), key=lambda a: a.seq):
        for kp in kps_of[a.question_id]:
            history.setdefault(kp, []).append(a.correct)
    overlay = km.student_overlay(store, student)
    assert set(overlay) == set(history)
    for kp, answers in history.items():
        assert overlay[kp].attempts == len(answers)
        assert overlay[kp].p == pytest.approx(bkt_trace(answers), abs=1e-9)


def test_two_dataset_names_never_merge(store, lpp_slice: Path) -> None:
    for name in ("a", "b"):
        data, _ = sources.assist_source(lpp_slice, name)
        ingest(store, data, batch_size=1000)
    stats = _counts(store)
    assert stats["nodes"]["Student"] == 80
    assert len(km.chapters(store, "a")) == len(km.chapters(store, "b")) == 1


def test_junyi_import_keeps_the_prerequisite_graph_acyclic(store, shared_data: Path) -> None:
    data, report = sources.junyi_source(shared_data / "junyi" / "junyi_Exercise_table.csv")
    ingest(store, data)
    ingest(store, data)  # idempotent
    stats = _counts(store)
    assert stats["nodes"] == {"KnowledgePoint": 835, "Chapter": 41}
    assert stats["relationships"]["PREREQUISITE_OF"] == len(data.prerequisites) == 978
    assert stats["relationships"]["REJECTED_PREREQUISITE"] == 3
    assert any("self-loop" in r.reason for r in data.rejected)
    assert any("cycle" in note for note in report.notes)
    g = nx.DiGraph()
    for chapter in km.chapters(store, "junyi"):
        for edge in km.chapter_map(store, chapter.id).edges:
            g.add_edge(edge.before, edge.after)
    assert g.number_of_edges() == 978
    assert nx.is_directed_acyclic_graph(g)


def test_lms_csv_bad_rows_are_reported_and_good_rows_load(store, tmp_path: Path) -> None:
    rows = ["student,question,kps,correct,timestamp,duration,device"]
    for i in range(12):  # one student, one 12-minute session of one-minute answers
        rows.append(f"ann,q{i % 4},add;sub,{i % 2},2026-11-02T10:{i:02d}:00Z,60,web")
    rows.insert(3, "bob,q1,add,maybe,2026-11-02T10:00:00Z,60,web")  # line 4: bad correct
    rows.insert(5, ",q1,add,1,2026-11-02T10:00:00Z,60,web")  # line 6: no student
    path = tmp_path / "lms.csv"
    path.write_text("\n".join(rows) + "\n")
    data, report = sources.lms_source(path, "lms")
    assert sorted(p.line for p in report.problems) == [4, 6]
    ingest(store, data)
    assert _counts(store)["attempts"] == 12
    ingest(store, data)
    assert _counts(store)["attempts"] == 12


def _abilities(store: GraphStore, student_ids: list[str]) -> dict[str, tuple[float, int]]:
    rows = store.read("student_abilities", {"student_ids": student_ids})
    return {r["id"]: (r["theta"], r["responses"]) for r in rows}


def _expected_thetas(data: GraphData, fitted: dict[str, tuple[float, float]] | None = None
                     ) -> dict[str, tuple[float, int]]:
    """Per student: the MAP theta over all their answers (items fitted, else their level's)."""
    level = {q.id: q.level for q in data.questions}
    out = {}
    for student in {a.student_id for a in data.attempts}:
        mine = [a for a in data.attempts if a.student_id == student]
        a, b = np.array([item_params(*(fitted or {}).get(x.question_id, (None, None)),
                                     level[x.question_id]) for x in mine]).T
        theta, _ = theta_from_responses(a, b, np.array([float(x.correct) for x in mine]))
        out[student] = (theta, len(mine))
    return out


def _assert_thetas(store: GraphStore, want: dict[str, tuple[float, int]]) -> None:
    got = _abilities(store, sorted(want))
    assert set(got) == set(want)
    for student, (theta, n) in want.items():
        assert got[student][0] == pytest.approx(theta, abs=1e-9) and got[student][1] == n


def test_an_import_leaves_theta_consistent_with_the_stored_attempts(store,
                                                                    tmp_path: Path) -> None:
    """LMS CSV: every student's theta is the MAP over their answers (level priors, no fit),
    a re-import changes nothing, and once a fit is written a new answer uses its a, b."""
    rows = ["student,question,kps,correct,timestamp,duration,device"]
    for i in range(10):
        rows.append(f"ann,q{i % 4},add,{int(i % 3 != 0)},2026-11-02T10:{i:02d}:00Z,60,web")
        rows.append(f"bob,q{i % 3},sub,{int(i % 4 == 0)},2026-11-02T11:{i:02d}:00Z,60,web")
    path = tmp_path / "lms.csv"
    path.write_text("\n".join(rows) + "\n")
    data, _ = sources.lms_source(path, "lms")
    result = ingest(store, data)
    assert result.theta_refreshed == 2
    want = _expected_thetas(data)
    assert want["lms:student:ann"][0] > 0 > want["lms:student:bob"][0]  # 6 of 10 right; 3 of 10
    _assert_thetas(store, want)
    assert ingest(store, data).theta_refreshed == 0  # nothing new: nothing recomputed
    _assert_thetas(store, want)

    fitted = {q.id: (1.5, 0.2 * i) for i, q in enumerate(data.questions)}
    write_irt(store, item_ids=list(fitted), a=[a for a, _ in fitted.values()],
              b=[b for _, b in fitted.values()], item_responses=[1] * len(fitted),
              student_ids=[], theta=[], theta_var=[], student_responses=[])
    more = [Attempt("lms:extra", "lms:student:ann", data.questions[0].id, False, 1)]
    ingest(store, GraphData("lms", attempts=more))
    after = _expected_thetas(GraphData("lms", questions=data.questions,
                                       attempts=[*data.attempts, *more]), fitted)
    _assert_thetas(store, {"lms:student:ann": after["lms:student:ann"]})
    _assert_thetas(store, {"lms:student:bob": want["lms:student:bob"]})  # untouched: as imported


def test_the_seed_import_gives_every_answering_student_their_theta(store) -> None:
    data, _ = sources.seed_source()
    ingest(store, data)
    assert len({a.student_id for a in data.attempts}) > 1
    _assert_thetas(store, _expected_thetas(data))


def test_a_few_new_answers_refresh_their_kps_from_the_whole_history(store) -> None:
    """A new answer, even one dated before earlier ones, leaves its KPs' mastery BKT over the
    whole history in time order, and the student's other KPs untouched."""
    kps = [KnowledgePoint(f"inc:kp:{k}", k, "inc:ch") for k in "ab"]
    questions = [Question(f"inc:q:{q}") for q in ("a1", "a2", "ab", "b1")]
    tests = [curriculum.Tests("inc:q:a1", "inc:kp:a"), curriculum.Tests("inc:q:a2", "inc:kp:a"),
             curriculum.Tests("inc:q:ab", "inc:kp:a"), curriculum.Tests("inc:q:ab", "inc:kp:b"),
             curriculum.Tests("inc:q:b1", "inc:kp:b")]
    answers = [("a1", True, 10), ("b1", False, 20), ("a2", False, 30), ("b1", True, 40)]
    ingest(store, GraphData("inc", [Chapter("inc:ch", "C")], kps, questions=questions,
                            tests=tests, students=[Student("inc:st:1")],
                            attempts=[Attempt(f"inc-{i}", "inc:st:1", f"inc:q:{q}", ok, ts, i)
                                      for i, (q, ok, ts) in enumerate(answers)]))
    b_before = km.student_overlay(store, "inc:st:1")["inc:kp:b"]
    late = ingest(store, GraphData("inc", attempts=[  # answered at ts 25, sent last
        Attempt("inc-late", "inc:st:1", "inc:q:a1", True, 25, 9)]))
    assert late.mastery_refreshed == 1  # KP a only
    overlay = km.student_overlay(store, "inc:st:1")
    assert overlay["inc:kp:a"].attempts == 3
    assert overlay["inc:kp:a"].p == pytest.approx(bkt_trace([True, True, False]), abs=1e-9)
    assert overlay["inc:kp:b"] == b_before
    both = ingest(store, GraphData("inc", attempts=[
        Attempt("inc-both", "inc:st:1", "inc:q:ab", False, 50, 10)]))
    assert both.mastery_refreshed == 2
    overlay = km.student_overlay(store, "inc:st:1")
    assert overlay["inc:kp:b"].p == pytest.approx(bkt_trace([False, True, False]), abs=1e-9)
    assert overlay["inc:kp:a"].p == pytest.approx(bkt_trace([True, True, False, False]),
                                                  abs=1e-9)
