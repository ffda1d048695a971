"""The 5-minute LRS sync against a real LRS: Ralph (``ralph-malph``, file-system backend) run
on loopback by ``tests/lrs_server.py``, and a fresh embedded graph per test.

Ralph's file backend filters ``since`` on the statements' ``timestamp`` rather than on
``stored`` (xAPI says stored), and reverses each ascending page; the statements here carry the
time they are posted as their timestamp, so both readings of ``since`` agree.
"""

from __future__ import annotations

import importlib.util
import sys
import time
import uuid
from collections.abc import Iterator, Mapping
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from cli.lrs import lrs as lrs_cli
from graph import lrs as lrs_cursor
from graph import xapi as xapi_store
from graph.embedded import EmbeddedServer
from graph.falkordb_store import FalkorStore
from graph.ingest import ingest
from services import scheduler
from services.imports import seed_source
from services.lrs import LrsError, sync_once
from services.recommend import Recommender
from services.settings import Settings
from tutor.access import tenant_student_id
from tutor.errors import GraphUnavailable, InvalidInput
from tutor.ports import GraphStore, Row
from tutor.xapi import VERB_ANSWERED

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from lrs_server import RalphLrs

NOW = int(time.time() * 1000)  # the sync's clock: statements are timestamped now (the API
# refuses answer times more than a day from the server's clock)
TENANT = "north-lrs"
IDS = uuid.UUID("5b0c7e0e-54a4-4c1b-9a0e-0b6d3c3f1a10")  # test statement ids: uuid5 in this

pytestmark = pytest.mark.skipif(importlib.util.find_spec("ralph") is None,
                                reason="needs ralph-malph[lrs] (the dev extras)")


@pytest.fixture
def lrs(tmp_path: Path) -> Iterator[RalphLrs]:
    server = RalphLrs(tmp_path / "ralph").start()
    yield server
    server.stop()


@pytest.fixture
def seeded(store: GraphStore) -> GraphStore:
    ingest(store, seed_source()[0])
    return store


@pytest.fixture
def questions(seeded: GraphStore) -> list[str]:
    return [q.id for q in seed_source()[0].questions[:6]]


def settings_for(lrs: RalphLrs, **kw: Any) -> Settings:
    return replace(Settings(lrs_url=lrs.url, lrs_user=lrs.user, lrs_password=lrs.password,
                            lrs_tenant=TENANT), **kw)


def at(cursor: str) -> datetime:
    return datetime.fromisoformat(cursor)


def answered(key: str, student: str, question: str, correct: bool = True,
             at: datetime | None = None) -> dict[str, Any]:
    """An xAPI answer as an LMS sends it; the timestamp is now unless given."""
    return {
        "id": str(uuid.uuid5(IDS, key)),
        "actor": {"objectType": "Agent", "name": student.title(),
                  "account": {"homePage": "https://lms.example.org", "name": student}},
        "verb": {"id": VERB_ANSWERED, "display": {"en-US": "answered"}},
        "object": {"objectType": "Activity",
                   "id": f"https://lms.example.org/algebra/questions/{question}"},
        "result": {"success": correct, "duration": "PT20S"},
        "timestamp": (at or datetime.now(UTC)).isoformat(),
    }


def stored_id(student: str) -> str:
    """The LRS's tenant creates its students in its namespace (docs/api.md, "Tenants")."""
    return tenant_student_id(TENANT, student)


def attempts_of(store: GraphStore, student: str) -> list[Row]:
    rows = store.read("rec_learner", {"student_id": stored_id(student), "limit": 100,
                                      "kept": False})
    if not rows:  # a student not stored has no attempts
        return []
    return [{"question_id": q, "correct": c}
            for q, c in zip(rows[0]["answer_ids"], rows[0]["answer_correct"], strict=True)]


def ability_of(store: GraphStore, student: str) -> tuple[float | None, int | None]:
    """The student's stored theta and how many answers it rests on."""
    row = store.read("rec_learner", {"student_id": stored_id(student), "limit": 1,
                                     "kept": False})[0]
    return row["theta"], row["responses"]


def reopen(store: GraphStore, request: pytest.FixtureRequest) -> FalkorStore:
    """A new store object on the same graph: what a restarted process gets."""
    if not isinstance(store, FalkorStore):
        pytest.skip("reopening is shown on the embedded graph")
    embedded: EmbeddedServer = request.getfixturevalue("embedded")
    return FalkorStore(embedded.client(), store._graph.name)


