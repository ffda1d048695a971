"""Fusion of affect readings (emoji self-report, face, voice) into the one state rules act on.

The fusion, documented in the README:

1. Readings older than ``max_age_ms`` (15 minutes, one adjustment window) are ignored.
2. A self-report younger than ``self_report_ms`` (10 minutes) outranks every sensor: the
   student said how they feel, and a Haar cascade or a pitch track cannot overrule that.
3. Otherwise each sensor reading votes for its tag with weight confidence times recency, where
   recency halves every ``half_life_ms`` (5 minutes); a self-report that is older than
   ``self_report_ms`` still votes, with double weight. The tag with the largest total wins;
   its confidence is its share of all votes times the best confidence behind it.
4. A winner under ``min_confidence`` becomes ``neutral``: weak evidence changes nothing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from tutor.errors import InvalidInput


class AffectTag(StrEnum):
    POSITIVE = "positive"
    NEUTRAL = "neutral"
    CONFUSED = "confused"
    FATIGUED = "fatigued"
    NEGATIVE = "negative"

class AffectSource(StrEnum):
    SELF_REPORT = "self_report"  # the student picked an emoji
    FACE = "face"
    VOICE = "voice"

@dataclass(frozen=True)
class AffectReading:
    """One detection or self-report. Only tag, confidence, source and ts are ever stored;
    ``measures`` (the numbers behind the tag) are returned to the caller and then dropped."""

    tag: AffectTag
    confidence: float  # in [0, 1]
    source: AffectSource
    ts: int  # epoch milliseconds
    measures: Mapping[str, float] = field(default_factory=dict)

@dataclass(frozen=True)
class AffectState:
    """The fused state the rules act on, with where it came from."""

    tag: AffectTag
    confidence: float
    sources: tuple[AffectSource, ...]
    reasons: tuple[str, ...]

# What the student can pick: an emoji or its name, each meaning one tag.
EMOJI: dict[str, AffectTag] = {
    "😀": AffectTag.POSITIVE, "happy": AffectTag.POSITIVE,
    "😐": AffectTag.NEUTRAL, "neutral": AffectTag.NEUTRAL,
    "😕": AffectTag.CONFUSED, "confused": AffectTag.CONFUSED,
    "😴": AffectTag.FATIGUED, "tired": AffectTag.FATIGUED,
    "😞": AffectTag.NEGATIVE, "upset": AffectTag.NEGATIVE,
}


@dataclass(frozen=True)
class FusionConfig:
    max_age_ms: int = 15 * 60_000
    self_report_ms: int = 10 * 60_000
    half_life_ms: int = 5 * 60_000
    min_confidence: float = 0.5
    self_report_weight: float = 2.0


def self_report(choice: str, ts: int) -> AffectReading:
    """The reading of an emoji pick; an unknown choice is the caller's mistake."""
    tag = EMOJI.get(choice.strip().lower() if choice.isascii() else choice.strip())
    if tag is None:
        names = ", ".join(k for k in EMOJI if k.isascii())
        raise InvalidInput(f"unknown emoji {choice!r}: pick one of {names} or its emoji")
    return AffectReading(tag, 1.0, AffectSource.SELF_REPORT, ts)


def fuse(readings: Sequence[AffectReading], now: int, config: FusionConfig = FusionConfig()
         ) -> AffectState:
    """The student's state at ``now`` from their recent readings (any order)."""
    recent = [r for r in readings if 0 <= now - r.ts <= config.max_age_ms]
    if not recent:
        return AffectState(AffectTag.NEUTRAL, 0.0, (), ("no recent affect readings",))
    reports = [r for r in recent
               if r.source == AffectSource.SELF_REPORT and now - r.ts <= config.self_report_ms]
    if reports:
        latest = max(reports, key=lambda r: r.ts)
        minutes = (now - latest.ts) // 60_000
        return AffectState(latest.tag, latest.confidence, (AffectSource.SELF_REPORT,),
                           (f"the student reported feeling {latest.tag} {minutes} min ago; "
                            "a recent self-report outranks sensors",))
    votes: dict[AffectTag, float] = {}
    best: dict[AffectTag, float] = {}
    for r in recent:
        weight = r.confidence * 0.5 ** ((now - r.ts) / config.half_life_ms)
        if r.source == AffectSource.SELF_REPORT:
            weight *= config.self_report_weight
        votes[r.tag] = votes.get(r.tag, 0.0) + weight
        best[r.tag] = max(best.get(r.tag, 0.0), r.confidence)
    total = sum(votes.values())
    tag = max(votes, key=lambda t: (votes[t], t == AffectTag.NEUTRAL))
    confidence = (votes[tag] / total) * best[tag] if total > 0 else 0.0
    sources = tuple(sorted({r.source for r in recent if r.tag == tag}))
    summary = ", ".join(f"{t} {v / total:.0%}" for t, v in sorted(votes.items(),
                                                                    key=lambda kv: -kv[1]))
    if confidence < config.min_confidence:
        return AffectState(AffectTag.NEUTRAL, confidence, sources,
                           (f"sensor votes ({summary}) too weak to act on "
                            f"(confidence {confidence:.2f} < {config.min_confidence})",))
    return AffectState(tag, confidence, sources,
                       (f"{len(recent)} reading(s) in the last 15 min vote {summary}",))
