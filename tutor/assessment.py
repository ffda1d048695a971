"""Tests tutors publish and students sit: the pure rules of their life, forms, clock and scores.

An ``Assessment`` is a fixed form (questions the tutor picked, or a blueprint of N questions
per KP or chapter drawn per student) or an adaptive one (a CAT over KPs or chapters). It goes
draft -> published -> closed -> archived. A ``Sitting`` is one student's attempt at one test:
the items given in order (for a CAT, the last one may be chosen but not yet answered), the
answers, and the clock. The server owns the clock: a sitting's deadline is fixed when it starts
(the test's close time, or the start plus the time limit, whichever is first), and an answer
after it is refused (``TimeUp``). Nothing here reads the graph or a model.
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from enum import StrEnum

from tutor.errors import InvalidInput, StateConflict, TimeUp


class Form(StrEnum):
    FIXED = "fixed"  # the same questions (or a blueprint's draw) for every student
    ADAPTIVE = "adaptive"  # a CAT: each item chosen from the answers so far

class Status(StrEnum):
    DRAFT = "draft"  # the tutor edits it; students do not see it
    PUBLISHED = "published"  # assigned classes see and take it (between its open and close)
    CLOSED = "closed"  # no new answers; results stay
    ARCHIVED = "archived"  # hidden from lists; results stay

class Purpose(StrEnum):
    TEST = "test"
    PLACEMENT = "placement"  # sets the student's starting θ and prior mastery when finished

# action -> (the states it may leave, the state it reaches)
TRANSITIONS: dict[str, tuple[tuple[Status, ...], Status]] = {
    "publish": ((Status.DRAFT,), Status.PUBLISHED),
    "close": ((Status.PUBLISHED,), Status.CLOSED),
    "reopen": ((Status.CLOSED,), Status.PUBLISHED),
    "archive": ((Status.DRAFT, Status.CLOSED), Status.ARCHIVED),
}
MAX_ITEMS = 200  # of any form: a test longer than this is a mistake


@dataclass(frozen=True)
class BlueprintPart:
    scope_id: str  # a KP or chapter id
    count: int  # questions drawn from it per student


@dataclass(frozen=True)
class Assessment:
    """A test as the tutor set it."""

    id: str
    title: str
    form: Form
    dataset: str
    created_by: str  # the tutor id ('' for admins and for placement tests the system makes)
    created_at: int  # epoch ms
    status: Status = Status.DRAFT
    purpose: Purpose = Purpose.TEST
    class_ids: tuple[str, ...] = ()
    question_ids: tuple[str, ...] = ()  # fixed form: picked questions, in order
    blueprint: tuple[BlueprintPart, ...] = ()  # fixed form: drawn per student, after picked
    scope_ids: tuple[str, ...] = ()  # adaptive form: KPs or chapters the item bank covers
    opens_at: int | None = None  # epoch ms; None: as soon as published
    closes_at: int | None = None  # epoch ms; None: until a tutor closes it
    time_limit_s: int | None = None
    attempts_allowed: int = 1
    show_results: bool = True  # students see their score (never the answer key)
    allow_back: bool = True  # fixed form: answers may change until finished (never in a CAT)
    max_items: int = 20  # adaptive form
    se_stop: float = 0.3  # adaptive form: stop at this standard error of θ
    version: int = 0  # every stored change adds one: concurrent edits cannot both win

    __test__ = False  # not a pytest class

    def __post_init__(self) -> None:
        problems = settings_problems(self)
        if problems:
            raise InvalidInput("; ".join(problems))

    @property
    def length(self) -> int:
        """Items a student gets: the form's, or a CAT's most."""
        if self.form is Form.ADAPTIVE:
            return self.max_items
        return len(self.question_ids) + sum(p.count for p in self.blueprint)


def settings_problems(t: Assessment) -> list[str]:
    """Why a test's settings cannot work together ([] when they can)."""
    out = []
    if not t.title.strip():
        out.append("title: must not be blank")
    if t.form is Form.FIXED:
        if t.scope_ids:
            out.append("scope_ids: only an adaptive test has an item bank scope")
        if not t.question_ids and not t.blueprint:
            out.append("question_ids: a fixed form needs questions or a blueprint")
        if len(set(t.question_ids)) != len(t.question_ids):
            out.append("question_ids: a question is listed twice")
        if any(p.count < 1 for p in t.blueprint):
            out.append("blueprint: every count must be at least 1")
        if len({p.scope_id for p in t.blueprint}) != len(t.blueprint):
            out.append("blueprint: a KP or chapter is listed twice")
    else:
        if t.question_ids or t.blueprint:
            out.append("question_ids: an adaptive test chooses its own items from scope_ids")
        if not t.scope_ids:
            out.append("scope_ids: an adaptive test needs KPs or chapters to draw items from")
        if not 1 <= t.max_items <= MAX_ITEMS:
            out.append(f"max_items: must lie in 1..{MAX_ITEMS}")
        if not 0 < t.se_stop <= 2:
            out.append("se_stop: must lie in (0, 2]")
    if t.length > MAX_ITEMS:
        out.append(f"a test has at most {MAX_ITEMS} items")
    if t.opens_at is not None and t.closes_at is not None and t.closes_at <= t.opens_at:
        out.append("closes_at: must be after opens_at")
    if t.time_limit_s is not None and t.time_limit_s < 1:
        out.append("time_limit_s: must be at least 1")
    if not 1 <= t.attempts_allowed <= 100:
        out.append("attempts_allowed: must lie in 1..100")
    return out


