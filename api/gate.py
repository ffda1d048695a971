"""The one authentication and object-level authorisation gate, run before every view.

Every endpoint needs a valid access token unless its view is marked ``@open_endpoint``; every
URL variable named ``student_id``, ``class_id``, ``test_id`` or ``experiment_id`` is checked
against the caller before the view runs, so a view cannot forget to. Ids that arrive in a body
(batch ingestion, xAPI) go through ``require_student`` explicitly, which answers the stored
id: an LMS names students inside its own tenant (docs/api.md, "Tenants"). Tests walk the URL
map to keep this true.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import ParamSpec, TypeVar

from flask import current_app, g, request
from flask_jwt_extended import verify_jwt_in_request
from werkzeug.exceptions import Forbidden, NotFound

from api.context import principal, services
from graph import accounts, assessment, experiment, roster
from tutor.access import (
    Principal,
    Role,
    may_access_class,
    may_access_class_work,
    may_access_student,
)

P = ParamSpec("P")
R = TypeVar("R")

CHECKED_URL_IDS = ("student_id", "class_id", "test_id", "experiment_id")
# URL variables naming catalogue objects (curriculum, questions): readable by every caller
CATALOGUE_URL_IDS = ("chapter_id", "kp_id", "question_id", "item_id")
OPEN_BLUEPRINTS = {"api-docs", "static", "swagger-ui"}


def open_endpoint(fn: Callable[P, R]) -> Callable[P, R]:
    """Mark a view the gate lets through without an access token (log-in, health, LTI
    launches, the refresh endpoint, which checks its refresh token itself)."""
    fn.open_endpoint = True  # type: ignore[attr-defined]
    return fn


def roles(*allowed: Role) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Restrict a view to some roles (403 for the others)."""
    def decorate(fn: Callable[P, R]) -> Callable[P, R]:
        @wraps(fn)
        def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
            if principal().role not in allowed:
                raise Forbidden(f"this needs the role {' or '.join(map(str, allowed))}")
            return fn(*args, **kwargs)
        return wrapper
    return decorate


def check_request() -> None:
    """``before_request``: authenticate, then authorise every id in the URL."""
    endpoint = request.endpoint
    if endpoint is None or _is_open(endpoint):
        return  # unknown URLs become 404 in routing; open views handle themselves
    verify_jwt_in_request()
    who = principal()
    args = request.view_args or {}
    if "student_id" in args:  # the view gets the stored id of the student named
        args["student_id"] = require_student(who, args["student_id"])
    if "class_id" in args:
        require_class(who, args["class_id"])
    if "test_id" in args and "student_id" not in args:
        require_test(who, args["test_id"])
    if "experiment_id" in args and "student_id" not in args:
        require_experiment(who, args["experiment_id"])
    # under /students/<student_id>/tests/<test_id> (and .../experiments/<experiment_id>) the
    # student is checked above, and the service answers 404 unless the test is assigned to
    # them, or the experiment is on a class of theirs


def require_student(who: Principal, student_id: str) -> str:
    """The stored id of the student the caller names: an LMS names its tenant's students only
    (``roster.tenant_students``), so another tenant's id is, to it, no student at all (404,
    as for an unknown id). 403 for a student the caller knows of but may not touch."""
    store = services().store
    key = student_id
    if who.role is Role.LMS:
        key = roster.tenant_students(store, who.tenant, [student_id]).get(student_id, "")
    read = g.pop("gate_student", None)  # read with the token's revocation (api.auth)
    if read is not None and read[:2] == (key, who.tutor_id):
        facts = read[2]
    else:
        facts = accounts.student_access(store, key, who.tutor_id) if key else None
    if facts is None:
        raise NotFound(f"no student {student_id!r}")
    if not may_access_student(who, facts):
        raise Forbidden(f"{who.role} {who.subject!r} may not access student {student_id!r}")
    return key


def require_class(who: Principal, class_id: str) -> None:
    """404 for an unknown class, and for an LMS, for another tenant's; 403 for the rest the
    caller may not touch."""
    found = accounts.class_access(services().store, class_id, who.tutor_id)
    if found is None or (who.role is Role.LMS and not may_access_class(who, *found)):
        raise NotFound(f"no class {class_id!r}")
    if not may_access_class(who, *found):
        raise Forbidden(f"{who.role} {who.subject!r} may not access class {class_id!r}")


def require_test(who: Principal, test_id: str) -> None:
    """404 for an unknown test, and for a caller who may not see it (a student, another
    tutor's): a test's existence is not for everyone to learn."""
    test = assessment.get_test(services().store, test_id)
    _require_class_work(who, test and (test.created_by, test.class_ids), f"no test {test_id!r}")


def require_experiment(who: Principal, experiment_id: str) -> None:
    """404 for an unknown experiment and for a caller who may not see it (students never do:
    they are blind to their arm and the hypothesis)."""
    x = experiment.get(services().store, experiment_id)
    _require_class_work(who, x and (x.created_by, x.class_ids),
                        f"no experiment {experiment_id!r}")


def _require_class_work(who: Principal, found: tuple[str, tuple[str, ...]] | None,
                        missing: str) -> None:
    """``found``: (who made it, its classes), or None when it does not exist."""
    store = services().store
    created_by, class_ids = found or ("", ())
    classes = [access for c in class_ids
               if (access := accounts.class_access(store, c, who.tutor_id)) is not None]
    if found is None or not may_access_class_work(who, created_by, classes):
        raise NotFound(missing)


def _is_open(endpoint: str) -> bool:
    if endpoint.split(".", 1)[0] in OPEN_BLUEPRINTS or endpoint == "static":
        return True
    view = current_app.view_functions.get(endpoint)
    return bool(getattr(view, "open_endpoint", False))
