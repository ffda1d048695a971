"""The LRS sync's cursor in the graph: how far the statements of one LRS have been imported.

It lives in the graph, next to what was imported, so a restarted process (or a second one)
resumes where the last page was written, not where some local file says.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from tutor.ports import GraphStore, Row

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class LrsCursor:
    """The latest ``stored`` time imported and the ids stored at exactly that time.

    xAPI's ``since`` is exclusive, but not every LRS agrees, and two statements can share
    one instant: the ids let the boundary be skipped precisely, without losing a statement
    stored in the same instant after the last read.
    """

    stored: datetime | None = None  # None: nothing imported yet, read from the beginning
    ids: frozenset[str] = frozenset()

    @property
    def since(self) -> str:
        """The ``since`` parameter to send: ISO 8601 in UTC, or "" for none."""
        return self.stored.isoformat(timespec="microseconds") if self.stored else ""

    def seen(self, stored: datetime, statement_id: str) -> bool:
        """Whether a statement stored at ``stored`` lies at or behind this cursor."""
        if self.stored is None or stored > self.stored:
            return False
        return stored < self.stored or statement_id in self.ids

    def advance(self, statements: Iterable[tuple[datetime, str]]) -> LrsCursor:
        """Return the cursor after importing ``(stored, id)`` pairs (any order)."""
        cursor = self
        for stored, statement_id in statements:
            if cursor.stored is None or stored > cursor.stored:
                cursor = LrsCursor(stored, frozenset({statement_id}))
            elif stored == cursor.stored:
                cursor = LrsCursor(stored, cursor.ids | {statement_id})
        return cursor


def load(store: GraphStore, source: str) -> LrsCursor:
    """Return the cursor of the LRS at ``source`` (its xAPI root), empty if never synced."""
    rows = store.read("lrs_cursor", {"id": source})
    return _cursor(rows[0]) if rows else LrsCursor()


def save(store: GraphStore, source: str, cursor: LrsCursor, now: int) -> LrsCursor:
    """Store ``cursor`` unless the graph already holds a later one; return what it holds."""
    if cursor.stored is None:
        return load(store, source)
    rows = store.write("save_lrs_cursor", {
        "id": source, "stored": cursor.since, "stored_us": _micros(cursor.stored),
        "ids": sorted(cursor.ids), "now": now,
    })
    return _cursor(rows[0])


def _cursor(row: Row) -> LrsCursor:
    return LrsCursor(datetime.fromisoformat(row["stored"]), frozenset(row["ids"] or ()))


def _micros(t: datetime) -> int:
    """Epoch microseconds: the graph compares these, not strings in differing offsets."""
    delta = t - _EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds
