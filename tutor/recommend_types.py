"""The recommender's settings, its view of the graph and its predictor ports."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np

from tutor.curriculum import ResourceLevel
from tutor.errors import InvalidInput
from tutor.mastery import MASTERY_THRESHOLD, BktParams


@dataclass(frozen=True)
class FrontierKP:
    id: str
    name: str
    p: float
    prerequisites: tuple[str, ...]

@dataclass(frozen=True)
class QuestionFacts:
    """What the recommender knows of a question: its KPs, 2PL parameters and level."""

    id: str
    kp_ids: tuple[str, ...]
    a: float = 1.0  # IRT discrimination (the bank's prior when the question was never fitted)
    b: float = 0.0  # IRT difficulty, on the students' theta scale
    level: ResourceLevel = ResourceLevel.STANDARD
    fitted: bool = True  # False: a and b come from the level until an IRT fit has answers


@dataclass(frozen=True, eq=False)
class KPQuestions:
    """A KP's questions, in ``Catalogue.by_kp`` order, as the arrays stage 2 reads: a KP of
    ASSISTments has hundreds, and building them per call cost more than scoring them."""

    facts: tuple[QuestionFacts, ...]
    ids: np.ndarray  # (Q,) str
    position: Mapping[str, int]  # id -> its index (the few questions a student is done with)
    a: np.ndarray  # (Q,) float64 IRT discrimination
    b: np.ndarray  # (Q,) float64 IRT difficulty
    written_hard: np.ndarray  # (Q,) bool: written as a challenge item
    shared: np.ndarray  # (Q,) bool: also tests another KP, whose list may take it first

    @classmethod
    def of(cls, facts: Sequence[QuestionFacts]) -> KPQuestions:
        return cls(tuple(facts), np.array([q.id for q in facts], dtype=str),
                   {q.id: i for i, q in enumerate(facts)},
                   np.array([q.a for q in facts], dtype=np.float64),
                   np.array([q.b for q in facts], dtype=np.float64),
                   np.array([q.level == ResourceLevel.CHALLENGE for q in facts], dtype=bool),
                   np.array([len(set(q.kp_ids)) > 1 for q in facts], dtype=bool))


@dataclass(frozen=True)
class LearnerState:
    """One student at recommendation time."""

    student_id: str
    mastery: Mapping[str, float]  # kp id -> BKT p
    history: tuple[tuple[str, bool], ...]  # (question id, correct), oldest first
    theta: float | None = None  # IRT ability, posterior mean; None: no fit and no answer yet
    theta_var: float = 1.0  # its posterior variance
    theta_responses: int = 0  # answers the stored theta rests on (grows with every answer)
    placed: Mapping[str, float] = field(default_factory=dict)  # kp -> prior a placement set
    placed_at: int | None = None  # epoch ms of that placement test

@dataclass(frozen=True)
class KPPick:
    """A knowledge point chosen in stage 1, with the signals behind its rank."""

    kp_id: str
    score: float
    signals: Mapping[str, float]  # tutor.kp_ranking.SIGNALS, each in [0, 1]
    reasons: tuple[str, ...]

@dataclass(frozen=True)
class Recommendation:
    question_id: str
    kp_id: str  # the KP it serves
    p_irt: float  # P(correct) from IRT
    p_kt: float | None  # P(correct) from the Bi-LSTM (None without a sequence model)
    p: float  # the combined estimate the band is checked on
    difficulty: float  # IRT b
    challenge: bool  # counts towards the challenge share
    in_band: bool
    reasons: tuple[str, ...]

@dataclass(frozen=True)
class RecommendationList:
    student_id: str
    items: tuple[Recommendation, ...]
    kps: tuple[KPPick, ...]
    band: tuple[float, float]  # target P(correct) band
    difficulty_band: tuple[float, float]  # allowed average difficulty (around theta)
    avg_difficulty: float | None
    band_met: bool  # every item in the P band and the average difficulty in its band
    cold_start: bool
    notes: tuple[str, ...]  # fallbacks taken and constraints that could not be met


@dataclass(frozen=True)
class RecConfig:
    n: int = 5  # list length
    mastery_threshold: float = MASTERY_THRESHOLD  # tau: a KP counts as mastered from here
    band: tuple[float, float] = (0.5, 0.85)  # target P(correct) of every item
    challenge_share: float = 0.3  # share of the list from the hard end of the band
    challenge_below: float = 0.65  # P(correct) under this makes an item a challenge
    kp_count: int = 3  # KPs stage 1 hands to stage 2
    recent_window: int = 50  # questions right within this many last attempts are excluded
    kt_weight: float = 0.5  # weight of the Bi-LSTM's logit in the combined estimate
    peers: int = 30  # neighbours of the KP collaborative filtering
    recent_kp_window: int = 10  # last answers the "recent" signal looks at
    exposure: float = 0.25  # Gumbel scale on log score inside a KP; 0: always the top ones
    population_prior: bool = True  # a KP never practised: mastery = its population prior
    ability_prior: float = 1.0  # ... moved by this times the student's theta (logit scale)
    stay_cap: int = 0  # leave an unmastered KP after this many answers on it (0: never)
    # KPs past the frontier stage 1 may rank: those not mastered whose readiness (the chance
    # every prerequisite is known) is at least this, their expected gain weighted by it, so
    # a frontier left with KPs students barely learn does not hold a student back
    # (tutor.kp_ranking.frontier; chosen on the study's tuning seeds, docs/evaluation/
    # learning.md v7); None: only the frontier, KPs whose every prerequisite is mastered
    ready: float | None = 0.1
    widen: bool = True  # a frontier with no question left: widen past it (tutor.recommend)
    # stage 1's weight per signal (tutor.kp_ranking.SIGNALS); "complete" (finish the chapters
    # nearly done) at 2 raised the chapters completed on ASSIST2009's tuning seeds by a tenth at
    # no cost in post-test on either tuning domain; on the reported seeds its gain is within
    # noise (docs/evaluation/learning.md v12, v13)
    weights: Mapping[str, float] = field(default_factory=lambda: {
        "cf": 0.35, "unlocks": 0.2, "order": 0.15, "weak": 0.2, "progress": 0.1,
        "recent": 0.3, "next": 0.5, "gain": 3.0, "complete": 2.0})

    def __post_init__(self) -> None:
        low, high = self.band
        if not 0 < low < high < 1:
            raise InvalidInput(f"band {self.band} must satisfy 0 < low < high < 1")
        if self.n < 1 or self.kp_count < 1:
            raise InvalidInput("n and kp_count must be at least 1")
        if not 0 <= self.challenge_share <= 1 or not 0 <= self.kt_weight <= 1:
            raise InvalidInput("challenge_share and kt_weight must lie in [0, 1]")
        if self.stay_cap < 0:
            raise InvalidInput(f"stay_cap must be at least 0, got {self.stay_cap}")
        if self.exposure < 0:
            raise InvalidInput(f"exposure must be at least 0, got {self.exposure}")
        if self.ready is not None and not 0 < self.ready <= 1:
            raise InvalidInput(f"ready must lie in (0, 1], got {self.ready}")


DEFAULT_BKT = BktParams()


@dataclass(frozen=True)
class Catalogue:
    """The part of the graph the recommender reads, as plain maps (cached between calls)."""

    kp_names: Mapping[str, str]
    prerequisites: Mapping[str, tuple[str, ...]]  # kp -> its prerequisites
    order: Mapping[str, int]  # kp -> position in the curriculum (chapter order, then KP)
    questions: Mapping[str, QuestionFacts]
    popularity: Mapping[str, int] = field(default_factory=dict)  # kp -> attempts, all students
    known_share: Mapping[str, float] = field(default_factory=dict)  # kp -> population prior
    kp_bkt: Mapping[str, BktParams] = field(default_factory=dict)  # kp -> fitted BKT (kp_bkt)
    chapters: Mapping[str, str] = field(default_factory=dict)  # kp -> its chapter, if any
    by_kp: Mapping[str, tuple[str, ...]] = field(init=False)  # kp -> questions testing it
    kps_by_chapter: Mapping[str, tuple[str, ...]] = field(init=False)  # chapter -> its KPs
    unlocks: Mapping[str, int] = field(init=False)  # kp -> KPs it is a prerequisite of
    # P(known) of each KP before any practice: the fitted BKT prior, else the population prior
    priors: Mapping[str, float] = field(init=False)
    kps_of: Mapping[str, tuple[str, ...]] = field(init=False, repr=False, compare=False)
    _tables: dict[str, KPQuestions] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        """The derived maps, built once when the catalogue is (it is cached between calls)."""
        by_kp: dict[str, list[str]] = {}
        for q in self.questions.values():
            for k in q.kp_ids:
                by_kp.setdefault(k, []).append(q.id)
        object.__setattr__(self, "by_kp", {k: tuple(v) for k, v in by_kp.items()})
        counts: dict[str, int] = {}
        for pres in self.prerequisites.values():
            for p in pres:
                counts[p] = counts.get(p, 0) + 1
        object.__setattr__(self, "unlocks", counts)
        members: dict[str, list[str]] = {}
        for k, c in self.chapters.items():
            if k in self.kp_names:
                members.setdefault(c, []).append(k)
        object.__setattr__(self, "kps_by_chapter",
                           {c: tuple(sorted(v)) for c, v in members.items()})
        object.__setattr__(self, "priors", {**self.known_share,
                                            **{k: b.prior for k, b in self.kp_bkt.items()}})
        object.__setattr__(self, "kps_of", QuestionKps(self.questions))
        object.__setattr__(self, "_tables", {})

    def kp_questions(self, kp: str) -> KPQuestions:
        """The questions testing ``kp`` as arrays, built on first use and kept with the
        catalogue (a race builds one twice, never a wrong one)."""
        table = self._tables.get(kp)
        if table is None:
            table = self._tables[kp] = KPQuestions.of(
                [self.questions[q] for q in self.by_kp.get(kp, ())])
        return table


    def bkt(self, kp: str) -> BktParams:
        """The KP's fitted BKT parameters (``models.kp_bkt``), the defaults when unfitted."""
        return self.kp_bkt.get(kp) or DEFAULT_BKT


