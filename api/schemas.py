"""The shapes several blueprints answer with, one schema per resource shape, and the id rules
of the API; a blueprint keeps the query, body and result schemas that only it uses."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from functools import cache
from typing import Any

from marshmallow import Schema, fields, validate

from tutor.access import API_ID

ID = validate.Regexp(API_ID, error="1 to 128 characters, no spaces or '/'")
TEXT = validate.Length(max=500)
# free text (it is never part of a URL), but no control characters
EVENT_ID = validate.Regexp(r"^[^\x00-\x1f]{1,256}$", error="1 to 256 characters, no control "
                                                           "characters")


def epoch_ms(value: datetime) -> int:
    """An aware or naive (taken as UTC) datetime as epoch milliseconds."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return int(value.timestamp() * 1000)


def plain(value: Any) -> Any:
    """A dataclass as the dicts, lists and values it holds, for a schema to dump:
    ``dataclasses.asdict`` deep-copies every value on the way, a fifth of a plan's
    serialisation; the schema copies what it answers anyway."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {name: plain(getattr(value, name)) for name in _field_names(type(value))}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    return value


@cache
def _field_names(kind: type) -> tuple[str, ...]:
    return tuple(f.name for f in dataclasses.fields(kind))


class Counts(Schema):
    """What an ingestion did: new rows, rows already stored, rows refused."""

    created = fields.Integer(required=True)
    existing = fields.Integer(required=True)
    rejected = fields.Integer(required=True)


class AccessOut(Schema):
    """A bearer token to call the API with; logins and LTI launches add to it."""

    access_token = fields.String(required=True)
    token_type = fields.String(required=True)
    expires_in = fields.Integer(required=True)


class KPOut(Schema):
    """A knowledge point; a map and a KP page add what they show around it."""

    id = fields.String(required=True)
    name = fields.String(required=True)
    chapter_id = fields.String(required=True)
    description = fields.String(required=True)


class QuestionOut(Schema):
    """A question as listed, never with its answer."""

    id = fields.String(required=True)
    text = fields.String(required=True)
    level = fields.String(required=True, metadata={"description": "basic, standard, challenge."})


class ResourceOut(Schema):
    """A resource to study: a worked example, a video, an exercise or a support page."""

    id = fields.String(required=True)
    title = fields.String(required=True)
    kind = fields.String(required=True)
    level = fields.String(required=True)
    url = fields.String(required=True)


class RankedResourceOut(ResourceOut):
    """A resource picked for the student, ranked by ``tutor.resources``, with its reasons."""

    kp_id = fields.String(required=True, metadata={"description": "The KP it was picked for "
                                                                  "(empty for support)."})
    minutes = fields.Integer(allow_none=True, metadata={"description": "Estimated minutes."})
    score = fields.Float(required=True, metadata={
        "description": "Lift over the KP's resources among similar students, plus text "
                       "similarity and level fit, weighted; 0 in the fixed order."})
    challenge = fields.Boolean(required=True, metadata={
        "description": "Above the student's level: counts towards the challenge share."})
    reasons = fields.List(fields.String(), required=True)


class AdaptActionOut(Schema):
    kind = fields.String(required=True, metadata={
        "description": "e.g. raise_challenge, rest, reroute, basic_resources, support_resources, "
                       "offer_tutoring, notify_tutor, practice_set, more_resources."})
    kp_ids = fields.List(fields.String(), required=True)
    count = fields.Integer(required=True)
    text = fields.String(required=True)


class AffectRecordOut(Schema):
    """One stored affect tag."""

    tag = fields.String(required=True, metadata={
        "description": "positive, neutral, confused, fatigued or negative."})
    confidence = fields.Float(required=True)
    source = fields.String(required=True, metadata={"description": "self_report, face, voice."})
    ts = fields.Integer(required=True, metadata={"description": "Epoch ms."})


class AffectStateOut(Schema):
    """The affect state fused over the last 15 minutes."""

    tag = fields.String(required=True, metadata={
        "description": "positive, neutral, confused, fatigued or negative."})
    confidence = fields.Float(required=True)
    sources = fields.List(fields.String(), required=True, metadata={
        "description": "Where the state came from: self_report, face, voice (empty: none "
                       "this window, neutral assumed)."})
    reasons = fields.List(fields.String(), required=True)
