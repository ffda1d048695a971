"""Test use cases: tutors set and run tests, students sit them, results come back.

Wires the pure rules (``tutor.assessment``, ``tutor.placement``), the adaptive test
(``models.cat``: catsim on the project's 2PL parameters) and the graph (``graph.assessment``).

* **The server owns every sitting.** Items are drawn (a fixed form's blueprint) or chosen (a
  CAT's next item, by a generator seeded with the sitting and its length) and stored before the
  student sees them, so asking again shows the same item and a CAT cannot be replayed for
  easier ones. Every change is a compare-and-set on the sitting's version: of two concurrent
  answers one lands, the other is re-judged on what is stored (a resent answer changes nothing).
* **A finished sitting is recorded once:** its answers become attempts (``source = "test"``,
  event ids ``test:<sitting>:<position>``, so re-recording stores nothing twice and mastery and
  θ are refreshed from them), its xAPI statements are stored for the statement feed, and a
  placement writes the student's prior mastery. The sitting is saved finished first and marked
  recorded after, so a crash in between is repaired by the next read.
"""

from __future__ import annotations

import logging
import threading
import uuid
from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass, replace
from functools import cached_property
from typing import Any
from weakref import WeakKeyDictionary

import numpy as np
from cachetools import LRUCache

from graph import accounts, cache_version, maps, roster
from graph import assessment as store_
from graph.assessment import PoolItem
from graph.ingest import refresh_mastery
from graph.practice import grading_key
from graph.recommend import load_catalogue
from graph.xapi import save_statements
from models.cat import Cat, CatConfig
from services.ingest import namespace_of, write_attempts
from tutor import assessment as rules
from tutor.assessment import Assessment, Form, ItemStats, Purpose, Score, Sitting, Status
from tutor.authoring import grade
from tutor.errors import InvalidInput, NotFound, StateConflict, TimeUp
from tutor.mastery import Attempt
from tutor.placement import placement_priors
from tutor.ports import GraphStore
from tutor.recommend_types import RecConfig
from tutor.xapi import canonical_json, iso_timestamp, parse_statements

log = logging.getLogger(__name__)

MIN_RESPONSES = 50  # answers behind a question's 2PL fit before a CAT may give it
SOURCE_TEST = "test"  # the source of attempts that are test answers
SAVE_RETRIES = 5  # compare-and-set rounds before a write gives up (409)
PLACEMENT = "placement"  # id prefix of a dataset's own placement test
XAPI_ANSWERED = "http://adlnet.gov/expapi/verbs/answered"
XAPI_COMPLETED = "http://adlnet.gov/expapi/verbs/completed"
XAPI_ASSESSMENT = "http://adlnet.gov/expapi/activities/assessment"
XAPI_QUESTION = "http://adlnet.gov/expapi/activities/cmi.interaction"
HOME = "https://kgtutor.org"  # the IRI base of kgtutor's activities and student accounts
XAPI_ID = uuid.UUID("0d6f1c9e-51a4-5c57-9a1e-2f6b8f1d4c20")  # statement ids: uuid5(sitting, i)

Finished = Callable[[Assessment, Sitting], None]  # told once per sitting, after it is recorded
_BANKS: WeakKeyDictionary[GraphStore, LRUCache[Hashable, Bank]] = WeakKeyDictionary()
_BANKS_LOCK = threading.Lock()


@dataclass(frozen=True)
class Bank:
    """A CAT's item bank: gradable questions of the scope with a stable 2PL fit."""

    question_ids: tuple[str, ...]
    kp_ids: tuple[str, ...]
    a: np.ndarray
    b: np.ndarray
    excluded: int  # gradable questions left out: no fit, or fewer than MIN_RESPONSES answers

    def index(self, question_id: str) -> int | None:
        return self._positions.get(question_id)

    @cached_property
    def _positions(self) -> dict[str, int]:
        return {q: i for i, q in enumerate(self.question_ids)}


