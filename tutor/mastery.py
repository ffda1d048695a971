"""Mastery as Bayesian Knowledge Tracing (Corbett & Anderson 1995) with fixed default parameters.

The graph recomputes mastery with the same update in ``cypher/refresh_mastery.cypher``; this
module is the reference the tests hold that query to, and the online update for one answer.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass

MASTERY_THRESHOLD = 0.85  # BKT P(known) from which a KP counts as mastered (tau)


@dataclass(frozen=True)
class Attempt:
    """One answer of a student to a question; ``event_id`` makes re-ingestion idempotent."""

    event_id: str
    student_id: str
    question_id: str
    correct: bool
    ts: int = 0  # epoch milliseconds; 0 when the source has no clock (order is then ``seq``)
    seq: int = 0  # position in the student's history
    duration_s: float | None = None
    source: str = ""

@dataclass(frozen=True)
class Mastery:
    student_id: str
    kp_id: str
    p: float
    attempts: int
    last_ts: int = 0


@dataclass(frozen=True)
class BktParams:
    prior: float = 0.3  # P(known) before any answer
    learn: float = 0.1  # P(unknown -> known) after each practice opportunity
    guess: float = 0.2  # P(correct | unknown)
    slip: float = 0.1  # P(wrong | known)

    def as_params(self) -> dict[str, float]:
        return asdict(self)


def bkt_update(p: float, correct: bool, bkt: BktParams = BktParams()) -> float:
    """Return P(known) after one answer: Bayes on the answer, then the learning step."""
    if correct:
        posterior = p * (1 - bkt.slip) / (p * (1 - bkt.slip) + (1 - p) * bkt.guess)
    else:
        posterior = p * bkt.slip / (p * bkt.slip + (1 - p) * (1 - bkt.guess))
    return posterior * (1 - bkt.learn) + bkt.learn


def bkt_trace(answers: Iterable[bool], bkt: BktParams = BktParams()) -> float:
    """Return P(known) after a whole history of answers, oldest first."""
    p = bkt.prior
    for correct in answers:
        p = bkt_update(p, correct, bkt)
    return p
