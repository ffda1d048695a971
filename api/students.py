"""``/students``: list (paged, filtered, scoped to the caller), get, create, update."""

from __future__ import annotations

from typing import Any

from flask_smorest import Blueprint
from flask_smorest.pagination import PaginationParameters
from marshmallow import Schema, fields, validate
from werkzeug.exceptions import UnprocessableEntity

from api.context import principal, services
from api.gate import require_class, roles
from api.schemas import ID, TEXT, epoch_ms
from graph import roster
from services import records
from services.imports import SEED_DATASET
from tutor.access import Role, tenant_student_id
from tutor.errors import ConstraintViolation, NotFound

blp = Blueprint("students", __name__, url_prefix="/students",
                description="Student records, scoped to the caller's classes or tenant.")
WRITERS = (Role.TUTOR, Role.ADMIN, Role.LMS)


class StudentFilter(Schema):
    class_id = fields.String(validate=ID, metadata={"description": "Members of this class."})
    min_mastery = fields.Float(validate=validate.Range(0, 1),
                               metadata={"description": "Mean KP mastery at least this."})
    max_mastery = fields.Float(validate=validate.Range(0, 1))
    active_since = fields.AwareDateTime(
        default_timezone=None, metadata={"description": "Answered a question since (ISO 8601)."})


class StudentSummary(Schema):
    id = fields.String(required=True)
    name = fields.String(required=True)
    email = fields.String(required=True)
    tenant = fields.String(required=True)
    dataset = fields.String(required=True)
    mastery = fields.Float(allow_none=True, metadata={"description": "Mean BKT mastery."})
    kps = fields.Integer(metadata={"description": "KPs with a mastery estimate."})
    last_active = fields.Integer(allow_none=True, metadata={"description": "Epoch ms."})


class StudentOut(StudentSummary):
    classes = fields.List(fields.String(), required=True)
    affect_consent = fields.Boolean(required=True)


class StudentIn(Schema):
    id = fields.String(required=True, validate=ID)
    name = fields.String(load_default="", validate=TEXT)
    email = fields.Email(load_default="")
    dataset = fields.String(load_default=SEED_DATASET, validate=ID,
                            metadata={"description": "The curriculum the student follows."})
    class_ids = fields.List(fields.String(validate=ID), load_default=list,
                            validate=validate.Length(max=50))


class RecordOut(Schema):
    student_id = fields.String(required=True)
    exported = fields.Integer(required=True, metadata={"description": "Epoch ms."})
    student = fields.Dict(required=True, metadata={"description": "The node's properties."})
    edges = fields.List(fields.Dict(), required=True, metadata={
        "description": "{rel, kind, props, target}: attempts, mastery, affect, paths, classes."})
    nodes = fields.List(fields.Dict(), required=True, metadata={
        "description": "{kind, props}: notifications, adjustments, statements, the account."})


class StudentPatch(Schema):
    name = fields.String(validate=TEXT)
    email = fields.Email()
    class_ids = fields.List(fields.String(validate=ID), validate=validate.Length(max=50),
                            metadata={"description": "Classes to add the student to."})


@blp.route("", methods=["GET"])
@roles(*WRITERS)
@blp.arguments(StudentFilter, location="query")
@blp.response(200, StudentSummary(many=True))
@blp.paginate()
def list_students(query: dict[str, Any], pagination_parameters: PaginationParameters
                  ) -> list[dict[str, Any]]:
    """Students the caller may see: a tutor's classes, an LMS tenant, or all for admins."""
    who = principal()
    if "class_id" in query:
        require_class(who, query["class_id"])
    since = query.get("active_since")
    where = roster.StudentFilter(
        tenant=who.tenant if who.role is Role.LMS else "",
        tutor_id=who.tutor_id if who.role is Role.TUTOR else "",
        class_id=query.get("class_id", ""),
        min_mastery=query.get("min_mastery"), max_mastery=query.get("max_mastery"),
        active_since=epoch_ms(since) if since else None)
    total, page = roster.list_students(services().store, where,
                                       pagination_parameters.first_item,
                                       pagination_parameters.page_size)
    pagination_parameters.item_count = total
    return page


@blp.route("", methods=["POST"])
@roles(*WRITERS)
@blp.arguments(StudentIn)
@blp.response(201, StudentOut)
@blp.alt_response(409, description="A student with this id exists.")
def create_student(body: dict[str, Any]) -> dict[str, Any]:
    """Create a student. LMS accounts create students of their tenant, stored as
    ``<tenant>:<id>`` and named by either id; tutors must put the student in at least one of
    their classes (or they could not see it afterwards)."""
    who = principal()
    if who.role is Role.TUTOR and not body["class_ids"]:
        raise UnprocessableEntity("class_ids: a tutor must add the student to one of their "
                                  "classes")
    for class_id in body["class_ids"]:
        require_class(who, class_id)
    svc = services()
    key, tenant = body["id"], ""
    if who.role is Role.LMS:  # its own namespace: another tenant's ids neither clash nor show
        if roster.tenant_students(svc.store, who.tenant, [key]):
            raise ConstraintViolation(f"student {key!r} exists")
        key, tenant = tenant_student_id(who.tenant, key), who.tenant
    try:
        roster.create_student(svc.store, key, body["name"], body["email"], tenant,
                              body["dataset"], svc.clock())
    except ConstraintViolation:
        raise ConstraintViolation(f"student {body['id']!r} exists") from None
    _join(key, body["class_ids"])
    return _get(key)


@blp.route("/<student_id>", methods=["GET"])
@blp.response(200, StudentOut)
def get_student(student_id: str) -> dict[str, Any]:
    """One student, with classes and a mastery summary."""
    return _get(student_id)


@blp.route("/<student_id>", methods=["PATCH"])
@roles(*WRITERS)
@blp.arguments(StudentPatch)
@blp.response(200, StudentOut)
def update_student(body: dict[str, Any], student_id: str) -> dict[str, Any]:
    """Change name or e-mail, or add the student to more classes (the caller's own)."""
    who = principal()
    for class_id in body.get("class_ids", ()):
        require_class(who, class_id)
    roster.update_student(services().store, student_id, body.get("name"), body.get("email"))
    _join(student_id, body.get("class_ids", ()))
    return _get(student_id)


@blp.route("/<student_id>/export", methods=["GET"])
@roles(Role.STUDENT, Role.ADMIN, Role.LMS)
@blp.response(200, RecordOut)
def export_student(student_id: str) -> dict[str, Any]:
    """Everything held about the student, as one JSON document (the student themself, an admin,
    or the student's LMS tenant): the node, every edge (attempts, mastery, affect, paths,
    classes) with what it leads to, and every node naming the student. Password hashes never."""
    svc = services()
    return records.export(svc.store, student_id, svc.clock())


@blp.route("/<student_id>", methods=["DELETE"])
@roles(Role.ADMIN, Role.LMS)
@blp.response(204)
def erase_student(student_id: str) -> None:
    """Erase the student and everything about them, derived state included (an admin, or the
    student's LMS tenant). Answers 404 afterwards."""
    svc = services()
    records.erase(svc.store, svc.recommender, student_id)


def _join(student_id: str, class_ids: Any) -> None:
    roster.join_classes(services().store, student_id, class_ids)


def _get(student_id: str) -> dict[str, Any]:
    found = roster.get_student(services().store, student_id)
    if found is None:
        raise NotFound(f"no student {student_id!r}")
    return found
