"""The 15-minute adjustment job and the tutor e-mail it (and the live affect path) sends.

Idempotent per window and safe with two processes: each run has its own id, the adjustment
node is MERGEd on ``student|window`` with ON CREATE only, so the first writer's version stays
and every later run learns it did not create it and sends nothing. Tutor e-mails go through
the graph outbox with ids derived from (student, window, tutor): queued at most once.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field

from graph import adjust as adjust_store
from graph import affect as affect_store
from graph import experiment as experiment_store
from graph import notify as outbox
from graph import paths as path_store
from graph import profiles as profile_store
from graph import roster
from graph.recommend import load_learner
from services import paths
from services.recommend import Recommender
from tutor import notify as outbox_rules
from tutor.adjust import WINDOW_MS, AdjustConfig, Adjustment, Snapshot, assess, window_of
from tutor.affect import AffectReading, fuse
from tutor.affect_rules import AdaptAction, Adaptation, adapt, confusing_kp
from tutor.errors import InvalidInput, NotFound
from tutor.experiment import ADAPTIVE
from tutor.paths import LearningPath
from tutor.ports import GraphStore
from tutor.recommend_types import LearnerState

log = logging.getLogger(__name__)

ACTIVE_MS = 60 * 60_000  # a student counts as active for an hour after an answer or a feeling
BATCH = 200  # students read in one round trip, their progress in one pass of the model
REST_SESSION = 3  # steps in the next session of a fatigued student's path


@dataclass
class AdjustRun:
    window: int
    created: list[Adjustment] = field(default_factory=list)
    already_done: list[str] = field(default_factory=list)  # students another run covered
    emails_queued: int = 0


def snapshot(store: GraphStore, recommender: Recommender, student_id: str, now: int
             ) -> Snapshot:
    dataset, learner = load_learner(store, student_id)
    return snapshot_of(recommender, dataset, learner,
                       affect_store.history(store, student_id, now - WINDOW_MS), now)


def snapshot_of(recommender: Recommender, dataset: str, learner: LearnerState,
                readings: Sequence[AffectReading], now: int) -> Snapshot:
    """The snapshot of a student already read (``readings``: the window's affect tags)."""
    return snapshots_of(recommender, [(dataset, learner, readings)], now)[0]


def snapshots_of(recommender: Recommender,
                 learners: Sequence[tuple[str, LearnerState, Sequence[AffectReading]]],
                 now: int) -> list[Snapshot]:
    """Snapshots of students already read, (dataset, state, affect tags) each; the progress
    model runs once per dataset for all of them (a class report has dozens)."""
    progress: dict[int, float] = {}
    by_dataset: dict[str, list[int]] = {}
    for i, (dataset, learner, _) in enumerate(learners):
        if learner.history:
            by_dataset.setdefault(dataset, []).append(i)
    for dataset, rows in by_dataset.items():
        weak = recommender.predictors_for(dataset).weak
        if weak is not None:
            found = weak.progress_of([learners[i][1].history for i in rows])
            progress.update(zip(rows, found, strict=True))
    snapshots = []
    for i, (dataset, learner, readings) in enumerate(learners):
        catalogue, _ = recommender.catalogue(dataset)
        history = learner.history
        snapshots.append(Snapshot(
            student_id=learner.student_id,
            history=history,
            question_kps=catalogue.kps_of,
            mastery=learner.mastery,
            progress=progress.get(i),
            affect=fuse(readings, now),
            prerequisites=catalogue.prerequisites,
        ))
    return snapshots


def run_once(store: GraphStore, recommender: Recommender, now: int,
             students: Sequence[str] | None = None, config: AdjustConfig = AdjustConfig(),
             run_id: str | None = None) -> AdjustRun:
    """Assess every active student (or the given ones) for the window holding ``now``."""
    run_id = run_id or uuid.uuid4().hex
    run = AdjustRun(window_of(now))
    if students is None:
        students = adjust_store.active_students(store, now - ACTIVE_MS)
    controls = experiment_store.control_students(store, students, ADAPTIVE)
    assessed = [s for s in students if s not in controls]  # a control arm is not adjusted
    for start in range(0, len(assessed), BATCH):
        batch = assessed[start:start + BATCH]
        found = adjust_store.learners(store, batch, now - WINDOW_MS)
        missing = [s for s in batch if s not in found]
        if missing:
            raise NotFound(f"no student {missing[0]!r}")
        for snap in snapshots_of(recommender, [found[s] for s in batch], now):
            adjustment, sid = assess(snap, run.window, config, recommender.config), snap.student_id
            if not save(store, adjustment, run_id, now):
                run.already_done.append(sid)
                continue
            run.created.append(adjustment)
            reroute_path(store, sid, adjustment.actions, recommender.config.mastery_threshold,
                         now)
            if any(a.kind == "notify_tutor" for a in adjustment.actions):
                run.emails_queued += notify_tutors(store, sid, run.window, adjustment.reasons,
                                                   now)
    return run


def react_to_affect(store: GraphStore, recommender: Recommender, student_id: str, now: int
                    ) -> Adaptation:
    """Right after a new affect reading: re-route the path and alert the tutor at once, not
    at the next quarter hour (both idempotent, so the 15-minute job may repeat them)."""
    snap = snapshot(store, recommender, student_id, now)
    adaptation = adapt(snap.affect, recommender.config,
                       confusing_kp(snap.history, snap.question_kps), snap.prerequisites,
                       snap.mastery)
    reroute_path(store, student_id, adaptation.actions, recommender.config.mastery_threshold,
                 now)
    if adaptation.notify_tutor:
        notify_tutors(store, student_id, window_of(now), adaptation.reasons, now)
    return adaptation


def reroute_path(store: GraphStore, student_id: str, actions: Sequence[AdaptAction],
                 tau: float, now: int) -> LearningPath | None:
    """Carry an adjustment onto the student's current learning path, if they have one:
    mastery skips ahead, confusion inserts prerequisites, fatigue shortens the next session.
    Each change is a new path version with its reason (nothing is stored when none applies).
    A student in an experiment's control arm keeps their path as it is: re-routing is the
    product's policy, not the control's."""
    if path_store.current(store, student_id) is None or experiment_store.control_students(
            store, [student_id], ADAPTIVE):
        return None
    path = paths.refresh_mastery(store, student_id, tau, now)
    for action in actions:
        if action.kind == "reroute" and action.kp_ids:
            path = paths.reroute_confused(store, student_id, action.kp_ids[0], tau, now)
        elif action.kind == "rest":
            path = paths.fatigue(store, student_id, REST_SESSION, now)
    return path


def save(store: GraphStore, adjustment: Adjustment, run_id: str, now: int) -> bool:
    """Persist with its reasons; False when this window's adjustment already existed."""
    return adjust_store.save(store, adjustment, run_id, now)


def audit_trail(store: GraphStore, student_id: str, limit: int = 50) -> list[dict[str, object]]:
    """The student's adjustments, newest first, as a tutor reads them."""
    return adjust_store.trail(store, student_id, limit)


def notify_tutors(store: GraphStore, student_id: str, window: int, reasons: Sequence[str],
                  now: int) -> int:
    """Queue one e-mail per tutor of the student's classes; at most once per window."""
    name = (profile_store.read(store, student_id) or {}).get("name")
    who = name or student_id
    body = "\n".join([
        f"kgtutor noticed that {who} may be having a hard time.", "",
        *[f"- {r}" for r in reasons], "",
        "They have been offered support resources. A short personal check-in may help.",
    ])
    queued = 0
    for tutor in roster.student_tutors(store, student_id):
        try:
            n = outbox_rules.new_notification(
                "negative_affect", student_id, f"{window}|{tutor['id']}", tutor["email"] or "",
                f"kgtutor: {who} may need support", body, now)
        except InvalidInput as e:  # a tutor without a usable address must not stop the run
            log.warning("tutor %s not e-mailed: %s", tutor["id"], e)
            continue
        queued += outbox.enqueue(store, n)
    return queued
