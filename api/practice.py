"""What the practice and tutor pages read and write: classes, questions (never their answers),
graded answers with feedback, KP pages and a class's struggling students on a KP."""

from __future__ import annotations

from typing import Any
from uuid import uuid4

from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate
from werkzeug.exceptions import NotFound, UnprocessableEntity

from api.context import principal, services
from api.gate import roles
from api.schemas import EVENT_ID, ID, KPOut, QuestionOut, RankedResourceOut, ResourceOut
from graph import maps, roster
from graph import practice as practice_store
from services import resources as resources_service
from services.imports import SEED_DATASET
from services.ingest import CONFLICT, CREATED, REJECTED, ingest_attempts, namespace_of
from tutor.access import Principal, Role
from tutor.authoring import grade
from tutor.errors import ConstraintViolation

blp = Blueprint("practice", __name__,
                description="Practice: questions without their answers, graded answers with "
                            "feedback, KP pages, classes and their struggling students.")
REMEDIAL = 3  # resources offered after a wrong answer
KP_QUESTIONS = 50
STRUGGLING_BELOW = 0.6  # mastery under this is struggling...
RECENT, RECENT_WRONG = 3, 2  # ...and so are 2 wrong among the latest 3 answers on the KP


class ClassOut(Schema):
    id = fields.String(required=True)
    name = fields.String(required=True)
    students = fields.Integer(required=True, metadata={"description": "Members."})


class QuestionToAnswerOut(QuestionOut):
    options = fields.List(fields.String(), required=True,
                          metadata={"description": "Answer with one option's text."})
    kp_ids = fields.List(fields.String(), required=True,
                         metadata={"description": "KPs tested, heaviest first."})
    kp_names = fields.List(fields.String(), required=True)
    type = fields.String(required=True, metadata={
        "description": "choice (answer with an option), numeric or short (type it)."})
    hints = fields.List(fields.String(), required=True)


class AnswerIn(Schema):
    question_id = fields.String(required=True, validate=EVENT_ID)
    answer = fields.String(required=True, validate=validate.Length(max=2000),
                           metadata={"description": "The chosen option's text."})
    event_id = fields.String(validate=EVENT_ID, metadata={
        "description": "The caller's id of this answer (default: a new UUID); re-sending it "
                       "stores nothing new."})
    duration_s = fields.Float(allow_none=True, validate=validate.Range(0, 86_400))


class FeedbackOut(Schema):
    correct = fields.Boolean(required=True)
    correct_answer = fields.String(required=True)
    explanation = fields.String(required=True)
    kp_id = fields.String(required=True, metadata={"description": "The KP mainly tested."})
    mastery = fields.Float(allow_none=True, metadata={
        "description": "The student's BKT mastery of that KP after this answer."})
    resources = fields.List(fields.Nested(RankedResourceOut), required=True, metadata={
        "description": "After a wrong answer, up to 3 to study, ranked for the student with "
                       "their reasons; empty after a right one."})


class KPPageOut(KPOut):
    questions = fields.List(fields.Nested(QuestionOut), required=True,
                            metadata={"description": "At most 50, basic first."})
    resources = fields.List(fields.Nested(ResourceOut), required=True)
    prerequisites = fields.List(fields.String(), required=True,
                                metadata={"description": "KPs to learn before this one."})
    unlocks = fields.List(fields.String(), required=True,
                          metadata={"description": "KPs this one is a prerequisite of."})


class StrugglingOut(Schema):
    student_id = fields.String(required=True)
    name = fields.String(required=True)
    mastery = fields.Float(allow_none=True)
    attempts = fields.Integer(required=True, metadata={"description": "Answers on the KP."})
    wrong_recent = fields.Integer(required=True, metadata={
        "description": "Wrong answers among the latest 3 on the KP."})


@blp.route("/classes", methods=["GET"])
@roles(Role.TUTOR, Role.ADMIN, Role.LMS)
@blp.response(200, ClassOut(many=True))
def list_classes() -> list[dict[str, Any]]:
    """The classes the caller may see, by name: a tutor's own, an LMS tenant's, all for
    admins."""
    who = principal()
    tutor_id = who.tutor_id if who.role is Role.TUTOR else ""
    tenant = who.tenant if who.role is Role.LMS else ""
    if who.role is not Role.ADMIN and not (tutor_id or tenant):
        return []  # an account without its tutor id or tenant must not fall back to "all"
    return roster.list_classes(services().store, tutor_id, tenant)


class ClassIn(Schema):
    id = fields.String(required=True, validate=ID)
    name = fields.String(required=True, validate=validate.Length(1, 200))
    dataset = fields.String(load_default=SEED_DATASET, validate=ID,
                            metadata={"description": "The course its students practise."})