@dataclass(frozen=True)
class Progress:
    """A sitting as its student sees it: the item to answer now, if any."""

    test: Assessment
    sitting: Sitting
    question_id: str | None  # the first unanswered item; None when finished or all answered
    time_left_s: float | None


# --- tutors ------------------------------------------------------------------------------------


def create(store: GraphStore, draft: Assessment, now: int) -> Assessment:
    """Store a new draft test; its questions and scopes must exist, be gradable and belong to
    one dataset (its ``dataset`` is set from them)."""
    test = replace(draft, dataset=_dataset_of(store, draft), status=Status.DRAFT, version=1)
    if not store_.save_test(store, test, 0, now):
        raise StateConflict(f"a test {test.id!r} exists already")
    return test


def update(store: GraphStore, test_id: str, changes: Mapping[str, Any], expected: int | None,
           now: int) -> Assessment:
    """Change a test's settings. A draft may change in every way; a published or closed test
    in its title, close time, classes and whether results are shown (what students already
    sat must stay comparable); an archived one not at all."""
    test = get(store, test_id)
    if expected is not None and expected != test.version:
        raise StateConflict(f"the test changed meanwhile (version {test.version})")
    later = {"title", "closes_at", "class_ids", "show_results"}
    if test.status is Status.ARCHIVED or (test.status is not Status.DRAFT
                                          and set(changes) - later):
        fields = ", ".join(sorted(later))
        raise InvalidInput(f"a {test.status} test can change only: {fields}"
                           if test.status is not Status.ARCHIVED else "an archived test is final")
    new = replace(test, **changes, version=test.version + 1)
    if test.status is Status.DRAFT:  # its questions may have changed: check them again
        new = replace(new, dataset=_dataset_of(store, new))
    return _save_test(store, new, test.version, now)


def act(store: GraphStore, test_id: str, action: str, now: int) -> Assessment:
    """Publish, close, reopen or archive; publishing checks the questions once more."""
    test = get(store, test_id)
    new = rules.transition(test, action)
    if action == "publish":
        _dataset_of(store, new)
    return _save_test(store, new, test.version, now)


def get(store: GraphStore, test_id: str) -> Assessment:
    test = store_.get_test(store, test_id)
    if test is None:
        raise NotFound(f"no test {test_id!r}")
    return test


def listed(store: GraphStore, tutor_id: str, tenant: str, archived: bool = False
           ) -> list[tuple[Assessment, int]]:
    """(test, sittings started) a caller may see (tutor id and tenant '' for admins)."""
    return store_.list_tests(store, tutor_id, tenant, archived)


def cat_bank(store: GraphStore, test: Assessment) -> Bank:
    """The gradable questions of an adaptive test's scope with a stable 2PL fit; kept per
    test, scope and catalogue version (an import or an IRT refit moves it in every process:
    ``graph.cache_version``), so a sitting reads its bank once, not at every answer."""
    key = (test.id, test.scope_ids, cache_version.current(store))
    with _BANKS_LOCK:
        banks = _BANKS.setdefault(store, LRUCache(64))
        found = banks.get(key)
    if found is None:
        found = _read_bank(store, test)
        with _BANKS_LOCK:
            banks[key] = found
    return found


def _read_bank(store: GraphStore, test: Assessment) -> Bank:
    pool = {p.question_id: p for p in store_.question_pool(store, test.scope_ids)}
    usable = [p for p in pool.values()
              if p.a is not None and p.b is not None and p.responses >= MIN_RESPONSES]
    usable.sort(key=lambda p: p.question_id)
    return Bank(tuple(p.question_id for p in usable), tuple(p.kp_id for p in usable),
                np.array([p.a for p in usable], float), np.array([p.b for p in usable], float),
                len(pool) - len(usable))


# --- students ----------------------------------------------------------------------------------


