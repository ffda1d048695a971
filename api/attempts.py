"""Attempts: single and batch ingestion (idempotent by event id), learning-data queries."""

from __future__ import annotations

from datetime import UTC
from typing import Any

from flask_smorest import Blueprint
from flask_smorest.pagination import PaginationParameters
from marshmallow import Schema, fields, validate
from werkzeug.exceptions import UnprocessableEntity

from api.context import principal, services
from api.gate import require_student
from api.schemas import EVENT_ID, ID, Counts, epoch_ms
from graph import attempts as attempt_store
from services.ingest import CONFLICT, CREATED, REJECTED, ingest_attempts, namespace_of
from tutor.access import Principal, Role
from tutor.errors import ConstraintViolation

blp = Blueprint(
    "attempts", __name__,
    description="Attempts: single and batch ingestion, idempotent by event id, and the "
                "learning-data query. Event ids are namespaced by caller: an LMS account's "
                "`e1` is stored as `<tenant>:e1`, every other caller's as `api:e1`, so tenants "
                "can neither collide nor probe each other; responses show the caller's own id. "
                "Storing attempts refreshes the student's BKT mastery.")
MAX_BATCH = 1000


class AttemptIn(Schema):
    event_id = fields.String(required=True, validate=EVENT_ID,
                             metadata={"description": "The caller's id of this answer; "
                                                      "re-sending it changes nothing."})
    question_id = fields.String(required=True, validate=EVENT_ID)
    correct = fields.Boolean(required=True)
    ts = fields.AwareDateTime(default_timezone=UTC, metadata={
        "description": "When it was answered (ISO 8601; no zone: UTC). Default: now."})
    duration_s = fields.Float(allow_none=True, validate=validate.Range(0, 86_400))


class BatchAttemptIn(AttemptIn):
    student_id = fields.String(required=True, validate=ID)


class BatchIn(Schema):
    attempts = fields.List(fields.Nested(BatchAttemptIn), required=True,
                           validate=validate.Length(1, MAX_BATCH))


class BatchProblem(Schema):
    index = fields.Integer(required=True)
    reason = fields.String(required=True)


class BatchItem(Schema):
    index = fields.Integer(required=True, metadata={"description": "Position in the request."})
    event_id = fields.String(required=True)
    status = fields.String(required=True, metadata={
        "description": "created (stored by this request), existing (stored before, same "
                       "content), conflict (stored with other content) or rejected."})


class BatchReport(Counts):
    problems = fields.List(fields.Nested(BatchProblem), required=True)
    items = fields.List(fields.Nested(BatchItem), required=True, metadata={
        "description": "One per attempt sent, in order: the counts are these statuses'."})


class AttemptFilter(Schema):
    from_ = fields.AwareDateTime(data_key="from", default_timezone=UTC,
                                 metadata={"description": "Answered at or after (ISO 8601)."})
    to = fields.AwareDateTime(default_timezone=UTC,
                              metadata={"description": "Answered at or before (ISO 8601)."})
    kp_id = fields.String(validate=ID, metadata={"description": "Questions testing this KP."})
    chapter_id = fields.String(validate=ID,
                               metadata={"description": "Questions of this chapter's KPs."})
    correct = fields.Boolean()


class AttemptOut(Schema):
    event_id = fields.String(required=True)
    question_id = fields.String(required=True)
    kp_ids = fields.List(fields.String(), required=True)
    correct = fields.Boolean(required=True)
    ts = fields.Integer(required=True, metadata={"description": "Epoch ms."})
    duration_s = fields.Float(allow_none=True)
    source = fields.String(required=True, metadata={"description": "api, xapi, or the import."})


@blp.route("/students/<student_id>/attempts", methods=["POST"])
@blp.arguments(AttemptIn)
@blp.response(201, AttemptOut)
@blp.alt_response(200, schema=AttemptOut, description="This event id was stored already, "
                                                       "with the same content.")
