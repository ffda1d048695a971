"""The e-mail outbox in the graph: queue notifications, deliver the due ones, list them.

A message is written to the graph before anyone tries to send it, so an SMTP outage only
delays it; ``deliver_due`` claims a batch in one atomic query (no two senders share a
message), sends each through a narrow ``Mailer`` port and records the outcome.
"""

from __future__ import annotations

from typing import Protocol

from tutor import notify as outbox
from tutor.notify import DeliveryError, DeliveryReport, Notification
from tutor.ports import GraphStore, Row

_FIELDS = tuple(Notification.__dataclass_fields__)
_ENQUEUED = ("id", "to", "subject", "body", "student_id", "kind", "next_try", "created")


class Mailer(Protocol):
    """Sends one message now or raises ``DeliveryError``; SMTP lives behind it, in ``api``."""

    @property
    def configured(self) -> bool:
        """False: no server is set up, so nothing is claimed and no attempt is counted."""
        ...

    def send(self, n: Notification) -> None: ...


def enqueue(store: GraphStore, n: Notification) -> bool:
    """Queue ``n`` unless its id is already queued; return whether this call added it."""
    outbox.check(n)
    params = {k: getattr(n, k) for k in _ENQUEUED}  # a new entry is always pending, 0 attempts
    rows = store.write("enqueue_notification", params)
    return bool(rows[0]["queued"])


def deliver_due(store: GraphStore, mailer: Mailer, now_ms: int,
                limit: int = 100) -> DeliveryReport:
    """Send up to ``limit`` due notifications, oldest first; failures retry with backoff and
    fail for good after ``MAX_ATTEMPTS`` (or at once when the recipient is refused).
    An unconfigured mailer leaves the outbox as it is."""
    if not mailer.configured:
        return DeliveryReport()
    claimed = store.write("claim_notifications", {
        "now": now_ms, "limit": limit,
        "lease_ms": limit * outbox.CLAIM_LEASE_PER_MESSAGE_MS,
    })
    report = DeliveryReport()
    for n in map(_notification, claimed):
        try:
            mailer.send(n)
        except DeliveryError as e:
            _record_failure(store, n, now_ms, e, report)
        else:
            store.write("mark_notification_sent", {"id": n.id, "now": now_ms})
            report.sent += 1
    return report


def notifications_for(store: GraphStore, student_id: str) -> list[Notification]:
    """Return a student's notifications, newest first (the tutor report's "notifications sent")."""
    return [_notification(r) for r in store.read("student_notifications",
                                                 {"student_id": student_id})]


def outbox_counts(store: GraphStore) -> dict[str, int]:
    """Return how many notifications are pending, sent and failed."""
    counts = {outbox.PENDING: 0, outbox.SENT: 0, outbox.FAILED: 0}
    counts.update({r["status"]: int(r["n"]) for r in store.read("outbox_counts")})
    return counts


def _record_failure(store: GraphStore, n: Notification, now_ms: int, error: DeliveryError,
                    report: DeliveryReport) -> None:
    retry = outbox.after_failure(n.attempts, now_ms, error.permanent)
    store.write("mark_notification_retry", {"id": n.id, "attempts": retry.attempts,
                                            "status": retry.status,
                                            "next_try": retry.next_try, "error": str(error)})
    if retry.status == outbox.FAILED:
        report.failed += 1
    else:
        report.retried += 1
    report.errors.append(f"{n.id}: {error}")


def _notification(row: Row) -> Notification:
    return Notification(**{k: row[k] for k in _FIELDS})
