"""Refuse, before any view or parser runs, input that would otherwise crash deep inside:
NUL in a URL, JSON nested beyond ``MAX_DEPTH`` (Python's parser recurses and would raise
RecursionError at about 1,000 levels, a 500), and strings holding NUL or a lone UTF-16
surrogate (valid JSON escapes, but no UTF-8 encoding exists for a lone surrogate, and the
graph client cuts parameters at NUL). Each is a 400 or 422 problem+json that names the problem,
not the parser, even on unauthenticated routes such as ``/auth/login``.
"""

from __future__ import annotations

import json
from typing import Any

from flask import Response, request

from api.problems import problem

MAX_DEPTH = 64  # no body of this API nests deeper than a handful of levels


def check_input() -> Response | None:
    """``before_request``: the path, then any JSON body."""
    query = (text for pair in request.args.items(multi=True) for text in pair)
    if "\x00" in request.path or any("\x00" in text for text in query):
        return problem(400, "the URL holds a NUL character")
    if not request.is_json or not request.content_length:
        return None
    raw = request.get_data(cache=True)
    depth = nesting(raw)
    if depth > MAX_DEPTH:
        return problem(400, f"the JSON body nests {depth} levels deep; at most {MAX_DEPTH}")
    try:
        body = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        return None  # malformed JSON: the parser's own 400 says so
    bad = first_bad_string(body)
    if bad is not None:
        return problem(422, f"{bad[0] or 'the body'}: {bad[1]}", "Validation failed")
    return None


def nesting(raw: bytes) -> int:
    """The deepest [ / { nesting of a JSON text, brackets inside strings not counted."""
    depth = deepest = 0
    in_string = escaped = False
    for byte in raw:
        if in_string:
            if escaped:
                escaped = False
            elif byte == 0x5C:  # backslash
                escaped = True
            elif byte == 0x22:  # quote
                in_string = False
        elif byte == 0x22:
            in_string = True
        elif byte in (0x5B, 0x7B):
            depth += 1
            deepest = max(deepest, depth)
        elif byte in (0x5D, 0x7D):
            depth -= 1
    return deepest


def first_bad_string(value: Any, path: str = "") -> tuple[str, str] | None:
    """(where, what) of the first key or string value with NUL or a lone surrogate."""
    if isinstance(value, str):
        return _bad(value, path)
    if isinstance(value, dict):
        for key, item in value.items():
            where = f"{path}.{key}" if path else str(key)
            found = _bad(key, where) or first_bad_string(item, where)
            if found:
                return found
    if isinstance(value, list):
        for i, item in enumerate(value):
            found = first_bad_string(item, f"{path}[{i}]")
            if found:
                return found
    return None


def _bad(text: str, where: str) -> tuple[str, str] | None:
    if "\x00" in text:
        return where, "NUL characters are not accepted"
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return where, "a lone UTF-16 surrogate is not text"
    return None
