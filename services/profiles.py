"""The daily profile job and the facts the intervention rules read."""

from __future__ import annotations

from collections import defaultdict
from itertools import groupby

from services.adjust import snapshot
from services.recommend import Recommender
from tutor.adjust import AdjustConfig, stuck_kps
from tutor.affect import AffectReading, AffectSource, AffectTag
from tutor.errors import NotFound
from tutor.ports import GraphStore
from tutor.profiles import DAY_MS, Answer, StudentProfile, build_profile

BATCH = 500  # students per read: bounded memory on the full ASSISTments graph


def refresh_all(store: GraphStore, recommender: Recommender, now: int) -> int:
    """Recompute and store every student's profile; returns how many were written.
    Idempotent: a re-run the same day writes the same values."""
    by_dataset: dict[str, list[str]] = defaultdict(list)
    for r in store.read("all_students"):
        by_dataset[r["dataset"] or ""].append(r["id"])
    written = 0
    for dataset, ids in by_dataset.items():
        catalogue = recommender.catalogue(dataset)[0] if dataset else None
        kps = {q: f.kp_ids for q, f in catalogue.questions.items()} if catalogue else {}
        for start in range(0, len(ids), BATCH):
            batch = ids[start:start + BATCH]
            answers = store.read("profile_answers", {"student_ids": batch})
            moods = {r["student_id"]: AffectReading(AffectTag(r["tag"]), r["confidence"],
                                                    AffectSource(r["source"]), r["ts"])
                     for r in store.read("latest_affect", {"student_ids": batch})}
            grouped = {sid: [Answer(r["question_id"], bool(r["correct"]), r["ts"] or 0,
                                    r["duration_s"]) for r in rows]
                       for sid, rows in groupby(answers, key=lambda r: r["student_id"])}
            profiles = [build_profile(sid, grouped.get(sid, []), kps, moods.get(sid), now)
                        for sid in batch]
            rows = [_row(p) for p in profiles]
            written += int(store.write("save_profiles", {"rows": rows})[0]["n"])
    return written


def read(store: GraphStore, student_id: str) -> dict:
    """Basic info, classes and the last stored profile (None fields before the first run)."""
    rows = store.read("read_profile", {"student_id": student_id})
    if not rows or rows[0]["student_id"] is None:
        raise NotFound(f"no student {student_id!r}")
    row = rows[0]
    row["interest_tags"] = dict(zip(row.pop("interest_tags") or [],
                                    row.pop("interest_weights") or [], strict=True))
    return row


def intervention_facts(store: GraphStore, recommender: Recommender, student_id: str,
                       now: int) -> dict[str, float | bool | str]:
    """The typed facts of ``tutor.interventions.FACTS`` for one student, read fresh."""
    snap = snapshot(store, recommender, student_id, now)
    profile = read(store, student_id)
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


def _row(p: StudentProfile) -> dict[str, object]:
    return {"student_id": p.student_id, "attempts": p.attempts, "correct_rate": p.correct_rate,
            "time_spent_s": p.time_spent_s, "attempts_7d": p.attempts_7d,
            "last_active": p.last_active, "interest_tags": list(p.interest_tags),
            "interest_weights": list(p.interest_tags.values()),
            "latest_emotion": p.latest_emotion, "latest_emotion_ts": p.latest_emotion_ts,
            "refreshed": p.refreshed}

