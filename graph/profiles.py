"""Daily profiles in the graph: the answers and latest feelings a batch of profiles is built
from, the profiles written back onto their students, and one student's stored profile."""

from __future__ import annotations

from collections.abc import Sequence
from itertools import groupby
from typing import Any

from tutor.affect import AffectReading, AffectSource, AffectTag
from tutor.ports import GraphStore
from tutor.profiles import Answer, StudentProfile


def answers(store: GraphStore, student_ids: Sequence[str]) -> dict[str, list[Answer]]:
    """Every answer of each student that has one, in the order given."""
    rows = store.read("profile_answers", {"student_ids": list(student_ids)})
    return {sid: [Answer(r["question_id"], bool(r["correct"]), r["ts"] or 0, r["duration_s"])
                  for r in group]
            for sid, group in groupby(rows, key=lambda r: r["student_id"])}


def latest_affect(store: GraphStore, student_ids: Sequence[str]) -> dict[str, AffectReading]:
    """Each student's latest affect tag (students with none are left out)."""
    return {r["student_id"]: AffectReading(AffectTag(r["tag"]), r["confidence"],
                                           AffectSource(r["source"]), r["ts"])
            for r in store.read("latest_affect", {"student_ids": list(student_ids)})}


def save(store: GraphStore, profiles: Sequence[StudentProfile]) -> int:
    """Write the profiles onto their students; returns how many students matched."""
    rows = [_row(p) for p in profiles]
    return int(store.write("save_profiles", {"rows": rows})[0]["n"])


def read(store: GraphStore, student_id: str) -> dict[str, Any] | None:
    """Basic info, classes and the last stored profile, interest tags as a dict; None for an
    unknown student."""
    rows = store.read("read_profile", {"student_id": student_id})
    if not rows or rows[0]["student_id"] is None:
        return None
    row = rows[0]
    row["interest_tags"] = dict(zip(row.pop("interest_tags") or [],
                                    row.pop("interest_weights") or [], strict=True))
    return row


def _row(p: StudentProfile) -> dict[str, object]:
    return {"student_id": p.student_id, "attempts": p.attempts, "correct_rate": p.correct_rate,
            "time_spent_s": p.time_spent_s, "attempts_7d": p.attempts_7d,
            "last_active": p.last_active, "interest_tags": list(p.interest_tags),
            "interest_weights": list(p.interest_tags.values()),
            "latest_emotion": p.latest_emotion, "latest_emotion_ts": p.latest_emotion_ts,
            "refreshed": p.refreshed}
