"""Authoring the curriculum: chapters, KPs, prerequisites, questions and resources, written by
the tutors of a course's classes and by admins; every change audited (``GET /audit``)."""

from __future__ import annotations

from typing import Any
from uuid import uuid4

from flask import Response, request
from flask_smorest import Blueprint, Page
from marshmallow import Schema, fields, validate

from api.context import principal, services
from api.gate import roles
from api.schemas import ID
from datasets import curriculum_json
from services import authoring as service
from services.imports import SEED_DATASET
from tutor.access import Role
from tutor.authoring import QuestionDraft, QuestionType
from tutor.curriculum import Chapter, KnowledgePoint, Resource, ResourceLevel

blp = Blueprint("authoring", __name__, description="Authoring the curriculum (tutors of a "
                "course's classes, admins): chapters, KPs, prerequisites, questions with "
                "versions, resources; an audit trail.")
EDITORS = (Role.TUTOR, Role.ADMIN)
LEVELS = [str(v) for v in ResourceLevel]
KINDS = ["video", "document", "link", "text", "worked_example", "practice", "reading",
         "support"]


class ChapterIn(Schema):
    id = fields.String(validate=ID, metadata={"description": "Default: made up."})
    name = fields.String(required=True, validate=validate.Length(1, 200))
    order = fields.Integer(load_default=0)
    dataset = fields.String(load_default=SEED_DATASET, validate=ID)


class ChapterPatch(Schema):
    name = fields.String(validate=validate.Length(1, 200))
    order = fields.Integer()
    archived = fields.Boolean(metadata={"description": "Hidden from maps and plans; kept."})


class KPIn(Schema):
    id = fields.String(validate=ID)
    name = fields.String(required=True, validate=validate.Length(1, 200))
    chapter_id = fields.String(required=True, validate=ID)
    description = fields.String(load_default="", validate=validate.Length(max=5000))


class KPPatch(Schema):
    name = fields.String(validate=validate.Length(1, 200))
    description = fields.String(validate=validate.Length(max=5000))
    chapter_id = fields.String(validate=ID, metadata={"description": "Move it (same course)."})
    archived = fields.Boolean(metadata={
        "description": "A KP with answers is archived, never deleted."})


class EdgeIn(Schema):
    before = fields.String(required=True, validate=ID, metadata={
        "description": "The prerequisite."})
    after = fields.String(required=True, validate=ID, metadata={
        "description": "The KP that needs it."})


class QuestionIn(Schema):
    id = fields.String(validate=ID)
    stem = fields.String(required=True, validate=validate.Length(1, 10_000), metadata={
        "description": "Markdown; math between $...$."})
    type = fields.String(load_default="choice",
                         validate=validate.OneOf([str(t) for t in QuestionType]))
    choices = fields.List(fields.String(validate=validate.Length(1, 1000)), load_default=list,
                          validate=validate.Length(max=20))
    answer = fields.String(required=True, validate=validate.Length(1, 1000))
    tolerance = fields.Float(load_default=0.0, validate=validate.Range(0, 1e9))
    explanation = fields.String(load_default="", validate=validate.Length(max=10_000))
    hints = fields.List(fields.String(validate=validate.Length(1, 2000)), load_default=list,
                        validate=validate.Length(max=10))
    kp_ids = fields.List(fields.String(validate=ID), required=True,
                         validate=validate.Length(1, 10))
    level = fields.String(load_default="standard", validate=validate.OneOf(LEVELS))
    tags = fields.List(fields.String(validate=validate.Length(1, 50)), load_default=list,
                       validate=validate.Length(max=20))


class QuestionWritten(Schema):
    id = fields.String(required=True, metadata={"description": "This version's id."})
    version = fields.Integer(required=True)
    replaces = fields.String(allow_none=True, metadata={
        "description": "The version it retires (answered, so kept for its attempts)."})


