"""The application factory behind ``api.create_app``: settings in, a ready Flask app out."""

from __future__ import annotations

import os
import secrets
import tempfile
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import swagger_ui_bundle
from flask import Flask, send_from_directory
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_smorest import Api
from werkzeug.exceptions import HTTPException

from api import (
    affect,
    assessment,
    attempts,
    auth,
    authoring,
    experiment,
    gate,
    health,
    input_guard,
    lti,
    maps,
    pages,
    practice,
    problems,
    reports,
    resources,
    students,
    xapi,
)
from api import paths as learning_paths
from api import recommend as recommendations
from api.context import EXTENSION, Services, caller_key
from services.recommend import Recommender, load_predictors
from services.scheduler import now_ms
from services.settings import Settings
from services.store import open_store, rate_limit_storage
from tutor.errors import KgtutorError
from tutor.ports import GraphStore

API_VERSION = "1"
SWAGGER_UI_STATIC = "/docs/static/"


class ProblemApi(Api):
    """flask-smorest's Api, answering every HTTP error as problem+json."""

    def handle_http_exception(self, error: HTTPException):  # type: ignore[override]
        return problems.from_http_exception(error)


def build_app(settings: Settings, store: GraphStore | None = None,
              recommender: Recommender | None = None,
              clock: Callable[[], int] = now_ms) -> Flask:
    """The app, its graph connection (opened here unless given) and its trained models."""
    app = Flask("kgtutor")
    # "/a//b" is not a route: a 404 problem, not werkzeug's 308 redirect with an HTML page
    app.url_map.merge_slashes = False
    app.config.update(
        MAX_CONTENT_LENGTH=settings.max_body_bytes,
        JWT_SECRET_KEY=settings.jwt_secret or _secret(settings.var_dir),
        JWT_ALGORITHM="HS256",
        JWT_DECODE_ALGORITHMS=["HS256"],  # nothing else is accepted, "none" least of all
        JWT_ACCESS_TOKEN_EXPIRES=timedelta(seconds=settings.access_ttl_s),
        JWT_REFRESH_TOKEN_EXPIRES=timedelta(seconds=settings.refresh_ttl_s),
        JWT_TOKEN_LOCATION=["headers"],
        JWT_ERROR_MESSAGE_KEY="detail",
        API_TITLE="kgtutor",
        API_VERSION=API_VERSION,
        OPENAPI_VERSION="3.0.3",
        OPENAPI_URL_PREFIX="/",
        OPENAPI_JSON_PATH="openapi.json",
        OPENAPI_SWAGGER_UI_PATH="docs",
        OPENAPI_SWAGGER_UI_URL=SWAGGER_UI_STATIC,
        API_SPEC_OPTIONS={
            "info": {"description": "Knowledge-graph tutoring: students, attempts, xAPI, "
                                    "recommendations with reasons, learning paths, knowledge "
                                    "maps, affect and tutor reports. Errors are RFC 7807 "
                                    "problem+json; list endpoints page with `page` and "
                                    "`page_size` and report totals in `X-Pagination`."},
            "security": [{"bearerAuth": []}],
            "components": {"securitySchemes": {"bearerAuth": {
                "type": "http", "scheme": "bearer", "bearerFormat": "JWT"}}},
        },
    )
    store = store or open_store(settings)
    predictors = load_predictors(settings.models_dir)
    app.extensions[EXTENSION] = Services(
        settings=settings, store=store,
        recommender=recommender or Recommender(store, predictors), clock=clock,
        models={ds: [k for k, v in vars(p).items() if v is not None]
                for ds, p in predictors.items()})

    app.before_request(input_guard.check_input)  # first: nothing below sees such input
    app.before_request(gate.check_request)  # before the limiter, so limits can key on callers
    app.after_request(problems.keep_retry_after)  # run last (Flask: last added, first run)
    # the limits' storage is the graph server when embedded: while it is down (a crash, a
    # restart), limits count in this process's memory instead of failing the request (500)
    limiter = Limiter(key_func=get_remote_address, app=app, headers_enabled=True,
                      storage_uri=rate_limit_storage(settings), key_prefix="kgtutor-limits",
                      in_memory_fallback_enabled=True, swallow_errors=True)
    auth.init_jwt(app)
    api = ProblemApi(app)
    limiter.limit(settings.auth_rate_limit)(auth.blp)
    limiter.limit("300 per minute")(lti.blp)  # per address: a classroom shares one
    for ingestion in (attempts.blp, xapi.blp):
        limiter.limit(settings.ingest_rate_limit, key_func=caller_key)(ingestion)
    for blueprint in (auth.blp, auth.session_blp, health.blp, students.blp, attempts.blp,
                      xapi.blp, xapi.about_blp, recommendations.blp, learning_paths.blp,
                      maps.blp, affect.blp, reports.blp, lti.blp, practice.blp,
                      assessment.blp, experiment.blp, authoring.blp, resources.blp):
        api.register_blueprint(blueprint)
    app.register_blueprint(pages.blp)  # the web pages: public files, outside the API document
    app.register_error_handler(KgtutorError, problems.from_domain_error)
    app.register_error_handler(Exception, problems.from_unexpected)

    static = Path(swagger_ui_bundle.swagger_ui_path)
    app.add_url_rule(SWAGGER_UI_STATIC + "<path:filename>", "swagger-ui.static",
                     lambda filename: send_from_directory(static, filename))
    app.extensions["limiter"] = limiter
    return app


def _secret(var_dir: Path) -> str:
    """The signing key: made once per installation and kept (mode 600) so that restarts do
    not log everyone out. Several workers may start at once: the key is written whole to a
    file of its own and hard-linked into place, which fails if another got there first, so
    every worker reads one complete key."""
    path = var_dir / "secrets" / "jwt.key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, draft = tempfile.mkstemp(dir=path.parent, prefix=".jwt-")  # mode 600
        with os.fdopen(fd, "w") as f:
            f.write(secrets.token_urlsafe(48))
        try:
            os.link(draft, path)
        except FileExistsError:
            pass  # another worker's key is in place
        finally:
            os.unlink(draft)
    return path.read_text().strip()
