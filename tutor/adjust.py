"""The 15-minute dynamic adjustment: what to change for one student, and why (pure).

Each window the scheduler hands :func:`assess` a :class:`Snapshot` of an active student. The
design's table, then the affect rules (``tutor.affect_rules``) on top:

* lagging progress (the progress model expects < ``lagging_below`` %): recommended resources
  3 → 5, on the KPs with the lowest mastery first;
* stuck (``stuck_wrong`` wrong answers on one unmastered KP in the last ``stuck_window``): 3
  practice questions on it, plus an offer of Q&A help; the set is done once the student has
  answered that many questions on the KP in the window (:func:`practice_left`), and plans
  follow the path again;
* negative state: an intervention (the tutor is e-mailed, support resources).

The result is deterministic for a snapshot, so two processes assessing the same window agree,
and the store keeps the first one written (see ``services.adjust``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from tutor.affect import AffectState
from tutor.affect_rules import AdaptAction, adapt, confusing_kp
from tutor.recommend_types import RecConfig


@dataclass(frozen=True)
class Adjustment:
    """The outcome of one 15-minute adjustment for one student: the audit trail's entry."""

    student_id: str
    window: int  # start of the 15-minute window, epoch milliseconds
    findings: tuple[str, ...]
    actions: tuple[AdaptAction, ...]
    reasons: tuple[str, ...]

WINDOW_MS = 15 * 60_000


def window_of(now_ms: int) -> int:
    """Start of the 15-minute window holding ``now_ms`` (epoch ms, aligned to the hour)."""
    return now_ms - now_ms % WINDOW_MS


@dataclass(frozen=True)
class AdjustConfig:
    lagging_below: float = 40.0  # progress model's expected progress, percent
    resources: int = 3  # resources shown per list normally
    resources_lagging: int = 5
    difficult_kps: int = 3  # how many low-mastery KPs the extra resources go to
    stuck_window: int = 10
    stuck_wrong: int = 3
    practice_set: int = 3


@dataclass(frozen=True)
class Snapshot:
    """What the adjustment reads of one student."""

    student_id: str
    history: Sequence[tuple[str, bool]]  # recent answers, oldest first
    question_kps: Mapping[str, tuple[str, ...]]  # question -> KPs it tests
    mastery: Mapping[str, float]
    progress: float | None  # expected progress from the progress model; None without one
    affect: AffectState
    prerequisites: Mapping[str, tuple[str, ...]]


def stuck_kps(snapshot: Snapshot, config: AdjustConfig, tau: float) -> list[str]:
    """Unmastered KPs with ``stuck_wrong`` or more wrong answers among the last answers."""
    wrong: dict[str, int] = {}
    for q, ok in snapshot.history[-config.stuck_window:]:
        for k in () if ok else snapshot.question_kps.get(q, ()):
            wrong[k] = wrong.get(k, 0) + 1
    return sorted((k for k, n in wrong.items()
                   if n >= config.stuck_wrong and snapshot.mastery.get(k, 0.0) < tau),
                  key=lambda k: (-wrong[k], k))


def assess(snapshot: Snapshot, window: int, config: AdjustConfig = AdjustConfig(),
           rec: RecConfig = RecConfig()) -> Adjustment:
    findings: list[str] = []
    actions: list[AdaptAction] = []
    reasons: list[str] = []
    tau = rec.mastery_threshold
    if snapshot.progress is not None and snapshot.progress < config.lagging_below:
        practised = sorted((k for k, p in snapshot.mastery.items() if p < tau),
                           key=lambda k: (snapshot.mastery[k], k))[:config.difficult_kps]
        findings.append("lagging")
        actions.append(AdaptAction("more_resources", tuple(practised), config.resources_lagging,
                                   f"resources {config.resources} → "
                                   f"{config.resources_lagging}, difficult KPs first"))
        reasons.append(f"expected progress {snapshot.progress:.0f} % is under "
                       f"{config.lagging_below:.0f} %")
    stuck = stuck_kps(snapshot, config, tau)
    for kp in stuck:
        findings.append("stuck")
        actions.append(AdaptAction("practice_set", (kp,), config.practice_set,
                                   f"{config.practice_set} practice questions on {kp}"))
        actions.append(AdaptAction("offer_qa", (kp,), text=f"Q&A help on {kp}"))
        reasons.append(f"{config.stuck_wrong}+ wrong answers on {kp} in the last "
                       f"{config.stuck_window}, still unmastered")
    if snapshot.affect.tag != "neutral":
        confusing = stuck[0] if stuck else confusing_kp(snapshot.history, snapshot.question_kps)
        adaptation = adapt(snapshot.affect, rec, confusing, snapshot.prerequisites,
                           snapshot.mastery)
        findings.append(str(snapshot.affect.tag))
        actions.extend(adaptation.actions)
        reasons.extend(adaptation.reasons)
    if not findings:
        reasons.append("on track: nothing to adjust")
    return Adjustment(snapshot.student_id, window, tuple(dict.fromkeys(findings)), tuple(actions),
                      tuple(reasons))


def practice_left(action: AdaptAction, answered: Sequence[str],
                  question_kps: Mapping[str, Sequence[str]]) -> int:
    """Questions of a practice set still to do, given the questions answered since its window
    began (``answered``): the set asks for ``action.count`` answers on its KP, not for every
    plan of the window (a page that re-plans after each answer would otherwise hold the
    student on a KP they are stuck on for the whole 15 minutes)."""
    kps = set(action.kp_ids)
    on_kp = sum(1 for q in answered if kps.intersection(question_kps.get(q, ())))
    return max(action.count - on_kp, 0)