def for_student(store: GraphStore, student_id: str, now: int
                ) -> list[tuple[Assessment, list[Sitting]]]:
    """The tests assigned to the student's classes, each with their sittings (clock applied)."""
    mine: dict[str, list[Sitting]] = {}
    for s in store_.student_sittings(store, student_id):
        mine.setdefault(s.test_id, []).append(s)
    out = []
    for test in store_.student_tests(store, student_id):
        sittings = [_settle(store, test, s, now) for s in mine.get(test.id, [])]
        out.append((test, sittings))
    return out


def start(store: GraphStore, test_id: str, student_id: str, now: int,
          finished: Finished | None = None) -> tuple[Progress, bool]:
    """The student's sitting in progress, or a new one (then True): its items drawn (fixed
    form) or its first item chosen (CAT) and stored before it is shown."""
    test = _assigned(store, test_id, student_id)
    for _ in range(SAVE_RETRIES):
        sittings = [_settle(store, test, s, now, finished)
                    for s in store_.student_sittings(store, student_id, test.id)]
        if sittings and not sittings[-1].finished:
            return _progress(test, sittings[-1], now), False
        problem = rules.availability_problem(test, now, len(sittings))
        if problem:
            raise StateConflict(problem)
        number = len(sittings) + 1
        if test.form is Form.FIXED:
            pools = _pools(store, [p.scope_id for p in test.blueprint])
            items = rules.draw_form(test, pools, student_id, number)
            sitting = rules.start(test, student_id, number, now, items)
        else:
            sitting = rules.start(test, student_id, number, now, ())
            sitting = _next_item(store, test, sitting) or sitting
            if not sitting.items:
                raise StateConflict("no calibrated question is left to give in this test")
        if store_.save_sitting(store, sitting, 0, now):
            return _progress(test, sitting, now), True
    raise StateConflict("the sitting changed meanwhile; try again")


def current(store: GraphStore, test_id: str, student_id: str, now: int,
            finished: Finished | None = None) -> Progress:
    """The student's latest sitting of the test (NotFound before the first)."""
    test = _assigned(store, test_id, student_id)
    sittings = store_.student_sittings(store, student_id, test.id)
    if not sittings:
        raise NotFound("no sitting of this test yet: start one")
    return _progress(test, _settle(store, test, sittings[-1], now, finished), now)


def answer(store: GraphStore, test_id: str, student_id: str, question_id: str, response: str,
           now: int, finished: Finished | None = None) -> tuple[Progress, bool]:
    """Grade and store the answer to an item of the sitting in progress; (progress, whether
    anything changed: False for a resent answer). A CAT then chooses its next item, or stops;
    a form whose answers are final finishes when its last item is answered."""
    test = _assigned(store, test_id, student_id)
    kind, key, tolerance = grading_key(store, question_id)
    for _ in range(SAVE_RETRIES):
        sitting = _latest(store, test, student_id)
        if sitting.finished:
            i = sitting.position(question_id)
            if i is not None and sitting.responses[i] == response:
                return _progress(test, _settle(store, test, sitting, now, finished), now), False
        if not sitting.finished and test.status is not Status.PUBLISHED:
            _finish(store, test, sitting, now, finished)
            raise StateConflict(f"the test is {test.status}: the answer was not recorded")
        if not sitting.finished and rules.time_up(sitting, now):
            _finish(store, test, sitting, now, finished)
            raise TimeUp("the time for this test is up: the answer was not recorded")
        new = rules.answer(test, sitting, question_id, response,
                           grade(kind, key, response, tolerance), now)
        if new is None:
            return _progress(test, sitting, now), False
        done = False
        if test.form is Form.ADAPTIVE:
            following = _next_item(store, test, new)
            done = following is None
            new = following or new
        elif not test.allow_back and new.answered == len(new.items):
            done = True
        if done:
            new = _ended(store, test, new, now)
        if store_.save_sitting(store, new, sitting.version, now):
            if new.finished:
                new = _record(store, test, new, now, finished)
            return _progress(test, new, now), True
    raise StateConflict("the sitting changed meanwhile; try again")


