"""Pull new xAPI statements from a learning record store into the graph.

``GET {lrs}/statements?since=<cursor>&ascending=true`` page by page, following ``more``; each
page goes through ``services.ingest.ingest_statements`` (the same path as our own xAPI
endpoint) and the cursor is written to the graph after it, so a crash costs at most one page,
and re-reading that page imports nothing twice: ingestion is idempotent by statement id.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urljoin, urlsplit

import requests

from graph import lrs as lrs_cursor
from graph.lrs import LrsCursor
from services.ingest import StatementReport, ingest_statements
from services.settings import Settings
from tutor.errors import ConstraintViolation, InvalidInput, KgtutorError
from tutor.ports import GraphStore

log = logging.getLogger(__name__)

XAPI_VERSION = "1.0.3"
PAGE_SIZE = 100  # Ralph caps pages at 100 by default; others pick their own limit anyway
MAX_PAGES = 500  # per run: a large backlog is taken in slices, one every 5 minutes
TIMEOUT_S = (5.0, 60.0)  # connect, read
_COUNTS = ("created", "existing", "ignored", "activity", "rejected")

Statement = Mapping[str, Any]
Stamped = tuple[datetime, str, Statement]  # (stored, id, statement)


class LrsError(KgtutorError):
    """The LRS could not be read (network, HTTP status, not a StatementResult); the cursor
    was left where the last imported page put it."""


@dataclass
class SyncReport:
    """What one sync did; ``created`` and friends add up ``ingest_statements``' reports."""

    pages: int = 0
    fetched: int = 0  # statements the LRS returned
    seen: int = 0  # at or behind the cursor (the ``since`` boundary): not offered again
    malformed: int = 0  # refused by ingestion or without id/stored: skipped, logged
    created: int = 0
    existing: int = 0
    ignored: int = 0
    activity: int = 0
    rejected: int = 0
    cursor: str = ""  # the ``since`` the next sync sends
    skipped: list[str] = field(default_factory=list)  # "<id>: <reason>" per malformed one


def sync_once(store: GraphStore, settings: Settings, now: int, page_size: int = PAGE_SIZE,
              max_pages: int = MAX_PAGES) -> SyncReport:
    """Import every statement stored since the cursor; raise ``LrsError`` on network or
    HTTP failure (pages already imported keep their cursor)."""
    source = _source(settings)
    cursor = lrs_cursor.load(store, source)
    report = SyncReport(cursor=cursor.since)
    params: dict[str, Any] | None = {"limit": page_size, "ascending": "true"}
    if cursor.stored is not None:
        params = {**params, "since": cursor.since}
    url: str | None = f"{source}/statements"
    with _session(settings) as http:
        while url and report.pages < max_pages:
            page = _get(http, url, params)
            report.pages += 1
            report.fetched += len(page["statements"])
            fresh = _fresh(cursor, page["statements"], report)
            if fresh:
                _ingest(store, [s for _, _, s in fresh], settings.lrs_tenant, now, report)
                cursor = lrs_cursor.save(store, source, cursor.advance(
                    (stored, sid) for stored, sid, _ in fresh), now)
                report.cursor = cursor.since
            url = _next(source, page) if page["statements"] else None
            params = None  # `more` carries the whole query
    log.info("LRS sync: %s", report)
    return report


def _source(settings: Settings) -> str:
    source = settings.lrs_url.strip().rstrip("/")
    if urlsplit(source).scheme not in ("http", "https"):
        raise InvalidInput("KGTUTOR_LRS_URL must be an http(s) xAPI root, e.g. "
                           f"http://127.0.0.1:8100/xAPI (got {settings.lrs_url!r})")
    if not settings.lrs_tenant:
        raise InvalidInput("KGTUTOR_LRS_TENANT is not set: students created from LRS "
                           "statements need a tenant")
    return source


def _session(settings: Settings) -> requests.Session:
    http = requests.Session()
    if settings.lrs_user:
        http.auth = (settings.lrs_user, settings.lrs_password)
    http.headers.update({"X-Experience-API-Version": XAPI_VERSION, "Accept": "application/json"})
    return http


