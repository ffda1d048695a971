"""Marshmallow schemas shared by several blueprints, and the id rules of the API."""

from __future__ import annotations

from datetime import datetime

from marshmallow import Schema, fields, validate

# ids are free text in the graph (datasets namespace them as ``dataset:kind:n``); the API
# accepts printable text without slashes so that every id can sit in a URL path segment
ID = validate.Regexp(r"^[^/\s\x00-\x1f]{1,128}$", error="1 to 128 characters, no spaces or '/'")
TEXT = validate.Length(max=500)


def epoch_ms(value: datetime) -> int:
    """An aware or naive (taken as UTC) datetime as epoch milliseconds."""
    if value.tzinfo is None:
        from datetime import UTC
        value = value.replace(tzinfo=UTC)
    return int(value.timestamp() * 1000)


class Created(Schema):
    id = fields.String(required=True)


class Counts(Schema):
    """What an ingestion did: new rows, rows already stored, rows refused."""

    created = fields.Integer(required=True)
    existing = fields.Integer(required=True)
    rejected = fields.Integer(required=True)
