"""xAPI statements: ingestion mapped to attempts and activity, and a statement feed."""

from __future__ import annotations

import base64
import binascii
import json
from datetime import UTC
from typing import Any

from flask import Response, request, url_for
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate
from werkzeug.exceptions import BadRequest, UnprocessableEntity

from api.context import principal, services
from api.gate import open_endpoint, require_student, roles
from api.problems import problem
from api.schemas import Counts, epoch_ms
from graph import xapi as xapi_store
from services.ingest import (
    CONFLICT,
    REJECTED,
    StatementReport,
    actor_students,
    ingest_statements,
)
from tutor.access import Role
from tutor.errors import ConstraintViolation
from tutor.xapi import MalformedStatements, iso_timestamp

blp = Blueprint(
    "xapi", __name__, url_prefix="/xapi",
    description="xAPI 1.0.3 statements. `answered` "
                "(http://adlnet.gov/expapi/verbs/answered) becomes an attempt: the actor "
                "(account.name, or mbox matched on the student's e-mail) is the student, "
                "object.id the question (its id, or an IRI ending in `/questions/<id>`), "
                "result.success the answer, result.duration its time. `completed` and "
                "`experienced` mark the student active; other verbs are stored and ignored. "
                "Statements are idempotent by id (one without an id gets the UUID5 of its "
                "canonical JSON) and kept as received, readable back as an LRS feed.")
MAX_STATEMENTS = 500
STATEMENTS_BODY = {"required": True, "content": {"application/json": {"schema": {
    "oneOf": [{"type": "object"},
              {"type": "array", "items": {"type": "object"}, "maxItems": MAX_STATEMENTS}]}}}}


class StatementResult(Schema):
    id = fields.String(required=True)
    status = fields.String(required=True, metadata={
        "description": "created | existing | ignored | activity | rejected | conflict"})
    reason = fields.String()


class StatementsReport(Counts):
    statements = fields.List(fields.Nested(StatementResult), required=True)
    ignored = fields.Integer(required=True)
    activity = fields.Integer(required=True)


class AboutOut(Schema):
    version = fields.List(fields.String(), required=True)
    extensions = fields.Dict(required=True)


class StatementIdQuery(Schema):
    statementId = fields.String(required=True, validate=validate.Length(1, 100), metadata={
        "description": "The statement's id (xAPI: a UUID)."})


class StatementFeedQuery(Schema):
    since = fields.AwareDateTime(default_timezone=UTC, metadata={
        "description": "Only statements stored after this (ISO 8601)."})
    limit = fields.Integer(load_default=100, validate=validate.Range(1, MAX_STATEMENTS))
    cursor = fields.String(validate=validate.Length(max=400),
                           metadata={"description": "Opaque; from `more`."})


class StatementFeed(Schema):
    statements = fields.List(fields.Dict(), required=True,
                             metadata={"description": "As received, with `stored` added."})
    more = fields.String(required=True, metadata={"description": "The next page's URL, or ''."})


@blp.errorhandler(MalformedStatements)
def malformed(error: MalformedStatements) -> Response:
    """422 with every reason, by statement index (the whole request is refused)."""
    return problem(422, str(error), "Validation failed", errors=[
        {"index": e.index, "field": e.field, "message": e.message} for e in error.errors])


@blp.route("/statements", methods=["POST"])
@blp.doc(requestBody=STATEMENTS_BODY)
@blp.response(200, StatementsReport)
@blp.alt_response(403, description="A statement's actor is a student the caller may not "
                                   "access; nothing was stored.")
@blp.alt_response(409, description="The only statement's id is stored with other content.")
@blp.alt_response(422, description="Malformed statements: `errors` lists "
                                   "`{index, field, message}`; nothing was stored.")
def post_statements() -> dict[str, Any]:
    """Store one statement or an array of up to 500. An LMS account's unknown
    ``account.name`` becomes a student of its tenant; for other callers an unknown actor is
    a rejection. Every student named is authorised before anything is written."""
    report = _ingest(_statements(request.get_json(silent=False)))
    if len(report.items) == 1 and report.items[0].status == CONFLICT:
        raise ConstraintViolation(report.items[0].reason)
    return {"statements": [{"id": i.id, "status": i.status, **({"reason": i.reason}
                                                               if i.reason else {})}
                           for i in report.items],
            "created": report.created, "existing": report.existing,
            "ignored": report.ignored, "activity": report.activity,
            "rejected": report.rejected}