def finish(store: GraphStore, test_id: str, student_id: str, now: int,
           finished: Finished | None = None) -> Progress:
    """The student hands in: the sitting ends as it stands (unanswered items count wrong)."""
    test = _assigned(store, test_id, student_id)
    for _ in range(SAVE_RETRIES):
        sitting = _latest(store, test, student_id)
        if sitting.finished:
            return _progress(test, _settle(store, test, sitting, now, finished), now)
        done = _finish(store, test, sitting, now, finished)
        if done is not None:
            return _progress(test, done, now)
    raise StateConflict("the sitting changed meanwhile; try again")


def sittings(store: GraphStore, test: Assessment, student_id: str, now: int,
             finished: Finished | None = None) -> list[Sitting]:
    """The student's sittings of the test, clock applied."""
    return [_settle(store, test, s, now, finished)
            for s in store_.student_sittings(store, student_id, test.id)]


def placement_state(store: GraphStore, student_id: str) -> tuple[int | None, bool]:
    """(when a placement test placed the student, or None; whether they have answered)."""
    found = store_.placement_state(store, student_id)
    if found is None:
        raise NotFound(f"no student {student_id!r}")
    return found


def placement(store: GraphStore, student_id: str, now: int) -> Assessment:
    """The placement test of the student's dataset (made and published on first use): an
    adaptive test over every chapter, one sitting per student, offered on first log-in."""
    dataset = _student_dataset(store, student_id)
    test_id = f"{PLACEMENT}:{dataset}"
    found = store_.get_test(store, test_id)
    if found is not None:
        return found
    chapters = tuple(c.id for c in maps.chapters(store, dataset))
    if not chapters:
        raise NotFound(f"the dataset {dataset!r} has no chapters to place a student in")
    test = Assessment(test_id, "Placement", Form.ADAPTIVE, dataset, "", now, Status.PUBLISHED,
                      Purpose.PLACEMENT, scope_ids=chapters, show_results=True,
                      allow_back=False, version=1)
    if not store_.save_test(store, test, 0, now):  # made meanwhile by another request
        return get(store, test_id)
    return test


# --- results -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class StudentResult:
    student_id: str
    name: str
    sittings: int
    finished: bool  # the latest sitting is finished
    score: Score | None  # of the latest finished sitting
    theta: float | None
    se: float | None


@dataclass(frozen=True)
class KPResult:
    kp_id: str
    name: str
    answered: int
    p_correct: float


@dataclass(frozen=True)
class Results:
    test: Assessment
    students: list[StudentResult]
    kps: list[KPResult]
    items: list[ItemStats]


def results(store: GraphStore, test_id: str, now: int) -> Results:
    """Per student (their latest finished sitting), per KP and per item."""
    test = get(store, test_id)
    rows = [(_settle(store, test, s, now), name) for s, name in store_.sittings_of(store, test.id)]
    by_student: dict[str, list[tuple[Sitting, str]]] = {}
    for s, name in rows:
        by_student.setdefault(s.student_id, []).append((s, name))
    students = []
    for sid, group in by_student.items():
        done = [s for s, _ in group if s.finished]
        last = done[-1] if done else None
        students.append(StudentResult(sid, group[0][1], len(group), group[-1][0].finished,
                                      rules.score(last) if last else None,
                                      last.theta if last else None, last.se if last else None))
    finished = [s for s, _ in rows if s.finished]
    kps_of = store_.question_kps(store, {q for s in finished for q in s.items})
    tally: dict[tuple[str, str], list[int]] = {}
    for s in finished:
        for q, right, given in zip(s.items, s.correct, s.responses, strict=True):
            if given and kps_of.get(q):
                t = tally.setdefault(kps_of[q][0], [0, 0])
                t[0] += 1
                t[1] += int(right)
    kps = [KPResult(k, name, n, right / n) for (k, name), (n, right) in sorted(tally.items())]
    return Results(test, students, kps, rules.item_analysis(finished))


# --- inside ------------------------------------------------------------------------------------


