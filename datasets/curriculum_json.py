"""The whole curriculum of a course as one JSON document: read and checked, with line numbers.

The document (``kgtutor curriculum export`` writes it, ``import`` reads it)::

    {"format": "kgtutor-curriculum", "version": 1, "dataset": "seed",
     "chapters": [{"id", "name", "order", "area", "archived"}],
     "kps": [{"id", "name", "chapter_id", "description", "archived"}],
     "prerequisites": [{"before", "after", "inferred", "confidence"}],
     "questions": [{"id", "stem", "type", "choices", "answer", "tolerance", "explanation",
                    "hints", "level", "tags", "kp_ids", "weights", "version", "base_id",
                    "superseded_by"}],
     "resources": [{"id", "title", "kind", "level", "url", "body", "minutes", "kp_ids"}]}

Every problem is reported, each with the line of the item it is in (``line 12: kps[3].name:
missing``), and nothing is returned unless the whole document is right: an import either
takes all of it or refuses it. The prerequisite graph must be acyclic (the importers' check,
``tutor.curriculum.find_cycle``).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from tutor.access import API_ID
from tutor.curriculum import ResourceKind, ResourceLevel, find_cycle
from tutor.errors import DataFormatError

FORMAT, VERSION = "kgtutor-curriculum", 1
SECTIONS = ("chapters", "kps", "prerequisites", "questions", "resources")
TYPES = ("choice", "numeric", "short")
MAX_ERRORS = 20

Check = Callable[[Any], str | None]  # a field's problem, or None


def read(text: str) -> dict[str, Any]:
    """The checked document; ``DataFormatError`` listing every problem with its line."""
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as e:
        raise DataFormatError(f"line {e.lineno}: not JSON: {e.msg}") from None
    nul = [at for at in (text.find("\\u0000"), text.find("\x00")) if at >= 0]
    if nul:  # the graph's client cuts parameters at NUL
        line = text[:min(nul)].count("\n") + 1
        raise DataFormatError(f"line {line}: NUL characters are not accepted")
    lines = item_lines(text)
    errors: list[str] = []

    def fail(section: str, index: int | None, message: str) -> None:
        line = lines.get((section, index), 1) if index is not None else 1
        where = f"{section}[{index}]" if index is not None else section
        errors.append(f"line {line}: {where}{message}")

    if not isinstance(doc, dict):
        raise DataFormatError("line 1: the document is not a JSON object")
    if doc.get("format") != FORMAT or doc.get("version") != VERSION:
        errors.append(f'line 1: not a {FORMAT} document of version {VERSION} ("format", '
                      '"version")')
    if not isinstance(doc.get("dataset"), str) or not API_ID.match(doc["dataset"]):
        errors.append("line 1: dataset: a course id")
    for section in SECTIONS:
        if not isinstance(doc.get(section, []), list):
            errors.append(f"line 1: {section}: a list")
    if errors:
        raise DataFormatError("; ".join(errors))
    ids = _check_items(doc, fail)
    _check_references(doc, ids, fail)
    if errors:
        more = f" (and {len(errors) - MAX_ERRORS} more)" if len(errors) > MAX_ERRORS else ""
        raise DataFormatError("; ".join(errors[:MAX_ERRORS]) + more)
    return doc


def dump(doc: dict[str, Any]) -> str:
    """The document as text, one item per line group, stable for diffs."""
    return json.dumps(doc, indent=1, ensure_ascii=False, sort_keys=False) + "\n"


def _is_id(v: Any) -> str | None:
    return None if isinstance(v, str) and API_ID.match(v) else "an id"


def _is_text(v: Any) -> str | None:
    return None if isinstance(v, str) else "text"


def _is_name(v: Any) -> str | None:
    return None if isinstance(v, str) and v.strip() else "text, not blank"


def _is_bool(v: Any) -> str | None:
    return None if isinstance(v, bool) else "true or false"


def _is_int(v: Any) -> str | None:
    return None if isinstance(v, int) and not isinstance(v, bool) else "a whole number"


def _is_count(v: Any) -> str | None:
    return None if _is_int(v) is None and v >= 0 else "a whole number, 0 or more"


def _is_num(v: Any) -> str | None:
    return None if isinstance(v, int | float) and not isinstance(v, bool) else "a number"


def _are_texts(v: Any) -> str | None:
    ok = isinstance(v, list) and all(isinstance(x, str) for x in v)
    return None if ok else "a list of text"


def _are_ids(v: Any) -> str | None:
    ok = isinstance(v, list) and v and all(_is_id(x) is None for x in v)
    return None if ok else "a non-empty list of ids"


def _any_ids(v: Any) -> str | None:
    ok = isinstance(v, list) and all(_is_id(x) is None for x in v)
    return None if ok else "a list of ids"


def _are_nums(v: Any) -> str | None:
    ok = isinstance(v, list) and all(_is_num(x) is None for x in v)
    return None if ok else "a list of numbers"


def _one_of(values: tuple[str, ...]) -> Check:
    return lambda v: None if v in values else f"one of {', '.join(values)}"


def _opt(check: Check) -> Check:
    return lambda v: None if v is None else check(v)


FIELDS: dict[str, dict[str, tuple[Check, bool]]] = {  # field -> (check, required)
    "chapters": {"id": (_is_id, True), "name": (_is_name, True), "order": (_is_int, False),
                 "area": (_is_text, False), "archived": (_is_bool, False)},
    "kps": {"id": (_is_id, True), "name": (_is_name, True), "chapter_id": (_is_id, True),
            "description": (_is_text, False), "archived": (_is_bool, False)},
    "prerequisites": {"before": (_is_id, True), "after": (_is_id, True),
                      "inferred": (_is_bool, False), "confidence": (_is_num, False)},
    "questions": {"id": (_is_id, True), "stem": (_is_text, True),
                  "type": (_one_of(TYPES), False),
                  "choices": (_are_texts, False), "answer": (_is_text, False),
                  "tolerance": (_is_num, False), "explanation": (_is_text, False),
                  "hints": (_are_texts, False),
                  "level": (_one_of(tuple(str(v) for v in ResourceLevel)), False),
                  "tags": (_are_texts, False), "kp_ids": (_are_ids, True),
                  "weights": (_are_nums, False),
                  "version": (_is_int, False), "base_id": (_is_id, False),
                  "superseded_by": (_opt(_is_id), False)},
    "resources": {"id": (_is_id, True), "title": (_is_name, True),
                  "kind": (_one_of(tuple(str(v) for v in ResourceKind)), True),
                  "level": (_one_of(tuple(str(v) for v in ResourceLevel)), False),
                  "url": (_is_text, False), "body": (_is_text, False),
                  "minutes": (_opt(_is_count), False),
                  "kp_ids": (_any_ids, True)},  # support resources serve the whole course
}


def _check_items(doc: dict[str, Any],
                 fail: Callable[[str, int | None, str], None]) -> dict[str, set[str]]:
    ids: dict[str, set[str]] = {}
    for section, fields in FIELDS.items():
        seen: set[str] = set()
        for i, item in enumerate(doc.get(section, [])):
            if not isinstance(item, dict):
                fail(section, i, ": an object")
                continue
            for name in sorted(set(item) - set(fields)):
                fail(section, i, f".{name}: not a field of {section}")
            for name, (check, required) in fields.items():
                if name not in item:
                    if required:
                        fail(section, i, f".{name}: missing")
                    continue
                if problem := check(item[name]):
                    fail(section, i, f".{name}: {problem}")
            key = item.get("id")
            if isinstance(key, str):
                if key in seen:
                    fail(section, i, f".id: {key!r} is listed twice")
                seen.add(key)
        ids[section] = seen
    return ids


def _check_references(doc: dict[str, Any], ids: dict[str, set[str]],
                      fail: Callable[[str, int | None, str], None]) -> None:
    for i, k in enumerate(doc.get("kps", [])):
        if isinstance(k, dict) and k.get("chapter_id") not in ids["chapters"]:
            fail("kps", i, f".chapter_id: no chapter {k.get('chapter_id')!r} in the document")
    edges: dict[str, list[str]] = {k: [] for k in ids["kps"]}
    for i, p in enumerate(doc.get("prerequisites", [])):
        if not isinstance(p, dict):
            continue
        for end in ("before", "after"):
            if p.get(end) not in ids["kps"]:
                fail("prerequisites", i, f".{end}: no KP {p.get(end)!r} in the document")
        if p.get("before") in edges and p.get("after") in ids["kps"]:
            edges[p["before"]].append(p["after"])
    cycle = find_cycle(edges)
    if cycle:
        fail("prerequisites", None, f": a cycle {' -> '.join(cycle)}")
    for section in ("questions", "resources"):
        for i, item in enumerate(doc.get(section, [])):
            if not isinstance(item, dict):
                continue
            for kp in item.get("kp_ids") or []:
                if kp not in ids["kps"]:
                    fail(section, i, f".kp_ids: no KP {kp!r} in the document")
            weights = item.get("weights")
            if weights is not None and len(weights) != len(item.get("kp_ids") or []):
                fail(section, i, ".weights: one per KP")


def item_lines(text: str) -> dict[tuple[str, int], int]:
    """(top-level key, index) -> the line where that item of its list starts: a small scanner
    of JSON's structure (strings and escapes honoured), for errors that point at a line."""
    out: dict[tuple[str, int], int] = {}
    line, depth, i, n = 1, 0, 0, len(text)
    key, last_string, section, index = None, None, None, -1
    while i < n:
        ch = text[i]
        if ch == "\n":
            line += 1
        elif ch == '"':
            j = i + 1
            while j < n and text[j] != '"':
                j += 2 if text[j] == "\\" else 1
            last_string = text[i + 1:j]
            line += text.count("\n", i, j)
            i = j
        elif ch == ":" and depth == 1:
            key = last_string
        elif ch in "[{":
            if ch == "[" and depth == 1:
                section, index = key, -1
            elif depth == 2 and section is not None:
                index += 1
                out[(section, index)] = line
            depth += 1
        elif ch in "]}":
            depth -= 1
            if depth == 1:
                section = None
        elif depth == 2 and section is not None and ch not in " \t\r,":
            index += 1  # a scalar item (not an object): still counted, for its position
            out[(section, index)] = line
            while i + 1 < n and text[i + 1] not in ",]\n":
                i += 1
        i += 1
    return out
