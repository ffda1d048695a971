"""Tests: ``/tests`` for the tutors who set them (draft, publish, close, archive, results) and
``/students/<student_id>/tests`` and ``/placement`` for the students who sit them.

No response carries an answer key. The server's clock decides: an answer after the close or
past the time limit gets 409 "Time is up". Every submission is idempotent (a resent answer
changes nothing), and a student reaches only the tests assigned to their classes.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any
from uuid import uuid4

import requests
from flask import current_app, g
from flask_smorest import Blueprint
from marshmallow import Schema, ValidationError, fields, validate, validates_schema
from pylti1p3.exception import LtiException

from api.context import principal, services
from api.gate import require_class, roles
from api.lti import CONFIG as LTI_CONFIG
from api.schemas import ID, epoch_ms
from graph import practice as practice_store
from services import assessment as service
from services import lti
from tutor.access import Role
from tutor.assessment import (
    MAX_ITEMS,
    TRANSITIONS,
    Assessment,
    BlueprintPart,
    Form,
    Purpose,
    Sitting,
    availability_problem,
    score,
)
from tutor.errors import InvalidInput

log = logging.getLogger(__name__)

blp = Blueprint("tests", __name__, description="Tests tutors publish and students sit: fixed "
                "forms, blueprints and adaptive tests (CAT), placement, results.")
SETTERS = (Role.TUTOR, Role.ADMIN)
READERS = (Role.TUTOR, Role.ADMIN, Role.LMS)
TAKERS = (Role.STUDENT, Role.ADMIN)


def _iso(ms: int | None) -> str | None:
    return None if ms is None else datetime.fromtimestamp(ms / 1000, UTC).isoformat(
        timespec="seconds").replace("+00:00", "Z")


class BlueprintPartIn(Schema):
    scope_id = fields.String(required=True, validate=ID,
                             metadata={"description": "A KP or a chapter."})
    count = fields.Integer(required=True, validate=validate.Range(1, MAX_ITEMS),
                           metadata={"description": "Questions drawn from it per student."})


class TestIn(Schema):
    title = fields.String(required=True, validate=validate.Length(1, 200))
    form = fields.String(required=True, validate=validate.OneOf([str(f) for f in Form]),
                         metadata={"description": "fixed: the questions picked and/or a "
                                   "blueprint drawn per student; adaptive: a CAT."})
    purpose = fields.String(load_default="test",
                            validate=validate.OneOf([str(p) for p in Purpose]),
                            metadata={"description": "placement: an adaptive test whose end "
                                      "sets the student's starting θ and prior mastery."})
    class_ids = fields.List(fields.String(validate=ID), load_default=list,
                            validate=validate.Length(max=100))
    question_ids = fields.List(fields.String(validate=ID), load_default=list,
                               validate=validate.Length(max=MAX_ITEMS))
    blueprint = fields.List(fields.Nested(BlueprintPartIn), load_default=list,
                            validate=validate.Length(max=100))
    scope_ids = fields.List(fields.String(validate=ID), load_default=list,
                            validate=validate.Length(max=500),
                            metadata={"description": "Adaptive: the KPs or chapters its "
                                      "items come from."})
    opens_at = fields.DateTime(allow_none=True, load_default=None)
    closes_at = fields.DateTime(allow_none=True, load_default=None)
    time_limit_s = fields.Integer(allow_none=True, load_default=None,
                                  validate=validate.Range(1, 7 * 86_400))
    attempts_allowed = fields.Integer(load_default=1, validate=validate.Range(1, 100))
    show_results = fields.Boolean(load_default=True, metadata={
        "description": "Students see their score and which answers were right (never the "
                       "answer key)."})
    allow_back = fields.Boolean(load_default=True, metadata={
        "description": "Fixed form: answers may change until handed in (never in a CAT)."})
    max_items = fields.Integer(load_default=20, validate=validate.Range(1, MAX_ITEMS))
    se_stop = fields.Float(load_default=0.3, validate=validate.Range(0, 2, min_inclusive=False))


class TestPatch(TestIn):
    version = fields.Integer(metadata={"description": "The version read; 409 if it moved."})

    @validates_schema
    def _known(self, data: dict[str, Any], **_: Any) -> None:
        if not set(data) - {"version"}:
            raise ValidationError("nothing to change")


class TestQuery(Schema):
    archived = fields.Boolean(load_default=False, metadata={"description": "Include archived."})


class TestBriefOut(Schema):
    """A test as its students see it."""

    id = fields.String(required=True)
    title = fields.String(required=True)
    form = fields.String(required=True)
    purpose = fields.String(required=True)
    status = fields.String(required=True, metadata={
        "description": "draft, published, closed or archived."})
    opens_at = fields.String(allow_none=True)
    closes_at = fields.String(allow_none=True)
    time_limit_s = fields.Integer(allow_none=True)
    attempts_allowed = fields.Integer(required=True)
    show_results = fields.Boolean(required=True)
    allow_back = fields.Boolean(required=True)
    length = fields.Integer(required=True, metadata={
        "description": "Items per sitting (a CAT's most)."})


class TestOut(TestBriefOut):
    """A test as its tutors see it."""

    dataset = fields.String(required=True)
    created_by = fields.String(required=True)
    created_at = fields.String(required=True)
    class_ids = fields.List(fields.String(), required=True)
    question_ids = fields.List(fields.String(), required=True)
    blueprint = fields.List(fields.Nested(BlueprintPartIn), required=True)
    scope_ids = fields.List(fields.String(), required=True)
    max_items = fields.Integer(required=True)
    se_stop = fields.Float(required=True)
    version = fields.Integer(required=True)


class ListedTestOut(TestOut):
    sittings = fields.Integer(required=True, metadata={"description": "Sittings started."})


class TestBankOut(Schema):
    items = fields.Integer(required=True, metadata={
        "description": "Questions a CAT may give: gradable, with a stable 2PL fit."})
    excluded = fields.Integer(required=True, metadata={
        "description": f"Gradable questions left out: no fit, or under "
                       f"{service.MIN_RESPONSES} answers behind it."})


class OneTestOut(TestOut):
    bank = fields.Nested(TestBankOut, allow_none=True, metadata={
        "description": "An adaptive test's item bank; null for a fixed form."})


class TestScoreOut(Schema):
    right = fields.Integer(required=True)
    items = fields.Integer(required=True, metadata={
        "description": "Items given; unanswered ones count wrong."})
    percent = fields.Float(required=True)


class SittingOut(Schema):
    id = fields.String(required=True)
    number = fields.Integer(required=True, metadata={"description": "1 for the first attempt."})
    started_at = fields.String(required=True)
    deadline = fields.String(allow_none=True, metadata={
        "description": "When answers stop being taken (the server's clock)."})
    finished_at = fields.String(allow_none=True)
    finished = fields.Boolean(required=True)
    given = fields.Integer(required=True, metadata={"description": "Items given so far."})
    answered = fields.Integer(required=True)
    score = fields.Nested(TestScoreOut, allow_none=True, metadata={
        "description": "When finished, and the test shows results (always to tutors)."})
    theta = fields.Float(allow_none=True, metadata={"description": "An adaptive test's θ."})
    se = fields.Float(allow_none=True)
    review = fields.List(fields.Dict(), allow_none=True, metadata={
        "description": "When results are shown: per item, its question id and whether the "
                       "answer was right (never the right answer)."})


class SittingItemOut(Schema):
    question_id = fields.String(required=True)
    answered = fields.Boolean(required=True)
    response = fields.String(required=True, metadata={"description": "The student's own."})


class TestQuestionOut(Schema):
    id = fields.String(required=True)
    position = fields.Integer(required=True, metadata={"description": "1-based."})
    text = fields.String(required=True)
    options = fields.List(fields.String(), required=True)
    response = fields.String(required=True, metadata={
        "description": "The student's answer so far ('' for none)."})


class SittingProgressOut(Schema):
    test = fields.Nested(TestBriefOut, required=True)
    sitting = fields.Nested(SittingOut, required=True)
    question = fields.Nested(TestQuestionOut, allow_none=True, metadata={
        "description": "The item to answer now (or the one asked for); null when finished."})
    items = fields.List(fields.Nested(SittingItemOut), required=True, metadata={
        "description": "A fixed form's items with their answers so far, to go back to "
                       "(empty for a CAT, whose answers are final)."})
    time_left_s = fields.Float(allow_none=True)
    server_time = fields.String(required=True)
    changed = fields.Boolean(metadata={"description": "Answers: false when this answer was "
                                                      "stored already (a resent one)."})
    passback = fields.String(allow_none=True, metadata={
        "description": "When the sitting ended: what the LMS gradebook was told, if the "
                       "test was launched from one."})


class StudentTestOut(Schema):
    test = fields.Nested(TestBriefOut, required=True)
    available = fields.Boolean(required=True, metadata={
        "description": "A sitting may be started or resumed now."})
    why_not = fields.String(allow_none=True)
    sittings = fields.List(fields.Nested(SittingOut), required=True)


class TestAnswerIn(Schema):
    question_id = fields.String(required=True, validate=ID)
    answer = fields.String(required=True, validate=validate.Length(1, 2000),
                           metadata={"description": "The chosen option's text."})


class SittingPositionQuery(Schema):
    position = fields.Integer(validate=validate.Range(1, MAX_ITEMS), metadata={
        "description": "A fixed form's item to show (1-based); default: the first "
                       "unanswered."})


class PlacementOut(Schema):
    test = fields.Nested(TestBriefOut, required=True)
    offered = fields.Boolean(required=True, metadata={
        "description": "The student has not been placed and has not practised yet, and the "
                       "course has calibrated questions: offer the test on their first "
                       "log-in."})
    placed_at = fields.String(allow_none=True)
    sittings = fields.List(fields.Nested(SittingOut), required=True)


class TestStudentResultOut(Schema):
    student_id = fields.String(required=True)
    name = fields.String(required=True)
    sittings = fields.Integer(required=True)
    finished = fields.Boolean(required=True)
    score = fields.Nested(TestScoreOut, allow_none=True)
    theta = fields.Float(allow_none=True)
    se = fields.Float(allow_none=True)


class TestKPResultOut(Schema):
    kp_id = fields.String(required=True)
    name = fields.String(required=True)
    answered = fields.Integer(required=True)
    p_correct = fields.Float(required=True)


class TestItemStatsOut(Schema):
    question_id = fields.String(required=True)
    text = fields.String(required=True)
    answered = fields.Integer(required=True)
    omitted = fields.Integer(required=True, metadata={
        "description": "Given but left unanswered (scored wrong)."})
    p_correct = fields.Float(required=True, metadata={
        "description": "Proportion correct of those given it."})
    discrimination = fields.Float(allow_none=True, metadata={
        "description": "Point-biserial r of the item with the rest of the score."})
    options = fields.Dict(keys=fields.String(), values=fields.Integer(), required=True,
                          metadata={"description": "Times each option was chosen."})


class TestResultsOut(Schema):
    test = fields.Nested(TestOut, required=True)
    students = fields.List(fields.Nested(TestStudentResultOut), required=True)
    kps = fields.List(fields.Nested(TestKPResultOut), required=True)
    items = fields.List(fields.Nested(TestItemStatsOut), required=True)


# --- tutors ------------------------------------------------------------------------------------


@blp.route("/tests", methods=["GET"])
@roles(*READERS)
@blp.arguments(TestQuery, location="query")
@blp.response(200, ListedTestOut(many=True))
def list_tests(query: dict[str, Any]) -> list[dict[str, Any]]:
    """The tests the caller may see, newest first: a tutor's own and their classes', an LMS
    tenant's classes', all for admins."""
    who = principal()
    tutor_id = who.tutor_id if who.role is Role.TUTOR else ""
    tenant = who.tenant if who.role is Role.LMS else ""
    if who.role is not Role.ADMIN and not (tutor_id or tenant):
        return []
    return [{**_test(t), "sittings": n}
            for t, n in service.listed(services().store, tutor_id, tenant, query["archived"])]


@blp.route("/tests", methods=["POST"])
@roles(*SETTERS)
@blp.arguments(TestIn)
@blp.response(201, OneTestOut)
@blp.alt_response(422, description="Invalid settings, or questions that do not exist or "
                                   "cannot be graded.")
def create_test(body: dict[str, Any]) -> dict[str, Any]:
    """Draft a test for classes the caller teaches."""
    who, svc = principal(), services()
    for class_id in body["class_ids"]:
        require_class(who, class_id)
    now = svc.clock()
    draft = Assessment(uuid4().hex, created_by=who.tutor_id if who.role is Role.TUTOR else "",
                       created_at=now, dataset="", **_settings(body))
    return _one(service.create(svc.store, draft, now))


@blp.route("/tests/<test_id>", methods=["GET"])
@roles(*READERS)
@blp.response(200, OneTestOut)
def get_test(test_id: str) -> dict[str, Any]:
    """A test's settings (and an adaptive test's item bank)."""
    return _one(service.get(services().store, test_id))


@blp.route("/tests/<test_id>", methods=["PATCH"])
@roles(*SETTERS)
@blp.arguments(TestPatch(partial=True))
@blp.response(200, OneTestOut)
@blp.alt_response(409, description="The test changed since the version given.")
def patch_test(body: dict[str, Any], test_id: str) -> dict[str, Any]:
    """Change a draft; a published or closed test changes only its title, close time,
    classes and whether it shows results."""
    who, svc = principal(), services()
    for class_id in body.get("class_ids", ()):
        require_class(who, class_id)
    expected = body.pop("version", None)
    changes = _settings(body, partial=True)
    return _one(service.update(svc.store, test_id, changes, expected, svc.clock()))


for _action in TRANSITIONS:
    def _transition(test_id: str, action: str = _action) -> dict[str, Any]:
        svc = services()
        return _one(service.act(svc.store, test_id, action, svc.clock()))

    _transition.__name__ = f"{_action}_test"
    _transition.__doc__ = {
        "publish": "Publish a draft: its classes' students see it and may sit it between its "
                   "open and close times.",
        "close": "Close a published test: no new sittings or answers; sittings in progress "
                 "end as they stand.",
        "reopen": "Publish a closed test again.",
        "archive": "Archive a draft or a closed test: hidden from lists; results stay.",
    }[_action]
    blp.route(f"/tests/<test_id>/{_action}", methods=["POST"])(
        roles(*SETTERS)(blp.response(200, TestOut)(
            blp.alt_response(422, description="Not allowed from the test's status.")(
                _transition))))


@blp.route("/tests/<test_id>/results", methods=["GET"])
@roles(*READERS)
@blp.response(200, TestResultsOut)
def test_results(test_id: str) -> dict[str, Any]:
    """Results per student (their latest finished sitting), per KP (proportion correct) and
    per item: proportion correct, point-biserial discrimination, options chosen."""
    svc = services()
    found = service.results(svc.store, test_id, svc.clock())
    texts = {s.question_id: (practice_store.question(svc.store, s.question_id) or {})
             .get("text", "") for s in found.items}
    return {"test": _test(found.test), "students": found.students, "kps": found.kps,
            "items": [{**vars(s), "text": texts[s.question_id]} for s in found.items]}


# --- students ----------------------------------------------------------------------------------


@blp.route("/students/<student_id>/tests", methods=["GET"])
@blp.response(200, StudentTestOut(many=True))
def student_tests(student_id: str) -> list[dict[str, Any]]:
    """The tests assigned to the student's classes, with their sittings and whether one may
    be started now."""
    svc = services()
    now, tutor_view = svc.clock(), principal().role is not Role.STUDENT
    out = []
    for test, sittings in service.for_student(svc.store, student_id, now):
        resumable = bool(sittings) and not sittings[-1].finished
        why = None if resumable else availability_problem(test, now, len(sittings))
        out.append({"test": _test(test), "available": why is None, "why_not": why,
                    "sittings": [_sitting(test, s, tutor_view) for s in sittings]})
    return out


@blp.route("/students/<student_id>/tests/<test_id>/sittings", methods=["POST"])
@roles(*TAKERS)
@blp.response(201, SittingProgressOut)
@blp.alt_response(200, schema=SittingProgressOut, description="A sitting in progress: resumed.")
@blp.alt_response(404, description="No such test for this student.")
@blp.alt_response(409, description="Not open now, or every attempt allowed is used.")
def start_sitting(student_id: str, test_id: str) -> tuple[dict[str, Any], int]:
    """Start a sitting (or resume the one in progress): the clock starts now."""
    svc = services()
    now = svc.clock()
    progress, new = service.start(svc.store, test_id, student_id, now, _passback)
    return _progress(progress), 201 if new else 200


@blp.route("/students/<student_id>/tests/<test_id>/sitting", methods=["GET"])
@blp.arguments(SittingPositionQuery, location="query")
@blp.response(200, SittingProgressOut)
@blp.alt_response(404, description="No such test for this student, or no sitting yet.")
def current_sitting(query: dict[str, Any], student_id: str, test_id: str) -> dict[str, Any]:
    """The latest sitting: the item to answer now (or the one asked for), the time left."""
    svc = services()
    return _progress(service.current(svc.store, test_id, student_id, svc.clock(), _passback),
                     query.get("position"))


@blp.route("/students/<student_id>/tests/<test_id>/answers", methods=["POST"])
@roles(*TAKERS)
@blp.arguments(TestAnswerIn)
@blp.response(200, SittingProgressOut)
@blp.alt_response(409, description="Time is up, the test closed, the sitting is finished, or "
                                   "the item was answered already where answers are final.")
@blp.alt_response(422, description="Not an item of this sitting, or out of order.")
def post_test_answer(body: dict[str, Any], student_id: str, test_id: str) -> dict[str, Any]:
    """Answer an item of the sitting in progress. No feedback and no key come back; a CAT
    answers with its next item (or ends). Resending an answer changes nothing."""
    svc = services()
    progress, changed = service.answer(svc.store, test_id, student_id, body["question_id"],
                                       body["answer"], svc.clock(), _passback)
    return {**_progress(progress), "changed": changed}


@blp.route("/students/<student_id>/tests/<test_id>/finish", methods=["POST"])
@roles(*TAKERS)
@blp.response(200, SittingProgressOut)
def finish_sitting(student_id: str, test_id: str) -> dict[str, Any]:
    """Hand the sitting in as it stands (unanswered items count wrong)."""
    svc = services()
    return _progress(service.finish(svc.store, test_id, student_id, svc.clock(), _passback))


@blp.route("/students/<student_id>/placement", methods=["GET"])
@blp.response(200, PlacementOut)
def get_placement(student_id: str) -> dict[str, Any]:
    """The student's placement test: offered on first log-in, until they practise or sit
    it."""
    svc = services()
    now = svc.clock()
    test = service.placement(svc.store, student_id, now)
    sittings = service.sittings(svc.store, test, student_id, now, _passback)
    placed_at, practised = service.placement_state(svc.store, student_id)
    ready = bool(service.cat_bank(svc.store, test).question_ids)  # calibrated items to give
    return {"test": _test(test),
            "offered": ready and placed_at is None and not practised and not sittings,
            "placed_at": _iso(placed_at),
            "sittings": [_sitting(test, s, principal().role is not Role.STUDENT)
                         for s in sittings]}


@blp.route("/students/<student_id>/placement", methods=["POST"])
@roles(*TAKERS)
@blp.response(201, SittingProgressOut)
@blp.alt_response(200, schema=SittingProgressOut, description="A placement in progress: resumed.")
@blp.alt_response(409, description="The student was placed already.")
def start_placement(student_id: str) -> tuple[dict[str, Any], int]:
    """Start (or resume) the placement test: a short CAT over the whole course whose end
    sets the student's θ and prior mastery per KP, so recommendations start from there."""
    svc = services()
    now = svc.clock()
    test = service.placement(svc.store, student_id, now)
    progress, new = service.start(svc.store, test.id, student_id, now, _passback)
    return _progress(progress), 201 if new else 200