def transition(test: Assessment, action: str) -> Assessment:
    """The test after a tutor's ``action`` (publish, close, reopen, archive)."""
    if action not in TRANSITIONS:
        raise InvalidInput(f"unknown action {action!r}: one of {', '.join(TRANSITIONS)}")
    sources, target = TRANSITIONS[action]
    if test.status not in sources:
        raise InvalidInput(f"a {test.status} test cannot be {_past(action)}")
    if action == "publish" and not test.class_ids and test.purpose is Purpose.TEST:
        raise InvalidInput("class_ids: assign the test to a class before publishing it")
    return replace(test, status=target, version=test.version + 1)


def availability_problem(test: Assessment, now: int, sittings_started: int) -> str | None:
    """Why a student may not start a (new) sitting now; None when they may."""
    if test.status is not Status.PUBLISHED:
        return f"the test is {test.status}"
    if test.opens_at is not None and now < test.opens_at:
        return "the test is not open yet"
    if test.closes_at is not None and now >= test.closes_at:
        return "the test has closed"
    if sittings_started >= test.attempts_allowed:
        return f"all {test.attempts_allowed} attempt(s) allowed are used"
    return None


@dataclass(frozen=True)
class Sitting:
    """One student's attempt at one test, as the server stores it."""

    id: str
    test_id: str
    student_id: str
    number: int  # 1 for the first attempt
    started_at: int
    deadline: int | None  # epoch ms; None: no clock
    items: tuple[str, ...] = ()  # question ids in the order given
    responses: tuple[str, ...] = ()  # the chosen option per item; "" not answered yet
    correct: tuple[bool, ...] = ()  # per item; False while not answered
    answered_at: tuple[int, ...] = ()  # epoch ms per item; 0 while not answered
    finished_at: int | None = None
    theta: float | None = None  # the CAT's (or a fixed form's) ability estimate at the end
    se: float | None = None
    recorded: bool = False  # its answers are attempts in the graph (and its side effects done)
    version: int = 0  # every stored change adds one: concurrent writers cannot both win

    @property
    def finished(self) -> bool:
        return self.finished_at is not None

    @property
    def answered(self) -> int:
        return sum(bool(r) for r in self.responses)

    def position(self, question_id: str) -> int | None:
        return self.items.index(question_id) if question_id in self.items else None


def sitting_id(test_id: str, student_id: str, number: int) -> str:
    return f"{test_id}|{student_id}|{number}"


def deadline(test: Assessment, started_at: int) -> int | None:
    """When a sitting started at ``started_at`` must end: the close time or the time limit."""
    ends = [t for t in (test.closes_at, None if test.time_limit_s is None
                        else started_at + 1000 * test.time_limit_s) if t is not None]
    return min(ends) if ends else None


def start(test: Assessment, student_id: str, number: int, now: int,
          items: Sequence[str]) -> Sitting:
    """A new sitting with its first ``items`` (a fixed form's whole draw; a CAT's first)."""
    return Sitting(sitting_id(test.id, student_id, number), test.id, student_id, number, now,
                   deadline(test, now), tuple(items), ("",) * len(items), (False,) * len(items),
                   (0,) * len(items), version=1)


def add_item(sitting: Sitting, question_id: str) -> Sitting:
    """A CAT's next item, chosen and stored before it is shown."""
    if question_id in sitting.items:
        raise InvalidInput(f"{question_id!r} was given already")
    return replace(sitting, items=(*sitting.items, question_id), responses=(*sitting.responses, ""),
                   correct=(*sitting.correct, False), answered_at=(*sitting.answered_at, 0))


def time_up(sitting: Sitting, now: int) -> bool:
    return sitting.deadline is not None and now >= sitting.deadline