def test_each_statement_is_imported_once_and_a_restart_resumes_from_the_cursor(
        lrs: RalphLrs, seeded: GraphStore, questions: list[str],
        request: pytest.FixtureRequest) -> None:
    settings = settings_for(lrs)
    lrs.post([answered(f"a{i}", "lrs-st-ana", q, correct=i % 2 == 0)
              for i, q in enumerate(questions[:3])])
    first = sync_once(seeded, settings, NOW)
    assert (first.fetched, first.created, first.existing, first.malformed) == (3, 3, 0, 0)
    assert len(attempts_of(seeded, "lrs-st-ana")) == 3
    theta, responses = ability_of(seeded, "lrs-st-ana")  # recomputed from the 3 answers
    assert responses == 3 and theta is not None
    assert first.cursor and first.cursor == lrs_cursor.load(seeded, lrs.url).since

    again = sync_once(seeded, settings, NOW + 1)
    assert (again.fetched, again.created, again.existing) == (0, 0, 0)
    assert again.cursor == first.cursor

    lrs.post([answered("b0", "lrs-st-ana", questions[3]),
              answered("b1", "lrs-st-ben", questions[4], correct=False)])
    more = sync_once(seeded, settings, NOW + 2)
    assert (more.fetched, more.created, more.seen) == (2, 2, 0)
    assert at(more.cursor) > at(first.cursor)
    seeded.close()

    restarted = reopen(seeded, request)
    assert lrs_cursor.load(restarted, lrs.url).since == more.cursor
    assert sync_once(restarted, settings, NOW + 3).fetched == 0
    lrs.post([answered("c0", "lrs-st-ben", questions[5])])
    after = sync_once(restarted, settings, NOW + 4)
    assert (after.fetched, after.created) == (1, 1)
    assert len(attempts_of(restarted, "lrs-st-ana")) == 4
    assert len(attempts_of(restarted, "lrs-st-ben")) == 2
    assert [ability_of(restarted, s)[1] for s in ("lrs-st-ana", "lrs-st-ben")] == [4, 2]
    restarted.close()


def test_pages_follow_more_and_a_crash_resumes_after_the_last_stored_page(
        lrs: RalphLrs, seeded: GraphStore, questions: list[str]) -> None:
    settings = settings_for(lrs)
    for i, q in enumerate(questions[:5]):  # one POST each: five distinct `stored` times
        lrs.post([answered(f"p{i}", "lrs-st-cruz", q)])
    with pytest.raises(GraphUnavailable):
        sync_once(_FailsOnSecondPage(seeded), settings, NOW, page_size=2)
    cursor = lrs_cursor.load(seeded, lrs.url)
    assert len(cursor.ids) == 1 and cursor.stored is not None  # after page 1: two statements

    resumed = sync_once(seeded, settings, NOW + 1, page_size=2)
    assert resumed.pages == 2  # `more` was followed
    assert (resumed.fetched, resumed.seen, resumed.created) == (3, 0, 3)
    assert sorted(a["question_id"] for a in attempts_of(seeded, "lrs-st-cruz")) == sorted(
        questions[:5])


def test_a_statement_stored_again_under_the_same_id_is_not_imported_twice(
        lrs: RalphLrs, seeded: GraphStore, questions: list[str]) -> None:
    settings = settings_for(lrs)
    # timestamped ahead of the LRS clock, so Ralph's `since` (on timestamp) returns it again
    ahead = datetime.now(UTC) + timedelta(hours=1)
    (sid,) = lrs.post([answered("r0", "lrs-st-dia", questions[0], at=ahead)])
    assert sync_once(seeded, settings, NOW).created == 1
    ability = ability_of(seeded, "lrs-st-dia")

    boundary = sync_once(seeded, settings, NOW + 1)
    assert (boundary.fetched, boundary.seen, boundary.created) == (1, 1, 0)

    copy = {**answered("r0", "lrs-st-dia", questions[0], at=ahead),
            "stored": datetime.now(UTC).isoformat(),
            "authority": {"objectType": "Agent", "mbox": "mailto:restore@example.org"}}
    lrs.append_raw(copy)  # e.g. restored from a backup: a new `stored` time, the same id
    again = sync_once(seeded, settings, NOW + 2)
    assert (again.created, again.existing, again.rejected) == (0, 1, 0)
    assert at(again.cursor) > at(boundary.cursor)
    assert [a["question_id"] for a in attempts_of(seeded, "lrs-st-dia")] == [questions[0]]
    assert ability_of(seeded, "lrs-st-dia") == ability  # the copy moved nothing
    assert sid == copy["id"]


def test_malformed_statements_are_skipped_counted_and_not_read_again(
        lrs: RalphLrs, seeded: GraphStore, questions: list[str],
        caplog: pytest.LogCaptureFixture) -> None:
    settings = settings_for(lrs)
    lrs.post([answered("m0", "lrs-st-eli", questions[0])])
    stored = datetime.now(UTC).isoformat()
    bad = {**answered("m1", "lrs-st-eli", questions[1]), "stored": stored}
    bad["result"] = {"success": "yes"}
    lrs.append_raw(bad)
    lrs.append_raw({**answered("m2", "lrs-st-eli", questions[2])})  # no `stored` at all
    lrs.post([answered("m3", "lrs-st-eli", questions[3])])

    report = sync_once(seeded, settings, NOW)
    assert (report.fetched, report.created, report.malformed) == (4, 2, 2)
    assert any(bad["id"] in line and "result.success" in line for line in report.skipped)
    assert any("stored" in line for line in report.skipped)
    assert f"LRS statement {bad['id']} skipped" in caplog.text
    assert len(attempts_of(seeded, "lrs-st-eli")) == 2
    later = sync_once(seeded, settings, NOW + 1)
    assert (later.fetched, later.created, later.malformed) == (0, 0, 0)


