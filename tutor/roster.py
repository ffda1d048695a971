"""Who takes part: students, tutors and the classes that join them."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Student:
    id: str
    name: str = ""
    email: str = ""
    affect_consent: bool = False
    source: str = ""

@dataclass(frozen=True)
class Tutor:
    id: str
    name: str
    email: str = ""

@dataclass(frozen=True)
class SchoolClass:
    id: str
    name: str
    tutor_ids: tuple[str, ...] = ()
    student_ids: tuple[str, ...] = ()