def answer(test: Assessment, sitting: Sitting, question_id: str, response: str, correct: bool,
           now: int) -> Sitting | None:
    """The sitting with this answer recorded; None when it is already recorded (a resent
    submission changes nothing). Refuses answers after the deadline (``TimeUp``), to items not
    given, and changes where answers are final (a CAT, or a fixed form without back)."""
    if sitting.finished:
        raise StateConflict("this sitting is finished")
    if time_up(sitting, now):
        raise TimeUp("the time for this test is up: the answer was not recorded")
    i = sitting.position(question_id)
    if i is None:
        raise InvalidInput(f"question_id: {question_id!r} is not an item of this sitting")
    if not response:
        raise InvalidInput("answer: must not be empty")
    before = sitting.responses[i]
    if before == response:
        return None
    final = test.form is Form.ADAPTIVE or not test.allow_back
    if before and final:
        raise StateConflict("answers to this test are final: item already answered")
    if final and i != _first_open(sitting):
        raise InvalidInput("answer the items in the order given")
    return replace(sitting, responses=_set(sitting.responses, i, response),
                   correct=_set(sitting.correct, i, correct),
                   answered_at=_set(sitting.answered_at, i, now), version=sitting.version + 1)


def finish(sitting: Sitting, now: int, theta: float | None = None,
           se: float | None = None) -> Sitting:
    """The sitting ended: by the student, by the CAT's stopping rule, or by the clock (then
    its end is the deadline, not the moment someone noticed)."""
    if sitting.finished:
        return sitting
    end = min(now, sitting.deadline) if sitting.deadline is not None else now
    return replace(sitting, finished_at=end, theta=theta, se=se, version=sitting.version + 1)


@dataclass(frozen=True)
class Score:
    right: int
    items: int  # items given (a CAT's length), unanswered ones counted wrong
    percent: float  # 100 * right / items

def score(sitting: Sitting) -> Score:
    items = len(sitting.items)
    right = sum(sitting.correct)
    return Score(right, items, round(100.0 * right / items, 2) if items else 0.0)


def draw_form(test: Assessment, pools: Mapping[str, Sequence[str]], student_id: str,
              number: int) -> tuple[str, ...]:
    """A fixed form's items for one student's sitting: the picked questions, then per
    blueprint part ``count`` questions drawn without replacement from its pool (never one
    already on the form). The draw is seeded by test, student and attempt, so it is the same
    however often it is made, and differs between students."""
    rng = random.Random(_seed(test.id, student_id, str(number)))
    items = list(test.question_ids)
    taken = set(items)
    for part in test.blueprint:
        pool = sorted(set(pools.get(part.scope_id, ())) - taken)
        if len(pool) < part.count:
            raise InvalidInput(f"blueprint: {part.scope_id} has {len(pool)} question(s) left to "
                               f"draw, {part.count} asked")
        drawn = rng.sample(pool, part.count)
        items.extend(drawn)
        taken.update(drawn)
    return tuple(items)


def seed_of(*parts: str) -> int:
    """A stable 64-bit seed from text (Python's ``hash`` changes between processes)."""
    return _seed(*parts)


@dataclass(frozen=True)
class ItemStats:
    question_id: str
    answered: int
    omitted: int  # given but left unanswered (scored wrong)
    p_correct: float  # proportion correct of those given it (classical difficulty)
    discrimination: float | None  # point-biserial with the rest score; None when undefined
    options: Mapping[str, int]  # chosen option text -> times chosen


def item_analysis(sittings: Sequence[Sitting]) -> list[ItemStats]:
    """Classical item analysis over finished sittings: per item given, the proportion correct
    (an omitted item scores wrong, as in the score), the point-biserial correlation of its
    mark with the rest of the score (the item itself left out, so it does not correlate with
    itself), and how often each option was chosen."""
    done = [s for s in sittings if s.finished]
    order: dict[str, None] = {}
    for s in done:
        order.update(dict.fromkeys(s.items))
    out = []
    for q in order:
        marks, rests, options, omitted = [], [], {}, 0
        for s in done:
            i = s.position(q)
            if i is None:
                continue
            marks.append(float(s.correct[i]))
            rests.append(float(sum(s.correct) - s.correct[i]))
            if s.responses[i]:
                options[s.responses[i]] = options.get(s.responses[i], 0) + 1
            else:
                omitted += 1
        out.append(ItemStats(q, len(marks) - omitted, omitted, sum(marks) / len(marks),
                             point_biserial(marks, rests), dict(sorted(options.items()))))
    return out


def point_biserial(marks: Sequence[float], totals: Sequence[float]) -> float | None:
    """scipy's point-biserial r of a 0/1 mark with a score; None where it is undefined (fewer
    than two answers, or no variance in either)."""
    if len(marks) < 2 or len(set(marks)) < 2 or len(set(totals)) < 2:
        return None
    from scipy import stats  # here: the command line's start-up imports no scipy

    return float(stats.pointbiserialr(marks, totals).statistic)


def _first_open(sitting: Sitting) -> int | None:
    return next((i for i, r in enumerate(sitting.responses) if not r), None)


def _set(values: tuple, i: int, value: object) -> tuple:
    return (*values[:i], value, *values[i + 1:])


def _seed(*parts: str) -> int:
    return int.from_bytes(hashlib.blake2b("\x1f".join(parts).encode(), digest_size=8).digest(),
                          "big")


def _past(action: str) -> str:
    return {"publish": "published", "close": "closed", "reopen": "reopened",
            "archive": "archived"}[action]
