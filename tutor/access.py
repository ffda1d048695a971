"""Object-level authorisation: who may touch which student or class. Pure rules; the web API
asks them for every id in a URL or body before any read or write (``api.rest.gate``)."""

from __future__ import annotations

from tutor.domain import Principal, Role, StudentAccess


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
