"""Tutor reports: a class's mastery, students at risk and suggestions; a student's report,
the e-mails sent about them and their adjustment audit trail. Tutors of the class and admins
only: these pages speak to the tutor about the student."""

from __future__ import annotations

import dataclasses
from typing import Any

from flask_smorest import Blueprint, Page
from marshmallow import Schema, fields

from api.context import services
from api.gate import roles
from api.schemas import AdaptActionOut, AffectRecordOut
from graph import notify as outbox
from services import adjust
from services.reports import class_report, student_report
from tutor.access import Role

blp = Blueprint("reports", __name__,
                description="Tutor reports, interventions and notifications.")
TUTORS = (Role.TUTOR, Role.ADMIN)
ADJUSTMENTS = 1000  # newest adjustments paged through (over ten days of 15-minute windows)
FORBIDDEN = "Only tutors of the student's (or the class's) classes, and admins."


class FactsOut(Schema):
    """The facts the intervention rules read (tutor/interventions.py FACTS)."""

    progress = fields.Float(required=True, metadata={"description": "Expected progress, %."})
    has_progress = fields.Boolean(required=True)
    affect = fields.String(required=True, metadata={"description": "Fused affect tag."})
    affect_confidence = fields.Float(required=True)
    mastery_mean = fields.Float(required=True)
    stuck_kps = fields.Float(required=True)
    accuracy = fields.Float(required=True, metadata={"description": "Of the last 20 answers."})
    attempts_7d = fields.Float(required=True)
    days_inactive = fields.Float(required=True)
    time_spent_h = fields.Float(required=True)


class SuggestionOut(Schema):
    rule = fields.String(required=True)
    text = fields.String(required=True)
    priority = fields.Integer(required=True, metadata={"description": "1 is most urgent."})


class NotificationOut(Schema):
    id = fields.String(required=True)
    to = fields.String(required=True)
    subject = fields.String(required=True)
    body = fields.String(required=True)
    student_id = fields.String(required=True)
    kind = fields.String(required=True)
    status = fields.String(required=True, metadata={"description": "pending, sent or failed."})
    attempts = fields.Integer(required=True)
    next_try = fields.Integer(allow_none=True)
    created = fields.Integer(allow_none=True, metadata={"description": "Epoch ms."})
    sent = fields.Integer(allow_none=True)
    last_error = fields.String(allow_none=True)


class AdjustmentOut(Schema):
    window = fields.Integer(required=True, metadata={"description": "Window start, epoch ms."})
    findings = fields.List(fields.String(), required=True)
    actions = fields.List(fields.Nested(AdaptActionOut), required=True)
    reasons = fields.List(fields.String(), required=True)
    ts = fields.Integer(required=True)


class ProfileOut(Schema):
    student_id = fields.String(required=True)
    name = fields.String(allow_none=True)
    email = fields.String(allow_none=True)
    dataset = fields.String(allow_none=True)
    affect_consent = fields.Boolean(required=True)
    class_ids = fields.List(fields.String(), required=True)
    attempts = fields.Integer(allow_none=True, metadata={
        "description": "Profile fields are null before the first daily profile run."})
    correct_rate = fields.Float(allow_none=True)
    time_spent_s = fields.Float(allow_none=True)
    attempts_7d = fields.Integer(allow_none=True)
    last_active = fields.Integer(allow_none=True)
    interest_tags = fields.Dict(keys=fields.String(), values=fields.Float(), required=True,
                                metadata={"description": "KP id -> interest weight."})
    latest_emotion = fields.String(allow_none=True)
    latest_emotion_ts = fields.Integer(allow_none=True)
    refreshed = fields.Integer(allow_none=True)


class StudentReportOut(Schema):
    profile = fields.Nested(ProfileOut, required=True)
    facts = fields.Nested(FactsOut, required=True)
    suggestions = fields.List(fields.Nested(SuggestionOut), required=True)
    adjustments = fields.List(fields.Nested(AdjustmentOut), required=True)
    notifications = fields.List(fields.Nested(NotificationOut), required=True)
    affect = fields.List(fields.Nested(AffectRecordOut), allow_none=True, metadata={
        "description": "Stored affect tags; null unless the student consented."})


