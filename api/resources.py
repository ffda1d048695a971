"""Resources: a student opens one (the use the ranking learns from), and more like it."""

from __future__ import annotations

from typing import Any

from flask_smorest import Blueprint
from marshmallow import Schema, fields

from api.context import services
from api.gate import roles
from api.recommend import SimilarOut, SimilarQuery, similar_kinds, similarity_config
from services import resources, similar
from tutor.access import Role
from tutor.similar import Similar

blp = Blueprint("resources", __name__,
                description="Resource uses, which the resource ranking learns from, and more "
                            "like a resource.")


class ResourceCardOut(Schema):
    id = fields.String(required=True)
    title = fields.String(required=True)
    kind = fields.String(required=True)
    level = fields.String(required=True)
    url = fields.String(required=True)
    minutes = fields.Integer(allow_none=True, metadata={"description": "Estimated minutes."})
    body = fields.String(required=True, metadata={"description": "Its text or summary."})
    kp_ids = fields.List(fields.String(), required=True, metadata={
        "description": "The KPs it teaches."})


class ResourceUseOut(Schema):
    id = fields.String(required=True, metadata={"description": "The resource."})
    url = fields.String(required=True, metadata={"description": "Where it is."})
    ts = fields.Integer(required=True, metadata={"description": "When it was opened (ms)."})


@blp.route("/resources/<item_id>", methods=["GET"])
@blp.response(200, ResourceCardOut)
@blp.alt_response(404, description="No such resource.")
def get_resource(item_id: str) -> dict[str, Any]:
    """A resource as a student sees it: title, kind, level, where it is, its summary."""
    return resources.resource(services().store, item_id)


@blp.route("/students/<student_id>/resources/<item_id>/uses", methods=["POST"])
@roles(Role.STUDENT, Role.ADMIN)
@blp.response(201, ResourceUseOut)
@blp.alt_response(404, description="No such resource.")
def use_resource(student_id: str, item_id: str) -> dict[str, Any]:
    """The student opens the resource now. Its ranking learns from this: the student's next
    answer on the resource's KPs tells whether it helped (``tutor.resources``)."""
    svc = services()
    now = svc.clock()
    return {**resources.record_use(svc.store, student_id, item_id, now), "ts": now}


@blp.route("/resources/<item_id>/similar", methods=["GET"])
@blp.arguments(SimilarQuery, location="query")
@blp.response(200, SimilarOut(many=True))
@blp.alt_response(404, description="No such resource.")
def like_resource(query: dict[str, Any], item_id: str) -> list[Similar]:
    """More like this: questions and resources whose text is closest to the resource's, best
    first, never the resource itself."""
    return similar.for_store(services().store).like(
        item_id, "resource", similarity_config(query), similar_kinds(query))
