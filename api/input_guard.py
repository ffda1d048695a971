"""Refuse, before any view or parser runs, input that would otherwise crash deep inside:
NUL in a URL, JSON nested beyond ``MAX_DEPTH`` (Python's parser recurses and raises
RecursionError at about 1,000 levels: caught here, where the views would answer 500), and
a chunked body whose framing is broken (gunicorn decodes the chunks while the app reads),
strings holding NUL or a lone UTF-16 surrogate (valid JSON escapes, but no UTF-8 encoding
exists for a lone surrogate, and the graph client cuts parameters at NUL). Each is a 400 or 422
problem+json that names the problem, not the parser, even on unauthenticated routes such as
``/auth/login``.
"""

from __future__ import annotations

import json
from typing import Any

from flask import Response, request
from werkzeug.exceptions import BadRequest

from api.problems import problem

MAX_DEPTH = 64  # no body of this API nests deeper than a handful of levels


def check_input() -> Response | None:
    """``before_request``: the path, then any JSON body."""
    query = (text for pair in request.args.items(multi=True) for text in pair)
    if "\x00" in request.path or any("\x00" in text for text in query):
        return problem(400, "the URL holds a NUL character")
    if "chunked" in request.headers.get("Transfer-Encoding", "").lower():
        try:  # the server decodes the chunks as the body is read: a bad one raises here
            request.get_data(cache=True)
        except (OSError, BadRequest):  # werkzeug may wrap the server's error as a 400
            return problem(400, "Invalid chunk size: the chunked body is malformed")
    if not request.is_json or not request.content_length:
        return None
    try:
        body = json.loads(request.get_data(cache=True))
    except RecursionError:
        return problem(400, f"the JSON body nests too deep; at most {MAX_DEPTH} levels")
    except (ValueError, UnicodeDecodeError):
        return None  # malformed JSON: the parser's own 400 says so
    depth, bad = inspect(body)
    if depth > MAX_DEPTH:
        return problem(400, f"the JSON body nests {depth} levels deep; at most {MAX_DEPTH}")
    if bad is not None:
        return problem(422, f"{bad[0] or 'the body'}: {bad[1]}", "Validation failed")
    return None


def inspect(body: Any) -> tuple[int, tuple[str, str] | None]:
    """The nesting depth of a parsed JSON value (it stops counting past ``MAX_DEPTH``) and
    (where, what) of the first key or string with NUL or a lone surrogate. Iterative: a
    value nested hundreds deep must not exhaust the interpreter's stack here either."""
    deepest = 0
    stack: list[tuple[Any, str, int]] = [(body, "", 0)]
    while stack:
        value, path, depth = stack.pop()
        if isinstance(value, str):
            bad = _bad(value, path)
            if bad:
                return deepest, bad
            continue
        if not isinstance(value, dict | list):
            continue
        deepest = max(deepest, depth + 1)
        if deepest > MAX_DEPTH:
            return deepest, None
        if isinstance(value, dict):
            for key, item in reversed(value.items()):
                where = f"{path}.{key}" if path else str(key)
                bad = _bad(key, where)
                if bad:
                    return deepest, bad
                stack.append((item, where, depth + 1))
        else:
            stack.extend((item, f"{path}[{i}]", depth + 1)
                         for i, item in reversed(list(enumerate(value))))
    return deepest, None


def _bad(text: str, where: str) -> tuple[str, str] | None:
    if "\x00" in text:
        return where, "NUL characters are not accepted"
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return where, "a lone UTF-16 surrogate is not text"
    return None
