"""When an answer can have happened: the plausible range of a timestamp a client sends.

A timestamp in 1970 (a zero sent for "unknown") or in the far future (seconds read as
milliseconds, a wrong clock) would date an answer where no report, window or mastery decay
expects it, and could never be corrected by re-sending (ingestion is idempotent by id). So
the API refuses them, per item, with the reason; bulk imports of public data sets, whose dates
are their own, do not pass here.
"""

from __future__ import annotations

from datetime import UTC, datetime

EARLIEST_MS = 946_684_800_000  # 2000-01-01T00:00:00Z
AHEAD_MS = 24 * 3_600_000  # a client's clock may run a day ahead of the server's, no more


def timestamp_problem(ts: int, now: int) -> str:
    """Why ``ts`` (epoch ms) is not plausible at server time ``now``, or '' when it is."""
    if ts < EARLIEST_MS:
        return f"{_iso(ts)} is before 2000-01-01"
    if ts > now + AHEAD_MS:
        return f"{_iso(ts)} is more than a day ahead of the server's clock"
    return ""


def _iso(ts: int) -> str:
    try:
        return datetime.fromtimestamp(ts / 1000, tz=UTC).isoformat(timespec="seconds")
    except (OverflowError, OSError, ValueError):
        return f"{ts} ms"
