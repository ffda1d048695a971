"""`kgtutor record export|erase ID`: a student's whole record, the CLI twins of
`GET /students/{id}/export` and `DELETE /students/{id}`."""

from __future__ import annotations

import json

import click

from cli.common import errors_as_messages, now_ms, store_for
from services.settings import Settings


@click.group()
def record() -> None:
    """A student's whole record: export it (right of access) or erase it (right to erasure)."""


@record.command("export")
@click.argument("student_id")
@click.pass_obj
@errors_as_messages
def record_export(settings: Settings, student_id: str) -> None:
    """Print everything held about the student as one JSON document."""
    from services import records
    with store_for(settings) as store:
        click.echo(json.dumps(records.export(store, student_id, now_ms()), indent=2,
                              sort_keys=True, default=str))


@record.command("erase")
@click.argument("student_id")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@click.pass_obj
@errors_as_messages
def record_erase(settings: Settings, student_id: str, yes: bool) -> None:
    """Erase the student and everything about them, derived state included. A running server
    drops its cached aggregates within its cache lifetime (5 minutes)."""
    from services import records
    if not yes:
        click.confirm(f"Erase student {student_id} and everything about them?", abort=True)
    with store_for(settings) as store:
        records.erase(store, None, student_id)
    click.echo(f"erased student {student_id}")