class ResourceIn(Schema):
    id = fields.String(validate=ID)
    title = fields.String(required=True, validate=validate.Length(1, 300))
    kind = fields.String(required=True, validate=validate.OneOf(KINDS))
    url = fields.Url(load_default="", metadata={"description": "Or a body."})
    body = fields.String(load_default="", validate=validate.Length(max=50_000))
    kp_ids = fields.List(fields.String(validate=ID), required=True,
                         validate=validate.Length(1, 20))
    level = fields.String(load_default="standard", validate=validate.OneOf(LEVELS))
    minutes = fields.Integer(allow_none=True, load_default=None,
                             validate=validate.Range(1, 600))


class ResourceWritten(Schema):
    id = fields.String(required=True)
    title = fields.String(required=True)
    kind = fields.String(required=True)


class ChangedOut(Schema):
    id = fields.String(required=True)


class EdgeOut(Schema):
    before = fields.String(required=True)
    after = fields.String(required=True)


class AuditOut(Schema):
    id = fields.String(required=True)
    ts = fields.Integer(required=True)
    who = fields.String(required=True)
    action = fields.String(required=True)
    target = fields.String(required=True)
    dataset = fields.String(required=True)
    details = fields.Dict(required=True)


@blp.route("/chapters", methods=["POST"])
@roles(*EDITORS)
@blp.arguments(ChapterIn)
@blp.response(201, ChangedOut)
def create_chapter(body: dict[str, Any]) -> dict[str, str]:
    """Add a chapter to a course."""
    svc = services()
    chapter = Chapter(body.get("id") or f"ch-{uuid4().hex[:10]}", body["name"], body["order"],
                      "", service.SOURCE)
    service.create_chapter(svc.store, principal(), chapter, body["dataset"], svc.clock())
    return {"id": chapter.id}


@blp.route("/chapters/<chapter_id>", methods=["PATCH"])
@roles(*EDITORS)
@blp.arguments(ChapterPatch)
@blp.response(200, ChangedOut)
def patch_chapter(body: dict[str, Any], chapter_id: str) -> dict[str, Any]:
    """Rename, reorder or archive a chapter."""
    svc = services()
    return service.update_chapter(svc.store, principal(), chapter_id, body, svc.clock())


@blp.route("/kps", methods=["POST"])
@roles(*EDITORS)
@blp.arguments(KPIn)
@blp.response(201, ChangedOut)
def create_kp(body: dict[str, Any]) -> dict[str, str]:
    """Add a KP to a chapter."""
    svc = services()
    kp = KnowledgePoint(body.get("id") or f"kp-{uuid4().hex[:10]}", body["name"],
                        body["chapter_id"], body["description"], service.SOURCE)
    service.create_kp(svc.store, principal(), kp, svc.clock())
    return {"id": kp.id}


@blp.route("/kps/<kp_id>", methods=["PATCH"])
@roles(*EDITORS)
@blp.arguments(KPPatch)
@blp.response(200, ChangedOut)
def patch_kp(body: dict[str, Any], kp_id: str) -> dict[str, Any]:
    """Rename, describe, move (within its course) or archive a KP."""
    svc = services()
    return service.update_kp(svc.store, principal(), kp_id, body, svc.clock())


@blp.route("/prerequisites", methods=["POST"])
@roles(*EDITORS)
@blp.arguments(EdgeIn)
@blp.response(201, EdgeOut)
@blp.alt_response(409, description="It would close a cycle; the detail names it.")
def add_prerequisite(body: dict[str, str]) -> dict[str, str]:
    """Draw a prerequisite edge, or confirm an inferred one."""
    svc = services()
    service.add_prerequisite(svc.store, principal(), body["before"], body["after"],
                             svc.clock())
    return body


@blp.route("/prerequisites/remove", methods=["POST"])
@roles(*EDITORS)
@blp.arguments(EdgeIn)
@blp.response(200, EdgeOut)
def remove_prerequisite(body: dict[str, str]) -> dict[str, str]:
    """Remove a prerequisite edge."""
    svc = services()
    service.remove_prerequisite(svc.store, principal(), body["before"], body["after"],
                                svc.clock())
    return body


@blp.route("/questions", methods=["POST"])
@roles(*EDITORS)
@blp.arguments(QuestionIn)
@blp.response(201, QuestionWritten)
def create_question(body: dict[str, Any]) -> dict[str, Any]:
    """Write a question: multiple choice, numeric (with a tolerance) or short text."""
    svc = services()
    return service.write_question(svc.store, principal(), body.get("id") or
                                  f"q-{uuid4().hex[:12]}", _draft(body), svc.clock(), True)


