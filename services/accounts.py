"""Accounts: users who log in with a password, LMS clients with an id and secret.

Passwords and secrets are kept only as Argon2id hashes (argon2-cffi, with its maintained
defaults); a log-in re-hashes a hash made with older parameters. Used by the CLI (``kgtutor
users add``, ``kgtutor lms add-client``) and by ``/auth`` of the web API.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Sequence

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from graph import accounts, roster
from graph.accounts import StoredClient, StoredUser
from tutor.access import TENANT, Principal, Role
from tutor.errors import (
    AccountDisabled,
    ConstraintViolation,
    InvalidInput,
    NotFound,
    TooManyAttempts,
)
from tutor.login_backoff import lock_seconds
from tutor.ports import GraphStore

_HASHER = PasswordHasher()
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{2,63}$")
MIN_PASSWORD = 8
MIN_STRENGTH = 3  # zxcvbn's score, 0-4: 3 is "safely unguessable" to an online attacker
# verifying against this keeps an unknown name as slow as a wrong password (no user probing);
# hashed once, offline, with _HASHER's parameters (a test checks they still match): hashing at
# import cost every command that imports this module 64 MiB and half a second
_DUMMY_HASH = ("$argon2id$v=19$m=65536,t=3,p=4$UizoO9HhmOS7hqCKH7gEfg"
               "$tTvdcJkJ7FsaV7uswSs8wG4QwU3HtAe8g5SaauS+fZQ")


def add_user(store: GraphStore, username: str, password: str, role: Role, now: int,
             student_id: str = "", class_ids: Sequence[str] = (), tutor_id: str = "",
             email: str = "") -> Principal:
    """Create an account. A student account is a Student of the graph; a tutor account is a
    Tutor (``tutor_id``, by default the username), teaching ``class_ids``."""
    if not _NAME.match(username):
        raise InvalidInput("username: 3 to 64 letters, digits or . _ @ -, starting with a "
                           "letter or digit")
    check_password(password, username)
    if role is Role.LMS:
        raise InvalidInput("LMS accounts are clients: use `kgtutor lms add-client`")
    if role is Role.STUDENT:
        if not student_id:
            raise InvalidInput("a student account needs --student-id")
        if not roster.student_exists(store, student_id):
            raise NotFound(f"no student {student_id!r}")
    elif student_id:
        raise InvalidInput("--student-id is for student accounts")
    if class_ids and role is not Role.TUTOR:
        raise InvalidInput("--class-id is for tutor accounts")
    for class_id in class_ids:
        if not roster.class_exists(store, class_id):
            raise NotFound(f"no class {class_id!r}")
    tutor = (tutor_id or username) if role is Role.TUTOR else ""
    user = StoredUser(username, _HASHER.hash(password), str(role), student_id, tutor)
    if not accounts.add_user(store, user, now):
        raise ConstraintViolation(f"username {username!r} is taken")
    if tutor:
        accounts.ensure_tutor(store, tutor, username, email)
        roster.add_class_tutor(store, tutor, class_ids)
    return principal_of(user)


def authenticate(store: GraphStore, username: str, password: str,
                 now: int) -> Principal | None:
    """The account's principal, or None for a wrong username or password; raises
    ``TooManyAttempts`` while the account is locked by its failures (``tutor.login_backoff``),
    before the password is even checked."""
    until, _ = accounts.login_lock(store, username)
    if now < until:
        wait = -(-(until - now) // 1000)
        raise TooManyAttempts(f"too many failed log-ins for this account: try again in "
                              f"{wait} s", wait)
    user = accounts.find_user(store, username)
    if not _verify(user.password_hash if user else _DUMMY_HASH, password) or user is None:
        if user is not None:
            failures = accounts.login_failed(store, username)
            if lock_seconds(failures):
                accounts.set_login_lock(store, username, now + 1000 * lock_seconds(failures))
        return None
    if user.disabled:
        raise AccountDisabled("this account is disabled")
    if until or accounts.login_lock(store, username)[1]:
        accounts.set_login_lock(store, username, 0, failures=0)
    if _HASHER.check_needs_rehash(user.password_hash):
        accounts.set_password_hash(store, username, _HASHER.hash(password))
    return principal_of(user)


def check_password(password: str, username: str = "") -> None:
    """Refuse a password shorter than ``MIN_PASSWORD`` or one zxcvbn scores below
    ``MIN_STRENGTH`` of 4: common passwords, names, keyboard walks, the username itself."""
    if len(password) < MIN_PASSWORD:
        raise InvalidInput(f"password: at least {MIN_PASSWORD} characters")
    from zxcvbn import zxcvbn  # its dictionaries load on first use: not at import time

    verdict = zxcvbn(password[:100], user_inputs=[username] if username else [])
    if verdict["score"] < MIN_STRENGTH:
        hint = verdict["feedback"].get("warning") or "add more words or characters"
        raise InvalidInput(f"password: too easy to guess ({hint.rstrip('.').lower()}); "
                           "a few unrelated words make a strong one")


def set_disabled(store: GraphStore, username: str, disabled: bool, now: int) -> None:
    """Disable an account and revoke every token it holds (each request checks), or enable it
    again (its old tokens stay revoked: log in anew)."""
    if not accounts.set_disabled(store, username, disabled, now):
        raise NotFound(f"no user {username!r}")


def add_client(store: GraphStore, name: str, tenant: str, now: int) -> tuple[str, str]:
    """Register an LMS client of ``tenant``; return (client id, secret). The secret is shown
    once: only its hash is stored."""
    if not name.strip() or not tenant.strip():
        raise InvalidInput("an LMS client needs a name and a tenant")
    if not TENANT.match(tenant.strip()):
        raise InvalidInput("tenant: 1 to 32 letters, digits or . _ -, starting with a letter "
                           "or digit")
    client_id, secret = "lms-" + secrets.token_hex(8), secrets.token_urlsafe(32)
    accounts.add_client(store, StoredClient(client_id, name.strip(), tenant.strip(),
                                            _HASHER.hash(secret)), now)
    return client_id, secret


def authenticate_client(store: GraphStore, client_id: str, secret: str) -> Principal | None:
    client = accounts.find_client(store, client_id)
    if not _verify(client.secret_hash if client else _DUMMY_HASH, secret) or client is None:
        return None
    return Principal(client.client_id, Role.LMS, tenant=client.tenant)


def principal_of(user: StoredUser) -> Principal:
    return Principal(user.username, Role(user.role), student_id=user.student_id or "",
                     tutor_id=user.tutor_id or "")


def _verify(password_hash: str, password: str) -> bool:
    try:
        return _HASHER.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False