def test_network_and_http_errors_are_lrs_errors_and_leave_the_cursor(
        lrs: RalphLrs, seeded: GraphStore, questions: list[str]) -> None:
    lrs.post([answered("e0", "lrs-st-fay", questions[0])])
    with pytest.raises(LrsError, match="refused the credentials"):
        sync_once(seeded, settings_for(lrs, lrs_password="wrong"), NOW)
    assert lrs_cursor.load(seeded, lrs.url).stored is None
    not_xapi = f"http://127.0.0.1:{lrs.port}/not-xapi"
    with pytest.raises(LrsError, match="HTTP 404"):
        sync_once(seeded, settings_for(lrs, lrs_url=not_xapi), NOW)

    url = lrs.url
    lrs.stop()
    with pytest.raises(LrsError, match="cannot reach the LRS"):
        sync_once(seeded, settings_for(lrs), NOW)
    assert lrs_cursor.load(seeded, url).stored is None
    assert attempts_of(seeded, "lrs-st-fay") == []


def test_settings_are_checked_before_anything_is_read(seeded: GraphStore) -> None:
    with pytest.raises(InvalidInput, match="KGTUTOR_LRS_URL"):
        sync_once(seeded, Settings(lrs_url="ftp://lrs.example.org", lrs_tenant="t"), NOW)
    with pytest.raises(InvalidInput, match="KGTUTOR_LRS_TENANT"):
        sync_once(seeded, Settings(lrs_url="http://127.0.0.1:9/xAPI"), NOW)


def test_the_scheduler_syncs_every_five_minutes_on_the_injected_clock(
        lrs: RalphLrs, seeded: GraphStore, questions: list[str]) -> None:
    settings = settings_for(lrs)
    assert scheduler.service_jobs(seeded, Recommender(seeded), Settings()).lrs is None
    jobs = scheduler.service_jobs(seeded, Recommender(seeded), settings)
    clock = [NOW]
    s = scheduler.build(jobs, clock=lambda: clock[0])
    job = s.get_job("lrs")
    assert job.trigger.interval == timedelta(minutes=5)
    assert scheduler.build(scheduler.Jobs(print, print, print)).get_job("lrs") is None

    lrs.post([answered("s0", "lrs-st-gus", questions[0])])
    job.func()
    clock[0] += 5 * 60_000
    lrs.post([answered("s1", "lrs-st-gus", questions[1])])
    job.func()
    job.func()  # nothing new
    rows = xapi_store.list_statements(seeded, TENANT, 0, None, 10)
    assert [r["stored"] for r in rows] == [NOW, NOW + 5 * 60_000]
    assert len(attempts_of(seeded, "lrs-st-gus")) == 2


def test_the_cli_syncs_once(lrs: RalphLrs, tmp_path: Path) -> None:
    settings = settings_for(lrs, var_dir=tmp_path / "var")  # an empty graph of its own
    lrs.post([answered("k0", "lrs-st-hal", "alg-q-integers-number-line-01")])
    try:
        out = CliRunner().invoke(lrs_cli, ["sync", "--once"], obj=settings)
        assert out.exit_code == 0, out.output
        assert "1 statement(s) in 1 page(s)" in out.output
        assert "rejected" in out.output and "cursor: 20" in out.output
        again = CliRunner().invoke(lrs_cli, ["sync", "--once", "--json"], obj=settings)
        assert again.exit_code == 0, again.output
        assert '"fetched": 0' in again.output
        bare = CliRunner().invoke(lrs_cli, ["sync"], obj=settings)
        assert bare.exit_code == 2 and "--once" in bare.output
    finally:
        EmbeddedServer(tmp_path / "var" / "graph").stop(force=True)


class _FailsOnSecondPage:
    """The real store, except that the graph goes away while the second page is written."""

    def __init__(self, store: GraphStore) -> None:
        self._store, self._pages = store, 0

    def read(self, query: str, params: Mapping[str, Any] | None = None) -> list[Row]:
        return self._store.read(query, params)

    def write(self, query: str, params: Mapping[str, Any] | None = None) -> list[Row]:
        if query == "save_statements":
            self._pages += 1
            if self._pages == 2:
                raise GraphUnavailable("the graph went away")
        return self._store.write(query, params)

    def ensure_schema(self) -> None:
        self._store.ensure_schema()

    def close(self) -> None:
        self._store.close()

