"""Resource ranking: which of a KP's videos, readings and worked examples a student gets first.

Three signals, each with a reason the student reads:

* **what helped similar students** (collaborative): a past use of resource R on KP k has an
  outcome, the user's next answer on k after it (right or wrong), and a "before", the share
  right of their last answers on k before it. Uses weigh by how close their "before" is to the
  student's mastery of k now (a Gaussian kernel; a use with no answer before weighs
  ``unknown_weight``), so a struggling student learns from the uses of struggling students.
  R's weighted success rate is shrunk towards the KP's (over all its resources) with
  ``shrinkage`` uses' worth of prior; the signal is the lift over the KP's rate, so an unused
  resource scores 0 and a few lucky uses cannot put it first;
* **text**: the cosine of the resource to the student's recent work and interest tags
  (``tutor.similar.profile_scores``);
* **level fit**: the level the student's mastery of k calls for (basic under ``standard_at``,
  challenge from ``challenge_at``), 1 when the resource's matches, ½ one level off, 0 two off.

Then the affect rules' **challenge share** applies to resources as it does to questions (the
source paper does so): that share of the list goes to resources above the student's level,
when there are any, the rest to the others; a positive mood raises it (``tutor.affect_rules``).
Pure: the plan (``services.plan``) and the offline study (``evaluation.resource_study``) call
the same :func:`rank`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from tutor.curriculum import ResourceLevel
from tutor.errors import InvalidInput

LEVELS = (ResourceLevel.BASIC, ResourceLevel.STANDARD, ResourceLevel.CHALLENGE)


@dataclass(frozen=True)
class ResourceOption:
    """A resource that could be shown for a KP."""

    id: str
    kp_id: str
    level: ResourceLevel = ResourceLevel.STANDARD
    title: str = ""
    kind: str = ""
    url: str = ""
    minutes: int | None = None


@dataclass(frozen=True)
class Use:
    """One past use of a resource on a KP, with what came after."""

    resource_id: str
    kp_id: str
    before: float | None  # share right of the user's last answers on the KP before; None: none
    after: bool  # the user's next answer on the KP after the use was right


@dataclass(frozen=True)
class ResourceRankConfig:
    shrinkage: float = 5.0  # uses' worth of the KP's rate mixed into a resource's own
    similar_width: float = 0.25  # kernel sd on |before - mastery|
    unknown_weight: float = 0.5  # weight of a use with no answer before it
    before_window: int = 3  # answers before a use that make its "before"
    cf_weight: float = 1.0
    text_weight: float = 0.3
    level_weight: float = 0.2
    standard_at: float = 0.4  # mastery from which standard resources fit
    challenge_at: float = 0.7  # mastery from which challenge resources fit

    def __post_init__(self) -> None:
        if self.shrinkage <= 0 or self.similar_width <= 0 or self.before_window < 1:
            raise InvalidInput("shrinkage and similar_width must be > 0, before_window >= 1")
        if not 0 <= self.unknown_weight <= 1 or not 0 <= self.standard_at <= self.challenge_at:
            raise InvalidInput("unknown_weight must lie in [0, 1] and standard_at <= "
                               "challenge_at")


@dataclass(frozen=True)
class RankedResource:
    option: ResourceOption
    score: float
    signals: Mapping[str, float]  # lift, text, level (the parts of the score)
    challenge: bool  # above the student's level: counts towards the challenge share
    reasons: tuple[str, ...]


@dataclass(frozen=True, eq=False)
class Outcomes:
    """The uses of one resource on one KP (or of all a KP's resources), as arrays."""

    before: np.ndarray  # float (U,), nan where the user had no answer before
    after: np.ndarray  # float (U,) 1.0 right, 0.0 wrong

    def weights(self, mastery: float, config: ResourceRankConfig) -> np.ndarray:
        close = np.exp(-0.5 * ((self.before - mastery) / config.similar_width) ** 2)
        return np.where(np.isnan(self.before), config.unknown_weight, close)


@dataclass(frozen=True, eq=False)
class UseTable:
    """Past uses grouped per (resource, KP) and per KP, built once per dataset and shared."""

    by_pair: Mapping[tuple[str, str], Outcomes]
    by_kp: Mapping[str, Outcomes]

    @classmethod
    def of(cls, uses: Iterable[Use]) -> UseTable:
        pairs: dict[tuple[str, str], list[Use]] = defaultdict(list)
        kps: dict[str, list[Use]] = defaultdict(list)
        for u in uses:
            pairs[(u.resource_id, u.kp_id)].append(u)
            kps[u.kp_id].append(u)
        return cls({k: _arrays(v) for k, v in pairs.items()},
                   {k: _arrays(v) for k, v in kps.items()})


NO_USES = UseTable({}, {})


def outcome(answers: Sequence[tuple[int, bool]], ts: int, window: int
            ) -> tuple[float | None, bool] | None:
    """A use's (before, after) from the user's answers on the KP as (epoch ms, right), oldest
    first: before is the share right of the last ``window`` answers before ``ts`` (None when
    none), after the first answer after it; None when no answer came after."""
    earlier = [c for t, c in answers if t < ts][-window:]
    later = next((c for t, c in answers if t > ts), None)
    if later is None:
        return None
    return (sum(earlier) / len(earlier) if earlier else None), bool(later)


def fitting_level(mastery: float, config: ResourceRankConfig) -> ResourceLevel:
    if mastery >= config.challenge_at:
        return ResourceLevel.CHALLENGE
    return ResourceLevel.STANDARD if mastery >= config.standard_at else ResourceLevel.BASIC


def rank(options: Iterable[ResourceOption], uses: UseTable, mastery: Mapping[str, float],
         text: Mapping[str, float], n: int, challenge_share: float = 0.3,
         config: ResourceRankConfig = ResourceRankConfig(),
         kp_names: Mapping[str, str] | None = None) -> list[RankedResource]:
    """The best ``n`` resources, each once (for the KP it scores best on), best first, with
    ``round(challenge_share * n)`` of them above the student's level where there are such.
    ``mastery`` is the student's per KP (0 when absent); ``text`` a cosine per resource id."""
    if n < 0 or not 0 <= challenge_share <= 1:
        raise InvalidInput("n must be >= 0 and challenge_share in [0, 1]")
    names = kp_names or {}
    best: dict[str, RankedResource] = {}
    for o in options:
        scored = _score(o, uses, mastery.get(o.kp_id, 0.0), text.get(o.id, 0.0), config,
                        names.get(o.kp_id, o.kp_id))
        if o.id not in best or _key(scored) < _key(best[o.id]):
            best[o.id] = scored
    ranked = sorted(best.values(), key=_key)
    hard = [r for r in ranked if r.challenge]
    easy = [r for r in ranked if not r.challenge]
    k = min(len(hard), round(challenge_share * n))
    share = f"above your level on purpose: the challenge share is {challenge_share:.0%}"
    picked = [_with(r, share) for r in hard[:k]] + easy[:n - k]
    picked += [_with(r, "above your level: nothing at your level is left")
               for r in hard[k:k + n - len(picked)]]
    return sorted(picked, key=_key)


def _score(o: ResourceOption, uses: UseTable, mastery: float, text: float,
           config: ResourceRankConfig, kp_name: str) -> RankedResource:
    pooled = uses.by_kp.get(o.kp_id, _NONE)
    w_kp = pooled.weights(mastery, config)
    base = (float(w_kp @ pooled.after) + 0.5) / (float(w_kp.sum()) + 1.0)  # one use at ½
    own = uses.by_pair.get((o.id, o.kp_id), _NONE)
    w_own = own.weights(mastery, config)
    rate = (float(w_own @ own.after) + config.shrinkage * base) / (
        float(w_own.sum()) + config.shrinkage)
    lift = rate - base
    gap = LEVELS.index(o.level) - LEVELS.index(fitting_level(mastery, config))
    level = 1.0 - abs(gap) / 2
    score = config.cf_weight * lift + config.text_weight * text + config.level_weight * level
    similar = w_own >= 0.5
    reasons = [
        (f"{int(own.after[similar].sum())} of {int(similar.sum())} students at your level got "
         f"their next {kp_name} question right after it ({rate:.0%} expected, {base:.0%} for "
         f"this KP's resources)") if similar.any() else
        f"not yet used by students at your level on {kp_name}: ranked by level and text",
        f"{o.level} level: your mastery of {kp_name} is {mastery:.0%}"
        + (", it fits" if gap == 0 else "")]
    if text >= 0.1:
        reasons.append(f"close to your recent work (similarity {text:.2f})")
    return RankedResource(o, score, {"lift": lift, "text": text, "level": level}, gap > 0,
                          tuple(reasons))


def _arrays(uses: Sequence[Use]) -> Outcomes:
    return Outcomes(np.array([np.nan if u.before is None else u.before for u in uses], float),
                    np.array([float(u.after) for u in uses], float))


_NONE = Outcomes(np.zeros(0), np.zeros(0))


def _key(r: RankedResource) -> tuple[float, str]:
    return -r.score, r.option.id


def _with(r: RankedResource, reason: str) -> RankedResource:
    return RankedResource(r.option, r.score, r.signals, r.challenge, (*r.reasons, reason))


def basic_first(options: Iterable[ResourceOption], n: int,
                kp_names: Mapping[str, str] | None = None) -> list[RankedResource]:
    """The order before the ranking, kept for an experiment's control arms and as the offline
    study's comparison: basic, then standard, then challenge, then by id; each resource once."""
    names = kp_names or {}
    seen: dict[str, ResourceOption] = {}
    for o in sorted(options, key=lambda o: (LEVELS.index(o.level), o.id)):
        seen.setdefault(o.id, o)
    return [RankedResource(o, 0.0, {}, False,
                           (f"{o.level} resource on {names.get(o.kp_id, o.kp_id)}",))
            for o in list(seen.values())[:n]]
