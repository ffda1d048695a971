"""Domain types of kgtutor: plain frozen dataclasses, standard library only.

Everything that crosses from the graph, the importers or the models into the
tutoring logic is one of these; driver records, DataFrames and tensors never do.
Ids are strings, namespaced by their source (e.g. ``assist2009:kp:12``) so two
datasets never merge by accident.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum


class ResourceKind(StrEnum):
    VIDEO = "video"
    WORKED_EXAMPLE = "worked_example"
    PRACTICE = "practice"
    READING = "reading"
    SUPPORT = "support"


class ResourceLevel(StrEnum):
    BASIC = "basic"
    STANDARD = "standard"
    CHALLENGE = "challenge"


@dataclass(frozen=True)
class Chapter:
    id: str
    name: str
    order: int = 0
    area: str = ""  # a grouping above chapters (Junyi "area"), empty when none
    source: str = ""


@dataclass(frozen=True)
class KnowledgePoint:
    id: str
    name: str
    chapter_id: str
    description: str = ""
    source: str = ""


@dataclass(frozen=True)
class Prerequisite:
    """``before`` must be mastered before ``after`` (edge ``before-[:PREREQUISITE_OF]->after``)."""

    before: str
    after: str
    inferred: bool = False
    confidence: float = 1.0


@dataclass(frozen=True)
class Question:
    id: str
    text: str = ""
    options: tuple[str, ...] = ()
    answer: str = ""  # the correct option's text; empty for items known only from logs
    explanation: str = ""
    level: ResourceLevel = ResourceLevel.STANDARD
    source: str = ""


@dataclass(frozen=True)
class Tests:
    """Question ``question_id`` tests KP ``kp_id``; a question's weights sum to 1."""

    question_id: str
    kp_id: str
    weight: float = 1.0


@dataclass(frozen=True)
class Resource:
    id: str
    title: str
    kind: ResourceKind
    level: ResourceLevel
    kp_ids: tuple[str, ...] = ()
    url: str = ""
    body: str = ""


@dataclass(frozen=True)
class Student:
    id: str
    name: str = ""
    email: str = ""
    affect_consent: bool = False
    source: str = ""


@dataclass(frozen=True)
class Tutor:
    id: str
    name: str
    email: str = ""


@dataclass(frozen=True)
class SchoolClass:
    id: str
    name: str
    tutor_ids: tuple[str, ...] = ()
    student_ids: tuple[str, ...] = ()


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
class RowProblem:
    """A rejected or suspicious input row, reported to the user with its line number."""

    line: int
    reason: str


