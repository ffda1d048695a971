"""`kgtutor report STUDENT`: the tutor's report on one student."""

from __future__ import annotations

import click

from cli.common import echo_json, errors_as_messages, now_ms, recommender, store_for
from services.settings import Settings


@click.command()
@click.argument("student_id")
@click.pass_obj
@errors_as_messages
def report(settings: Settings, student_id: str) -> None:
    """The tutor's report on STUDENT_ID, as JSON."""
    from services.reports import student_report
    with store_for(settings) as store:
        echo_json(student_report(store, recommender(settings, store), student_id, now_ms()))
