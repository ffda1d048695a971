"""Write domain objects into the graph in batches: idempotent, with progress and counts.

Every importer (seed curriculum, ASSISTments, Junyi, LMS CSV) turns its source into a
``GraphData`` and hands it here, and so does every answer that arrives one at a time (the
practice page, the attempts and xAPI endpoints, the LRS sync), so there is one write path and
one notion of idempotency: nodes and edges are MERGEd on their ids, attempts are created once
per event id, and what is derived from attempts (BKT mastery, IRT theta) is recomputed from all
the stored attempts of the students that got new ones, never stepped, so it cannot drift.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import partial
from typing import Any, TypeVar

import numpy as np
from tqdm import tqdm

from tutor.ability import item_params, theta_from_responses
from tutor.curriculum import Chapter, KnowledgePoint, Prerequisite, Question, Resource, Tests
from tutor.errors import ConstraintViolation, InvalidInput
from tutor.imports import RejectedPrerequisite
from tutor.mastery import Attempt, BktParams
from tutor.ports import GraphStore
from tutor.roster import SchoolClass, Student, Tutor

T = TypeVar("T")
R = TypeVar("R")
RACE_RETRIES = 5  # writes of one batch retried after losing a race on an event id
FEW_ANSWERED = 50  # new questions of a student up to which only their KPs are refreshed


@dataclass
class GraphData:
    dataset: str  # stored on every node, so datasets stay apart in queries such as the frontier
    chapters: Sequence[Chapter] = ()
    kps: Sequence[KnowledgePoint] = ()
    prerequisites: Sequence[Prerequisite] = ()
    rejected: Sequence[RejectedPrerequisite] = ()
    questions: Sequence[Question] = ()
    tests: Sequence[Tests] = ()
    resources: Sequence[Resource] = ()
    students: Sequence[Student] = ()
    tutors: Sequence[Tutor] = ()
    classes: Sequence[SchoolClass] = ()
    attempts: Sequence[Attempt] = ()


@dataclass
class IngestResult:
    written: dict[str, int] = field(default_factory=dict)  # rows sent per kind
    attempts_new: int = 0
    attempts_existing: int = 0
    created_events: set[str] = field(default_factory=set)  # event ids this call stored
    mastery_refreshed: int = 0
    theta_refreshed: int = 0  # students whose theta was recomputed
    seconds: dict[str, float] = field(default_factory=dict)  # nodes, attempts, mastery, theta


def ingest(store: GraphStore, data: GraphData, batch_size: int = 5000,
           progress: bool = False, bkt: BktParams = BktParams(),
           repair: bool = False, unseen: bool = False) -> IngestResult:
    """Write ``data``; running it twice stores the same graph (attempts keyed by event id).

    Derived state (mastery, theta) is refreshed for the students given new attempts, then a
    watermark on each (``derived_attempts``) records how many attempts it rests on. With
    ``repair`` (bulk imports) every student whose watermark differs from their attempt count
    is refreshed too: an import killed after writing attempts but before refreshing leaves
    such students, and re-running it writes no new attempt for them. ``unseen``: the caller
    has just read the attempts' event ids and found none stored (an answer through the API),
    so they are written without counting them first; one stored meanwhile still fails the
    write on the unique constraint, and the batch is then counted and retried."""
    result = IngestResult()
    ds = data.dataset
    steps: list[tuple[str, str, list[dict[str, Any]]]] = [
        ("chapters", "upsert_chapters", [_chapter(c, ds) for c in data.chapters]),
        ("kps", "upsert_kps", [_kp(k, ds) for k in data.kps]),
        ("prerequisites", "upsert_prerequisites",
         [prerequisite_row(p) for p in data.prerequisites]),
        ("rejected", "upsert_rejected_prerequisites", [vars_(r) for r in data.rejected]),
        ("questions", "upsert_questions", [_question(q, ds) for q in data.questions]),
        ("tests", "upsert_tests", [vars_(t) for t in data.tests]),
        ("resources", "upsert_resources", [_resource(r, ds) for r in data.resources]),
        ("teaches", "upsert_teaches", [{"resource_id": r.id, "kp_id": k}
                                        for r in data.resources for k in r.kp_ids]),
        ("students", "upsert_students", [_student(s, ds) for s in data.students]),
        ("tutors", "upsert_tutors", [{**vars_(t), "dataset": ds} for t in data.tutors]),
        ("classes", "upsert_classes", [{"id": c.id, "name": c.name, "dataset": ds}
                                        for c in data.classes]),
        ("memberships", "upsert_memberships", [{"student_id": s, "class_id": c.id}
                                                for c in data.classes for s in c.student_ids]),
        ("class_tutors", "upsert_class_tutors", [{"tutor_id": t, "class_id": c.id}
                                                  for c in data.classes for t in c.tutor_ids]),
    ]
    clock = time.perf_counter()
    for kind, query, rows in steps:
        write_batches(store, query, "rows", rows, batch_size)
        result.written[kind] = len(rows)
    result.seconds["nodes"], clock = _lap(clock)
    answered = _write_attempts(store, data.attempts, batch_size, progress, result, unseen)
    touched = set(answered)
    if repair:  # a stale student's new answers are not known here: every KP of theirs
        stale = {r["id"] for r in store.read("stale_students")}
        touched |= stale
        answered = {s: q for s, q in answered.items() if s not in stale}
    result.seconds["attempts"], clock = _lap(clock)
    result.mastery_refreshed = refresh_mastery(store, sorted(touched), bkt, answered=answered)
    result.seconds["mastery"], clock = _lap(clock)
    result.theta_refreshed = refresh_theta(store, sorted(touched))  # and the watermark
    result.seconds["theta"], _ = _lap(clock)
    return result


def _lap(since: float) -> tuple[float, float]:
    now = time.perf_counter()
    return now - since, now


def refresh_mastery(store: GraphStore, student_ids: Sequence[str], bkt: BktParams = BktParams(),
                    batch_size: int = 200,
                    answered: Mapping[str, Sequence[str]] | None = None) -> int:
    """Recompute MASTERY edges of these students from all their stored attempts: of every KP,
    or, for a student in ``answered`` (student -> questions newly answered, a few), of the KPs
    those questions test, the only ones new answers move: an answer through the API then
    refreshes one KP, not the student's every KP (``docs/evaluation/api-load.md``)."""
    answered = answered or {}
    rows = [{"student_id": s, "question_ids": sorted(set(answered[s]))
             if s in answered and len(answered[s]) <= FEW_ANSWERED else None}
            for s in student_ids]
    return write_batches(store, "refresh_mastery", "rows", rows, batch_size, bkt.as_params())


