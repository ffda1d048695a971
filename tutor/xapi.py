"""xAPI 1.0.3 statements: check them, give each its id, and say what it means here. Pure.

``parse_statements`` validates the parts of a statement kgtutor reads (and the types of the
standard ones) and turns each statement into a ``Statement``: an answer (verb ``answered``),
activity (``completed``, ``experienced``) or anything else, kept but ignored. A statement
without an id gets a UUID5 of its canonical JSON, so re-sending it is recognised.
"""

from __future__ import annotations

import hashlib
import json
import re
import uuid
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any
from urllib.parse import unquote, urlsplit

import isodate

from tutor.errors import InvalidInput

VERB_ANSWERED = "http://adlnet.gov/expapi/verbs/answered"
VERB_COMPLETED = "http://adlnet.gov/expapi/verbs/completed"
VERB_EXPERIENCED = "http://adlnet.gov/expapi/verbs/experienced"
ACTIVITY_VERBS = frozenset({VERB_COMPLETED, VERB_EXPERIENCED})
# set by a learning record store, so two copies of one statement may differ only in them
LRS_FIELDS = frozenset({"stored", "authority", "version"})
# fixed for ever: the ids of id-less statements must not change between releases
ID_NAMESPACE = uuid.UUID("7c1f4a52-3b9e-5d0a-9a57-6b1c2f0e8d31")
UUID_RE = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-"
                     r"[0-9a-fA-F]{12}$")
AGENT_IFIS = ("mbox", "mbox_sha1sum", "openid", "account")
OBJECT_TYPES = {"Activity", "Agent", "Group", "SubStatement", "StatementRef"}


class Meaning(StrEnum):
    ANSWER = "answer"
    ACTIVITY = "activity"
    OTHER = "other"  # stored and ignored


@dataclass(frozen=True)
class Actor:
    account_name: str = ""  # actor.account.name: the LMS user id
    email: str = ""  # actor.mbox without "mailto:", lower-cased
    name: str = ""


@dataclass(frozen=True)
class Statement:
    id: str  # lower-case UUID
    raw: Mapping[str, Any]  # as received, with the id set
    digest: str  # sha256 of the canonical JSON less LRS fields: same digest, same statement
    verb: str
    meaning: Meaning
    actor: Actor
    object_id: str  # the activity id; "" when the object is not an activity
    success: bool | None
    duration_s: float | None
    ts: int | None  # epoch ms of ``timestamp``; None when the statement has none


@dataclass(frozen=True)
class StatementError:
    index: int
    field: str
    message: str


class MalformedStatements(InvalidInput):
    """Statements that are not valid xAPI; carries every reason, by statement index."""

    heading = "malformed xAPI statements"

    def __init__(self, errors: Sequence[StatementError]) -> None:
        self.errors = tuple(errors)
        shown = "; ".join(f"[{e.index}] {e.field}: {e.message}" for e in self.errors[:10])
        more = f" (and {len(self.errors) - 10} more)" if len(self.errors) > 10 else ""
        super().__init__(f"{self.heading}: {shown}{more}")


class UnusableStatements(MalformedStatements):
    """Valid xAPI that kgtutor cannot use (an unknown student or question, an answer without
    ``result.success``): xAPI's POST and PUT refuse such a request whole, as a learning record
    store refuses a batch with one bad statement, rather than store part of it."""

    heading = "xAPI statements kgtutor cannot use"


def parse_statements(items: Sequence[Any]) -> list[Statement]:
    """Every statement parsed, or ``MalformedStatements`` listing all that are not."""
    parsed: list[Statement] = []
    errors: list[StatementError] = []
    for index, item in enumerate(items):
        problems = list(_problems(item))
        if problems:
            errors += [StatementError(index, f, m) for f, m in problems]
        else:
            parsed.append(_parse(item))
    if errors:
        raise MalformedStatements(errors)
    return parsed


def canonical_json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def statement_id(statement: Mapping[str, Any]) -> str:
    """The statement's own id, or the UUID5 of its canonical JSON (less LRS fields)."""
    if isinstance(statement.get("id"), str):
        return str(uuid.UUID(statement["id"]))
    return str(uuid.uuid5(ID_NAMESPACE, canonical_json(_content(statement))))


