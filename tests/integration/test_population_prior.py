"""The population prior in production: computed from the stored first answers by the daily job
(and `kgtutor train priors`), stored on the KPs, read into the served recommender's catalogue,
and used by its ranking: a KP most students know already is not taught to a new student."""

from __future__ import annotations

import pytest

from graph.ingest import GraphData, ingest
from services.recommend import Recommender
from services.scheduler import service_jobs
from services.settings import Settings
from tutor import curriculum as cur
from tutor.curriculum import Chapter, KnowledgePoint, Prerequisite, Question
from tutor.mastery import Attempt
from tutor.ports import GraphStore
from tutor.roster import Student

DS = "pp"
KNOWN, UNKNOWN, AFTER = "pp-kp-known", "pp-kp-unknown", "pp-kp-after-known"
NOW = 1_795_000_000_000
PEERS = 30


def _dataset() -> GraphData:
    """KNOWN and UNKNOWN are roots, AFTER needs KNOWN. Every peer answers KNOWN right first and
    UNKNOWN wrong first; nobody has answered AFTER; ``pp-st-new`` has answered nothing."""
    kps = [KnowledgePoint(k, k, "pp-ch") for k in (KNOWN, UNKNOWN, AFTER)]
    questions = [Question(f"{k}-q{i}") for k in (KNOWN, UNKNOWN, AFTER) for i in range(3)]
    tests = [cur.Tests(q.id, q.id.rsplit("-q", 1)[0]) for q in questions]
    peers = [Student(f"pp-st-{j:02d}") for j in range(PEERS)]
    attempts = [Attempt(f"pp:{s.id}:{t}", s.id, f"{k}-q0", ok, ts=NOW - 3_600_000 + t, seq=t)
                for s in peers for t, (k, ok) in enumerate(((KNOWN, True), (UNKNOWN, False)))]
    return GraphData(DS, [Chapter("pp-ch", "Chapter", 1)], kps, [Prerequisite(KNOWN, AFTER)],
                     questions=questions, tests=tests,
                     students=[*peers, Student("pp-st-new")], attempts=attempts)


def test_the_daily_job_stores_the_prior_and_the_frontier_skips_known_kps(
        store: GraphStore) -> None:
    ingest(store, _dataset())
    served = Recommender(store)
    before = served.recommend("pp-st-new")
    assert served.catalogue(DS)[0].known_share == {}
    assert KNOWN in {k.kp_id for k in before.kps}  # a new student starts at the roots

    service_jobs(store, served, Settings()).profiles(NOW)  # the daily job, as scheduled

    shares = served.catalogue(DS)[0].known_share
    assert set(shares) == {KNOWN, UNKNOWN, AFTER}
    # first answers: KNOWN 30/30 right, UNKNOWN 0/30, AFTER none (the dataset's rate, 0.5),
    # shrunk with 10 pseudo answers and freed of guess 0.2 and slip 0.1
    assert shares[KNOWN] == pytest.approx(((30 + 5) / 40 - 0.2) / 0.7)
    assert shares[UNKNOWN] == 0.0
    assert shares[AFTER] == pytest.approx((0.5 - 0.2) / 0.7)
    after = served.recommend("pp-st-new")
    assert not after.cold_start
    assert {k.kp_id for k in after.kps} == {UNKNOWN, AFTER}  # KNOWN counts as mastered
    assert after.items and all(r.kp_id != KNOWN for r in after.items)


def test_the_prior_follows_the_stored_answers(store: GraphStore) -> None:
    from services.priors import refresh_priors

    data = _dataset()
    ingest(store, data)
    assert refresh_priors(store) == {DS: 3}
    late = [Attempt(f"pp:late:{j}", f"pp-st-{j:02d}", f"{AFTER}-q0", False, ts=NOW, seq=9)
            for j in range(PEERS)]
    ingest(store, GraphData(DS, attempts=late))
    assert refresh_priors(store) == refresh_priors(store) == {DS: 3}  # idempotent
    shares = Recommender(store).catalogue(DS)[0].known_share
    assert shares[AFTER] < 0.2  # 30 wrong first answers now
    assert shares[KNOWN] > 0.85  # a later answer never replaces a first one
