"""The daily student profile: behaviour aggregates, interest tags, latest emotion (pure)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from tutor.affect import AffectReading


@dataclass(frozen=True)
class StudentProfile:
    """The daily profile: behaviour aggregates, interest-tag weights and latest emotion."""

    student_id: str
    attempts: int
    correct_rate: float | None
    time_spent_s: float
    attempts_7d: int
    last_active: int  # epoch ms of the latest answer, 0 when none
    interest_tags: Mapping[str, float]  # KP id -> weight, summing to 1 (empty when no answers)
    latest_emotion: str = ""
    latest_emotion_ts: int = 0
    refreshed: int = 0

DAY_MS = 86_400_000


@dataclass(frozen=True)
class Answer:
    question_id: str
    correct: bool
    ts: int  # epoch ms; 0 when the source had no clock
    duration_s: float | None = None


@dataclass(frozen=True)
class ProfileConfig:
    interest_window: int = 100  # interest tags come from this many latest answers
    interest_top: int = 10  # tags kept


def build_profile(student_id: str, answers: Sequence[Answer],
                  question_kps: Mapping[str, tuple[str, ...]],
                  latest_affect: AffectReading | None, now: int,
                  config: ProfileConfig = ProfileConfig()) -> StudentProfile:
    """Aggregates over every answer (oldest first); interest tags are the KPs of the latest
    ``interest_window`` answers, by share, so the similarity search can lean towards them."""
    return StudentProfile(
        student_id=student_id,
        attempts=len(answers),
        correct_rate=sum(a.correct for a in answers) / len(answers) if answers else None,
        time_spent_s=float(sum(a.duration_s or 0.0 for a in answers)),
        attempts_7d=sum(1 for a in answers if a.ts and now - a.ts <= 7 * DAY_MS),
        last_active=max((a.ts for a in answers), default=0),
        interest_tags=interest_tags([a.question_id for a in answers], question_kps, config),
        latest_emotion=str(latest_affect.tag) if latest_affect else "",
        latest_emotion_ts=latest_affect.ts if latest_affect else 0,
        refreshed=now,
    )


def interest_tags(question_ids: Sequence[str], question_kps: Mapping[str, tuple[str, ...]],
                  config: ProfileConfig = ProfileConfig()) -> dict[str, float]:
    """The KPs of the latest ``interest_window`` answers (oldest first), by share, the top
    ``interest_top`` kept and summing to 1; empty when no answer names a KP."""
    weights: dict[str, float] = {}
    for q in question_ids[-config.interest_window:]:
        kps = question_kps.get(q, ())
        for k in kps:
            weights[k] = weights.get(k, 0.0) + 1.0 / len(kps)
    top = sorted(weights.items(), key=lambda kv: (-kv[1], kv[0]))[:config.interest_top]
    total = sum(w for _, w in top)
    return {k: w / total for k, w in top} if total else {}
