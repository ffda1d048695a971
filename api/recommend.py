"""Recommendations with reasons (the adapted plan) and "more like this"."""

from __future__ import annotations

from typing import Any

from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from api.context import services
from api.schemas import AdaptActionOut, AffectStateOut, RankedResourceOut, plain
from services import similar
from services.plan import Plan, plan
from tutor.similar import KINDS, Similar, SimilarityConfig

blp = Blueprint("recommendations", __name__,
                description="Recommendations with reasons, more like this, the adapted plan.")
# short question texts rarely reach the design's 0.7; 0.2 keeps the clearly related ones
DEFAULT_MIN_COSINE = 0.2


class PlanQuery(Schema):
    n = fields.Integer(validate=validate.Range(1, 50),
                       metadata={"description": "List length (default 5; affect and the "
                                                "window's adjustment may change it)."})


class ItemOut(Schema):
    question_id = fields.String(required=True)
    kp_id = fields.String(required=True, metadata={"description": "The KP it serves."})
    p = fields.Float(required=True, metadata={"description": "Combined P(correct)."})
    p_irt = fields.Float(required=True, metadata={"description": "P(correct) from IRT."})
    p_kt = fields.Float(allow_none=True, metadata={
        "description": "P(correct) from the Bi-LSTM; null without a sequence model."})
    difficulty = fields.Float(required=True, metadata={"description": "IRT b."})
    challenge = fields.Boolean(required=True, metadata={
        "description": "Counts towards the challenge share."})
    in_band = fields.Boolean(required=True, metadata={"description": "p lies in the band."})
    reasons = fields.List(fields.String(), required=True)


class RankedKPOut(Schema):
    kp_id = fields.String(required=True)
    score = fields.Float(required=True)
    signals = fields.Dict(keys=fields.String(), values=fields.Float(), required=True,
                          metadata={"description": "Stage 1's signals (cf, unlocks, order, "
                                                   "weak, progress, recent, next, gain, "
                                                   "complete), each in [0, 1]."})
    reasons = fields.List(fields.String(), required=True)


class PlanOut(Schema):
    student_id = fields.String(required=True)
    items = fields.List(fields.Nested(ItemOut), required=True)
    kps = fields.List(fields.Nested(RankedKPOut), required=True,
                      metadata={"description": "The KPs chosen first, with their signals."})
    band = fields.List(fields.Float(), required=True,
                       metadata={"description": "Target P(correct) band [low, high]."})
    difficulty_band = fields.List(fields.Float(), required=True, metadata={
        "description": "Allowed average difficulty [low, high], around the ability."})
    avg_difficulty = fields.Float(allow_none=True)
    band_met = fields.Boolean(required=True, metadata={
        "description": "Every item in the band and the average difficulty in its band."})
    cold_start = fields.Boolean(required=True, metadata={"description": "A new student."})
    notes = fields.List(fields.String(), required=True, metadata={
        "description": "Fallbacks taken and constraints not met."})
    affect = fields.Nested(AffectStateOut, required=True)
    actions = fields.List(fields.Nested(AdaptActionOut), required=True, metadata={
        "description": "What the affect rules and this window's adjustment do."})
    resources = fields.List(fields.Nested(RankedResourceOut), required=True)
    rest = fields.String(allow_none=True, metadata={"description": "A break to suggest."})
    reasons = fields.List(fields.String(), required=True, metadata={
        "description": "Why the plan differs from plain recommendations."})


class SimilarQuery(Schema):
    kind = fields.String(load_default="any", validate=validate.OneOf([*KINDS, "any"]),
                         metadata={"description": "question, resource or any."})
    top = fields.Integer(load_default=5, validate=validate.Range(1, 50))
    min_cosine = fields.Float(load_default=DEFAULT_MIN_COSINE, validate=validate.Range(0, 1),
                              metadata={"description": "Leave out items less similar."})


class SimilarOut(Schema):
    id = fields.String(required=True)
    kind = fields.String(required=True, metadata={"description": "question or resource."})
    score = fields.Float(required=True, metadata={"description": "Cosine, in [0, 1]."})
    shared_terms = fields.List(fields.String(), required=True,
                               metadata={"description": "The terms that weigh most: the why."})


@blp.route("/students/<student_id>/recommendations", methods=["GET"])
@blp.arguments(PlanQuery, location="query")
@blp.response(200, PlanOut)
def recommendations(query: dict[str, Any], student_id: str) -> dict[str, Any]:
    """What the student should practise next, every item with its reasons: recommendations
    adapted to the student's current affect and to this 15-minute window's adjustment, with
    resources. Reading a plan changes nothing: the tutor e-mail of a negative state is sent
    when the feeling is posted, or by the 15-minute adjustment."""
    svc = services()
    return _plan_body(plan(svc.store, svc.recommender, student_id, svc.clock(),
                           n=query.get("n")))


@blp.route("/questions/<question_id>/similar", methods=["GET"])
@blp.arguments(SimilarQuery, location="query")
@blp.response(200, SimilarOut(many=True))
@blp.alt_response(404, description="No such question.")
def similar_to_question(query: dict[str, Any], question_id: str) -> list[Similar]:
    """More like this: questions and resources whose text is closest to the question's, best
    first, never the question itself."""
    return similar.for_store(services().store).like(
        question_id, "question", similarity_config(query), similar_kinds(query))


@blp.route("/students/<student_id>/similar", methods=["GET"])
@blp.arguments(SimilarQuery, location="query")
@blp.response(200, SimilarOut(many=True))
def similar_for_student(query: dict[str, Any], student_id: str) -> list[Similar]:
    """Unseen questions and resources like the student's recent answers (recent ones weigh
    more); empty for a student who has answered nothing yet."""
    return similar.for_store(services().store).for_student(
        student_id, similarity_config(query), similar_kinds(query))


def _plan_body(p: Plan) -> dict[str, Any]:
    return {**plain(p.recommendations), "affect": plain(p.affect),
            "actions": plain(p.actions), "resources": list(p.resources),
            "rest": p.adaptation.rest, "reasons": list(p.reasons)}


def similarity_config(query: dict[str, Any]) -> SimilarityConfig:
    return SimilarityConfig(top_k=query["top"], min_cosine=query["min_cosine"])


def similar_kinds(query: dict[str, Any]) -> tuple[Any, ...]:
    return KINDS if query["kind"] == "any" else (query["kind"],)
