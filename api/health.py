"""Liveness and readiness, for load balancers and orchestrators; no token needed."""

from __future__ import annotations

from typing import Any

from flask_smorest import Blueprint
from marshmallow import Schema, fields

from api.context import services
from api.gate import open_endpoint
from api.problems import problem
from graph import health
from tutor.errors import KgtutorError

blp = Blueprint("health", __name__, description="Liveness and readiness.")


class HealthOut(Schema):
    status = fields.String(required=True)


class ReadyOut(Schema):
    status = fields.String(required=True)
    graph = fields.String(required=True)
    models = fields.Dict(keys=fields.String(), values=fields.List(fields.String()),
                         required=True)


@blp.route("/health", methods=["GET"])
@open_endpoint
@blp.response(200, HealthOut)
@blp.doc(security=[])
def live() -> dict[str, str]:
    """The process answers."""
    return {"status": "ok"}


@blp.route("/ready", methods=["GET"])
@open_endpoint
@blp.response(200, ReadyOut)
@blp.alt_response(503, description="The graph cannot be reached.")
@blp.doc(security=[])
def ready() -> Any:
    """The graph answers a query; lists the trained models loaded per dataset (a dataset
    without models is still served, from IRT and the graph alone)."""
    svc = services()
    try:
        health.ping(svc.store)
    except KgtutorError as e:
        return problem(503, f"graph unreachable: {e}")
    return {"status": "ready", "graph": svc.settings.backend, "models": svc.models}
