"""Affect tags in the graph: consent, record, history (export) and erasure.

Only tag, confidence, source and timestamp are written; the detectors' measures and the media
they came from never reach this module.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tutor.affect import AffectReading, AffectSource, AffectTag
from tutor.errors import ConsentRequired, NotFound
from tutor.ports import GraphStore


def consent(store: GraphStore, student_id: str) -> bool:
    rows = store.read("get_affect_consent", {"student_id": student_id})
    if not rows:
        raise NotFound(f"no student {student_id!r}")
    return bool(rows[0]["consent"])


def set_consent(store: GraphStore, student_id: str, value: bool, now: int) -> None:
    if not store.write("set_affect_consent", {"student_id": student_id, "consent": value,
                                              "ts": now}):
        raise NotFound(f"no student {student_id!r}")


def record(store: GraphStore, student_id: str, reading: AffectReading) -> str:
    """Store the tag of one reading; idempotent per (student, source, ts). Refused without
    consent, in the same query that writes, so a consent withdrawn a moment ago holds."""
    event_id = f"{student_id}|{reading.source}|{reading.ts}"
    rows = store.write("record_affect", {
        "student_id": student_id, "id": event_id, "tag": str(reading.tag),
        "confidence": round(float(reading.confidence), 4), "source": str(reading.source),
        "ts": reading.ts})
    if not rows:
        consent(store, student_id)  # raises NotFound for an unknown student
        raise ConsentRequired(f"student {student_id!r} has not consented to affect processing")
    return event_id


def history(store: GraphStore, student_id: str, since: int = 0) -> list[AffectReading]:
    """The student's stored tags since ``since`` (epoch ms), oldest first."""
    consent(store, student_id)  # NotFound for an unknown student
    return [reading_of(r) for r in store.read("affect_history",
                                              {"student_id": student_id, "since": since})]


def reading_of(row: Mapping[str, Any]) -> AffectReading:
    """A stored tag (tag, confidence, source, ts) as the affect rules read it."""
    return AffectReading(AffectTag(row["tag"]), float(row["confidence"]),
                         AffectSource(row["source"]), int(row["ts"]))


def export(store: GraphStore, student_id: str) -> list[dict[str, object]]:
    """Everything stored about the student's affect, as plain rows (the export)."""
    return [{"tag": str(r.tag), "confidence": r.confidence, "source": str(r.source),
             "ts": r.ts} for r in history(store, student_id)]


AFFECT_ERASED = "[erased: this message quoted the student's affect, since erased]"


def delete(store: GraphStore, student_id: str) -> int:
    """Erase the student's affect history and every trace derived from it (the profile's
    latest emotion, notifications and adjustment reasons quoting it); returns how many tags
    were removed."""
    consent(store, student_id)
    rows = store.write("delete_affect", {"student_id": student_id})
    store.write("redact_affect", {"student_id": student_id, "redacted": AFFECT_ERASED})
    return int(rows[0]["n"]) if rows else 0
