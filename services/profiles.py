"""The daily profile job and the facts the intervention rules read."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from typing import Any

from graph import profiles as profile_store
from graph import roster
from services.adjust import snapshot
from services.recommend import Recommender
from tutor.adjust import AdjustConfig, Snapshot, stuck_kps
from tutor.errors import NotFound
from tutor.ports import GraphStore
from tutor.profiles import DAY_MS, build_profile

BATCH = 500  # students per read: bounded memory on the full ASSISTments graph


def refresh_all(store: GraphStore, recommender: Recommender, now: int) -> int:
    """Recompute and store every student's profile; returns how many were written.
    Idempotent: a re-run the same day writes the same values."""
    by_dataset: dict[str, list[str]] = defaultdict(list)
    for student_id, dataset in roster.all_students(store):
        by_dataset[dataset].append(student_id)
    written = 0
    for dataset, ids in by_dataset.items():
        catalogue = recommender.catalogue(dataset)[0] if dataset else None
        kps = {q: f.kp_ids for q, f in catalogue.questions.items()} if catalogue else {}
        for start in range(0, len(ids), BATCH):
            batch = ids[start:start + BATCH]
            grouped = profile_store.answers(store, batch)
            moods = profile_store.latest_affect(store, batch)
            written += profile_store.save(store, [
                build_profile(sid, grouped.get(sid, []), kps, moods.get(sid), now)
                for sid in batch])
    return written


def read(store: GraphStore, student_id: str) -> dict:
    """Basic info, classes and the last stored profile (None fields before the first run)."""
    row = profile_store.read(store, student_id)
    if row is None:
        raise NotFound(f"no student {student_id!r}")
    return row


def intervention_facts(store: GraphStore, recommender: Recommender, student_id: str,
                       now: int) -> dict[str, float | bool | str]:
    """The typed facts of ``tutor.interventions.FACTS`` for one student, read fresh."""
    return facts_of(snapshot(store, recommender, student_id, now), read(store, student_id),
                    recommender, now)


def facts_of(snap: Snapshot, profile: Mapping[str, Any], recommender: Recommender,
             now: int) -> dict[str, float | bool | str]:
    """The facts of a student's snapshot and stored profile counts (``attempts_7d``,
    ``last_active``, ``time_spent_s``), however they were read."""
    recent = snap.history[-20:]
    mastery = list(snap.mastery.values())
    last = profile["last_active"] or 0
    return {
        "progress": float(snap.progress or 0.0),
        "has_progress": snap.progress is not None,
        "affect": str(snap.affect.tag),
        "affect_confidence": float(snap.affect.confidence),
        "mastery_mean": sum(mastery) / len(mastery) if mastery else 0.0,
        "stuck_kps": float(len(stuck_kps(snap, AdjustConfig(), recommender.config
                                          .mastery_threshold))),
        "accuracy": sum(ok for _, ok in recent) / len(recent) if recent else 0.0,
        "attempts_7d": float(profile["attempts_7d"] or 0),
        "days_inactive": (now - last) / DAY_MS if last else 0.0,
        "time_spent_h": float(profile["time_spent_s"] or 0.0) / 3600,
    }

