"""Marshmallow schemas shared by several blueprints, and the id rules of the API."""

from __future__ import annotations

from datetime import UTC, datetime

from marshmallow import Schema, fields, validate

from tutor.access import API_ID

ID = validate.Regexp(API_ID, error="1 to 128 characters, no spaces or '/'")
TEXT = validate.Length(max=500)


def epoch_ms(value: datetime) -> int:
    """An aware or naive (taken as UTC) datetime as epoch milliseconds."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return int(value.timestamp() * 1000)


class Created(Schema):
    id = fields.String(required=True)


class Counts(Schema):
    """What an ingestion did: new rows, rows already stored, rows refused."""

    created = fields.Integer(required=True)
    existing = fields.Integer(required=True)
    rejected = fields.Integer(required=True)


class AffectRecordOut(Schema):
    tag = fields.String(required=True, metadata={
        "description": "positive, neutral, confused, fatigued or negative."})
    confidence = fields.Float(required=True)
    source = fields.String(required=True, metadata={"description": "self_report, face, voice."})
    ts = fields.Integer(required=True, metadata={"description": "Epoch ms."})


class AdaptActionOut(Schema):
    kind = fields.String(required=True, metadata={
        "description": "e.g. raise_challenge, rest, reroute, basic_resources, support_resources, "
                       "offer_tutoring, notify_tutor, practice_set, more_resources."})
    kp_ids = fields.List(fields.String(), required=True)
    count = fields.Integer(required=True)
    text = fields.String(required=True)
