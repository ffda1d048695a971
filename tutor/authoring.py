"""Tutors' content: the rules of questions they write, of grading them, of editing the
prerequisite graph, and of who may edit which course.

A question is multiple choice (the answer is one of its choices), numeric (the answer is a
number, right within a tolerance) or short text (right when equal, case and spacing aside).
Editing a question that students answered makes a new version: their attempts keep pointing at
the version they answered (``version_id``). An edge that would close a cycle in the prerequisite
graph is refused, naming the cycle (``tutor.curriculum.find_cycle``, the importers' check).
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

from tutor.curriculum import ResourceLevel, find_cycle
from tutor.errors import InvalidInput, StateConflict


class QuestionType(StrEnum):
    CHOICE = "choice"
    NUMERIC = "numeric"
    SHORT = "short"


@dataclass(frozen=True)
class QuestionDraft:
    """What a tutor writes; ``kp_ids`` first is the KP it tests most."""

    stem: str
    type: QuestionType
    answer: str
    kp_ids: tuple[str, ...]
    choices: tuple[str, ...] = ()
    tolerance: float = 0.0  # numeric: |response - answer| within this is right
    explanation: str = ""
    hints: tuple[str, ...] = ()
    level: ResourceLevel = ResourceLevel.STANDARD
    tags: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        problems = []
        if not self.stem.strip():
            problems.append("stem: must not be blank")
        if not self.kp_ids or len(set(self.kp_ids)) != len(self.kp_ids):
            problems.append("kp_ids: at least one KP, each once")
        if not self.answer.strip():
            problems.append("answer: must not be blank")
        if self.type is QuestionType.CHOICE:
            if len(self.choices) < 2 or len(set(self.choices)) != len(self.choices):
                problems.append("choices: at least two different choices")
            elif self.answer not in self.choices:
                problems.append("answer: must be one of the choices")
        elif self.choices:
            problems.append(f"choices: a {self.type} question has none")
        if self.type is QuestionType.NUMERIC and _number(self.answer) is None:
            problems.append("answer: a numeric question's answer is a number")
        if self.tolerance < 0 or (self.tolerance and self.type is not QuestionType.NUMERIC):
            problems.append("tolerance: only a numeric question has one, 0 or more")
        if problems:
            raise InvalidInput("; ".join(problems))


def grade(kind: str, key: str, response: str, tolerance: float = 0.0) -> bool:
    """Whether ``response`` answers a question of type ``kind`` (choice when unknown: the
    seed's and imported questions) whose key is ``key``."""
    if not key.strip():
        return False
    if kind == QuestionType.NUMERIC:
        got, want = _number(response), _number(key)
        return got is not None and want is not None and abs(got - want) <= tolerance + 1e-12
    if kind == QuestionType.SHORT:
        return _norm(response) == _norm(key)
    return response.strip() == key.strip()


def version_id(base: str, version: int) -> str:
    """The id of a question's ``version`` (1 keeps the base id)."""
    return base if version == 1 else f"{base}~v{version}"


def base_of(question_id: str) -> tuple[str, int]:
    m = re.fullmatch(r"(.+)~v(\d+)", question_id)
    return (m.group(1), int(m.group(2))) if m else (question_id, 1)


def cycle_refusal(edges: Mapping[str, Sequence[str]], before: str, after: str) -> None:
    """Refuse (``StateConflict``, a 409) the edge ``before -> after`` when it would close a
    cycle of ``edges`` (kp -> the KPs it is a prerequisite of), naming the cycle."""
    if before == after:
        raise StateConflict(f"prerequisite cycle: {before} -> {after}")
    graph = {k: list(v) for k, v in edges.items()}
    graph.setdefault(before, []).append(after)
    cycle = find_cycle(graph)
    if cycle:
        raise StateConflict(f"prerequisite cycle: {' -> '.join(cycle)}")


def _number(text: str) -> float | None:
    try:
        value = float(text.strip().replace(",", "."))
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def _norm(text: str) -> str:
    return " ".join(text.split()).casefold()
