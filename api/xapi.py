"""xAPI statements: ingestion mapped to attempts and activity, and a statement feed."""

from __future__ import annotations

import base64
import binascii
import json
from datetime import UTC
from typing import Any

from flask import Response, jsonify, request, url_for
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
    ActorScope,
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
                "canonical JSON) and kept as received, readable back as an LRS feed. "
                "`POST` and `PUT /xapi/statements` follow xAPI 1.0.3 (an array of ids, 204; "
                "a request is stored whole or refused); `POST /xapi/statements/batch` is "
                "kgtutor's extension that stores what it can and reports each statement.")
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


STATEMENT_IDS = {"type": "array", "items": {"type": "string", "format": "uuid"}}


@blp.route("/statements", methods=["POST"])
@blp.doc(requestBody=STATEMENTS_BODY)
@blp.response(200, STATEMENT_IDS, description="The statements' ids, in the order sent (xAPI "
                                               "1.0.3); an id-less statement's is assigned.")
@blp.alt_response(400, description="Two statements of the array carry the same id.")
@blp.alt_response(403, description="A statement's actor is a student the caller may not "
                                   "access; nothing was stored.")
@blp.alt_response(409, description="A statement's id is stored with other content; nothing "
                                   "was stored.")
@blp.alt_response(422, description="Malformed statements, or ones kgtutor cannot use (unknown "
                                   "student or question): `errors` lists "
                                   "`{index, field, message}`; nothing was stored.")
def post_statements() -> Response:
    """xAPI 1.0.3 POST Statements: store one statement or an array of up to 500, whole or not
    at all, and answer their ids. Re-sending a stored statement unchanged is fine; for what
    happened to each statement use ``POST /xapi/statements/batch``."""
    body = _statements(request.get_json(silent=False))
    given = [str(s["id"]).lower() for s in body if isinstance(s, dict) and "id" in s]
    if len(set(given)) != len(given):
        raise BadRequest("two statements of the array carry the same id")
    report = _ingest(body, whole=True)
    _raise_conflict(report)  # one a concurrent request stored first with other content
    return jsonify([i.id for i in report.items])


@blp.route("/statements/batch", methods=["POST"])
@blp.doc(requestBody=STATEMENTS_BODY)
@blp.response(200, StatementsReport)
@blp.alt_response(403, description="A statement's actor is a student the caller may not "
                                   "access; nothing was stored.")
@blp.alt_response(422, description="Malformed statements: `errors` lists "
                                   "`{index, field, message}`; nothing was stored.")
def post_statement_batch() -> dict[str, Any]:
    """kgtutor's extension of POST Statements (same body): store every statement that can be,
    and report each one (created, existing, ignored, activity, rejected or conflict, with the
    reason). An LMS account's unknown ``account.name`` becomes a student of its tenant; for
    other callers an unknown actor is a rejection. Every student named is authorised before
    anything is written."""
    report = _ingest(_statements(request.get_json(silent=False)))
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


@about_blp.after_app_request
def version_header(response: Response) -> Response:
    """xAPI 1.0.3 §6.2: every response under /xapi carries the version it speaks, errors of
    routing (404, 405) included, which no blueprint of /xapi sees."""
    if request.path == "/xapi" or request.path.startswith("/xapi/"):
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
@blp.alt_response(403, description="The actor is a student the caller may not access.")
@blp.alt_response(422, description="A malformed statement, or one kgtutor cannot use: "
                                   "`errors` lists `{index, field, message}`.")
def put_statement(query: dict[str, str]) -> None:
    """xAPI's way to send one statement that carries its own id (``?statementId=``): 204 when
    stored or already stored with the same content, 409 when stored with other content."""
    body = request.get_json(silent=False)
    if not isinstance(body, dict):
        raise BadRequest("the body must be one statement object")
    statement_id = query["statementId"]
    if str(body.get("id", statement_id)).lower() != statement_id.lower():
        raise BadRequest("the statement's id differs from statementId")
    _raise_conflict(_ingest([{**body, "id": statement_id}], whole=True))


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


def _ingest(statements: list[Any], whole: bool = False) -> StatementReport:
    """Authorise every student the statements name, then store them. Actors are looked up
    among the students the caller may name (an LMS: its tenant's; a tutor's e-mails: their
    classes'; a student's: their own), so no answer tells of anyone else's."""
    who = principal()
    tenant = who.tenant if who.role is Role.LMS else ""
    scope = ActorScope(who.tutor_id if who.role is Role.TUTOR else "",
                       who.student_id if who.role is Role.STUDENT else "")
    svc = services()
    for student_id in actor_students(svc.store, statements, tenant, scope):
        require_student(who, student_id)
    return ingest_statements(svc.store, statements, tenant, svc.clock(),
                             create_students=who.role is Role.LMS, whole=whole, scope=scope)


def _raise_conflict(report: StatementReport) -> None:
    """409 for a statement found stored with other content only while writing: a concurrent
    request stored its id first (the rest of the request is stored)."""
    conflicts = [i.reason for i in report.items if i.status == CONFLICT]
    if conflicts:
        raise ConstraintViolation("; ".join(conflicts[:10]))


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