def question_candidates(object_id: str) -> tuple[str, ...]:
    """Question ids an activity id may name: itself, or the last path segment after
    ``/questions/`` of an IRI (``https://lms.example/course/questions/alg-q-1``)."""
    out = [object_id]
    path = urlsplit(object_id).path if "://" in object_id else ""
    if "/questions/" in path:
        tail = path.rsplit("/questions/", 1)[1].rstrip("/")
        if tail and "/" not in tail:
            out.append(unquote(tail))
    return tuple(dict.fromkeys(out))


def parse_timestamp(text: str) -> int:
    """ISO 8601 date and time as epoch ms (no zone: UTC); ValueError when it is not one."""
    if "T" not in text.upper():
        raise ValueError("needs a date and a time")
    value = datetime.fromisoformat(text)
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return int(value.timestamp() * 1000)


def iso_timestamp(epoch_ms: int) -> str:
    """Epoch ms as the ISO 8601 form xAPI uses (UTC, milliseconds)."""
    value = datetime.fromtimestamp(epoch_ms / 1000, tz=UTC)
    return value.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def parse_duration(text: str) -> float:
    """ISO 8601 duration in seconds (years and months counted from 1970); ValueError else."""
    value = isodate.parse_duration(text)
    if not isinstance(value, timedelta):
        value = value.totimedelta(start=datetime(1970, 1, 1, tzinfo=UTC))
    if value < timedelta(0):
        raise ValueError("negative")
    return value.total_seconds()


def _content(statement: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in statement.items() if k not in LRS_FIELDS and k != "id"}


def _parse(item: Mapping[str, Any]) -> Statement:
    sid = statement_id(item)
    raw = {**item, "id": sid}
    verb = item["verb"]["id"]
    obj = item["object"]
    result = item.get("result") or {}
    meaning = (Meaning.ANSWER if verb == VERB_ANSWERED
               else Meaning.ACTIVITY if verb in ACTIVITY_VERBS else Meaning.OTHER)
    return Statement(
        id=sid, raw=raw,
        digest=hashlib.sha256(canonical_json(_content(raw)).encode()).hexdigest(),
        verb=verb, meaning=meaning, actor=_actor(item["actor"]),
        object_id=obj["id"] if obj.get("objectType", "Activity") == "Activity" else "",
        success=result.get("success"),
        duration_s=parse_duration(result["duration"]) if "duration" in result else None,
        ts=parse_timestamp(item["timestamp"]) if "timestamp" in item else None)


def _actor(actor: Mapping[str, Any]) -> Actor:
    account = actor.get("account") or {}
    mbox = actor.get("mbox") or ""
    return Actor(account_name=account.get("name", ""),
                 email=mbox.removeprefix("mailto:").lower(), name=actor.get("name") or "")


# --- validation: (field, message) pairs ---------------------------------------------------


Problems = Iterator[tuple[str, str]]


def _problems(item: Any) -> Problems:
    if not isinstance(item, Mapping):
        yield "", "a statement must be a JSON object"
        return
    if "id" in item and not (isinstance(item["id"], str) and UUID_RE.match(item["id"])):
        yield "id", "must be a UUID string"
    for key in ("actor", "verb", "object"):
        if key not in item:
            yield key, "missing"
        elif not isinstance(item[key], Mapping):
            yield key, "must be an object"
    if isinstance(item.get("actor"), Mapping):
        yield from _agent_problems(item["actor"], "actor")
    if isinstance(item.get("verb"), Mapping):
        yield from _verb_problems(item["verb"])
    if isinstance(item.get("object"), Mapping):
        yield from _object_problems(item["object"])
    yield from _result_problems(item.get("result"))
    yield from _timestamp_problems(item)
    for key in ("context", "authority"):
        if key in item and not isinstance(item[key], Mapping):
            yield key, "must be an object"


