"""What an import reports: rows it skipped and prerequisite edges it refused, with reasons."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class RowProblem:
    """A rejected or suspicious input row, reported to the user with its line number."""

    line: int
    reason: str

@dataclass
class ImportReport:
    """What an import read, stored, dropped and why; printed at the end of every import."""

    source: str
    counts: dict[str, int] = field(default_factory=dict)
    problems: list[RowProblem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

@dataclass(frozen=True)
class RejectedPrerequisite:
    """A source prerequisite edge not loaded as one (self-loop, cycle breaker), kept for review."""

    before: str
    after: str
    reason: str