class QuestionKps(Mapping[str, tuple[str, ...]]):
    """Question -> the KPs it tests, a view of the catalogue's questions: a plan and a class
    report looked the KPs up in a dict built over each history (200 answers) every time,
    which cost more than the few lookups the rules make."""

    def __init__(self, questions: Mapping[str, QuestionFacts]) -> None:
        self._questions = questions

    def __getitem__(self, question_id: str) -> tuple[str, ...]:
        return self._questions[question_id].kp_ids

    def __iter__(self) -> Iterator[str]:
        return iter(self._questions)

    def __len__(self) -> int:
        return len(self._questions)


@dataclass(frozen=True)
class PeerMastery:
    """Other students' mastery as a matrix, for the KP collaborative filtering."""

    kp_ids: tuple[str, ...]
    matrix: np.ndarray  # float (n_peers, n_kps), 0 where never practised
    norms: np.ndarray = field(init=False)  # (n_peers,) row norms, once: every call needs them

    def __post_init__(self) -> None:
        object.__setattr__(self, "norms", np.linalg.norm(self.matrix, axis=1))

    def vector(self, mastery: Mapping[str, float]) -> np.ndarray:
        return np.array([mastery.get(k, 0.0) for k in self.kp_ids], dtype=np.float64)


class SequenceModel(Protocol):
    """The Bi-LSTM seen from the recommender."""

    def predict(self, history: Sequence[tuple[str, bool]], question_ids: Sequence[str]
                ) -> tuple[np.ndarray, np.ndarray]:
        """(P(correct), P(next)) of each question after this history; P(next): the chance
        that it is the question the student answers next."""
        ...

    def next_probs(self, history: Sequence[tuple[str, bool]], question_ids: Sequence[str]
                   ) -> np.ndarray:
        """P(next) alone, without the correctness head."""
        ...

    def next_mass(self, history: Sequence[tuple[str, bool]],
                  groups: Sequence[tuple[str, ...]]) -> np.ndarray:
        """Summed P(next) of each group of questions (stage 1 asks it of every frontier KP's
        questions, so it may cache per group)."""
        ...


class WeakKPModel(Protocol):
    """The progress model seen from the recommender."""

    def weakest(self, history: Sequence[tuple[str, bool]]) -> str | None: ...

    def progress_of(self, histories: Sequence[Sequence[tuple[str, bool]]]) -> list[float]:
        """Expected progress, percent, of each history (the 15-minute adjustment and the
        class report read it)."""
        ...
