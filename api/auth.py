"""``/auth``: log-in for people, client credentials for LMS accounts, refresh, log-out.

Access tokens are short-lived (``Settings.access_ttl_s``), refresh tokens long-lived; both
carry a ``jti`` and log-out revokes it (``graph.accounts``: checked on every request). Tokens
issued together are linked: the access token names its refresh token (``rjti``, ``rexp``), so
logging out with the access token alone also ends the refresh token. A refresh token rotates:
``/auth/refresh`` revokes it and answers a new pair. Disabling an account
(``kgtutor users disable``) revokes every token issued to it before.
"""

from __future__ import annotations

import time
import uuid
from typing import Any

from flask import Flask, g, request
from flask_jwt_extended import (
    JWTManager,
    create_access_token,
    create_refresh_token,
    decode_token,
    get_jwt,
    verify_jwt_in_request,
)
from flask_jwt_extended.exceptions import JWTExtendedException
from flask_smorest import Blueprint
from jwt.exceptions import PyJWTError
from marshmallow import Schema, fields, validate
from werkzeug.exceptions import Unauthorized

from api.context import claims_of, principal, services
from api.gate import open_endpoint
from api.problems import problem
from api.schemas import AccessOut
from graph import accounts
from services import accounts as account_service
from tutor.access import Principal, Role

ROLE_NAMES = frozenset(str(r) for r in Role)  # the roles a token may carry

blp = Blueprint("auth", __name__, url_prefix="/auth",
                description="Log-in, LMS client credentials, token refresh and log-out.")
# /auth/me is an ordinary authenticated read: outside the per-address budget of the log-ins
session_blp = Blueprint("session", __name__, url_prefix="/auth",
                        description="Who the bearer token says the caller is.")


class LoginIn(Schema):
    username = fields.String(required=True, validate=validate.Length(1, 64))
    password = fields.String(required=True, validate=validate.Length(1, 1024),
                             load_only=True)


class ClientIn(Schema):
    client_id = fields.String(required=True, validate=validate.Length(1, 64))
    client_secret = fields.String(required=True, validate=validate.Length(1, 256),
                                  load_only=True)


class LogoutIn(Schema):
    refresh_token = fields.String(validate=validate.Length(1, 4096), load_only=True)


class TokensOut(AccessOut):
    refresh_token = fields.String()
    role = fields.String(required=True)


class RefreshedOut(AccessOut):
    refresh_token = fields.String(required=True)


class MeOut(Schema):
    subject = fields.String(required=True)
    role = fields.String(required=True)
    student_id = fields.String()
    tutor_id = fields.String()
    tenant = fields.String()


class LoggedOut(Schema):
    revoked = fields.Integer(required=True)


def tokens_for(who: Principal, refresh: bool = True) -> dict[str, Any]:
    """Access (and refresh) tokens for a principal; also used by the LTI launch."""
    claims: dict[str, Any] = {**claims_of(who), "iat_ms": int(time.time() * 1000)}
    settings = services().settings
    out: dict[str, Any] = {"token_type": "Bearer", "expires_in": settings.access_ttl_s,
                           "role": str(who.role)}
    if refresh:  # its id goes into the access token: a log-out with either ends both
        rjti = str(uuid.uuid4())
        rexp = int(time.time()) + settings.refresh_ttl_s
        out["refresh_token"] = create_refresh_token(identity=who.subject,
                                                    additional_claims={**claims, "jti": rjti})
        claims = {**claims, "rjti": rjti, "rexp": rexp}
    access = create_access_token(identity=who.subject, additional_claims=claims)
    return {"access_token": access, **out}


@blp.route("/login", methods=["POST"])
@open_endpoint
@blp.arguments(LoginIn)
@blp.response(200, TokensOut)
@blp.doc(security=[])
def login(body: dict[str, str]) -> dict[str, Any]:
    """Log in with a username and password: access and refresh tokens."""
    who = account_service.authenticate(services().store, body["username"], body["password"],
                                       services().clock())
    if who is None:
        raise Unauthorized("wrong username or password")
    return tokens_for(who)


@blp.route("/token", methods=["POST"])
@open_endpoint
@blp.arguments(ClientIn)
@blp.response(200, TokensOut)
@blp.doc(security=[])
def token(body: dict[str, str]) -> dict[str, Any]:
    """LMS client credentials: an access token scoped to the client's tenant."""
    who = account_service.authenticate_client(services().store, body["client_id"],
                                              body["client_secret"])
    if who is None:
        raise Unauthorized("wrong client id or secret")
    return tokens_for(who)


@blp.route("/refresh", methods=["POST"])
@open_endpoint
@blp.response(200, RefreshedOut)
def refresh() -> dict[str, Any]:
    """A new access token and a new refresh token for a refresh token (sent as the bearer
    token), which is revoked: each refresh token works once."""
    verify_jwt_in_request(refresh=True)
    used = get_jwt()
    if not accounts.spend(services().store, used["jti"], int(used["exp"])):
        raise Unauthorized("the refresh token has been used already")
    out = tokens_for(principal())
    out.pop("role")
    return out