def _assigned(store: GraphStore, test_id: str, student_id: str) -> Assessment:
    """The test, if the student may see it: assigned to a class of theirs and not a draft or
    archived; or their dataset's placement test. NotFound otherwise (never says which)."""
    test = store_.get_test(store, test_id)
    if test is not None and test.purpose is Purpose.PLACEMENT and not test.class_ids:
        if test.dataset == _student_dataset(store, student_id):
            return test
    elif test is not None and any(t.id == test.id
                                  for t in store_.student_tests(store, student_id)):
        return test
    raise NotFound(f"no test {test_id!r} for this student")


def _latest(store: GraphStore, test: Assessment, student_id: str) -> Sitting:
    sittings = store_.student_sittings(store, student_id, test.id)
    if not sittings:
        raise NotFound("no sitting of this test yet: start one")
    return sittings[-1]


def _settle(store: GraphStore, test: Assessment, sitting: Sitting, now: int,
            finished: Finished | None = None) -> Sitting:
    """The sitting with the clock and the test's state applied: one whose deadline passed, or
    whose test a tutor closed, is finished; a finished one not yet recorded is recorded."""
    if not sitting.finished and (rules.time_up(sitting, now)
                                 or test.status is not Status.PUBLISHED):
        return _finish(store, test, sitting, now, finished) or sitting
    if sitting.finished and not sitting.recorded:
        return _record(store, test, sitting, now, finished)
    return sitting


def _finish(store: GraphStore, test: Assessment, sitting: Sitting, now: int,
            finished: Finished | None) -> Sitting | None:
    """End and record the sitting; None when another write changed it first."""
    done = _ended(store, test, sitting, now)
    if not store_.save_sitting(store, done, sitting.version, now):
        return None
    return _record(store, test, done, now, finished)


def _ended(store: GraphStore, test: Assessment, sitting: Sitting, now: int) -> Sitting:
    theta = se = None
    if test.form is Form.ADAPTIVE:
        bank = cat_bank(store, test)
        idx, answers = _answered(bank, sitting)
        if idx:
            cat = _cat(bank, test)
            theta = cat.estimate(idx, answers)
            se = cat.se(theta, idx)
    return rules.finish(sitting, now, theta, se)


def _record(store: GraphStore, test: Assessment, sitting: Sitting, now: int,
            finished: Finished | None) -> Sitting:
    """The finished sitting's answers into the graph (once; idempotent if run again)."""
    if test.purpose is Purpose.PLACEMENT and sitting.theta is not None:
        _place(store, test, sitting)
    write_attempts(store, [
        Attempt(f"test:{sitting.id}:{i}", sitting.student_id, q, right, ts=at,
                source=SOURCE_TEST)
        for i, (q, given, right, at) in enumerate(zip(sitting.items, sitting.responses,
                                                      sitting.correct, sitting.answered_at,
                                                      strict=True)) if given])
    if test.purpose is Purpose.PLACEMENT:
        refresh_mastery(store, [sitting.student_id])  # on the placed priors
    save_statements(store, _statements(store, test, sitting, now))
    done = replace(sitting, recorded=True, version=sitting.version + 1)
    if not store_.save_sitting(store, done, sitting.version, now):
        return sitting  # recorded meanwhile by another request, which told ``finished``
    if finished is not None:
        try:
            finished(test, done)
        except Exception:  # a gradebook that fails must not undo the test
            log.exception("after test %s, sitting %s", test.id, done.id)
    return done


def _place(store: GraphStore, test: Assessment, sitting: Sitting) -> None:
    """Prior mastery per KP from the placement's θ and answers, spread over the graph."""
    catalogue = load_catalogue(store, test.dataset)
    bank = cat_bank(store, test)
    kp_of = dict(zip(bank.question_ids, bank.kp_ids, strict=True))
    answers: dict[str, list[bool]] = {}
    for q, given, right in zip(sitting.items, sitting.responses, sitting.correct, strict=True):
        if given and q in kp_of:
            answers.setdefault(kp_of[q], []).append(right)
    config = RecConfig()
    priors = placement_priors(sitting.theta or 0.0, catalogue.prerequisites,
                              catalogue.known_share, answers, config.mastery_threshold,
                              config.ability_prior, catalogue.kp_bkt)
    store_.save_placement(store, sitting.student_id, priors, sitting.finished_at or 0,
                          sitting.id)


