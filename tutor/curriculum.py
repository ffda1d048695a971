"""What a course is made of: chapters, KPs, prerequisites, questions, resources.

Plain frozen dataclasses. Ids are strings namespaced by their source (e.g. ``assist2009:kp:12``)
so two datasets never merge by accident."""

from __future__ import annotations

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