# --- inside ------------------------------------------------------------------------------------


def _settings(body: dict[str, Any], partial: bool = False) -> dict[str, Any]:
    """Assessment fields from a validated body (enums and times converted)."""
    out: dict[str, Any] = {}
    for key, value in body.items():
        if key == "form":
            value = Form(value)
        elif key == "purpose":
            value = Purpose(value)
        elif key in ("class_ids", "question_ids", "scope_ids"):
            value = tuple(value)
        elif key == "blueprint":
            value = tuple(BlueprintPart(p["scope_id"], p["count"]) for p in value)
        elif key in ("opens_at", "closes_at"):
            value = None if value is None else epoch_ms(value)
        out[key] = value
    if not partial and out.get("purpose") is Purpose.PLACEMENT and out["form"] is not Form.ADAPTIVE:
        raise InvalidInput("form: a placement test is adaptive")
    return out


def _test(t: Assessment) -> dict[str, Any]:
    return {**{k: getattr(t, k) for k in TestOut().fields if hasattr(t, k)},
            "form": str(t.form), "purpose": str(t.purpose), "status": str(t.status),
            "blueprint": [vars(p) for p in t.blueprint], "length": t.length,
            "created_at": _iso(t.created_at), "opens_at": _iso(t.opens_at),
            "closes_at": _iso(t.closes_at)}


