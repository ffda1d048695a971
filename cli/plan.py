"""`kgtutor plan STUDENT`: the adapted plan, with its reasons."""

from __future__ import annotations

import dataclasses

import click

from cli.common import echo_json, errors_as_messages, now_ms, recommender, store_for
from services.settings import Settings


@click.command()
@click.argument("student_id")
@click.pass_obj
@errors_as_messages
def plan(settings: Settings, student_id: str) -> None:
    """The adapted plan for STUDENT_ID: questions, resources, actions and their reasons."""
    from services.plan import plan as build_plan
    with store_for(settings) as store:
        p = build_plan(store, recommender(settings, store), student_id, now_ms())
    echo_json(dataclasses.asdict(p))
