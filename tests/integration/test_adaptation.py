"""Affect, adjustments, plans, profiles and reports on the seeded embedded graph."""

from __future__ import annotations

import json
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

import pytest

from cli.common import store_for
from graph import affect as affect_store
from graph import notify as outbox
from graph.ingest import GraphData, ingest
from seeds.curriculum import load_curriculum
from services import adjust, paths, profiles, reports, scheduler
from services import plan as planner
from services.recommend import Recommender
from services.settings import Settings
from tests.integration.conftest import run
from tutor.adjust import WINDOW_MS
from tutor.affect import self_report
from tutor.errors import ConsentRequired, NotFound
from tutor.mastery import Attempt
from tutor.ports import GraphStore

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "affect"
NOW = 1_795_000_000_000 - 1_795_000_000_000 % WINDOW_MS + 60_000  # a minute into a window
STUCK_KP = "alg-kp-absolute-value"


@pytest.fixture(scope="module")
def var_dir(seeded_var: Path) -> Path:
    return seeded_var


@pytest.fixture
def store(var_dir: Path) -> Iterator[GraphStore]:
    with store_for(Settings(var_dir=var_dir)) as s:
        yield s


@pytest.fixture
def service(store: GraphStore) -> Recommender:
    return Recommender(store)


def test_affect_is_refused_without_consent_and_nothing_is_stored(store: GraphStore) -> None:
    assert not affect_store.consent(store, "alg-st-chloe")
    with pytest.raises(ConsentRequired):
        affect_store.record(store, "alg-st-chloe", self_report("upset", NOW))
    affect_store.set_consent(store, "alg-st-chloe", True, NOW)
    assert affect_store.export(store, "alg-st-chloe") == []
    affect_store.set_consent(store, "alg-st-chloe", False, NOW)
    with pytest.raises(NotFound):
        affect_store.record(store, "nobody", self_report("upset", NOW))


def test_only_the_tag_is_stored_never_the_media(var_dir: Path, store: GraphStore) -> None:
    face = FIXTURES / "face_smile.jpg"
    before = {p for p in var_dir.rglob("*") if p.is_file()}
    out = run(var_dir, "affect", "sense", "alg-st-amara", "--face", str(face),
              "--voice", str(FIXTURES / "voice_positive.wav"))
    assert out.exit_code == 0, out.output
    assert "face: positive" in out.output
    rows = run(var_dir, "affect", "export", "alg-st-amara")
    exported = json.loads(rows.output)["affect"]
    assert {r["source"] for r in exported} == {"face", "voice"}
    assert all(set(r) == {"tag", "confidence", "source", "ts"} for r in exported)
    after = {p for p in var_dir.rglob("*") if p.is_file()}
    assert all(p.is_relative_to(var_dir / "graph") for p in after - before)  # no media files
    media = face.read_bytes()[1000:1064], (FIXTURES / "voice_positive.wav").read_bytes()[
        2000:2064]
    for path in after:  # the graph's own files hold no byte run of the image or the clip
        data = path.read_bytes()
        assert not any(chunk in data for chunk in media), path
    deleted = run(var_dir, "affect", "delete", "alg-st-amara")
    assert deleted.exit_code == 0 and "2 affect record(s) deleted" in deleted.output
    assert json.loads(run(var_dir, "affect", "export", "alg-st-amara").output)["affect"] == []


def test_a_tired_student_gets_three_tasks_and_a_rest(store: GraphStore,
                                                     service: Recommender) -> None:
    affect_store.record(store, "alg-st-ben", self_report("tired", NOW - 60_000))
    p = planner.plan(store, service, "alg-st-ben", NOW)
    assert len(p.recommendations.items) == 3
    assert p.adaptation.rest == "Rest for 10 minutes" and p.affect.tag == "fatigued"
    assert p.resources  # three resources on the KPs practised
    affect_store.delete(store, "alg-st-ben")


def test_a_happy_student_gets_more_challenge(store: GraphStore, service: Recommender) -> None:
    affect_store.record(store, "alg-st-ben", self_report("happy", NOW - 60_000))
    p = planner.plan(store, service, "alg-st-ben", NOW)
    assert p.adaptation.config.challenge_share == 0.4 and len(p.recommendations.items) == 5
    affect_store.delete(store, "alg-st-ben")