@blp.alt_response(409, description="This event id is stored with another student, question "
                                   "or answer.")
@blp.alt_response(422, description="Invalid input, or no such question.")
def post_attempt(body: dict[str, Any], student_id: str) -> tuple[dict[str, Any], int]:
    """Store one answer of the student (students: their own; tutors, admins, LMS accounts:
    the students they may access)."""
    who = principal()
    ns = namespace_of(_tenant(who))
    report = ingest_attempts(services().store, [_row(body, student_id)], ns, services().clock())
    item = report.items[0]
    if item.status == CONFLICT:
        raise ConstraintViolation(item.reason)
    if item.status == REJECTED:
        raise UnprocessableEntity(item.reason)
    stored = attempt_store.get_attempt(services().store, f"{ns}:{body['event_id']}")
    return _shown(stored, ns), 201 if item.status == CREATED else 200


@blp.route("/attempts/batch", methods=["POST"])
@blp.arguments(BatchIn)
@blp.response(200, BatchReport)
@blp.alt_response(403, description="A student of the batch is not the caller's; nothing "
                                   "was stored.")
def post_batch(body: dict[str, Any]) -> dict[str, Any]:
    """Store up to 1000 answers of several students. Every student is authorised before
    anything is written; answers to unknown questions and event ids stored with other
    content are reported in ``problems`` and the rest stored. Re-sending changes nothing, and
    concurrent batches sharing event ids each store what they can: an id another request
    stored first is "existing" (or "conflict") in ``items``, never a failed batch."""
    who = principal()
    stored_id = {student_id: require_student(who, student_id)  # an LMS names its tenant's
                 for student_id in sorted({a["student_id"] for a in body["attempts"]})}
    report = ingest_attempts(services().store,
                             [_row(a, stored_id[a["student_id"]]) for a in body["attempts"]],
                             namespace_of(_tenant(who)), services().clock())
    return {"created": report.created, "existing": report.existing,
            "rejected": report.rejected,
            "problems": [{"index": i.index, "reason": i.reason} for i in report.items
                         if i.reason],
            "items": [{"index": i.index, "event_id": i.id, "status": i.status}
                      for i in report.items]}


@blp.route("/students/<student_id>/attempts", methods=["GET"])
@blp.arguments(AttemptFilter, location="query")
@blp.response(200, AttemptOut(many=True))
@blp.paginate()
def list_attempts(query: dict[str, Any], pagination_parameters: PaginationParameters,
                  student_id: str) -> list[dict[str, Any]]:
    """The student's answers, newest first, filtered by time, KP, chapter or correctness."""
    start, end = query.get("from_"), query.get("to")
    where = attempt_store.AttemptFilter(
        epoch_ms(start) if start else None, epoch_ms(end) if end else None, query.get("kp_id"),
        query.get("chapter_id"), query.get("correct"))
    total, page = attempt_store.list_attempts(services().store, student_id, where,
                                              pagination_parameters.first_item,
                                              pagination_parameters.page_size)
    pagination_parameters.item_count = total
    ns = namespace_of(_tenant(principal()))
    return [_shown(r, ns) for r in page]


def _tenant(who: Principal) -> str:
    return who.tenant if who.role is Role.LMS else ""


def _row(body: dict[str, Any], student_id: str) -> dict[str, Any]:
    ts = body.get("ts")
    return {"event_id": body["event_id"], "student_id": student_id,
            "question_id": body["question_id"], "correct": body["correct"],
            "ts": epoch_ms(ts) if ts else None, "duration_s": body.get("duration_s")}


def _shown(row: dict[str, Any], ns: str) -> dict[str, Any]:
    """A stored attempt as the caller sees it: its own event ids without the namespace."""
    event_id = row["event_id"]
    return {**row, "event_id": event_id.removeprefix(f"{ns}:"),
            "kp_ids": sorted(row["kp_ids"])}