def refresh_theta(store: GraphStore, student_ids: Sequence[str], batch_size: int = 200) -> int:
    """Recompute these students' theta from all their stored answers, and set the watermark
    of their derived state (``derived_attempts``: mastery is refreshed first); return how
    many were written.

    The MAP of ``tutor.ability.theta_from_responses`` (prior N(0, 1), the IRT fit's; items fixed
    at their fitted a, b, else their level's): the recommender's own estimate when none is
    stored, over every answer instead of the latest 200. A function of the set of stored
    answers, so re-sent events, retried transactions and the order of arrival cannot move it;
    ``refresh_theta.cypher`` skips a student who got an answer since the read (that answer's
    ingest writes the newer theta).
    """
    rows = [_theta_row(r) for batch in _batches(student_ids, batch_size)
            for r in store.read("theta_answers", {"student_ids": batch})]
    return write_batches(store, "refresh_theta", "rows", rows, 5000)


def _theta_row(row: dict[str, Any]) -> dict[str, Any]:
    a, b = np.array([item_params(a, b if fitted else None, level or None) for a, b, fitted, level
                     in zip(row["a"], row["b"], row["fitted"], row["level"], strict=True)]).T
    theta, var = theta_from_responses(a, b, np.array(row["correct"], dtype=np.float64))
    return {"id": row["student_id"], "theta": theta, "var": var,
            "responses": len(row["correct"])}


def write_batches(store: GraphStore, query: str, key: str, rows: Sequence[Any],
                    batch_size: int, extra: dict[str, Any] | None = None) -> int:
    """Run ``query`` over ``rows`` in batches, two in flight; return the sum of column n."""
    def one(batch: list[Any]) -> int:
        out = store.write(query, {key: batch, **(extra or {})})
        return int(out[0]["n"]) if out else 0

    return sum(_two_in_flight(one, list(_batches(rows, batch_size))))


def _two_in_flight(run: Callable[[list[Any]], R], batches: list[list[Any]]) -> Iterator[R]:
    """``run`` over the batches in order, two at a time; one batch (an answer through the API
    writes a few rows) runs on the caller's thread: a pool's thread cost it 0.2 ms of CPU."""
    if len(batches) <= 1:
        yield from map(run, batches)
        return
    with ThreadPoolExecutor(max_workers=2) as pool:
        yield from pool.map(run, batches)