@blp.route("/questions/<question_id>", methods=["PUT"])
@roles(*EDITORS)
@blp.arguments(QuestionIn)
@blp.response(200, QuestionWritten)
@blp.alt_response(409, description="A newer version exists: edit that one.")
def put_question(body: dict[str, Any], question_id: str) -> dict[str, Any]:
    """Edit a question: in place while nobody answered it, else as a new version (its id is
    in the answer) that retires this one; past attempts stay on the version answered."""
    svc = services()
    return service.write_question(svc.store, principal(), question_id, _draft(body),
                                  svc.clock(), False)


@blp.route("/resources", methods=["POST"])
@roles(*EDITORS)
@blp.arguments(ResourceIn)
@blp.response(201, ResourceWritten)
def create_resource(body: dict[str, Any]) -> Resource:
    """Attach a resource (video, document, link, text) to KPs."""
    return _resource(body, body.get("id") or f"r-{uuid4().hex[:12]}", True)


@blp.route("/resources/<item_id>", methods=["PUT"])
@roles(*EDITORS)
@blp.arguments(ResourceIn)
@blp.response(200, ResourceWritten)
def put_resource(body: dict[str, Any], item_id: str) -> Resource:
    """Replace a resource's fields."""
    return _resource(body, item_id, False)


class CurriculumQuery(Schema):
    dataset = fields.String(load_default=SEED_DATASET, validate=ID)


class ImportedOut(Schema):
    chapters = fields.Integer(required=True)
    kps = fields.Integer(required=True)
    prerequisites = fields.Integer(required=True)
    questions = fields.Integer(required=True)
    resources = fields.Integer(required=True)


@blp.route("/curriculum", methods=["GET"])
@roles(*EDITORS)
@blp.arguments(CurriculumQuery, location="query")
@blp.response(200, description="The course as one JSON document (docs/authoring.md).")
def export_curriculum(query: dict[str, str]) -> Response:
    """The whole course (chapters, KPs, prerequisites, questions with their keys and
    versions, resources) as one JSON document, for its editors."""
    doc = service.export_curriculum(services().store, principal(), query["dataset"])
    return Response(curriculum_json.dump(doc), mimetype="application/json")


@blp.route("/curriculum", methods=["POST"])
@roles(*EDITORS)
@blp.response(200, ImportedOut)
@blp.alt_response(422, description="Every problem of the document with its line; nothing "
                                   "was written.")
@blp.doc(requestBody={"required": True, "content": {"application/json": {
    "schema": {"type": "object"}}}})
def import_curriculum() -> dict[str, int]:
    """Import a course document (as ``GET /curriculum`` writes it): checked whole first,
    then written; importing it again changes nothing."""
    svc = services()
    return service.import_curriculum(svc.store, principal(),
                                     request.get_data(as_text=True), svc.clock())


class CalibrationOut(Schema):
    dataset = fields.String(required=True)
    answers = fields.Integer(required=True, metadata={"description": "Answers now."})
    fitted_answers = fields.Integer(allow_none=True, metadata={
        "description": "Answers at the last refit; null: never refitted."})
    fitted_at = fields.Integer(allow_none=True, metadata={"description": "Its time (ms)."})
    fitted_questions = fields.Integer(allow_none=True, metadata={
        "description": "Questions it gave a and b (those with enough answers)."})
    due = fields.Boolean(required=True, metadata={
        "description": "The daily job refits it (enough new answers)."})


class RefitOut(Schema):
    dataset = fields.String(required=True)
    answers = fields.Integer(required=True)
    questions = fields.Integer(required=True, metadata={
        "description": "Questions given a and b from their answers."})
    below_min_responses = fields.Integer(required=True, metadata={
        "description": "Answered questions still too few answers: their level gives a, b."})
    students = fields.Integer(required=True, metadata={"description": "Thetas written."})
    fitted_at = fields.Integer(required=True)