def test_confusion_reroutes_to_prerequisites_with_basic_resources(
        store: GraphStore, service: Recommender) -> None:
    """A new student wrong on word problems, whose two prerequisites they have not shown."""
    student, kp = "adapt-st-confused", "alg-kp-equation-word-problems"
    dataset = store.read("rec_learner", {"student_id": "alg-st-farah", "limit": 1,
                                       "kept": False})[0]["dataset"]
    store.write("create_student", {"id": student, "name": "Confused", "email": "",
                                   "tenant": "", "dataset": dataset, "now": NOW})
    ingest(store, GraphData(dataset, attempts=[Attempt(
        "confused-0", student, "alg-q-equation-word-problems-01", False, ts=NOW - 90_000)]))
    affect_store.set_consent(store, student, True, NOW - 80_000)
    affect_store.record(store, student, self_report("confused", NOW - 60_000))
    p = planner.plan(store, service, student, NOW)
    kinds = {a.kind for a in p.actions}
    assert {"basic_resources", "offer_tutoring", "reroute"} <= kinds
    assert set(p.adaptation.focus_kps) == {"alg-kp-translating-words",
                                           "alg-kp-multi-step-equations"}
    assert {k.kp_id for k in p.recommendations.kps} <= set(p.adaptation.focus_kps)
    assert all(k.reasons[0].startswith("re-routed") for k in p.recommendations.kps)
    assert any(r["level"] == "basic" for r in p.resources)
    assert kp in next(a for a in p.actions if a.kind == "basic_resources").kp_ids


def test_a_negative_student_gets_support_and_the_tutor_one_email(
        store: GraphStore, service: Recommender) -> None:
    affect_store.set_consent(store, "alg-st-grace", True, NOW)
    affect_store.record(store, "alg-st-grace", self_report("upset", NOW - 60_000))
    before = outbox.notifications_for(store, "alg-st-grace")
    p = planner.plan(store, service, "alg-st-grace", NOW)
    assert any(r["kind"] == "support" for r in p.resources) and p.adaptation.notify_tutor
    assert outbox.notifications_for(store, "alg-st-grace") == before  # a plan only reads
    for at in (NOW - 60_000, NOW):  # the reading's POST reacts; again in the window: no more
        adjust.react_to_affect(store, service, "alg-st-grace", at)
    mails = outbox.notifications_for(store, "alg-st-grace")
    tutors = store.read("student_tutors", {"student_id": "alg-st-grace"})
    assert len(mails) == len(tutors) >= 1
    assert {m.to for m in mails} == {t["email"] for t in tutors}
    assert all("may need support" in m.subject for m in mails)
    affect_store.delete(store, "alg-st-grace")


def test_a_sensed_negative_voice_reacts_like_the_api(var_dir: Path, store: GraphStore) -> None:
    affect_store.set_consent(store, "alg-st-farah", True, NOW)
    before = outbox.notifications_for(store, "alg-st-farah")
    out = run(var_dir, "affect", "sense", "alg-st-farah", "--voice",
              str(FIXTURES / "voice_negative.wav"))
    assert out.exit_code == 0, out.output
    assert "voice: negative" in out.output
    mails = outbox.notifications_for(store, "alg-st-farah")
    tutors = store.read("student_tutors", {"student_id": "alg-st-farah"})
    assert len(mails) - len(before) == len(tutors) >= 1  # the write that caused it e-mails
    affect_store.delete(store, "alg-st-farah")


def test_adjustment_is_idempotent_per_window_and_safe_with_two_runs(
        store: GraphStore, service: Recommender) -> None:
    students = ["alg-st-amara", "alg-st-ben"]
    at = NOW + 10 * WINDOW_MS
    with ThreadPoolExecutor(2) as pool:  # two "processes" on the same window at once
        runs = list(pool.map(lambda rid: adjust.run_once(store, service, at, students,
                                                         run_id=rid), ["a", "b"]))
    assert sorted(len(r.created) for r in runs) in ([0, 2], [1, 1])
    assert sum(len(r.created) for r in runs) == 2
    assert sum(len(r.already_done) for r in runs) == 2
    again = adjust.run_once(store, service, at + 60_000, students)
    assert again.created == [] and again.already_done == students
    later = adjust.run_once(store, service, at + WINDOW_MS, students)
    assert len(later.created) == 2
    trail = adjust.audit_trail(store, "alg-st-amara")
    assert [t["window"] for t in trail[:2]] == [at - at % WINDOW_MS + WINDOW_MS,
                                                at - at % WINDOW_MS]
    assert all(t["reasons"] for t in trail)