XAPI_VERSION = "1.0.3"


# the About resource needs no token, so it sits outside the per-caller ingestion limit
about_blp = Blueprint("xapi_about", __name__, url_prefix="/xapi",
                      description="xAPI's About resource.")


@blp.after_request
@about_blp.after_request
def version_header(response: Response) -> Response:
    """xAPI 1.0.3 §6.2: every response carries the version it speaks."""
    response.headers["X-Experience-API-Version"] = XAPI_VERSION
    return response


@about_blp.route("/about", methods=["GET"])
@open_endpoint
@about_blp.response(200, AboutOut)
@about_blp.doc(security=[])
def about() -> dict[str, Any]:
    """xAPI's About resource: the versions this endpoint speaks (no token needed)."""
    return {"version": [XAPI_VERSION], "extensions": {}}


@blp.route("/statements", methods=["PUT"])
@blp.arguments(StatementIdQuery, location="query")
@blp.doc(requestBody={"required": True, "content": {"application/json": {"schema": {
    "type": "object"}}}})
@blp.response(204)
@blp.alt_response(409, description="This statement id is stored with other content.")
@blp.alt_response(400, description="The body's id differs from statementId.")
def put_statement(query: dict[str, str]) -> None:
    """xAPI's way to send one statement that carries its own id (``?statementId=``): 204 when
    stored or already stored with the same content, 409 when stored with other content."""
    body = request.get_json(silent=False)
    if not isinstance(body, dict):
        raise BadRequest("the body must be one statement object")
    statement_id = query["statementId"]
    if body.get("id", statement_id) != statement_id:
        raise BadRequest("the statement's id differs from statementId")
    report = _ingest([{**body, "id": statement_id}])
    item = report.items[0]
    if item.status == CONFLICT:
        raise ConstraintViolation(item.reason)
    if item.status == REJECTED:
        raise UnprocessableEntity(item.reason)


@blp.route("/statements", methods=["GET"])
@roles(Role.ADMIN, Role.LMS)
@blp.arguments(StatementFeedQuery, location="query")
@blp.response(200, StatementFeed)
def get_statements(query: dict[str, Any]) -> dict[str, Any]:
    """Stored statements in stored order (admins: all; LMS accounts: their tenant's), so a
    second kgtutor can read this one as a learning record store. Page on with ``more``."""
    who = principal()
    since = query.get("since")
    stored, after_id = (epoch_ms(since) if since else -1), None
    if "cursor" in query:
        stored, after_id = _decode(query["cursor"])
    limit = query["limit"]
    rows = xapi_store.list_statements(services().store,
                                      who.tenant if who.role is Role.LMS else None, stored,
                                      after_id, limit + 1)
    page = rows[:limit]
    more = ""
    if len(rows) > limit:
        last = page[-1]
        more = url_for("xapi.get_statements", limit=limit,
                       cursor=_encode(last["stored"], last["id"]))
    return {"statements": [{**json.loads(r["raw"]), "stored": iso_timestamp(r["stored"])}
                           for r in page], "more": more}


def _ingest(statements: list[Any]) -> StatementReport:
    """Authorise every student the statements name, then store them."""
    who = principal()
    tenant = who.tenant if who.role is Role.LMS else ""
    svc = services()
    for student_id in actor_students(svc.store, statements, tenant):
        require_student(who, student_id)
    return ingest_statements(svc.store, statements, tenant, svc.clock(),
                             create_students=who.role is Role.LMS)


def _statements(body: Any) -> list[Any]:
    if not isinstance(body, dict | list):
        raise BadRequest("the body must be a statement object or an array of them")
    items = body if isinstance(body, list) else [body]
    if not 1 <= len(items) <= MAX_STATEMENTS:
        raise UnprocessableEntity(f"send 1 to {MAX_STATEMENTS} statements")
    return items


def _encode(stored: int, statement_key: str) -> str:
    text = json.dumps([stored, statement_key])
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def _decode(cursor: str) -> tuple[int, str]:
    try:
        stored, key = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        if isinstance(stored, int) and isinstance(key, str):
            return stored, key
    except (binascii.Error, ValueError, TypeError):
        pass
    raise UnprocessableEntity("cursor: not one this server gave out")
