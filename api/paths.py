"""``/students/<student_id>/path``: a student's learning path to a goal KP, what tutors change
on it, and every version it went through."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask_smorest import Blueprint, Page
from marshmallow import Schema, ValidationError, fields, validate

from api.context import services
from api.gate import roles
from api.schemas import ID
from graph import maps
from services import paths as service
from tutor.access import Role
from tutor.paths import LearningPath, next_session
from tutor.ports import GraphStore
from tutor.recommend_types import RecConfig

blp = Blueprint("learning_paths", __name__, url_prefix="/students/<student_id>/path",
                description="Learning paths and their history.")
PLANNERS = (Role.STUDENT, Role.TUTOR, Role.ADMIN)
EDITORS = (Role.TUTOR, Role.ADMIN)
Edit = Callable[[GraphStore, str, str, int, str | None], LearningPath]  # services.paths.tutor_*


def known_kp(kp_id: str) -> None:
    """A KP reference in a body must name a KP of the graph: 422 on the field, not a 404
    that reads as if the path itself were missing. Malformed ids are left to ``ID``."""
    if ID.regex.match(kp_id) and not maps.kp_exists(services().store, kp_id):
        raise ValidationError(f"no knowledge point {kp_id!r}")


def _goal(required: bool = False) -> fields.String:
    what = "The goal KP." if required else "Which path (default: the most recently changed)."
    return fields.String(required=required, validate=[ID, known_kp],
                         metadata={"description": what})


def _tau() -> fields.Float:
    return fields.Float(load_default=RecConfig().mastery_threshold,
                        validate=validate.Range(0, 1, min_inclusive=False),
                        metadata={"description": "Mastery threshold (BKT p) of a done step."})


class GoalQuery(Schema):
    goal_kp = fields.String(validate=ID, metadata={
        "description": "Only the path to this goal (default: the most recently changed)."})


class StartIn(Schema):
    goal_kp = _goal(required=True)
    tau = _tau()


class StepIn(Schema):
    kp_id = fields.String(required=True, validate=[ID, known_kp],
                          metadata={"description": "An open step of the path."})
    goal_kp = _goal()


class RefreshIn(Schema):
    goal_kp = _goal()
    tau = _tau()


class StepOut(Schema):
    kp_id = fields.String(required=True)
    status = fields.String(required=True, metadata={
        "description": "done, current, todo or removed (by a tutor; kept for the timeline)."})
    pinned = fields.Boolean(required=True, metadata={
        "description": "A tutor fixed it in place: re-routing never drops it."})
    inserted = fields.Boolean(required=True, metadata={
        "description": "Put in by a re-route (a prerequisite of a confusing KP)."})


class PathOut(Schema):
    student_id = fields.String(required=True)
    goal_kp = fields.String(required=True)
    version = fields.Integer(required=True, metadata={"description": "1 for a new path; "
                                                                     "every change adds one."})
    steps = fields.List(fields.Nested(StepOut), required=True)
    reason = fields.String(required=True, metadata={"description": "Why this version exists."})
    ts = fields.Integer(required=True, metadata={"description": "Epoch ms of this version."})
    session_size = fields.Integer(allow_none=True, metadata={
        "description": "Steps in the next session when fatigue shortened it."})
    next_session = fields.Function(lambda p: list(next_session(p)), metadata={
        "type": "array", "items": {"type": "string"},
        "description": "The KPs of the next session."})


@blp.route("", methods=["GET"])
@blp.arguments(GoalQuery, location="query")
@blp.response(200, PathOut)
@blp.alt_response(404, description="The student has no learning path (to that goal).")
def current_path(query: dict[str, Any], student_id: str) -> LearningPath:
    """The current version of the student's path."""
    return service.current(services().store, student_id, query.get("goal_kp"))


@blp.route("", methods=["POST"])
@roles(*PLANNERS)
@blp.arguments(StartIn)
@blp.response(201, PathOut)
@blp.alt_response(200, schema=PathOut, description="A path to this goal exists: it is kept.")
def start_path(body: dict[str, Any], student_id: str) -> tuple[LearningPath, int]:
    """Plan the path to a goal KP through its unmastered prerequisites, in curriculum order.
    Students plan their own; a path to the same goal is kept, not replanned."""
    svc = services()
    now = svc.clock()
    path = service.start(svc.store, student_id, body["goal_kp"], body["tau"], now)
    return path, 201 if path.version == 1 and path.ts == now else 200


@blp.route("/history", methods=["GET"])
@blp.arguments(GoalQuery, location="query")
@blp.response(200, PathOut(many=True))
@blp.paginate(Page)
def path_history(query: dict[str, Any], student_id: str) -> list[LearningPath]:
    """Every version of the student's paths, newest first, each with why it was made."""
    return service.history(services().store, student_id, query.get("goal_kp"))


@blp.route("/refresh", methods=["POST"])
@roles(*PLANNERS)
@blp.arguments(RefreshIn)
@blp.response(200, PathOut)
def refresh_path(body: dict[str, Any], student_id: str) -> LearningPath:
    """Mark the steps the student has mastered since as done and move on; the version stays
    when nothing changed."""
    svc = services()
    return service.refresh_mastery(svc.store, student_id, body["tau"], svc.clock(),
                                   body.get("goal_kp"))


@blp.route("/pin", methods=["POST"])
@roles(*EDITORS)
@blp.arguments(StepIn)
@blp.response(200, PathOut)
def pin_step(body: dict[str, Any], student_id: str) -> LearningPath:
    """Pin an open step in place: re-routes keep it and it joins the next session."""
    return _edit(service.tutor_pin, body, student_id)


@blp.route("/unpin", methods=["POST"])
@roles(*EDITORS)
@blp.arguments(StepIn)
@blp.response(200, PathOut)
def unpin_step(body: dict[str, Any], student_id: str) -> LearningPath:
    """Unpin an open step."""
    return _edit(service.tutor_unpin, body, student_id)


@blp.route("/remove", methods=["POST"])
@roles(*EDITORS)
@blp.arguments(StepIn)
@blp.response(200, PathOut)
def remove_step(body: dict[str, Any], student_id: str) -> LearningPath:
    """Take an open step out of the path (the goal cannot be); it stays listed as removed."""
    return _edit(service.tutor_remove, body, student_id)


def _edit(action: Edit, body: dict[str, Any], student_id: str) -> LearningPath:
    svc = services()
    return action(svc.store, student_id, body["kp_id"], svc.clock(), body.get("goal_kp"))
