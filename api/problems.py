"""RFC 7807 problem details: every error response of the API, whatever raised it."""

from __future__ import annotations

import logging
from typing import Any

from flask import Response, g, jsonify, request
from werkzeug.exceptions import HTTPException
from werkzeug.http import HTTP_STATUS_CODES

from tutor.errors import (
    AccountDisabled,
    ConsentRequired,
    ConstraintViolation,
    DataFormatError,
    GraphUnavailable,
    InvalidInput,
    KgtutorError,
    NotAllowed,
    NotFound,
    StateConflict,
    TimeUp,
    TooManyAttempts,
)

log = logging.getLogger(__name__)
TYPE_BASE = "https://kgtutor.dev/problems/"
MEDIA_TYPE = "application/problem+json"

_DOMAIN_STATUS: tuple[tuple[type[KgtutorError], int], ...] = (
    (NotFound, 404),
    (AccountDisabled, 403),
    (NotAllowed, 403),
    (ConsentRequired, 403),
    (ConstraintViolation, 409),
    (StateConflict, 409),
    (InvalidInput, 422),
    (DataFormatError, 422),
    (GraphUnavailable, 503),
)


def problem(status: int, detail: str, title: str | None = None,
            headers: dict[str, str] | None = None, **extra: Any) -> Response:
    """A problem+json response; ``extra`` members (e.g. ``errors``) are added to the body."""
    title = title or _title(status)
    body = {"type": TYPE_BASE + title.lower().replace(" ", "-"), "title": title,
            "status": status, "detail": detail, "instance": request.path, **extra}
    response = jsonify(body)
    response.status_code = status
    response.mimetype = MEDIA_TYPE
    for key, value in (headers or {}).items():
        response.headers[key] = value
    return response


def from_http_exception(error: HTTPException) -> Response:
    """Werkzeug's, webargs's and flask-limiter's errors, with field errors for 422."""
    status = error.code or 500
    data = getattr(error, "data", None) or {}
    headers = dict(data.get("headers") or {})
    if status == 405 and error.valid_methods:  # type: ignore[attr-defined]
        headers["Allow"] = ", ".join(error.valid_methods)  # type: ignore[attr-defined]
    messages = data.get("messages") or data.get("errors")
    if status == 429:
        headers.update(getattr(error, "headers", None) or {})
        return problem(429, f"rate limit exceeded: {error.description}", headers=headers)
    if messages and status in (400, 422):
        errors = list(_flatten(messages))
        if status == 400:
            return problem(400, "the request body is not valid JSON"
                           if _is_json_error(errors) else _summary(errors),
                           errors=errors, headers=headers)
        return problem(422, _summary(errors), "Validation failed", errors=errors,
                       headers=headers)
    if status >= 500:
        log.error("HTTP %s on %s: %s", status, request.path, error)
    return problem(status, error.description or _title(status), headers=headers)


def from_domain_error(error: KgtutorError) -> Response:
    if isinstance(error, TooManyAttempts):
        g.retry_after_s = error.retry_after_s  # for keep_retry_after, after the limiter
        return problem(429, str(error), headers={"Retry-After": str(error.retry_after_s)})
    for kind, status in _DOMAIN_STATUS:
        if isinstance(error, kind):
            if error.public:  # the message names internals: the log has it, the caller not
                log.warning("%s on %s: %s", type(error).__name__, request.path, error)
            title = "Time is up" if isinstance(error, TimeUp) else None
            return problem(status, error.public or str(error), title)
    log.exception("unexpected %s on %s", type(error).__name__, request.path)
    return problem(500, "the server failed on this request; it has been logged")


def keep_retry_after(response: Response) -> Response:
    """``after_request``, run after flask-limiter's: it rewrites every Retry-After as the
    whole seconds from now to the later of its own window's reset and the header's, rounded
    down, so a locked account heard the per-address window's reset (up to a minute) or, for a
    1-s lock, "Retry-After: 0". The limiter's limit is not spent when the back-off answers (it
    would have answered first), so the back-off's wait is the one to announce."""
    wait = g.pop("retry_after_s", None)
    if wait is not None:
        response.headers["Retry-After"] = str(wait)
    return response


def from_unexpected(error: Exception) -> Response:
    log.exception("unhandled %s on %s", type(error).__name__, request.path, exc_info=error)
    return problem(500, "the server failed on this request; it has been logged")


def _flatten(messages: Any, location: str = "", path: str = "") -> Any:
    """webargs nests errors as {location: {field: [msg]}} (deeper for nested fields)."""
    if isinstance(messages, dict):
        for key, value in messages.items():
            if not location:
                yield from _flatten(value, str(key), "")
            else:
                yield from _flatten(value, location, f"{path}.{key}" if path else str(key))
    elif isinstance(messages, list) and all(isinstance(m, str) for m in messages):
        for message in messages:
            yield {"location": location, "field": path, "message": message}
    elif isinstance(messages, list):
        for i, item in enumerate(messages):
            yield from _flatten(item, location, f"{path}[{i}]")
    else:
        yield {"location": location, "field": path, "message": str(messages)}


def _is_json_error(errors: list[dict[str, str]]) -> bool:
    return any("JSON" in e["message"] for e in errors)


def _summary(errors: list[dict[str, str]]) -> str:
    return "; ".join(f"{e['field'] or e['location']}: {e['message']}" for e in errors[:10])


def _title(status: int) -> str:
    return HTTP_STATUS_CODES.get(status, "Error")
