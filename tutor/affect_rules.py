"""Affect rules: how a student's fused state changes their next recommendations.

The design's table, then what it leaves open:

* positive: challenge share 30 % → 40 %;
* confused: basic resources (videos, worked examples) on the confusing KP, an offer of
  immediate tutoring, and the path re-routed through its unmastered prerequisites;
* fatigued: 5 tasks → 3 and "Rest for 10 minutes";
* negative: the tutor is e-mailed; emotional-support resources (motivation, counselling).

Beyond it: a confused student whose confusing KP has no unmastered prerequisite gets its
worked examples and the offer of tutoring, and practice follows the path (which still ranks
the KP): there is nowhere further back to go, and holding the student on the KP that confuses
them taught less in the classroom study (``hold_confusing_kp``, docs/evaluation/learning.md
v6); a negative state read only by sensors with confidence under ``notify_min_confidence``
offers support but e-mails nobody (a noisy cascade must not page a tutor); neutral changes
nothing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

from tutor.affect import AffectSource, AffectState, AffectTag
from tutor.recommend_types import RecConfig


@dataclass(frozen=True)
class AdaptAction:
    """One thing an adjustment or an affect rule does, e.g. ``more_resources`` on two KPs."""

    kind: str
    kp_ids: tuple[str, ...] = ()
    count: int = 0
    text: str = ""

REST_TEXT = "Rest for 10 minutes"


@dataclass(frozen=True)
class AffectRuleConfig:
    positive_challenge_share: float = 0.4
    fatigued_tasks: int = 3
    basic_resources: int = 3
    support_resources: int = 2
    notify_min_confidence: float = 0.6
    # confused, every prerequisite mastered: hold practice on the KP (the rule until 2026-12-04)
    hold_confusing_kp: bool = False


@dataclass(frozen=True)
class Adaptation:
    """What the rules changed: the recommender's config, a re-route and actions to show."""

    config: RecConfig
    actions: tuple[AdaptAction, ...] = ()
    focus_kps: tuple[str, ...] = ()  # recommend on these KPs only (the re-route), in order
    rest: str | None = None
    notify_tutor: bool = False
    reasons: tuple[str, ...] = ()


def adapt(state: AffectState, config: RecConfig, confusing_kp: str | None = None,
          prerequisites: Mapping[str, tuple[str, ...]] | None = None,
          mastery: Mapping[str, float] | None = None,
          rules: AffectRuleConfig = AffectRuleConfig()) -> Adaptation:
    """Apply the rule of ``state.tag``; ``confusing_kp`` is the KP the student is stuck on."""
    why = f"affect {state.tag} (confidence {state.confidence:.2f})"
    if state.tag == AffectTag.POSITIVE:
        share = max(config.challenge_share, rules.positive_challenge_share)
        return Adaptation(replace(config, challenge_share=share),
                          (AdaptAction("raise_challenge", text=f"challenge share {share:.0%}"),),
                          reasons=(f"{why}: more challenging items ({share:.0%})",))
    if state.tag == AffectTag.FATIGUED:
        n = min(config.n, rules.fatigued_tasks)
        return Adaptation(replace(config, n=n),
                          (AdaptAction("rest", count=10, text=REST_TEXT),),
                          rest=REST_TEXT, reasons=(f"{why}: {n} tasks and a rest",))
    if state.tag == AffectTag.NEGATIVE:
        sensed_only = AffectSource.SELF_REPORT not in state.sources
        notify = not (sensed_only and state.confidence < rules.notify_min_confidence)
        actions = [AdaptAction("support_resources", count=rules.support_resources,
                               text="motivational videos and counselling information")]
        reasons = [f"{why}: emotional-support resources"]
        if notify:
            actions.append(AdaptAction("notify_tutor", text="the tutor is e-mailed"))
            reasons.append("the tutor is notified")
        else:
            reasons.append("sensors alone are not sure enough to e-mail the tutor")
        return Adaptation(config, tuple(actions), notify_tutor=notify, reasons=tuple(reasons))
    if state.tag == AffectTag.CONFUSED:
        return _confused(state, config, confusing_kp, prerequisites or {}, mastery or {},
                         rules, why)
    return Adaptation(config, reasons=(f"{why}: no change",))


def _confused(state: AffectState, config: RecConfig, kp: str | None,
              prerequisites: Mapping[str, tuple[str, ...]], mastery: Mapping[str, float],
              rules: AffectRuleConfig, why: str) -> Adaptation:
    tutoring = AdaptAction("offer_tutoring", text="immediate help from a tutor")
    if kp is None:
        return Adaptation(config, (tutoring,),
                          reasons=(f"{why}: tutoring offered; no KP in progress to re-route",))
    basics = AdaptAction("basic_resources", (kp,), rules.basic_resources,
                         "video tutorials and worked examples")
    unmet = tuple(p for p in sorted(prerequisites.get(kp, ()))
                  if mastery.get(p, 0.0) < config.mastery_threshold)
    if not unmet:
        hold = rules.hold_confusing_kp
        then = "stays on it, with basic resources" if hold else \
            "follows the path, with basic resources on it"
        return Adaptation(config, (basics, tutoring), focus_kps=(kp,) if hold else (),
                          reasons=(f"{why} on {kp}: its prerequisites are all mastered, so "
                                   f"practice {then}",))
    basics = replace(basics, kp_ids=(*unmet, kp))
    reroute = AdaptAction("reroute", (kp,), text="back through " + ", ".join(unmet))
    return Adaptation(config, (basics, tutoring, reroute),
                      focus_kps=unmet,
                      reasons=(f"{why} on {kp}: back to its unmastered prerequisites "
                               f"{', '.join(unmet)}",))


def confusing_kp(history: Sequence[tuple[str, bool]],
                 question_kps: Mapping[str, Sequence[str]]) -> str | None:
    """The KP of the latest wrong answer, else of the latest answer: what confuses now."""
    for only_wrong in (True, False):
        for q, ok in reversed(history):
            kps = question_kps.get(q, ())
            if kps and not (only_wrong and ok):
                return kps[0]
    return None