class ChapterMasteryOut(Schema):
    chapter_id = fields.String(required=True)
    name = fields.String(required=True)
    order = fields.Integer(required=True)
    kps = fields.Integer(required=True, metadata={"description": "KPs in the chapter."})
    practised = fields.Integer(required=True, metadata={
        "description": "KPs at least one student of the class has a mastery estimate on."})
    students = fields.Integer(required=True, metadata={"description": "Students practising."})
    mastery = fields.Float(required=True, metadata={
        "description": "Mean BKT p over the class's (student, KP) estimates in the chapter."})
    mastered = fields.Integer(required=True, metadata={
        "description": "Estimates at or above mastery_threshold."})
    estimates = fields.Integer(required=True)


class ClassStudentOut(Schema):
    student_id = fields.String(required=True)
    name = fields.String(required=True)
    at_risk = fields.Boolean(required=True)
    reasons = fields.List(fields.String(), required=True, metadata={
        "description": "Why the student is at risk, most urgent first."})
    facts = fields.Nested(FactsOut, required=True)
    suggestions = fields.List(fields.Nested(SuggestionOut), required=True)
    chapter_mastery = fields.Dict(keys=fields.String(), values=fields.Float(), required=True,
                                  metadata={"description": "Chapter id -> the mean mastery of "
                                            "its KPs the student has an estimate for (the heat "
                                            "map's row); a chapter not practised is absent."})


class ClassReportOut(Schema):
    class_id = fields.String(required=True)
    name = fields.String(required=True)
    generated = fields.Integer(required=True, metadata={"description": "Epoch ms."})
    mastery_threshold = fields.Float(required=True)
    chapters = fields.List(fields.Nested(ChapterMasteryOut), required=True, metadata={
        "description": "The chapters the class's students have practised, in order."})
    students = fields.List(fields.Nested(ClassStudentOut), required=True)
    at_risk = fields.List(fields.String(), required=True, metadata={
        "description": "Ids of the students at risk, most urgent first."})
    notifications = fields.List(fields.Nested(NotificationOut), required=True, metadata={
        "description": "The newest 100 e-mails about the class's students."})


@blp.route("/classes/<class_id>/report", methods=["GET"])
@roles(*TUTORS)
@blp.response(200, ClassReportOut)
@blp.alt_response(403, description=FORBIDDEN)
@blp.alt_response(404, description="No such class.")
def get_class_report(class_id: str) -> dict[str, Any]:
    """Class mastery by chapter, students at risk with reasons (intervention rules of
    priority 1-3), suggestions per student, and e-mails sent about the class's students."""
    svc = services()
    return class_report(svc.store, svc.recommender, class_id, svc.clock())


@blp.route("/students/<student_id>/report", methods=["GET"])
@roles(*TUTORS)
@blp.response(200, StudentReportOut)
@blp.alt_response(403, description=FORBIDDEN)
def get_student_report(student_id: str) -> dict[str, Any]:
    """Profile, intervention facts and suggestions, adjustments, e-mails, and the affect
    history when the student consented."""
    svc = services()
    return student_report(svc.store, svc.recommender, student_id, svc.clock())


@blp.route("/students/<student_id>/notifications", methods=["GET"])
@roles(*TUTORS)
@blp.response(200, NotificationOut(many=True))
@blp.alt_response(403, description=FORBIDDEN)
@blp.paginate(Page)
def list_notifications(student_id: str) -> list[dict[str, Any]]:
    """E-mails queued or sent to tutors about the student, newest first."""
    return [dataclasses.asdict(n) for n in outbox.notifications_for(services().store,
                                                                    student_id)]


@blp.route("/students/<student_id>/adjustments", methods=["GET"])
@roles(*TUTORS)
@blp.response(200, AdjustmentOut(many=True))
@blp.alt_response(403, description=FORBIDDEN)
@blp.paginate(Page)
def list_adjustments(student_id: str) -> list[dict[str, object]]:
    """The student's 15-minute adjustments with findings, actions and reasons, newest first."""
    return adjust.audit_trail(services().store, student_id, ADJUSTMENTS)