def test_a_stuck_student_is_set_a_practice_set_on_the_kp(store: GraphStore,
                                                        service: Recommender) -> None:
    dataset = store.read("rec_learner", {"student_id": "alg-st-farah", "limit": 1,
                                       "kept": False})[0]["dataset"]
    question = "alg-q-absolute-value-01"
    ingest(store, GraphData(dataset, attempts=[
        Attempt(f"stuck-{i}", "alg-st-farah", question, False, ts=NOW - 300_000 + i)
        for i in range(3)]))
    at = NOW + 20 * WINDOW_MS
    run = adjust.run_once(store, service, at, ["alg-st-farah"])
    (a,) = run.created
    assert "stuck" in a.findings
    practice = next(x for x in a.actions if x.kind == "practice_set")
    p = planner.plan(store, service, "alg-st-farah", at + 1000)
    assert practice.kp_ids == (STUCK_KP,) and practice.count == 3  # 10 until 2026-12-03
    on_kp = {t.question_id for t in load_curriculum().tests if t.kp_id == STUCK_KP}
    assert len(on_kp) == 5  # the plan gives 3 of them
    items = [i.question_id for i in p.recommendations.items]
    assert len(items) == 3 and set(items) <= on_kp
    assert {i.kp_id for i in p.recommendations.items} == {STUCK_KP}
    assert "offer_qa" in {x.kind for x in p.actions}
    ingest(store, GraphData(dataset, attempts=[  # the first of the 3, then two more
        Attempt("set-0", "alg-st-farah", items[0], True, ts=at + 2000)]))
    p = planner.plan(store, service, "alg-st-farah", at + 3000)
    assert len(p.recommendations.items) == 2
    assert {i.kp_id for i in p.recommendations.items} == {STUCK_KP}
    assert f"stuck on {STUCK_KP}: 2 of 3 practice questions left" in p.reasons
    ingest(store, GraphData(dataset, attempts=[
        Attempt(f"set-{i}", "alg-st-farah", q, True, ts=at + 3000 + i)
        for i, q in enumerate(items[1:3], 1)]))
    p = planner.plan(store, service, "alg-st-farah", at + 5000)
    assert f"practice set on {STUCK_KP} done: back to the path" in p.reasons
    assert len(p.recommendations.items) == service.config.n  # the path's list, not the set's


def test_the_scheduler_runs_the_jobs_on_an_injected_clock(store: GraphStore,
                                                          service: Recommender) -> None:
    clock = [NOW + 40 * WINDOW_MS]
    done: list[tuple[str, int]] = []
    jobs = scheduler.Jobs(
        adjust=lambda now: done.append(("adjust", len(adjust.run_once(
            store, service, now, ["alg-st-emma"]).created))),
        deliver=lambda now: done.append(("deliver", outbox.deliver_due(store, _NoSmtp(), now)
                                         .sent)),
        profiles=lambda now: done.append(("profiles", 0)))
    s = scheduler.build(jobs, clock=lambda: clock[0])
    start = datetime(2026, 11, 23, 10, 7, tzinfo=UTC)
    fires = {j.id: j.trigger.get_next_fire_time(None, start) for j in s.get_jobs()}
    assert fires["adjust"] == datetime(2026, 11, 23, 10, 15, tzinfo=UTC)
    assert fires["profiles"] == datetime(2026, 11, 24, 2, 30, tzinfo=UTC)
    adjust_job = s.get_job("adjust")
    adjust_job.func()
    adjust_job.func()  # same window: nothing new
    clock[0] += WINDOW_MS
    adjust_job.func()
    assert done == [("adjust", 1), ("adjust", 0), ("adjust", 1)]


class _NoSmtp:
    configured = False

    def send(self, n: object) -> None:
        raise AssertionError("not configured: nothing is sent")


def test_profiles_and_the_tutor_report(var_dir: Path, store: GraphStore,
                                       service: Recommender) -> None:
    out = run(var_dir, "profiles", "refresh")
    assert out.exit_code == 0 and "profile(s) refreshed" in out.output
    p = profiles.read(store, "alg-st-amara")
    assert p["attempts"] > 0 and p["interest_tags"] and p["class_ids"]
    assert abs(sum(p["interest_tags"].values()) - 1.0) < 1e-9
    affect_store.record(store, "alg-st-ben", self_report("upset", NOW - 60_000))
    report = reports.student_report(store, service, "alg-st-ben", NOW)
    assert "negative-affect" in {s["rule"] for s in report["suggestions"]}
    assert report["affect"] and report["profile"]["name"] == "Ben Carter"
    no_consent = reports.student_report(store, service, "alg-st-chloe", NOW)
    assert no_consent["affect"] is None
    affect_store.delete(store, "alg-st-ben")
    cli = run(var_dir, "report", "alg-st-ben")
    assert cli.exit_code == 0 and json.loads(cli.output)["profile"]["student_id"] == "alg-st-ben"


def test_affect_reroutes_the_learning_path_at_once(store: GraphStore,
                                                   service: Recommender) -> None:
    goal = "alg-kp-equation-word-problems"
    tau = service.config.mastery_threshold
    first = paths.start(store, "alg-st-diego", goal, tau, NOW)
    affect_store.record(store, "alg-st-diego", self_report("tired", NOW + 1000))
    adjust.react_to_affect(store, service, "alg-st-diego", NOW + 2000)
    tired = paths.current(store, "alg-st-diego", goal)
    assert tired.session_size == 3 and tired.version > first.version
    history = paths.history(store, "alg-st-diego", goal)
    assert history[0].version == tired.version and history[-1].version == 1
    assert all(h.reason for h in history)
    affect_store.delete(store, "alg-st-diego")