def _get(http: requests.Session, url: str, params: Mapping[str, Any] | None) -> dict[str, Any]:
    """GET one page of a StatementResult, every failure turned into ``LrsError``."""
    try:
        r = http.get(url, params=params, timeout=TIMEOUT_S)
    except requests.Timeout:
        raise LrsError(f"the LRS did not answer GET {url} in time (connect {TIMEOUT_S[0]:.0f}s, "
                       f"read {TIMEOUT_S[1]:.0f}s)") from None
    except requests.RequestException as e:
        raise LrsError(f"cannot reach the LRS at {url}: {e}") from None
    if r.status_code in (401, 403):
        raise LrsError(f"the LRS refused the credentials (HTTP {r.status_code}); check "
                       "KGTUTOR_LRS_USER and KGTUTOR_LRS_PASSWORD")
    if not r.ok:
        raise LrsError(f"the LRS answered HTTP {r.status_code} to GET {r.url}: {r.text[:200]}")
    try:
        body = r.json()
    except ValueError:
        body = None
    if not isinstance(body, dict) or not isinstance(body.get("statements"), list):
        raise LrsError(f"GET {r.url} did not return an xAPI StatementResult")
    return body


def _next(source: str, page: Mapping[str, Any]) -> str | None:
    """The absolute URL of ``more`` (relative to the LRS host), only on the LRS itself:
    the credentials must not follow a link elsewhere."""
    more = page.get("more")
    if not more:
        return None
    url = urljoin(source + "/", str(more))
    if urlsplit(url)[:2] != urlsplit(source)[:2]:
        raise LrsError(f"the LRS's `more` link leaves it: {more!r}")
    return url


def _fresh(cursor: LrsCursor, statements: Sequence[Any], report: SyncReport) -> list[Stamped]:
    """The page's statements beyond the cursor, oldest first (an LRS may order a page either
    way; Ralph's file backend reverses each ascending page)."""
    fresh: list[Stamped] = []
    for s in statements:
        stamped = _stamp(s, report)
        if stamped is None:
            continue
        if cursor.seen(stamped[0], stamped[1]):
            report.seen += 1
        else:
            fresh.append(stamped)
    return sorted(fresh, key=lambda t: (t[0], t[1]))


def _stamp(s: Any, report: SyncReport) -> Stamped | None:
    """(stored, id, statement), or None for one that cannot be placed (counted, logged)."""
    if not isinstance(s, Mapping) or not isinstance(s.get("id"), str):
        _skip(report, "?", "no statement id")
        return None
    try:
        stored = datetime.fromisoformat(str(s.get("stored")))
    except ValueError:
        _skip(report, s["id"], f"`stored` is not an ISO 8601 time: {s.get('stored')!r}")
        return None
    if stored.tzinfo is None:
        stored = stored.replace(tzinfo=UTC)  # xAPI requires an offset; UTC is the usual one
    return stored.astimezone(UTC), s["id"], s


def _ingest(store: GraphStore, statements: list[Statement], tenant: str, now: int,
            report: SyncReport) -> None:
    """Import a page at once; if ingestion refuses it (a malformed statement; a concurrent
    sync storing the same ids), one by one, skipping the malformed ones rather than stopping
    the sync at them for ever."""
    try:
        _add(report, ingest_statements(store, statements, tenant=tenant, now=now,
                                       create_students=True))
        return
    except (InvalidInput, ConstraintViolation):
        pass
    for s in statements:
        try:
            _add(report, ingest_statements(store, [s], tenant=tenant, now=now,
                                           create_students=True))
        except InvalidInput as e:
            _skip(report, str(s["id"]), str(e))


def _add(report: SyncReport, result: StatementReport) -> None:
    for name in _COUNTS:
        setattr(report, name, getattr(report, name) + int(getattr(result, name)))


def _skip(report: SyncReport, statement_id: str, reason: str) -> None:
    log.warning("LRS statement %s skipped: %s", statement_id, reason)
    report.malformed += 1
    report.skipped.append(f"{statement_id}: {reason}")