@blp.route("/classes", methods=["POST"])
@roles(Role.TUTOR, Role.ADMIN)
@blp.arguments(ClassIn)
@blp.response(201, ClassOut)
@blp.alt_response(409, description="A class with this id exists.")
def create_class(body: dict[str, Any]) -> dict[str, Any]:
    """Create a class; a tutor creating one teaches it."""
    who, svc = principal(), services()
    if not maps.chapters(svc.store, body["dataset"]):
        raise UnprocessableEntity(f"dataset: no course {body['dataset']!r}")
    try:
        roster.create_class(svc.store, body["id"], body["name"], body["dataset"], svc.clock())
    except ConstraintViolation:
        raise ConstraintViolation(f"class {body['id']!r} exists") from None
    if who.role is Role.TUTOR and who.tutor_id:
        roster.add_class_tutor(svc.store, who.tutor_id, [body["id"]])
    return {"id": body["id"], "name": body["name"], "students": 0}


@blp.route("/questions/<question_id>", methods=["GET"])
@blp.response(200, QuestionToAnswerOut)
@blp.alt_response(404, description="No such question.")
def get_question(question_id: str) -> dict[str, Any]:
    """A question to answer: text, options and the KPs it tests, never its answer."""
    found = _question(question_id)
    if found is None:
        raise NotFound(f"no question {question_id!r}")
    return found


@blp.route("/students/<student_id>/answers", methods=["POST"])
@roles(Role.STUDENT, Role.ADMIN)
@blp.arguments(AnswerIn)
@blp.response(201, FeedbackOut)
@blp.alt_response(200, schema=FeedbackOut, description="This event id was stored already.")
@blp.alt_response(409, description="This event id is stored with another question or "
                                   "result.")
@blp.alt_response(422, description="Invalid input, no such question, or a question "
                                   "without a stored answer.")
def post_answer(body: dict[str, Any], student_id: str) -> tuple[dict[str, Any], int]:
    """Grade the student's answer (students: their own; admins), store it as an attempt like
    ``POST /students/{student_id}/attempts`` does, and say what to study if it was wrong."""
    svc = services()
    question = _question(body["question_id"])
    if question is None:
        raise UnprocessableEntity(f"question_id: no question {body['question_id']!r}")
    answer, explanation = practice_store.answer_key(svc.store, question["id"])
    if not answer.strip():
        raise UnprocessableEntity("this question cannot be graded here")
    kind, key, tolerance = practice_store.grading_key(svc.store, question["id"])
    correct = grade(kind, key, body["answer"], tolerance)
    status = _store(body, student_id, correct, principal())
    kp_id = next(iter(question["kp_ids"]), "")
    mastery = maps.mastery(svc.store, student_id)
    resources = [] if correct else resources_service.after_wrong(
        svc.store, svc.recommender, student_id, question["kp_ids"], REMEDIAL)
    return {"correct": correct, "correct_answer": answer,
            "explanation": explanation, "kp_id": kp_id, "mastery": mastery.get(kp_id),
            "resources": resources}, status


@blp.route("/kps/<kp_id>", methods=["GET"])
@blp.response(200, KPPageOut)
@blp.alt_response(404, description="No such KP.")
def get_kp(kp_id: str) -> dict[str, Any]:
    """A KP's page: description, chapter, questions to practise, resources, and its
    neighbours in the prerequisite graph."""
    kp = practice_store.kp_page(services().store, kp_id, KP_QUESTIONS)
    if kp is None:
        raise NotFound(f"no KP {kp_id!r}")
    return {**kp, "prerequisites": sorted(kp["prerequisites"]), "unlocks": sorted(kp["unlocks"]),
            "resources": _dedup(kp["resources"])}


@blp.route("/classes/<class_id>/kps/<kp_id>/struggling", methods=["GET"])
@blp.response(200, StrugglingOut(many=True))
@blp.alt_response(403, description="Not a class of the caller's.")
@blp.alt_response(404, description="No such class or KP.")
def struggling(class_id: str, kp_id: str) -> list[dict[str, Any]]:
    """The class's students who practised the KP and struggle with it: mastery below 0.6, or
    2 of their latest 3 answers on it wrong. Worst first."""
    store = services().store
    if not maps.kp_exists(store, kp_id):
        raise NotFound(f"no KP {kp_id!r}")
    return practice_store.struggling(store, class_id, kp_id, STRUGGLING_BELOW, RECENT,
                                     RECENT_WRONG)


def _question(question_id: str) -> dict[str, Any] | None:
    return practice_store.question(services().store, question_id)


def _store(body: dict[str, Any], student_id: str, correct: bool, who: Principal) -> int:
    """Store the graded answer through the attempts' ingestion path; 201 if new, 200 if
    this event id was stored already."""
    ns = namespace_of(who.tenant if who.role is Role.LMS else "")
    row = {"event_id": body.get("event_id") or str(uuid4()), "student_id": student_id,
           "question_id": body["question_id"], "correct": correct,
           "duration_s": body.get("duration_s")}
    item = ingest_attempts(services().store, [row], ns, services().clock()).items[0]
    if item.status == CONFLICT:
        raise ConstraintViolation(item.reason)
    if item.status == REJECTED:
        raise UnprocessableEntity(item.reason)
    return 201 if item.status == CREATED else 200


def _dedup(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Resources once each (``kp_resources`` answers one row per resource and KP)."""
    seen: dict[str, dict[str, Any]] = {}
    for r in rows:
        seen.setdefault(r["id"], {k: r[k] for k in ("id", "title", "kind", "level", "url")})
    return list(seen.values())
