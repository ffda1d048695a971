"""Rules of the e-mail outbox: deterministic ids, retry backoff, when to give up.

Notifications are queued in the graph first and sent later, so an SMTP outage delays mail
but never loses it. Delivery is at least once: a process that dies between sending and
recording the send re-sends that message once its claim lease runs out.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field

from tutor.errors import InvalidInput, KgtutorError


@dataclass(frozen=True)
class Notification:
    """An e-mail waiting in (or delivered from) the graph's outbox; ``id`` is deterministic so
    the same event never queues two messages."""

    id: str
    to: str
    subject: str
    body: str
    student_id: str = ""
    kind: str = ""
    status: str = "pending"  # pending | sent | failed (gave up after max attempts)
    attempts: int = 0
    next_try: int = 0  # epoch milliseconds
    created: int = 0
    sent: int = 0
    last_error: str = ""

BACKOFF_BASE_MS = 60_000  # the first retry waits one minute ...
BACKOFF_CAP_MS = 3_600_000  # ... each later one twice as long, never more than an hour
MAX_ATTEMPTS = 10  # 1+2+4+...+32+60+60+60 min: an outage of about four hours is ridden out
CLAIM_LEASE_PER_MESSAGE_MS = 30_000  # a claimed batch is locked for limit x this (crash case)

PENDING, SENT, FAILED = "pending", "sent", "failed"
_KIND = re.compile(r"[a-z][a-z0-9_]*")


class DeliveryError(KgtutorError):
    """A message could not be handed to the SMTP server.

    ``permanent`` is set when the server refused the recipient for good (5xx): retrying
    cannot help, so the notification fails at once instead of after MAX_ATTEMPTS.
    """

    def __init__(self, message: str, permanent: bool = False):
        super().__init__(message)
        self.permanent = permanent


@dataclass
class DeliveryReport:
    """What one delivery run did; ``errors`` holds one ``id: reason`` line per failure."""

    sent: int = 0
    retried: int = 0
    failed: int = 0
    errors: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Retry:
    """The state a notification takes after a failed attempt."""

    attempts: int
    status: str  # pending (try again at next_try) or failed
    next_try: int  # epoch milliseconds; 0 once failed


def notification_id(kind: str, student_id: str, key: str) -> str:
    """Return the id of the notification for one event, the same however often it is queued.

    ``key`` names the event (e.g. the affect event's id); the three parts are hashed together
    so no choice of separators can make two different events collide.
    """
    if not _KIND.fullmatch(kind):
        raise InvalidInput(f"notification kind {kind!r}: use lower-case letters, digits, _")
    if not student_id or not key:
        raise InvalidInput("a notification needs a student id and an event key")
    digest = hashlib.sha256(json.dumps([kind, student_id, key]).encode()).hexdigest()
    return f"notification:{kind}:{digest[:32]}"


def new_notification(kind: str, student_id: str, key: str, to: str, subject: str, body: str,
                     now_ms: int) -> Notification:
    """Build a pending notification, due at once, checked for header-safe fields."""
    n = Notification(notification_id(kind, student_id, key), to, subject, body, student_id,
                     kind, PENDING, attempts=0, next_try=now_ms, created=now_ms)
    check(n)
    return n


def check(n: Notification) -> None:
    """Refuse what would make a broken or injected mail header (CR/LF, no address)."""
    if "@" not in n.to or any(c in n.to for c in "\r\n,; <>"):
        raise InvalidInput(f"notification {n.id}: {n.to!r} is not one e-mail address")
    if not n.subject.strip() or "\r" in n.subject or "\n" in n.subject:
        raise InvalidInput(f"notification {n.id}: the subject must be one non-empty line")


def backoff_ms(attempts: int) -> int:
    """Return the wait before the next try after ``attempts`` failed ones (1 min doubling,
    capped at 1 h) so a down server is not hammered and a short outage costs little delay."""
    if attempts < 1:
        raise InvalidInput(f"backoff after {attempts} attempts: count starts at 1")
    return min(BACKOFF_BASE_MS << min(attempts - 1, 32), BACKOFF_CAP_MS)


def after_failure(attempts_before: int, now_ms: int, permanent: bool = False) -> Retry:
    """Return the state after one more failed attempt: retry later, or give up."""
    attempts = attempts_before + 1
    if permanent or attempts >= MAX_ATTEMPTS:
        return Retry(attempts, FAILED, 0)
    return Retry(attempts, PENDING, now_ms + backoff_ms(attempts))


def message_id(notification_id: str, domain: str) -> str:
    """Return the RFC 5322 Message-ID of a notification: stable, so a resent copy after a
    crash is recognisable as the same message; hashed, since ids may hold ``:``."""
    digest = hashlib.sha256(notification_id.encode()).hexdigest()[:32]
    return f"<{digest}.kgtutor@{domain or 'localhost'}>"
