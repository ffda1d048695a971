"""What a request handler may reach: the app's services and the calling principal."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from flask import current_app, g
from flask_jwt_extended import get_jwt

from services.recommend import Recommender
from services.settings import Settings
from tutor.access import Principal, Role
from tutor.ports import GraphStore

EXTENSION = "kgtutor"


@dataclass
class Services:
    settings: Settings
    store: GraphStore
    recommender: Recommender
    clock: Callable[[], int]  # epoch ms; injected in tests
    models: dict[str, list[str]] = field(default_factory=dict)  # dataset -> loaded models


def services() -> Services:
    return current_app.extensions[EXTENSION]


def principal() -> Principal:
    """The caller, from the verified access token's claims (set by ``api.gate``)."""
    if "principal" not in g:
        claims = get_jwt()
        g.principal = Principal(claims["sub"], Role(claims["role"]),
                                student_id=claims.get("student_id", ""),
                                tutor_id=claims.get("tutor_id", ""),
                                tenant=claims.get("tenant", ""))
    return g.principal


def caller_key() -> str:
    """Rate-limit key of authenticated endpoints: the caller, not its address (LMS servers
    and classrooms share addresses)."""
    return f"{principal().role}:{principal().subject}"


def claims_of(who: Principal) -> dict[str, str]:
    """The extra claims an access token carries (``sub`` is the subject)."""
    return {"role": str(who.role), "student_id": who.student_id, "tutor_id": who.tutor_id,
            "tenant": who.tenant}
