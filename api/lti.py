"""LTI 1.3 for learning platforms: OIDC login initiation, the resource-link launch, the tool's
key set, and score passback (``/students/<student_id>/lti/score``).

The LTI messages carry their own signatures and state, so login, launch and key set are open
endpoints; the launch answers with a kgtutor access token for the mapped student or tutor.
Without ``KGTUTOR_LTI_CONFIG`` every LTI endpoint answers 404.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any
from urllib.parse import quote, urlsplit

import requests
from flask import Response, current_app, render_template_string, request, url_for
from flask.blueprints import BlueprintSetupState
from flask_smorest import Blueprint
from marshmallow import EXCLUDE, Schema, fields, validate
from pylti1p3.contrib.flask import FlaskMessageLaunch, FlaskOIDCLogin, FlaskRequest
from pylti1p3.exception import LtiException, LtiServiceException, OIDCException
from werkzeug.exceptions import BadGateway, BadRequest, Conflict, Forbidden, NotFound

from api.auth import tokens_for
from api.context import EXTENSION, services
from api.gate import open_endpoint, roles
from api.schemas import AccessOut
from services import lti
from tutor.access import Role

blp = Blueprint("lti", __name__,
                description="LTI 1.3: OIDC login, launch, JWKS, grade passback.")
CONFIG = "kgtutor-lti"  # app.extensions key of the loaded lti.ToolConf (None: LTI is off)
NO_STORE = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}


@blp.record_once
def _load_config(state: BlueprintSetupState) -> None:
    """Read the tool configuration when the app is built: a broken file fails at start-up."""
    path = state.app.extensions[EXTENSION].settings.lti_config
    state.app.extensions[CONFIG] = lti.load_config(path) if path else None


class LoginParams(Schema):
    class Meta:
        unknown = EXCLUDE  # platforms add their own parameters

    iss = fields.String(required=True, validate=validate.Length(1, 2048))
    login_hint = fields.String(required=True, validate=validate.Length(1, 4096))
    target_link_uri = fields.String(validate=validate.Length(1, 2048))
    lti_message_hint = fields.String(validate=validate.Length(1, 8192))
    client_id = fields.String(validate=validate.Length(1, 512))
    lti_deployment_id = fields.String(validate=validate.Length(1, 512))


class LaunchForm(Schema):
    class Meta:
        unknown = EXCLUDE

    id_token = fields.String(required=True, validate=validate.Length(1, 65536))
    state = fields.String(required=True, validate=validate.Length(1, 512))


class LaunchOut(AccessOut):
    role = fields.String(required=True, metadata={"description": "student or tutor"})
    subject = fields.String(required=True)
    student_id = fields.String(required=True)
    tutor_id = fields.String(required=True)
    tenant = fields.String(required=True)
    name = fields.String(required=True)
    dataset = fields.String(required=True)
    class_id = fields.String(allow_none=True, metadata={"description": "The LTI context's."})
    resource_link_id = fields.String(required=True)
    links = fields.Dict(keys=fields.String(), values=fields.String(), required=True,
                        metadata={"description": "API paths to use next with the token."})


class Jwks(Schema):
    keys = fields.List(fields.Dict(), required=True)


class ScoreIn(Schema):
    resource_link_id = fields.String(validate=validate.Length(1, 255), metadata={
        "description": "The launched resource link to score; default: the latest launched."})


class ScoreOut(Schema):
    student_id = fields.String(required=True)
    resource_link_id = fields.String(required=True)
    lineitem = fields.String(required=True, metadata={"description": "The line item's URL."})
    user_id = fields.String(required=True, metadata={"description": "The LTI user (sub)."})
    score_given = fields.Float(allow_none=True)
    score_maximum = fields.Float(allow_none=True)
    activity_progress = fields.String(required=True)
    grading_progress = fields.String(required=True)
    timestamp = fields.String(required=True)
    answers = fields.Integer(required=True, metadata={"description": "Since the launch."})
    correct = fields.Integer(required=True)
    since = fields.Integer(required=True, metadata={"description": "First launch, epoch ms."})


@blp.route("/lti/login", methods=["GET"])
@open_endpoint
@blp.arguments(LoginParams, location="query")
@blp.response(302, description="To the platform's authorisation endpoint, with state and "
                               "nonce.")
@blp.alt_response(400, description="Unknown issuer or client.")
@blp.doc(security=[])
def login_get(_params: dict[str, str]) -> Response:
    """OIDC third-party login initiation (the platform's first message), as a GET."""
    return _login()


@blp.route("/lti/login", methods=["POST"])
@open_endpoint
@blp.arguments(LoginParams, location="form")
@blp.response(302, description="To the platform's authorisation endpoint, with state and "
                               "nonce.")
@blp.alt_response(400, description="Unknown issuer or client.")
@blp.doc(security=[])
def login_post(_params: dict[str, str]) -> Response:
    """OIDC third-party login initiation (the platform's first message), as a form POST."""
    return _login()


@blp.route("/lti/launch", methods=["POST"])
@open_endpoint
@blp.arguments(LaunchForm, location="form")
@blp.response(200, LaunchOut, description="A small HTML page carrying the same data; JSON "
                                          "on `Accept: application/json`.")
@blp.alt_response(403, description="The launch failed validation (signature, issuer, "
                                   "deployment, expiry, nonce, state) or maps to no role.")
@blp.alt_response(422, description="The launch names a dataset kgtutor does not have.")
@blp.doc(security=[])
def launch(_form: dict[str, str]) -> Any:
    """Resource-link launch: validate the platform's id_token (its key set is fetched from
    the platform), map the user to a kgtutor student or tutor of the tenant, and hand back
    an access token."""
    conf, svc = _conf(), services()
    body = _validated(conf)
    try:
        launched = lti.map_launch(svc.store, conf, body, svc.clock())
    except LtiException as e:
        raise Forbidden(f"LTI launch refused: {e}") from None
    payload = LaunchOut().dump(_payload(launched))
    if request.accept_mimetypes.best_match(("text/html", "application/json")) == \
            "application/json":
        return payload, 200, NO_STORE
    return _page(payload)


@blp.route("/lti/jwks", methods=["GET"])
@open_endpoint
@blp.response(200, Jwks)
@blp.doc(security=[])
def jwks() -> dict[str, Any]:
    """The tool's public keys: platforms verify kgtutor's service requests with them."""
    return _conf().get_jwks()


@blp.route("/students/<student_id>/lti/score", methods=["POST"])
@roles(Role.STUDENT, Role.TUTOR, Role.ADMIN)
@blp.arguments(ScoreIn, required=False)
@blp.response(200, ScoreOut)
@blp.alt_response(404, description="LTI is off, or the student has no such launch.")
@blp.alt_response(409, description="The launch granted no score passback.")
@blp.alt_response(502, description="The platform refused the score or did not answer.")
def send_score(body: dict[str, str], student_id: str) -> dict[str, Any]:
    """Send the student's practice result to the platform's gradebook (Assignment and Grade
    Services): the share of answers correct since their first launch of the resource link,
    out of 100."""
    conf, svc = _conf(), services()
    with lti.http_session() as http:
        try:
            sent = lti.send_score(svc.store, conf, student_id, body.get("resource_link_id"),
                                  svc.clock(), http)
        except LtiServiceException as e:
            raise BadGateway("the platform refused the score: HTTP "
                             f"{e.response.status_code}") from None
        except requests.RequestException as e:
            raise BadGateway(f"the platform did not answer: {type(e).__name__}") from None
        except LtiException as e:
            raise Conflict(f"the score cannot be sent: {e}") from None
    return asdict(sent)


def _conf() -> lti.ToolConf:
    conf = current_app.extensions.get(CONFIG)
    if conf is None:
        raise NotFound("LTI is not configured")
    return conf


def _login() -> Response:
    conf, svc = _conf(), services()
    storage = lti.GraphLaunchData(svc.store, svc.clock)
    storage.purge()
    lti_request = FlaskRequest()
    oidc = FlaskOIDCLogin(lti_request, conf, launch_data_storage=storage,
                          session_service=lti.OneTimeNonces(lti_request, storage))
    try:
        return oidc.redirect(_launch_url())
    except (OIDCException, LtiException) as e:
        raise BadRequest(f"LTI login refused: {e}") from None


def _launch_url() -> str:
    """The platform's target_link_uri when it is our launch endpoint (it carries the public
    host and scheme a proxy may hide from us), otherwise the URL Flask sees."""
    ours = url_for("lti.launch", _external=True)
    target = request.values.get("target_link_uri", "")
    return target if urlsplit(target).path == urlsplit(ours).path else ours


def _validated(conf: lti.ToolConf) -> dict[str, Any]:
    svc = services()
    storage = lti.GraphLaunchData(svc.store, svc.clock)
    lti_request = FlaskRequest()
    with lti.http_session() as http:
        try:
            message = KgtutorLaunch(
                lti_request, conf, session_service=lti.OneTimeNonces(lti_request, storage),
                launch_data_storage=storage, requests_session=http)
            message.set_jwt_verify_options({"verify_aud": False, "require": ["exp", "iat"]})
            body = dict(message.validate().get_launch_data())
            if not message.is_resource_launch():
                raise LtiException("kgtutor takes resource-link launches only")
        except LtiException as e:
            raise Forbidden(f"LTI launch refused: {e}") from None
    return body


class KgtutorLaunch(FlaskMessageLaunch):
    """PyLTI1p3's launch validation with two corrections (the library's own order and client
    id are wrong for us; see ``services.lti.launch_client_id``):

    * the client is ``azp``, or the one audience: not ``aud[0]``;
    * the one-time nonce is spent last, after the signature, expiry, deployment and message
      checks: PyLTI1p3 spends it second, so one forged or expired post of a stolen nonce
      burnt the real launch of that login.
    """

    def get_client_id(self) -> str:
        return lti.launch_client_id(self._get_jwt_body())

    def validate(self) -> KgtutorLaunch:
        if self._restored:
            raise LtiException("Can't validate restored launch")
        self._validated = True
        try:
            self.validate_state().validate_jwt_format().validate_registration()
            self.validate_jwt_signature().validate_deployment().validate_message()
            self.validate_nonce().save_launch_data()
        except Exception:
            self._validated = False
            raise
        return self


def _payload(launched: lti.Launched) -> dict[str, Any]:
    who = launched.principal
    return {**tokens_for(who, refresh=False), "subject": who.subject,
            "student_id": who.student_id, "tutor_id": who.tutor_id, "tenant": launched.tenant,
            "name": launched.name, "dataset": launched.dataset, "class_id": launched.class_id,
            "resource_link_id": launched.resource_link_id, "links": _links(launched)}


def _links(launched: lti.Launched) -> dict[str, str]:
    root, who = request.script_root, launched.principal
    if who.role is Role.STUDENT:
        me = f"{root}/students/{quote(who.student_id, safe=':@')}"
        links = {"student": me, "recommendations": f"{me}/recommendations",
                 "score": f"{me}/lti/score"}
        if launched.test_id:  # the score goes back by itself when the sitting ends
            links["test"] = f"{me}/tests/{quote(launched.test_id, safe=':@')}"
        return links
    if launched.class_id is None:
        return {}
    cls = quote(launched.class_id, safe=":@")
    return {"class_report": f"{root}/classes/{cls}/report",
            "students": f"{root}/students?class_id={quote(launched.class_id, safe='')}"}


_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>kgtutor</title>
<meta http-equiv="refresh" content="0; url=/app/#token={{ p.access_token|urlencode }}"></head>
<body><main>
<h1>kgtutor</h1>
<p><a href="/app/#token={{ p.access_token|urlencode }}">Open kgtutor</a></p>
<p>Signed in{% if p.name %} as {{ p.name }}{% endif %} ({{ p.role }}, {{ p.subject }}).</p>
<ul>{% for rel, href in p.links.items() %}<li>{{ rel }}: <code>{{ href }}</code></li>
{% endfor %}</ul>
</main>
<script type="application/json" id="kgtutor-launch">{{ p|tojson }}</script>
</body></html>
"""


def _page(payload: dict[str, Any]) -> Response:
    """The launch as HTML: straight on to the pages with the token in the URL fragment (never
    sent to a server); the data also sits in a JSON script block."""
    response = Response(render_template_string(_PAGE, p=payload), mimetype="text/html")
    response.headers.update({**NO_STORE, "Content-Security-Policy": "default-src 'none'"})
    return response
