"""Object-level authorisation: who may touch which student or class. Pure rules; the web API
asks them for every id in a URL or body before any read or write (``api.gate``)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

# ids are free text in the graph (datasets namespace them as ``dataset:kind:n``); ids made
# through the API are printable text without spaces or slashes, so each fits a URL segment
API_ID = re.compile(r"^[^/\s\x00-\x1f]{1,128}$")
# a tenant's name prefixes its students' stored ids, so it must fit in one too (as for LTI)
TENANT = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$")


def tenant_student_id(tenant: str, student_id: str) -> str:
    """The stored id of a student an LMS tenant names ``student_id``. Student ids are unique
    in the graph, so each tenant's own ids live in its namespace: no tenant's id can clash
    with, or reveal, another's (docs/api.md, "Tenants")."""
    return f"{tenant}:{student_id}"


class Role(StrEnum):
    STUDENT = "student"  # their own data only
    TUTOR = "tutor"  # the students of the classes they teach
    ADMIN = "admin"  # everything
    LMS = "lms"  # a service account: the students of one tenant

@dataclass(frozen=True)
class Principal:
    """Who is calling: carried in the access token's claims, checked on every object."""

    subject: str  # username, or an LMS client id
    role: Role
    student_id: str = ""  # role student: the Student node it is
    tutor_id: str = ""  # role tutor: the Tutor node it is
    tenant: str = ""  # role lms: the only tenant it may touch

@dataclass(frozen=True)
class StudentAccess:
    """What the access rule needs to know about one student (``graph.accounts``)."""

    student_id: str
    tenant: str  # "" for students no LMS owns (datasets, the seed, created by tutors)
    taught_by_caller: bool  # a class of the student is taught by the calling tutor


def may_access_student(who: Principal, student: StudentAccess) -> bool:
    match who.role:
        case Role.ADMIN:
            return True
        case Role.STUDENT:
            return who.student_id == student.student_id
        case Role.TUTOR:
            return student.taught_by_caller
        case Role.LMS:
            return bool(who.tenant) and who.tenant == student.tenant
    return False


def may_access_class(who: Principal, tenant: str, taught_by_caller: bool) -> bool:
    match who.role:
        case Role.ADMIN:
            return True
        case Role.TUTOR:
            return taught_by_caller
        case Role.LMS:
            return bool(who.tenant) and who.tenant == tenant
    return False  # students see their own data, not their class's


def may_write_students(who: Principal) -> bool:
    """Creating and updating student records: tutors, admins and LMS accounts."""
    return who.role in (Role.TUTOR, Role.ADMIN, Role.LMS)


def may_access_class_work(who: Principal, created_by: str,
                    classes: list[tuple[str, bool]]) -> bool:
    """Work set for classes, a test or an experiment (its settings, results, report):
    admins; the tutor who made it or who teaches one of its classes; an LMS whose tenant
    holds such a class. ``classes``: (tenant, taught by the caller) per class. Students reach
    what concerns them through their own URLs only."""
    match who.role:
        case Role.ADMIN:
            return True
        case Role.TUTOR:
            return (bool(who.tutor_id) and created_by == who.tutor_id) or any(
                taught for _, taught in classes)
        case Role.LMS:
            return bool(who.tenant) and any(tenant == who.tenant for tenant, _ in classes)
    return False
