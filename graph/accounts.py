"""Accounts in the graph: users (with a salted Argon2 hash), LMS clients, revoked tokens, and
the facts object-level access is decided on. Hashing and checking happen in ``services.accounts``;
this module only reads and writes."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from tutor.access import StudentAccess
from tutor.ports import GraphStore


@dataclass(frozen=True)
class StoredUser:
    username: str
    password_hash: str
    role: str
    student_id: str
    tutor_id: str
    disabled: bool = False


@dataclass(frozen=True)
class StoredClient:
    client_id: str
    name: str
    tenant: str
    secret_hash: str


def add_user(store: GraphStore, user: StoredUser, now: int) -> bool:
    """Store a new account; False when the username is taken (nothing is changed then)."""
    rows = store.write("add_user", {"username": user.username,
                                    "password_hash": user.password_hash, "role": user.role,
                                    "student_id": user.student_id, "tutor_id": user.tutor_id,
                                    "now": now})
    return bool(rows and rows[0]["created"])


def find_user(store: GraphStore, username: str) -> StoredUser | None:
    rows = store.read("find_user", {"username": username})
    return StoredUser(**rows[0]) if rows else None


def login_lock(store: GraphStore, username: str) -> tuple[int, int]:
    """(locked until, epoch ms; failures in a row) of an account, (0, 0) when unknown."""
    rows = store.read("login_lock", {"username": username})
    return (int(rows[0]["until"]), int(rows[0]["failures"])) if rows else (0, 0)


def login_failed(store: GraphStore, username: str) -> int:
    """Count a failed log-in of an existing account; return its failures in a row (0: none)."""
    rows = store.write("login_failed", {"username": username})
    return int(rows[0]["n"]) if rows else 0


def set_login_lock(store: GraphStore, username: str, until: int,
                   failures: int | None = None) -> None:
    store.write("set_login_lock", {"username": username, "until": until, "failures": failures})


def set_password_hash(store: GraphStore, username: str, password_hash: str) -> None:
    store.write("set_password_hash", {"username": username, "password_hash": password_hash})


def ensure_tutor(store: GraphStore, tutor_id: str, name: str, email: str) -> None:
    store.write("ensure_tutor", {"tutor_id": tutor_id, "name": name, "email": email})


def add_client(store: GraphStore, client: StoredClient, now: int) -> None:
    store.write("add_lms_client", {"client_id": client.client_id, "name": client.name,
                                   "tenant": client.tenant, "secret_hash": client.secret_hash,
                                   "now": now})


def find_client(store: GraphStore, client_id: str) -> StoredClient | None:
    rows = store.read("find_lms_client", {"client_id": client_id})
    return StoredClient(**rows[0]) if rows else None


def revoke(store: GraphStore, jti: str, exp: int) -> None:
    store.write("revoke_token", {"jti": jti, "exp": exp})


def spend(store: GraphStore, jti: str, exp: int) -> bool:
    """Revoke a one-use token (a refresh token); False when another call spent it first, at
    the same moment included: the graph's MERGE decides."""
    rows = store.write("spend_token", {"jti": jti, "exp": exp, "claim": uuid.uuid4().hex})
    return bool(rows and rows[0]["spent"])


def is_revoked(store: GraphStore, jti: str, subject: str = "", issued_at: int = 0) -> bool:
    """The token ``jti`` of ``subject``, issued at ``issued_at`` (epoch ms), is revoked, or its
    account is disabled or had its tokens revoked after it was issued."""
    row = store.read("token_revoked", {"jti": jti, "subject": subject})[0]
    return bool(row["n"]) or bool(row["disabled"]) or issued_at < int(row["tokens_after"])


def is_revoked_with_student(store: GraphStore, jti: str, subject: str, issued_at: int,
                            student_id: str, tutor_id: str) -> tuple[bool, StudentAccess | None]:
    """:func:`is_revoked` and :func:`student_access` in one round trip (the gate asks both
    on every request that names a student)."""
    row = store.read("token_revoked_student_access", {
        "jti": jti, "subject": subject, "student_id": student_id, "tutor_id": tutor_id})[0]
    revoked = bool(row["n"]) or bool(row["disabled"]) or issued_at < int(row["tokens_after"])
    found = row["student_id"] is not None
    return revoked, (StudentAccess(row["student_id"], row["tenant"], bool(row["taught"]))
                     if found else None)


def set_disabled(store: GraphStore, username: str, disabled: bool, tokens_after: int) -> bool:
    """Disable or enable an account (False: no such account); disabling revokes every token
    issued before ``tokens_after`` (epoch ms)."""
    rows = store.write("set_user_disabled", {"username": username, "disabled": disabled,
                                             "tokens_after": tokens_after})
    return bool(rows and rows[0]["n"])


def purge_revoked(store: GraphStore, now_s: int) -> int:
    """Forget revoked tokens that have expired anyway (``exp`` is in epoch seconds)."""
    rows = store.write("purge_revoked_tokens", {"now": now_s})
    return int(rows[0]["n"]) if rows else 0


def student_access(store: GraphStore, student_id: str, tutor_id: str) -> StudentAccess | None:
    rows = store.read("student_access", {"student_id": student_id, "tutor_id": tutor_id})
    if not rows:
        return None
    return StudentAccess(rows[0]["student_id"], rows[0]["tenant"], bool(rows[0]["taught"]))


def class_access(store: GraphStore, class_id: str, tutor_id: str) -> tuple[str, bool] | None:
    """The class's tenant and whether the tutor teaches it; None for an unknown class."""
    rows = store.read("class_access", {"class_id": class_id, "tutor_id": tutor_id})
    return (rows[0]["tenant"], bool(rows[0]["taught"])) if rows else None
