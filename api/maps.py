"""Chapters and knowledge maps: a chapter's KPs and prerequisite edges, with mastery overlays.

The overlay's owner sits in the URL (``student_id``, ``class_id``) on purpose: the gate checks
it before the view runs, so a map never shows the mastery of someone the caller may not see.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from flask_smorest import Blueprint, Page
from marshmallow import Schema, fields

from api.context import services
from api.schemas import ID, KPOut
from graph import maps as km
from tutor.maps import KnowledgeMap, MasteryStat

blp = Blueprint("maps", __name__,
                description="Chapters and knowledge maps with mastery overlays.")
NOT_FOUND = "No such chapter (or student, or class)."
FORBIDDEN = "The overlay's student or class is not one the caller may see."


class ChapterFilter(Schema):
    dataset = fields.String(validate=ID, metadata={"description": "Only this dataset's chapters."})


class ChapterOut(Schema):
    id = fields.String(required=True)
    name = fields.String(required=True)
    order = fields.Integer(required=True)
    area = fields.String(required=True, metadata={"description": "Grouping above chapters."})
    dataset = fields.String(required=True)
    kps = fields.Integer(required=True, metadata={"description": "Knowledge points in it."})


class MapKPOut(KPOut):
    questions = fields.Integer(required=True, metadata={"description": "Questions testing it."})
    external = fields.Boolean(required=True, metadata={
        "description": "A prerequisite from another chapter, drawn for context."})
    mastery = fields.Float(allow_none=True, metadata={
        "description": "BKT P(known): the student's, or the mean over the class's students "
                       "who practised the KP; null when no one did (or no overlay)."})
    attempts = fields.Integer(allow_none=True, metadata={"description": "Answers behind it."})
    students = fields.Integer(allow_none=True, metadata={
        "description": "Class overlay: how many of the class's students practised the KP."})


class MapEdgeOut(Schema):
    before = fields.String(required=True, metadata={"description": "Learn this first..."})
    after = fields.String(required=True, metadata={"description": "...then this."})
    inferred = fields.Boolean(required=True, metadata={
        "description": "Mined from answer data rather than given by the curriculum."})
    confidence = fields.Float(required=True)


class FrontierOut(Schema):
    id = fields.String(required=True)
    name = fields.String(required=True)
    p = fields.Float(required=True, metadata={"description": "Current mastery."})
    prerequisites = fields.List(fields.String(), required=True)


class KnowledgeMapOut(Schema):
    chapter_id = fields.String(required=True)
    overlay = fields.String(required=True, metadata={"description": "none, student or class."})
    kps = fields.List(fields.Nested(MapKPOut), required=True)
    edges = fields.List(fields.Nested(MapEdgeOut), required=True)
    frontier = fields.List(fields.Nested(FrontierOut), metadata={
        "description": "Student overlay: KPs of this map the student is ready for (not "
                       "mastered, every prerequisite mastered)."})


@blp.route("/chapters", methods=["GET"])
@blp.arguments(ChapterFilter, location="query")
@blp.response(200, ChapterOut(many=True))
@blp.paginate(Page)
def list_chapters(query: dict[str, Any]) -> list[dict[str, Any]]:
    """Chapters of every curriculum (or one dataset's), in curriculum order."""
    return [asdict(c) for c in km.chapters(services().store, query.get("dataset"))]


@blp.route("/chapters/<chapter_id>/map", methods=["GET"])
@blp.response(200, KnowledgeMapOut)
@blp.alt_response(404, description=NOT_FOUND)
def chapter_map(chapter_id: str) -> dict[str, Any]:
    """A chapter's KPs and every prerequisite edge into them, including edges from KPs of
    other chapters (returned with ``external: true``)."""
    return _view(km.chapter_map(services().store, chapter_id), {}, "none")


@blp.route("/students/<student_id>/map/<chapter_id>", methods=["GET"])
@blp.response(200, KnowledgeMapOut)
@blp.alt_response(403, description=FORBIDDEN)
@blp.alt_response(404, description=NOT_FOUND)
def student_map(student_id: str, chapter_id: str) -> dict[str, Any]:
    """The chapter's map with the student's mastery on each KP and the KPs they are ready for."""
    store = services().store
    overlay = km.student_overlay(store, student_id)
    view = _view(km.chapter_map(store, chapter_id, overlay), overlay, "student")
    on_map = {kp["id"] for kp in view["kps"]}
    view["frontier"] = [asdict(f) for f in km.frontier(store, student_id) if f.id in on_map]
    return view


@blp.route("/classes/<class_id>/map/<chapter_id>", methods=["GET"])
@blp.response(200, KnowledgeMapOut)
@blp.alt_response(403, description=FORBIDDEN)
@blp.alt_response(404, description=NOT_FOUND)
def class_map(class_id: str, chapter_id: str) -> dict[str, Any]:
    """The chapter's map with the class's mean mastery per KP and how many practised it."""
    store = services().store
    overlay = km.class_overlay(store, class_id)
    return _view(km.chapter_map(store, chapter_id, overlay), overlay, "class")


def _view(kmap: KnowledgeMap, overlay: dict[str, MasteryStat], kind: str) -> dict[str, Any]:
    kps = []
    for kp in kmap.kps:
        stat = overlay.get(kp.id)
        kps.append({**asdict(kp), "attempts": stat.attempts if stat else None,
                    "students": stat.students if stat and kind == "class" else None})
    return {"chapter_id": kmap.chapter_id, "overlay": kind, "kps": kps,
            "edges": [asdict(e) for e in kmap.edges]}
