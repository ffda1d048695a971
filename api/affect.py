"""Affect: consent, emoji self-reports, face and voice media, export and erasure.

Media are analysed in memory for the request and dropped; only each reading's tag, confidence,
source and time reach the graph (``graph.affect``). Consent is checked before any
analysis and again in the query that stores a tag, so a withdrawal a moment ago holds.
"""

from __future__ import annotations

from dataclasses import asdict
from io import BytesIO
from typing import IO, Any

from flask import request
from flask_smorest import Blueprint
from flask_smorest.fields import Upload
from marshmallow import Schema, fields, validate
from werkzeug.datastructures import FileStorage

from api.context import services
from api.gate import roles
from api.schemas import AdaptActionOut, AffectRecordOut, AffectStateOut
from graph import affect as affect_store
from models.face_affect import MAX_FRAMES, detect_face
from models.voice_affect import detect_voice
from services import adjust
from tutor.access import Role
from tutor.adjust import WINDOW_MS
from tutor.affect import EMOJI, AffectReading, fuse, self_report
from tutor.affect_rules import Adaptation
from tutor.errors import ConsentRequired, InvalidInput

blp = Blueprint("affect", __name__, url_prefix="/students/<student_id>/affect",
                description="Affect: emoji, image or audio (consent enforced), export and "
                            "erasure.")
SUBJECT = (Role.STUDENT, Role.ADMIN)  # the student's own rights: consent, export, erasure
# who may send a reading: the student, or an LMS relaying what the student picked or recorded
# in its own page; never a tutor (a self-report is the student's own)
READERS = (Role.STUDENT, Role.LMS, Role.ADMIN)
OWN = "Only the student themself or an admin."
NO_CONSENT = ("No consent to affect processing, or a caller other than the student, an LMS "
              "of their tenant or an admin.")


class ConsentIn(Schema):
    consent = fields.Boolean(required=True, metadata={
        "description": "Whether kgtutor may process the student's affect (emoji, face, voice)."})


class ConsentOut(Schema):
    student_id = fields.String(required=True)
    consent = fields.Boolean(required=True)


class EmojiIn(Schema):
    emoji = fields.String(required=True, validate=validate.Length(1, 32), metadata={
        "description": "One of " + ", ".join(EMOJI) + " (a name or its emoji)."})


class MediaIn(Schema):
    image = fields.List(Upload(), validate=validate.Length(max=MAX_FRAMES), metadata={
        "description": f"1 to {MAX_FRAMES} PNG/JPEG webcam frames, oldest first."})
    audio = Upload(metadata={"description": "One spoken clip, 0.5-60 s (WAV, FLAC or OGG)."})


class AffectReadingOut(AffectRecordOut):
    measures = fields.Dict(keys=fields.String(), values=fields.Float(), required=True, metadata={
        "description": "The numbers behind the tag; returned once, never stored."})


class AffectReactionOut(Schema):
    actions = fields.List(fields.Nested(AdaptActionOut), required=True)
    reasons = fields.List(fields.String(), required=True)
    focus_kps = fields.List(fields.String(), required=True, metadata={
        "description": "KPs the next recommendations are confined to (a re-route)."})
    rest = fields.String(allow_none=True)
    notify_tutor = fields.Boolean(required=True)


class AffectResultOut(Schema):
    readings = fields.List(fields.Nested(AffectReadingOut), required=True, metadata={
        "description": "What this request stored (a face reading is absent when no frame "
                       "shows a face)."})
    state = fields.Nested(AffectStateOut, required=True, metadata={
        "description": "The fused state of the last 15 minutes, this reading included."})
    reaction = fields.Nested(AffectReactionOut, required=True)
    notes = fields.List(fields.String(), required=True)


class ErasedOut(Schema):
    student_id = fields.String(required=True)
    deleted = fields.Integer(required=True, metadata={"description": "Tags erased."})


def _memory_stream(*_: Any, **__: Any) -> IO[bytes]:
    return BytesIO()


@blp.before_request
def _keep_uploads_in_memory() -> None:
    """Werkzeug spools file parts over 500 KB to a temporary file; media must never reach the
    disk, and MAX_CONTENT_LENGTH already bounds the memory a request can take."""
    request._get_file_stream = _memory_stream  # werkzeug's override point for upload streams