def _one(t: Assessment) -> dict[str, Any]:
    bank = None
    if t.form is Form.ADAPTIVE:
        found = service.cat_bank(services().store, t)
        bank = {"items": len(found.question_ids), "excluded": found.excluded}
    return {**_test(t), "bank": bank}


def _sitting(test: Assessment, s: Sitting, tutor_view: bool) -> dict[str, Any]:
    shown = s.finished and (test.show_results or tutor_view)
    return {"id": s.id, "number": s.number, "started_at": _iso(s.started_at),
            "deadline": _iso(s.deadline), "finished_at": _iso(s.finished_at),
            "finished": s.finished, "given": len(s.items), "answered": s.answered,
            "score": vars(score(s)) if shown else None,
            "theta": s.theta if shown else None, "se": s.se if shown else None,
            "review": [{"question_id": q, "correct": c} for q, c in zip(s.items, s.correct,
                                                                         strict=True)]
            if shown else None}


def _progress(p: service.Progress, position: int | None = None) -> dict[str, Any]:
    s, svc = p.sitting, services()
    fixed = p.test.form is Form.FIXED
    question_id = p.question_id
    if position is not None and fixed and not s.finished:
        if position > len(s.items):
            raise InvalidInput(f"position: the form has {len(s.items)} items")
        if p.test.allow_back or not s.responses[position - 1]:
            question_id = s.items[position - 1]
    question = None
    if question_id is not None:
        found = practice_store.question(svc.store, question_id) or {}
        i = s.items.index(question_id)
        question = {"id": question_id, "position": i + 1, "text": found.get("text", ""),
                    "options": found.get("options", []), "response": s.responses[i]}
    return {"test": _test(p.test), "sitting": _sitting(p.test, s,
                                                       principal().role is not Role.STUDENT),
            "question": question,
            "items": [{"question_id": q, "answered": bool(r), "response": r}
                      for q, r in zip(s.items, s.responses, strict=True)] if fixed else [],
            "time_left_s": p.time_left_s, "server_time": _iso(svc.clock()),
            "passback": g.get("passback")}


def _passback(test: Assessment, sitting: Sitting) -> None:
    """Send a finished test's score to the LMS line item of the link that launched it; what
    happened goes into the response (``passback``), a failure into the log too."""
    conf = current_app.extensions.get(LTI_CONFIG)
    if conf is None:
        return
    s = score(sitting)
    with lti.http_session() as http:
        try:
            sent = lti.send_test_score(services().store, conf, sitting.student_id, test.id,
                                       s.right, s.items, services().clock(), http)
        except (LtiException, requests.RequestException) as e:
            log.warning("the score of test %s was not sent: %s", test.id, e)
            g.passback = f"not sent: {type(e).__name__}"
            return
    if sent is not None:
        g.passback = f"sent {sent.score_given} of {sent.score_maximum}"
