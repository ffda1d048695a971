"""What a course is made of: chapters, KPs, prerequisites, questions, resources.

Plain frozen dataclasses. Ids are strings namespaced by their source (e.g. ``assist2009:kp:12``)
so two datasets never merge by accident."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum


class ResourceKind(StrEnum):
    VIDEO = "video"
    WORKED_EXAMPLE = "worked_example"
    PRACTICE = "practice"
    READING = "reading"
    SUPPORT = "support"

class ResourceLevel(StrEnum):
    BASIC = "basic"
    STANDARD = "standard"
    CHALLENGE = "challenge"

@dataclass(frozen=True)
class Chapter:
    id: str
    name: str
    order: int = 0
    area: str = ""  # a grouping above chapters (Junyi "area"), empty when none
    source: str = ""

@dataclass(frozen=True)
class KnowledgePoint:
    id: str
    name: str
    chapter_id: str
    description: str = ""
    source: str = ""

@dataclass(frozen=True)
class Prerequisite:
    """``before`` must be mastered before ``after`` (edge ``before-[:PREREQUISITE_OF]->after``)."""

    before: str
    after: str
    inferred: bool = False
    confidence: float = 1.0

@dataclass(frozen=True)
class Question:
    id: str
    text: str = ""
    options: tuple[str, ...] = ()
    answer: str = ""  # the correct option's text; empty for items known only from logs
    explanation: str = ""
    level: ResourceLevel = ResourceLevel.STANDARD
    source: str = ""

@dataclass(frozen=True)
class Tests:
    """Question ``question_id`` tests KP ``kp_id``; a question's weights sum to 1."""

    question_id: str
    kp_id: str
    weight: float = 1.0

@dataclass(frozen=True)
class Resource:
    id: str
    title: str
    kind: ResourceKind
    level: ResourceLevel
    kp_ids: tuple[str, ...] = ()
    url: str = ""
    body: str = ""
    minutes: int | None = None  # estimated time to study it; None: not given


def find_cycle(edges: Mapping[str, Sequence[str]]) -> list[str] | None:
    """One cycle of a graph (``node -> the nodes it points to``) as [a, b, ..., a], or None;
    iterative DFS so deep chains cannot overflow. The check every importer and every edit of
    the prerequisite graph runs (``seeds.curriculum``, ``services.authoring``)."""
    state: dict[str, int] = {}  # 1 = on the current path, 2 = finished
    for root in edges:
        if root in state:
            continue
        path, stack = [root], [iter(edges[root])]
        state[root] = 1
        while stack:
            nxt = next(stack[-1], None)
            if nxt is None:
                state[path.pop()] = 2
                stack.pop()
            elif state.get(nxt) == 1:
                return [*path[path.index(nxt):], nxt]
            elif nxt not in state:
                state[nxt] = 1
                path.append(nxt)
                stack.append(iter(edges.get(nxt, ())))
    return None
