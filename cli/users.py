"""`kgtutor users add|demo|disable|enable`: people who log in to the web API."""

from __future__ import annotations

import json
import secrets
import sys

import click

from cli.common import errors_as_messages, now_ms, store_for
from graph import accounts as stored
from services import accounts
from services.settings import Settings
from tutor.access import Role
from tutor.errors import InvalidInput

# the demo's people (seeds/algebra/people.yaml): a student, a tutor of two classes, an admin
DEMO = (("amara", Role.STUDENT, {"student_id": "alg-st-amara"}),
        ("hpark", Role.TUTOR, {"tutor_id": "alg-tutor-hpark"}),
        ("admin", Role.ADMIN, {}))


@click.group()
def users() -> None:
    """People who log in to the API: students, tutors, admins."""


@users.command("add")
@click.argument("username")
@click.option("--role", type=click.Choice([r.value for r in Role if r is not Role.LMS]),
              required=True)
@click.option("--student-id", default="", help="Role student: the student record it is.")
@click.option("--class-id", "class_ids", multiple=True,
              help="Role tutor: a class they teach (repeatable).")
@click.option("--tutor-id", default="", help="Role tutor: an existing tutor record "
              "(default: a tutor record named after the username).")
@click.option("--email", default="", help="Role tutor: where notifications go.")
@click.pass_obj
@errors_as_messages
def add_user(settings: Settings, username: str, role: str, student_id: str,
             class_ids: tuple[str, ...], tutor_id: str, email: str) -> None:
    """Create USERNAME; the password is read from standard input (one line)."""
    password = _password()
    with store_for(settings) as store:
        who = accounts.add_user(store, username, password, Role(role), now_ms(),
                                student_id=student_id, class_ids=class_ids,
                                tutor_id=tutor_id, email=email)
    link = who.student_id or who.tutor_id
    click.echo(f"created {who.role} {who.subject}" + (f" ({link})" if link else ""))


@users.command("demo")
@click.pass_obj
@errors_as_messages
def demo(settings: Settings) -> None:
    """Create the demo accounts if missing, each with its own generated password (kept in
    var/secrets/demo-logins.json, mode 600), and print the logins."""
    path = settings.var_dir / "secrets" / "demo-logins.json"
    kept = json.loads(path.read_text()) if path.exists() else {}
    if "password" in kept:  # the older file: one password shared by the accounts it made
        kept = {name: kept["password"] for name, _, _ in DEMO}
    passwords = {name: kept.get(name) or secrets.token_urlsafe(12) for name, _, _ in DEMO}
    if passwords != kept:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.touch(mode=0o600)
        path.write_text(json.dumps(passwords))
    with store_for(settings) as store:
        for name, role, links in DEMO:
            if stored.find_user(store, name) is None:
                accounts.add_user(store, name, passwords[name], role, now_ms(), **links)
    click.echo("demo logins (POST /auth/login):")
    for name, role, _ in DEMO:
        click.echo(f"  {name:<6} {passwords[name]}  ({role})")


@users.command("disable")
@click.argument("username")
@click.pass_obj
@errors_as_messages
def disable(settings: Settings, username: str) -> None:
    """Disable USERNAME: no more log-ins, and every token it holds stops working at once."""
    _set_disabled(settings, username, True)
    click.echo(f"disabled {username}; every token it held is revoked")


@users.command("enable")
@click.argument("username")
@click.pass_obj
@errors_as_messages
def enable(settings: Settings, username: str) -> None:
    """Let USERNAME log in again (the tokens revoked when it was disabled stay revoked)."""
    _set_disabled(settings, username, False)
    click.echo(f"enabled {username}")


def _set_disabled(settings: Settings, username: str, disabled: bool) -> None:
    with store_for(settings) as store:
        accounts.set_disabled(store, username, disabled, now_ms())


def _password() -> str:
    if sys.stdin.isatty():
        return click.prompt("Password", hide_input=True, confirmation_prompt=True)
    line = sys.stdin.readline()
    if not line.strip():
        raise InvalidInput("give the password on standard input")
    return line.rstrip("\r\n")