def _agent_problems(agent: Mapping[str, Any], field: str) -> Problems:
    kind = agent.get("objectType", "Agent")
    if kind not in ("Agent", "Group"):
        yield f"{field}.objectType", "must be 'Agent' or 'Group'"
        return
    ifis = [k for k in AGENT_IFIS if k in agent]
    if kind == "Agent" and len(ifis) != 1:
        yield field, "an Agent needs exactly one of " + ", ".join(AGENT_IFIS)
    if kind == "Group" and len(ifis) > 1:
        yield field, "a Group has at most one of " + ", ".join(AGENT_IFIS)
    if kind == "Group" and not ifis and not isinstance(agent.get("member"), list):
        yield f"{field}.member", "an anonymous Group needs a member list"
    if "name" in agent and not isinstance(agent["name"], str):
        yield f"{field}.name", "must be a string"
    mbox = agent.get("mbox")
    if mbox is not None and not (isinstance(mbox, str) and mbox.startswith("mailto:")
                                 and "@" in mbox):
        yield f"{field}.mbox", "must be a 'mailto:' address"
    for key in ("mbox_sha1sum", "openid"):
        if key in agent and not isinstance(agent[key], str):
            yield f"{field}.{key}", "must be a string"
    if "account" in agent:
        yield from _account_problems(agent["account"], f"{field}.account")


def _account_problems(account: Any, field: str) -> Problems:
    if not isinstance(account, Mapping):
        yield field, "must be an object"
        return
    if not (isinstance(account.get("name"), str) and account["name"]):
        yield f"{field}.name", "must be a non-empty string"
    if "homePage" in account and not isinstance(account["homePage"], str):
        yield f"{field}.homePage", "must be a string"


def _verb_problems(verb: Mapping[str, Any]) -> Problems:
    if not _is_iri(verb.get("id")):
        yield "verb.id", "must be an IRI"
    if "display" in verb and not isinstance(verb["display"], Mapping):
        yield "verb.display", "must be a language map"


def _object_problems(obj: Mapping[str, Any]) -> Problems:
    kind = obj.get("objectType", "Activity")
    if kind not in OBJECT_TYPES:
        yield "object.objectType", "must be one of " + ", ".join(sorted(OBJECT_TYPES))
    elif kind == "Activity" and not (isinstance(obj.get("id"), str) and obj["id"]):
        # an IRI by the standard; a bare question id is accepted too
        yield "object.id", "an activity id must be a non-empty string"
    elif kind == "StatementRef" and not (isinstance(obj.get("id"), str)
                                         and UUID_RE.match(obj["id"])):
        yield "object.id", "a StatementRef id must be a UUID"
    elif kind in ("Agent", "Group"):
        yield from _agent_problems(obj, "object")
    if "definition" in obj and not isinstance(obj["definition"], Mapping):
        yield "object.definition", "must be an object"


def _result_problems(result: Any) -> Problems:
    if result is None:
        return
    if not isinstance(result, Mapping):
        yield "result", "must be an object"
        return
    for key in ("success", "completion"):
        if key in result and not isinstance(result[key], bool):
            yield f"result.{key}", "must be true or false"
    if "response" in result and not isinstance(result["response"], str):
        yield "result.response", "must be a string"
    if "score" in result and not isinstance(result["score"], Mapping):
        yield "result.score", "must be an object"
    if "duration" in result:
        try:
            parse_duration(result["duration"])
        except (ValueError, TypeError, isodate.ISO8601Error, OverflowError):
            yield "result.duration", "must be an ISO 8601 duration such as 'PT1M30S'"


def _timestamp_problems(item: Mapping[str, Any]) -> Problems:
    if "timestamp" not in item:
        return
    try:
        parse_timestamp(item["timestamp"])
    except (ValueError, TypeError, AttributeError, OverflowError):
        yield "timestamp", "must be an ISO 8601 date and time"


def _is_iri(value: Any) -> bool:
    """An absolute IRI: a scheme, a colon, and no spaces (what xAPI ids must be)."""
    return (isinstance(value, str) and bool(re.match(r"^[A-Za-z][A-Za-z0-9+.-]*:\S+$", value)))