@dataclass
class ImportReport:
    """What an import read, stored, dropped and why; printed at the end of every import."""

    source: str
    counts: dict[str, int] = field(default_factory=dict)
    problems: list[RowProblem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class RejectedPrerequisite:
    """A source prerequisite edge not loaded as one (self-loop, cycle breaker), kept for review."""

    before: str
    after: str
    reason: str


@dataclass(frozen=True)
class ChapterSummary:
    id: str
    name: str
    order: int
    area: str
    dataset: str
    kps: int


@dataclass(frozen=True)
class MapKP:
    id: str
    name: str
    chapter_id: str
    description: str = ""
    questions: int = 0
    mastery: float | None = None  # from the overlay, when one was asked for
    external: bool = False  # a prerequisite that lives in another chapter


@dataclass(frozen=True)
class MapEdge:
    before: str
    after: str
    inferred: bool = False
    confidence: float = 1.0


@dataclass(frozen=True)
class MasteryStat:
    kp_id: str
    p: float
    attempts: int
    last_ts: int = 0
    students: int = 1  # >1 for a class overlay: how many students practised the KP


@dataclass(frozen=True)
class KnowledgeMap:
    chapter_id: str
    kps: tuple[MapKP, ...]
    edges: tuple[MapEdge, ...]


@dataclass(frozen=True)
class FrontierKP:
    id: str
    name: str
    p: float
    prerequisites: tuple[str, ...]


# --- recommendation -----------------------------------------------------------------------------


@dataclass(frozen=True)
class QuestionFacts:
    """What the recommender knows of a question: its KPs, 2PL parameters and level."""

    id: str
    kp_ids: tuple[str, ...]
    a: float = 1.0  # IRT discrimination (the bank's prior when the question was never fitted)
    b: float = 0.0  # IRT difficulty, on the students' theta scale
    level: ResourceLevel = ResourceLevel.STANDARD


@dataclass(frozen=True)
class LearnerState:
    """One student at recommendation time."""

    student_id: str
    mastery: Mapping[str, float]  # kp id -> BKT p
    history: tuple[tuple[str, bool], ...]  # (question id, correct), oldest first
    theta: float | None = None  # IRT ability, posterior mean; None: not fitted yet
    theta_var: float = 1.0  # its posterior variance


@dataclass(frozen=True)
class KPPick:
    """A knowledge point chosen in stage 1, with the signals behind its rank."""

    kp_id: str
    score: float
    signals: Mapping[str, float]  # cf, recent, unlocks, weak, order, progress: each in [0, 1]
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


# --- adaptation: affect, learning paths, adjustments, notifications ---------------------------


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


class StepStatus(StrEnum):
    DONE = "done"  # mastered
    CURRENT = "current"
    TODO = "todo"
    REMOVED = "removed"  # a tutor took it out; kept so the map can show it


@dataclass(frozen=True)
class PathStep:
    kp_id: str
    status: StepStatus
    pinned: bool = False  # a tutor fixed it in place: re-routing never drops it
    inserted: bool = False  # put in by a re-route (a prerequisite of a confusing KP)


@dataclass(frozen=True)
class LearningPath:
    """One version of a student's path to a goal KP; every re-route writes a new version."""

    student_id: str
    goal_kp: str
    version: int
    steps: tuple[PathStep, ...]
    reason: str  # why this version exists ("created", "confused on ...", ...)
    ts: int  # epoch milliseconds
    session_size: int | None = None  # steps in the next session when fatigue shortened it


@dataclass(frozen=True)
class AdaptAction:
    """One thing an adjustment or an affect rule does, e.g. ``more_resources`` on two KPs."""

    kind: str
    kp_ids: tuple[str, ...] = ()
    count: int = 0
    text: str = ""


@dataclass(frozen=True)
class Adjustment:
    """The outcome of one 15-minute adjustment for one student: the audit trail's entry."""

    student_id: str
    window: int  # start of the 15-minute window, epoch milliseconds
    findings: tuple[str, ...]
    actions: tuple[AdaptAction, ...]
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class Notification:
    """An e-mail waiting in (or delivered from) the graph's outbox; ``id`` is deterministic so
    the same event never queues two messages."""

    id: str
    to: str
    subject: str
    body: str
    student_id: str = ""
    kind: str = ""
    status: str = "pending"  # pending | sent | failed (gave up after max attempts)
    attempts: int = 0
    next_try: int = 0  # epoch milliseconds
    created: int = 0
    sent: int = 0
    last_error: str = ""


@dataclass(frozen=True)
class Suggestion:
    """An intervention a tutor could make, from the rule table; lower priority comes first."""

    rule: str
    text: str
    priority: int


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


# --- accounts and access (the web API) ----------------------------------------------------


# ids are free text in the graph (datasets namespace them as ``dataset:kind:n``); ids made
# through the API are printable text without spaces or slashes, so each fits a URL segment
API_ID = re.compile(r"^[^/\s\x00-\x1f]{1,128}$")


class Role(StrEnum):
    STUDENT = "student"  # their own data only
    TUTOR = "tutor"  # the students of the classes they teach
    ADMIN = "admin"  # everything
    LMS = "lms"  # a service account: the students of one tenant


@dataclass(frozen=True)
class Principal:
    """Who is calling: carried in the access token's claims, checked on every object."""

    subject: str  # username, or an LMS client id
    role: Role
    student_id: str = ""  # role student: the Student node it is
    tutor_id: str = ""  # role tutor: the Tutor node it is
    tenant: str = ""  # role lms: the only tenant it may touch


@dataclass(frozen=True)
class StudentAccess:
    """What the access rule needs to know about one student (``graph.accounts``)."""

    student_id: str
    tenant: str  # "" for students no LMS owns (datasets, the seed, created by tutors)
    taught_by_caller: bool  # a class of the student is taught by the calling tutor