@blp.route("/curriculum/irt", methods=["GET"])
@roles(*EDITORS)
@blp.arguments(CurriculumQuery, location="query")
@blp.response(200, CalibrationOut)
def calibration_state(query: dict[str, str]) -> dict[str, Any]:
    """The course's IRT calibration: answers now and at the last refit, and whether the
    daily job will refit it."""
    return service.calibration_state(services().store, principal(), query["dataset"])


@blp.route("/curriculum/irt", methods=["POST"])
@roles(*EDITORS)
@blp.arguments(CurriculumQuery, location="query")
@blp.response(200, RefitOut)
@blp.alt_response(422, description="Too few students have answered to fit.")
def refit_irt(query: dict[str, str]) -> dict[str, Any]:
    """Refit the course's 2PL IRT on its answers now (a question needs 30 answers for its own
    a and b; before, its level gives them). Every worker reads the new parameters at once."""
    svc = services()
    done = service.refit_irt(svc.store, principal(), query["dataset"], svc.clock())
    svc.recommender.invalidate()
    return done


class BankQuery(Schema):
    kp_id = fields.String(validate=ID, metadata={
        "description": "The KP of questions under no $CATEGORY line."})


class BankImportOut(Schema):
    created = fields.Integer(required=True)
    updated = fields.Integer(required=True)
    unchanged = fields.Integer(required=True)


BANKS = {"gift": "text/plain", "xml": "application/xml"}  # file suffix -> media type
FORMAT_OF = {"gift": "gift", "xml": "moodle"}


for _suffix, _media in BANKS.items():
    def _export(query: dict[str, str], suffix: str = _suffix) -> Response:
        text = service.export_questions(services().store, principal(), query["dataset"],
                                        FORMAT_OF[suffix])
        return Response(text, mimetype=BANKS[suffix])

    def _import(query: dict[str, str], suffix: str = _suffix) -> dict[str, int]:
        svc = services()
        return service.import_questions(svc.store, principal(),
                                        request.get_data(as_text=True), FORMAT_OF[suffix],
                                        query.get("kp_id"), svc.clock())

    name = "Moodle's GIFT" if _suffix == "gift" else "Moodle XML"
    _export.__name__, _import.__name__ = f"export_{_suffix}", f"import_{_suffix}"
    _export.__doc__ = f"The course's current questions in {name}."
    _import.__doc__ = (f"Questions from {name}: new ones created, edited ones versioned, the "
                       "rest left; checked whole first, refused by line.")
    blp.route(f"/questions.{_suffix}", methods=["GET"])(roles(*EDITORS)(
        blp.arguments(CurriculumQuery, location="query")(blp.response(
            200, description=f"{_media}: the questions in {name}.")(_export))))
    blp.route(f"/questions.{_suffix}", methods=["POST"])(roles(*EDITORS)(
        blp.arguments(BankQuery, location="query")(blp.response(200, BankImportOut)(
            blp.alt_response(422, description="Every bad question with its line; nothing "
                                              "was written.")(
                blp.doc(requestBody={"required": True, "content": {_media: {
                    "schema": {"type": "string"}}}})(_import))))))


@blp.route("/audit", methods=["GET"])
@roles(*EDITORS)
@blp.response(200, AuditOut(many=True))
@blp.paginate(Page)
def audit() -> list[dict[str, Any]]:
    """Every change to the courses the caller may edit: who, when, what; newest first (the
    latest 10,000, paged)."""
    return service.audit_trail(services().store, principal(), 0, 10_000)


def _draft(body: dict[str, Any]) -> QuestionDraft:
    return QuestionDraft(body["stem"], QuestionType(body["type"]), body["answer"],
                         tuple(body["kp_ids"]), tuple(body["choices"]), body["tolerance"],
                         body["explanation"], tuple(body["hints"]),
                         ResourceLevel(body["level"]), tuple(body["tags"]))


def _resource(body: dict[str, Any], resource_id: str, create: bool) -> Resource:
    svc = services()
    resource = Resource(resource_id, body["title"], service.resource_kind(body["kind"]),
                        ResourceLevel(body["level"]), tuple(body["kp_ids"]), body["url"],
                        body["body"], body["minutes"])
    return service.write_resource(svc.store, principal(), resource, svc.clock(), create)