def _write_attempts(store: GraphStore, attempts: Sequence[Attempt], batch_size: int,
                    progress: bool, result: IngestResult, unseen: bool = False
                    ) -> dict[str, set[str]]:
    """Write attempts not stored yet; return the students that got new ones, with the
    questions they newly answered.

    Two batches are in flight at once: while the server runs one, the client serialises the
    next (FalkorDB serialises writes to one graph anyway, so more threads would only wait).
    """
    if len({a.event_id for a in attempts}) != len(attempts):
        raise InvalidInput("duplicate event ids in one import; the importer must make them unique")
    touched: dict[str, set[str]] = {}
    write = partial(_write_attempt_batch, store, unseen=unseen)
    with tqdm(total=len(attempts), unit="attempt", disable=not progress, mininterval=0.5) as bar:
        for new, existing in _two_in_flight(write, list(_batches(attempts, batch_size))):
            for row in new:
                touched.setdefault(row["student_id"], set()).add(row["question_id"])
            result.created_events.update(row["event_id"] for row in new)
            result.attempts_new += len(new)
            result.attempts_existing += existing
            bar.update(len(new) + existing)
    result.written["attempts"] = len(attempts)
    return touched


def _write_attempt_batch(store: GraphStore, batch: list[Attempt],
                         unseen: bool = False) -> tuple[list[dict[str, Any]], int]:
    """Create the batch's unseen attempts and return them (exactly those this call stored)
    with the count already stored; counting first keeps the common all-new and all-known
    cases from shipping every id back.

    A concurrent writer may store one of the ids between the read and the write: the unique
    constraint then fails the whole write (a query is atomic), and the batch is read again
    and retried without the ids now stored. ``unseen`` skips the first count (the caller
    found none stored)."""
    ids = [a.event_id for a in batch]
    for attempt in range(RACE_RETRIES):
        stored = 0 if unseen and attempt == 0 else (
            store.read("count_existing_attempts", {"ids": ids})[0]["n"])
        if stored == len(batch):
            return [], stored
        known: set[str] = set()
        if stored:
            known = {row["id"] for row in store.read("existing_attempts", {"ids": ids})}
        new = [_attempt(a) for a in batch if a.event_id not in known]
        try:
            store.write("create_attempts", {"rows": new})
        except ConstraintViolation:
            if attempt == RACE_RETRIES - 1:
                raise
            continue
        return new, len(known)
    raise AssertionError("unreachable")


def _batches(rows: Sequence[T], size: int) -> Iterator[list[T]]:
    for start in range(0, len(rows), size):
        yield list(rows[start:start + size])


def vars_(obj: Any) -> dict[str, Any]:
    return dict(vars(obj))


def _chapter(c: Chapter, ds: str) -> dict[str, Any]:
    return {"id": c.id, "name": c.name, "order": c.order, "area": c.area, "dataset": ds}


def _kp(k: KnowledgePoint, ds: str) -> dict[str, Any]:
    return {"id": k.id, "name": k.name, "description": k.description,
            "chapter_id": k.chapter_id, "dataset": ds}


def prerequisite_row(p: Prerequisite) -> dict[str, Any]:
    """The parameters of ``upsert_prerequisites`` for one edge."""
    return {"before": p.before, "after": p.after, "inferred": p.inferred,
            "confidence": p.confidence}


def _question(q: Question, ds: str) -> dict[str, Any]:
    return {"id": q.id, "text": q.text, "options": list(q.options), "answer": q.answer,
            "explanation": q.explanation, "level": str(q.level), "dataset": ds}


def _resource(r: Resource, ds: str) -> dict[str, Any]:
    return {"id": r.id, "title": r.title, "kind": str(r.kind), "level": str(r.level),
            "url": r.url, "body": r.body, "minutes": r.minutes, "dataset": ds}


def _student(s: Student, ds: str) -> dict[str, Any]:
    return {"id": s.id, "name": s.name, "email": s.email, "affect_consent": s.affect_consent,
            "dataset": ds}


def _attempt(a: Attempt) -> dict[str, Any]:
    return {
    "event_id": a.event_id, "student_id": a.student_id, "question_id": a.question_id,
    "correct": a.correct, "ts": a.ts, "seq": a.seq, "duration_s": a.duration_s,
    "source": a.source,
    }