@blp.route("/logout", methods=["POST"])
@open_endpoint
@blp.arguments(LogoutIn)
@blp.response(200, LoggedOut)
def logout(body: dict[str, str]) -> dict[str, int]:
    """Revoke the bearer token (access or refresh), and the refresh token in the body."""
    verify_jwt_in_request(verify_type=False)
    store = services().store
    tokens = [get_jwt()]
    if "refresh_token" in body:
        try:
            tokens.append(decode_token(body["refresh_token"]))
        except (PyJWTError, JWTExtendedException):
            raise Unauthorized("refresh_token is not a valid token of this server") from None
        if tokens[-1]["sub"] != tokens[0]["sub"]:
            raise Unauthorized("refresh_token belongs to someone else")
    ids = {claims["jti"]: int(claims["exp"]) for claims in tokens}
    if isinstance(tokens[0].get("rjti"), str):  # the refresh token issued with this access
        ids.setdefault(tokens[0]["rjti"], int(tokens[0].get("rexp") or tokens[0]["exp"]))
    for jti, exp in ids.items():
        accounts.revoke(store, jti, exp)
    return {"revoked": len(ids)}


@session_blp.route("/me", methods=["GET"])
@session_blp.response(200, MeOut)
def me() -> dict[str, str]:
    """Who the bearer token says the caller is."""
    who = principal()
    return {"subject": who.subject, **claims_of(who)}


def init_jwt(app: Flask) -> JWTManager:
    """JWT settings and problem+json answers for every token failure (all 401)."""
    jwt = JWTManager(app)

    @jwt.token_in_blocklist_loader
    def revoked(_header: dict[str, Any], payload: dict[str, Any]) -> bool:
        jti = payload.get("jti")  # a token without one cannot be revoked: refuse it
        if not isinstance(jti, str):
            return True
        issued_ms = int(payload.get("iat_ms") or 1000 * int(payload.get("iat") or 0))
        subject, store = str(payload.get("sub", "")), services().store
        student = (request.view_args or {}).get("student_id")
        if isinstance(student, str) and payload.get("role") != Role.LMS:
            # the gate will ask about this student next: both in one round trip
            tutor = str(payload.get("tutor_id") or "")
            dead, facts = accounts.is_revoked_with_student(store, jti, subject, issued_ms,
                                                           student, tutor)
            g.gate_student = (student, tutor, facts)
            return dead
        return accounts.is_revoked(store, jti, subject, issued_ms)

    @jwt.token_verification_loader
    def well_formed(_header: dict[str, Any], payload: dict[str, Any]) -> bool:
        """Signed by our key is not enough: an expiry, an id and a known role, or 401."""
        if "exp" not in payload or not isinstance(payload.get("jti"), str):
            return False
        return payload.get("type") == "refresh" or payload.get("role") in ROLE_NAMES

    @jwt.token_verification_failed_loader
    def malformed(_header: dict[str, Any], _payload: dict[str, Any]):  # type: ignore[no-untyped-def]
        return problem(401, "invalid token: it needs exp, jti and a known role",
                       headers={"WWW-Authenticate": 'Bearer error="invalid_token"'})

    @jwt.unauthorized_loader
    def missing(reason: str):  # type: ignore[no-untyped-def]
        return problem(401, f"an access token is needed: {reason}",
                       headers={"WWW-Authenticate": "Bearer"})

    @jwt.invalid_token_loader
    def invalid(reason: str):  # type: ignore[no-untyped-def]
        return problem(401, f"invalid token: {reason}",
                       headers={"WWW-Authenticate": 'Bearer error="invalid_token"'})

    @jwt.expired_token_loader
    def expired(_header: dict[str, Any], _payload: dict[str, Any]):  # type: ignore[no-untyped-def]
        return problem(401, "the token has expired",
                       headers={"WWW-Authenticate": 'Bearer error="invalid_token"'})

    @jwt.revoked_token_loader
    def was_revoked(_header: dict[str, Any], _payload: dict[str, Any]):  # type: ignore[no-untyped-def]
        return problem(401, "the token has been revoked (logged out, used to refresh, or its "
                       "account disabled)",
                       headers={"WWW-Authenticate": 'Bearer error="invalid_token"'})

    @jwt.needs_fresh_token_loader
    def not_fresh(_header: dict[str, Any], _payload: dict[str, Any]):  # type: ignore[no-untyped-def]
        return problem(401, "a fresh log-in is needed")

    @jwt.user_lookup_error_loader
    def lookup(_header: dict[str, Any], _payload: dict[str, Any]):  # type: ignore[no-untyped-def]
        return problem(401, "the token's subject no longer exists")

    return jwt