def _next_item(store: GraphStore, test: Assessment, sitting: Sitting) -> Sitting | None:
    return cat_step(cat_bank(store, test), test, sitting)


def cat_step(bank: Bank, test: Assessment, sitting: Sitting) -> Sitting | None:
    """The sitting with the CAT's next item added, or None when the CAT stops (SE(θ) reached,
    ``max_items`` given, or the bank used up). The generator is seeded by the sitting and its
    length: the choice depends on stored state only, so asking again gives the same item."""
    if not len(bank.question_ids):
        return None
    cat = _cat(bank, test)
    idx, answers = _answered(bank, sitting)
    theta = cat.estimate(idx, answers)
    if len(sitting.items) >= test.max_items or cat.done(theta, idx):
        return None
    given = [i for q in sitting.items if (i := bank.index(q)) is not None]
    rng = np.random.default_rng(rules.seed_of(sitting.id, str(len(sitting.items))))
    chosen = cat.next_item(given, theta, rng)
    return None if chosen is None else rules.add_item(sitting, bank.question_ids[chosen])


def _cat(bank: Bank, test: Assessment) -> Cat:
    """catsim over the bank; randomesque over at most a quarter of a small bank, so exposure
    control does not turn a 30-item bank into a random test."""
    pick = min(CatConfig().randomesque, max(1, len(bank.question_ids) // 4))
    return Cat(bank.a, bank.b, CatConfig(max_items=test.max_items, se_stop=test.se_stop,
                                         randomesque=pick))


def _answered(bank: Bank, sitting: Sitting) -> tuple[list[int], list[bool]]:
    idx, answers = [], []
    for q, given, right in zip(sitting.items, sitting.responses, sitting.correct, strict=True):
        i = bank.index(q)
        if given and i is not None:
            idx.append(i)
            answers.append(right)
    return idx, answers


def _progress(test: Assessment, sitting: Sitting, now: int) -> Progress:
    open_ = None if sitting.finished else next(
        (q for q, r in zip(sitting.items, sitting.responses, strict=True) if not r), None)
    left = None if sitting.deadline is None or sitting.finished else max(
        0.0, (sitting.deadline - now) / 1000)
    return Progress(test, sitting, open_, left)


def _pools(store: GraphStore, scope_ids: Sequence[str]) -> dict[str, list[str]]:
    pools: dict[str, list[str]] = {}
    for p in store_.question_pool(store, scope_ids):
        pools.setdefault(p.scope_id, []).append(p.question_id)
    return pools


def _dataset_of(store: GraphStore, test: Assessment) -> str:
    """The one dataset of a test's questions and scopes; InvalidInput naming the field of a
    question that does not exist or cannot be graded, or a scope with nothing to draw."""
    datasets: set[str] = set()
    facts = store_.question_facts(store, test.question_ids)
    for q in test.question_ids:
        if q not in facts:
            raise InvalidInput(f"question_ids: no question {q!r}")
        if not facts[q][1]:
            raise InvalidInput(f"question_ids: {q!r} has no answer key, so a test cannot "
                               "grade it")
        datasets.add(facts[q][0])
    scopes = [p.scope_id for p in test.blueprint] + list(test.scope_ids)
    pool: dict[str, list[PoolItem]] = {}
    for p in store_.question_pool(store, scopes):
        pool.setdefault(p.scope_id, []).append(p)
    field = "blueprint" if test.blueprint else "scope_ids"
    for scope in scopes:
        if not pool.get(scope):
            raise InvalidInput(f"{field}: no KP or chapter {scope!r} with gradable questions")
        datasets.update(p.dataset for p in pool[scope])
    if len(datasets) > 1:
        raise InvalidInput("a test draws its questions from one dataset, not "
                           + ", ".join(sorted(datasets)))
    if test.form is Form.ADAPTIVE and not cat_bank(store, test).question_ids:
        raise InvalidInput(f"scope_ids: no question there has a 2PL fit on {MIN_RESPONSES} or "
                           "more answers yet (kgtutor train irt)")
    return datasets.pop()


def _save_test(store: GraphStore, test: Assessment, expected: int, now: int) -> Assessment:
    if not store_.save_test(store, test, expected, now):
        raise StateConflict("the test changed meanwhile; read it again")
    return test


def _student_dataset(store: GraphStore, student_id: str) -> str:
    found = roster.get_student(store, student_id)
    if found is None:
        raise NotFound(f"no student {student_id!r}")
    return str(found.get("dataset") or "")


def _statements(store: GraphStore, test: Assessment, sitting: Sitting, now: int
                ) -> list[dict[str, Any]]:
    """xAPI statements of a finished sitting: one "answered" per answer and one "completed"
    with the score, stored for the statement feed under the student's tenant."""
    access = accounts.student_access(store, sitting.student_id, "")
    tenant = access.tenant if access else ""
    name = sitting.student_id.removeprefix(f"{tenant}:") if tenant else sitting.student_id
    actor = {"objectType": "Agent", "account": {"homePage": HOME, "name": name}}
    parent = {"id": f"{HOME}/tests/{test.id}", "objectType": "Activity",
              "definition": {"type": XAPI_ASSESSMENT, "name": {"en": test.title}}}
    out = []
    for i, (q, given, right, at) in enumerate(zip(sitting.items, sitting.responses,
                                                  sitting.correct, sitting.answered_at,
                                                  strict=True)):
        if given:
            out.append(_statement(sitting, str(i), at, {
                "actor": actor, "verb": {"id": XAPI_ANSWERED, "display": {"en": "answered"}},
                "object": {"id": f"{HOME}/questions/{q}", "objectType": "Activity",
                           "definition": {"type": XAPI_QUESTION}},
                "result": {"success": right, "response": given},
                "context": {"contextActivities": {"parent": [parent]},
                            "registration": _registration(sitting)}}, tenant, "answer", now))
    s = rules.score(sitting)
    result: dict[str, Any] = {"completion": True, "score": {
        "raw": s.right, "min": 0, "max": s.items, "scaled": round(s.percent / 100, 4)}}
    if sitting.theta is not None:
        result["extensions"] = {f"{HOME}/xapi/theta": round(sitting.theta, 4)}
    out.append(_statement(sitting, "completed", sitting.finished_at or 0, {
        "actor": actor, "verb": {"id": XAPI_COMPLETED, "display": {"en": "completed"}},
        "object": parent, "result": result,
        "context": {"registration": _registration(sitting)}}, tenant, "activity", now))
    return out


def _registration(sitting: Sitting) -> str:
    return str(uuid.uuid5(XAPI_ID, sitting.id))


def _statement(sitting: Sitting, part: str, ts: int, body: dict[str, Any], tenant: str,
               kind: str, now: int) -> dict[str, Any]:
    """One statement as ``graph.xapi.save_statements`` stores it, checked by the same parser
    as statements received, and keyed in the student's tenant's namespace like them."""
    sid = str(uuid.uuid5(XAPI_ID, f"{sitting.id}|{part}"))
    raw = {"id": sid, **body, "timestamp": iso_timestamp(ts)}
    parsed = parse_statements([raw])[0]
    return {"id": f"{namespace_of(tenant)}:{sid}", "statement_id": sid,
            "raw": canonical_json(raw), "digest": parsed.digest, "stored": now, "tenant": tenant,
            "verb": body["verb"]["id"], "kind": kind, "ts": ts,
            "student_id": sitting.student_id}
