"""Ingestion services: attempts and xAPI statements into the graph, idempotent, with reports.

Shared by the REST views and the LRS sync connector. The caller authorises; these functions
check the input against the graph (unknown questions or students, ids that already mean
something else), write through ``graph.ingest`` (which refreshes the touched students'
mastery and theta before returning) and report per item what happened. Event and statement
ids are stored namespaced by tenant (``f"{namespace}:{id}"``) so that tenants can neither
collide nor probe each other; so are the students an LMS creates, and the students an actor
names are looked up inside the caller's tenant only.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any, Self

from graph import roster
from graph import xapi as xapi_store
from graph.ingest import GraphData, ingest
from graph.xapi import AttemptKey
from services.imports import SEED_DATASET
from tutor.access import API_ID, tenant_student_id
from tutor.errors import ConstraintViolation, InvalidInput
from tutor.mastery import Attempt
from tutor.ports import GraphStore
from tutor.timestamps import timestamp_problem
from tutor.xapi import (
    Meaning,
    Statement,
    StatementError,
    UnusableStatements,
    canonical_json,
    parse_statements,
    question_candidates,
)

CREATED, EXISTING, IGNORED, ACTIVITY = "created", "existing", "ignored", "activity"
REJECTED, CONFLICT = "rejected", "conflict"  # both counted as rejected
API_NAMESPACE = "api"  # callers without a tenant share it
SOURCE_API, SOURCE_XAPI = "api", "xapi"


@dataclass(frozen=True)
class ItemResult:
    index: int  # position in the request
    id: str  # the caller's event id, or the statement id
    status: str  # created | existing | ignored | activity | rejected | conflict
    reason: str = ""
    student_id: str = ""


@dataclass(frozen=True)
class IngestReport:
    created: int
    existing: int
    ignored: int
    activity: int
    rejected: int  # rejected and conflicting items
    items: tuple[ItemResult, ...]

    @classmethod
    def of(cls, items: Sequence[ItemResult]) -> Self:
        count = {s: sum(i.status == s for i in items)
                 for s in (CREATED, EXISTING, IGNORED, ACTIVITY, REJECTED, CONFLICT)}
        return cls(count[CREATED], count[EXISTING], count[IGNORED], count[ACTIVITY],
                   count[REJECTED] + count[CONFLICT], tuple(items))


@dataclass(frozen=True)
class ActorScope:
    """Whose students an actor's e-mail may name for a caller without a tenant: a tutor's
    classes', or one student's own ('' for no restriction: admins). An e-mail held by
    students the caller cannot see neither clashes nor shows."""

    tutor_id: str = ""
    student_id: str = ""


class AttemptReport(IngestReport):
    """What ``ingest_attempts`` did; ``items`` per attempt, in request order."""


class StatementReport(IngestReport):
    """What ``ingest_statements`` did; ``items`` per statement, in request order."""


def namespace_of(tenant: str) -> str:
    """The id namespace of a caller: its LMS tenant, else the shared ``api`` one."""
    return tenant or API_NAMESPACE


def ingest_attempts(store: GraphStore, attempts: Sequence[Mapping[str, Any]], namespace: str,
                    now: int) -> AttemptReport:
    """Store attempts ``{event_id, student_id, question_id, correct, ts?, duration_s?,
    source?}`` (``ts`` epoch ms, default ``now``); re-sending one changes nothing."""
    rows = [_attempt(a, namespace, now) for a in attempts]
    questions, students, stored = xapi_store.attempt_checks(
        store, (a.question_id for a in rows), (a.student_id for a in rows),
        (a.event_id for a in rows))
    items, new = classify_attempts(rows, [str(a["event_id"]) for a in attempts], questions,
                                   students, stored, now=now)
    created = write_attempts(store, new, unseen=True)
    return AttemptReport.of(settle_races(store, items, rows, created))


def classify_attempts(rows: Sequence[Attempt], shown: Sequence[str], questions: set[str],
                      students: set[str], stored: Mapping[str, AttemptKey], now: int,
                      ts_field: str = "ts") -> tuple[list[ItemResult], list[Attempt]]:
    """Per attempt: new, already stored (same student, question and answer), conflicting,
    or rejected (unknown question or student, an implausible time: ``tutor.timestamps``);
    and the new ones. ``shown`` are the ids as the caller knows them."""
    seen: dict[str, AttemptKey] = dict(stored)
    items: list[ItemResult] = []
    new: list[Attempt] = []
    for index, (a, event_id) in enumerate(zip(rows, shown, strict=True)):
        key = (a.student_id, a.question_id, a.correct)
        status, reason = CREATED, ""
        if a.event_id in seen:
            status = EXISTING if seen[a.event_id] == key else CONFLICT
            reason = "" if status == EXISTING else (
                f"event id {event_id!r} is stored with another student, question or answer")
        elif a.question_id not in questions:
            status, reason = REJECTED, f"question_id: no question {a.question_id!r}"
        elif a.student_id not in students:
            status, reason = REJECTED, f"student_id: no student {a.student_id!r}"
        elif problem := timestamp_problem(a.ts, now):
            status, reason = REJECTED, f"{ts_field}: {problem}"
        else:
            seen[a.event_id] = key
            new.append(a)
        items.append(ItemResult(index, event_id, status, reason, a.student_id))
    return items, new


def write_attempts(store: GraphStore, attempts: Sequence[Attempt], unseen: bool = False
                   ) -> set[str]:
    """Store the attempts; return the event ids this call stored (a concurrent request may
    have stored some of them between our read and our write). ``unseen``: the caller has
    just read their event ids and found none stored."""
    if not attempts:
        return set()
    return ingest(store, GraphData(SOURCE_API, attempts=attempts),
                  unseen=unseen).created_events


def settle_races(store: GraphStore, items: list[ItemResult], rows: Sequence[Attempt],
                 created: set[str]) -> list[ItemResult]:
    """Items classified as new that another request stored first: "existing" when stored with
    the same student, question and answer, else "conflict". The report tells the truth."""
    lost = {i.index: rows[i.index] for i in items
            if i.status == CREATED and rows[i.index].event_id not in created}
    if not lost:
        return items
    stored = xapi_store.stored_attempts(store, (a.event_id for a in lost.values()))
    out = []
    for item in items:
        a = lost.get(item.index)
        if a is not None:
            same = stored.get(a.event_id) == (a.student_id, a.question_id, a.correct)
            item = replace(item, status=EXISTING if same else CONFLICT, reason="" if same else
                           f"event id {item.id!r} was stored meanwhile with another student, "
                           "question or answer")
        out.append(item)
    return out


def _attempt(row: Mapping[str, Any], namespace: str, now: int) -> Attempt:
    try:
        ts = row.get("ts")
        duration = row.get("duration_s")
        return Attempt(f"{namespace}:{row['event_id']}", str(row["student_id"]),
                       str(row["question_id"]), bool(row["correct"]),
                       ts=now if ts is None else int(ts),
                       duration_s=None if duration is None else float(duration),
                       source=str(row.get("source") or SOURCE_API))
    except (KeyError, TypeError, ValueError) as e:
        raise InvalidInput(f"attempt {dict(row)!r}: {e}") from None


# --- xAPI -------------------------------------------------------------------------------------


def ingest_statements(store: GraphStore, statements: Sequence[Mapping[str, Any]], tenant: str,
                      now: int, create_students: bool, whole: bool = False,
                      scope: ActorScope = ActorScope()) -> StatementReport:
    """Store xAPI statements and what they mean: answers become attempts, ``completed`` and
    ``experienced`` mark the student active, other verbs are kept and ignored. Malformed
    input raises ``tutor.xapi.MalformedStatements`` (an InvalidInput) and stores nothing.

    Without ``whole`` every statement that can be stored is, and the others are reported
    ("rejected", "conflict"). With ``whole`` (xAPI's own POST and PUT) one such statement
    refuses the request before anything is written: ``ConstraintViolation`` for a statement
    stored with other content, ``UnusableStatements`` for one kgtutor cannot use."""
    parsed = parse_statements(statements)
    ns = namespace_of(tenant)
    plan = _Plan(store, parsed, tenant, ns, now, create_students, scope)
    plan.decide()
    if whole:
        refuse_partial(plan.items)
    xapi_store.ensure_students(store, list(plan.create.values()))
    write_attempts(store, plan.attempts)
    created = xapi_store.save_statements(store, plan.to_store)
    return StatementReport.of(plan.settle(created))


def refuse_partial(items: Sequence[ItemResult]) -> None:
    """Raise unless every item can be stored as sent (conflicts first: they are 409s)."""
    conflicts = [i.reason for i in items if i.status == CONFLICT]
    if conflicts:
        raise ConstraintViolation("; ".join(conflicts[:10]))
    rejected = [i for i in items if i.status == REJECTED]
    if rejected:
        raise UnusableStatements([StatementError(i.index, *_field_and_message(i.reason))
                                  for i in rejected])


def _field_and_message(reason: str) -> tuple[str, str]:
    """``"object.id: no question 'x'"`` -> ``("object.id", "no question 'x'")``."""
    field, sep, message = reason.partition(": ")
    return (field, message) if sep else ("", reason)


def actor_students(store: GraphStore, statements: Sequence[Mapping[str, Any]],
                   tenant: str, scope: ActorScope = ActorScope()) -> list[str]:
    """The stored ids of the existing students that answer and activity statements name, for
    the caller to authorise before ``ingest_statements`` (raises like it for malformed
    input)."""
    parsed = [p for p in parse_statements(statements) if p.meaning is not Meaning.OTHER]
    by_id = account_students(store, (p.actor.account_name for p in parsed
                                     if p.actor.account_name), tenant)
    by_email = xapi_store.students_by_email(store, (p.actor.email for p in parsed
                                                    if p.actor.email), tenant,
                                            scope.tutor_id, scope.student_id)
    found = set(by_id.values()) | {ids[0] for ids in by_email.values() if len(ids) == 1}
    return sorted(found)


def account_students(store: GraphStore, names: Iterable[str], tenant: str) -> dict[str, str]:
    """xAPI ``account.name`` -> the stored id of the student it names: inside the tenant for
    an LMS (another tenant's student is no student to it), else the id itself."""
    if tenant:
        return roster.tenant_students(store, tenant, names)
    return {i: i for i in xapi_store.known_students(store, names)}


class _Plan:
    """Decides, statement by statement, what to write; reads the graph once per kind."""

    def __init__(self, store: GraphStore, parsed: list[Statement], tenant: str, ns: str,
                 now: int, create_students: bool, scope: ActorScope = ActorScope()) -> None:
        self.store, self.parsed, self.tenant, self.ns, self.now = store, parsed, tenant, ns, now
        self.create_students = create_students
        self.items: list[ItemResult] = []
        self.to_store: list[dict[str, Any]] = []
        self.attempts: list[Attempt] = []
        self.create: dict[str, dict[str, Any]] = {}  # student id -> row for ensure_students
        self._dataset: str | None = None
        acting = [s for s in parsed if s.meaning is not Meaning.OTHER]
        answers = [s for s in acting if s.meaning is Meaning.ANSWER]
        self.stored = xapi_store.stored_statements(store, (self._key(s) for s in parsed))
        self.students = account_students(
            store, (s.actor.account_name for s in acting if s.actor.account_name), tenant)
        self.emails = xapi_store.students_by_email(
            store, (s.actor.email for s in acting if s.actor.email), tenant, scope.tutor_id,
            scope.student_id)
        self.questions = xapi_store.known_questions(
            store, (q for s in answers for q in question_candidates(s.object_id)))
        self.stored_attempts = xapi_store.stored_attempts(
            store, (self._event_id(s) for s in answers))

    def decide(self) -> None:
        for index, statement in enumerate(self.parsed):
            self.items.append(self._decide_one(index, statement))

    def _decide_one(self, index: int, s: Statement) -> ItemResult:
        key = self._key(s)
        if key in self.stored:
            same = self.stored[key] == s.digest
            return ItemResult(index, s.id, EXISTING if same else CONFLICT, "" if same else
                              f"statement {s.id!r} is stored with other content")
        if s.meaning is Meaning.OTHER:
            return self._keep(index, s, IGNORED, "", f"verb {s.verb!r} is not used here")
        student, reason = self._student(s)
        if not student:
            return ItemResult(index, s.id, REJECTED, reason)
        if s.meaning is Meaning.ACTIVITY:
            return self._keep(index, s, ACTIVITY, student)
        return self._answer(index, s, student)

    def settle(self, created: set[str]) -> list[ItemResult]:
        """Statements this request meant to store that a concurrent one stored first (the
        graph's MERGE decided, ``created``): "existing" with the same content, else
        "conflict"."""
        mine = {row["id"] for row in self.to_store}
        keys = {i.index: self._key(self.parsed[i.index]) for i in self.items}
        lost = {i.index for i in self.items if keys[i.index] in mine - created
                and i.status in (CREATED, ACTIVITY, IGNORED)}
        if not lost:
            return self.items
        stored = xapi_store.stored_statements(self.store, (keys[i] for i in lost))
        out = []
        for item in self.items:
            if item.index in lost:
                same = stored.get(keys[item.index]) == self.parsed[item.index].digest
                item = replace(item, status=EXISTING if same else CONFLICT,
                               reason="" if same else f"statement {item.id!r} was stored "
                               "meanwhile with other content")
            out.append(item)
        return out

    def _answer(self, index: int, s: Statement, student: str) -> ItemResult:
        question = next((q for q in question_candidates(s.object_id) if q in self.questions),
                        None)
        if question is None:
            return ItemResult(index, s.id, REJECTED,
                              f"object.id: no question {s.object_id!r}", student)
        if s.success is None:
            return ItemResult(index, s.id, REJECTED,
                              "result.success: an answer needs it", student)
        attempt = Attempt(self._event_id(s), student, question, s.success,
                          ts=self.now if s.ts is None else s.ts, duration_s=s.duration_s,
                          source=SOURCE_XAPI)
        (item,), new = classify_attempts([attempt], [s.id], self.questions,
                                         {student}, self.stored_attempts, self.now,
                                         "timestamp")
        if item.status == CONFLICT:
            return ItemResult(index, s.id, CONFLICT,
                              f"the attempt of statement {s.id!r} is stored with other "
                              "content", student)
        if item.status == REJECTED:
            return replace(item, index=index, student_id=student)
        self.stored_attempts[attempt.event_id] = (student, question, s.success)
        self.attempts += new
        return self._keep(index, s, CREATED, student)

    def _keep(self, index: int, s: Statement, status: str, student: str,
              reason: str = "") -> ItemResult:
        key = self._key(s)
        self.stored[key] = s.digest  # a repeat later in this request is "existing"
        self.to_store.append({
            "id": key, "statement_id": s.id, "raw": canonical_json(s.raw), "digest": s.digest,
            "stored": self.now, "tenant": self.tenant, "verb": s.verb, "kind": str(s.meaning),
            "ts": self.now if s.ts is None else s.ts, "student_id": student})
        return ItemResult(index, s.id, status, reason, student)

    def _student(self, s: Statement) -> tuple[str, str]:
        """The student a statement's actor is, or ("", why not)."""
        name, email = s.actor.account_name, s.actor.email
        if name:
            return self._by_account(name, s.actor.name)
        if email:
            ids = self.emails.get(email, [])
            if len(ids) == 1:
                return ids[0], ""
            return "", ("actor.mbox: several students have this e-mail" if ids
                        else "actor.mbox: no student has this e-mail")
        return "", "actor: needs account.name or mbox to be matched to a student"

    def _by_account(self, name: str, full_name: str) -> tuple[str, str]:
        """The stored id ``name`` names (an LMS: in its tenant), or a new student of the
        tenant, in the tenant's namespace, when the caller may create students."""
        if name in self.students:
            return self.students[name], ""
        if name in self.create:
            return self.create[name]["id"], ""
        if not self.create_students:
            return "", f"actor.account.name: no student {name!r}"
        if not API_ID.match(name):
            return "", f"actor.account.name: {name!r} is not a valid student id"
        key = tenant_student_id(self.tenant, name) if self.tenant else name
        self.create[name] = {"id": key, "name": full_name[:500], "email": "",
                             "tenant": self.tenant, "dataset": self._new_dataset(),
                             "now": self.now}
        return key, ""

    def _new_dataset(self) -> str:
        if self._dataset is None:
            found = xapi_store.tenant_dataset(self.store, self.tenant) if self.tenant else None
            self._dataset = found or SEED_DATASET
        return self._dataset

    def _key(self, s: Statement) -> str:
        return f"{self.ns}:{s.id}"

    def _event_id(self, s: Statement) -> str:
        return f"{self.ns}:xapi:{s.id}"