@blp.route("/consent", methods=["PUT"])
@roles(*SUBJECT)
@blp.arguments(ConsentIn)
@blp.response(200, ConsentOut)
@blp.alt_response(403, description=OWN)
def set_consent(body: dict[str, Any], student_id: str) -> dict[str, Any]:
    """Give or withdraw consent to affect processing (the student themself, or an admin).
    Withdrawing keeps stored tags until they are erased with ``DELETE``."""
    svc = services()
    affect_store.set_consent(svc.store, student_id, body["consent"], svc.clock())
    return {"student_id": student_id, "consent": body["consent"]}


@blp.route("/emoji", methods=["POST"])
@roles(*READERS)
@blp.arguments(EmojiIn)
@blp.response(201, AffectResultOut)
@blp.alt_response(403, description=NO_CONSENT)
def post_emoji(body: dict[str, Any], student_id: str) -> dict[str, Any]:
    """Record how the student says they feel, and react to it at once (path, tutor alert)."""
    reading = self_report(body["emoji"], services().clock())
    return _store_and_react(student_id, [reading], [])


@blp.route("/media", methods=["POST"])
@roles(*READERS)
@blp.arguments(MediaIn, location="files")
@blp.response(201, AffectResultOut)
@blp.alt_response(403, description=NO_CONSENT)
@blp.alt_response(413, description="The body is larger than the server accepts.")
@blp.alt_response(422, description="No media part, or media that cannot be decoded.")
def post_media(files: dict[str, Any], student_id: str) -> dict[str, Any]:
    """Tag webcam frames and/or a voice clip (multipart/form-data parts ``image``, repeatable,
    and ``audio``). The media are analysed in memory and dropped; only the tags are stored."""
    svc = services()
    if not affect_store.consent(svc.store, student_id):
        raise ConsentRequired(f"student {student_id!r} has not consented to affect processing")
    images: list[FileStorage] = files.get("image") or []
    audio: FileStorage | None = files.get("audio")
    if not images and audio is None:
        raise InvalidInput("send an 'image' part, an 'audio' part, or both")
    now = svc.clock()
    readings: list[AffectReading] = []
    notes: list[str] = []
    if images:  # every part is analysed before anything is stored: all or nothing
        face = detect_face([f.read() for f in images], now)
        if face is None:
            notes.append("no face found in the image(s): no face reading stored")
        else:
            readings.append(face)
    if audio is not None:
        readings.append(detect_voice(audio.read(), now))
    return _store_and_react(student_id, readings, notes)


@blp.route("", methods=["GET"])
@roles(*SUBJECT)
@blp.response(200, AffectRecordOut(many=True))
@blp.alt_response(403, description=OWN)
def export(student_id: str) -> list[dict[str, object]]:
    """Everything stored about the student's affect, oldest first (the data export)."""
    return affect_store.export(services().store, student_id)


@blp.route("", methods=["DELETE"])
@roles(*SUBJECT)
@blp.response(200, ErasedOut)
@blp.alt_response(403, description=OWN)
def erase(student_id: str) -> dict[str, Any]:
    """Erase the student's whole affect history (the student themself, or an admin)."""
    return {"student_id": student_id,
            "deleted": affect_store.delete(services().store, student_id)}


def _store_and_react(student_id: str, readings: list[AffectReading], notes: list[str]
                     ) -> dict[str, Any]:
    svc = services()
    now = svc.clock()
    for reading in readings:
        affect_store.record(svc.store, student_id, reading)  # ConsentRequired -> 403
    reaction = adjust.react_to_affect(svc.store, svc.recommender, student_id, now)
    state = fuse(affect_store.history(svc.store, student_id, now - WINDOW_MS), now)
    return {"readings": [{**asdict(r), "measures": dict(r.measures)} for r in readings],
            "state": asdict(state), "reaction": _reaction(reaction), "notes": notes}


def _reaction(a: Adaptation) -> dict[str, Any]:
    return {"actions": [asdict(x) for x in a.actions], "reasons": list(a.reasons),
            "focus_kps": list(a.focus_kps), "rest": a.rest, "notify_tutor": a.notify_tutor}
