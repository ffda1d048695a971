"""`kgtutor profiles refresh`: student profiles recomputed by hand."""

from __future__ import annotations

import click

from cli.common import errors_as_messages, now_ms, recommender, store_for
from services.settings import Settings


@click.group()
def profiles() -> None:
    """Student profiles (behaviour aggregates, interest tags, latest emotion)."""


@profiles.command("refresh")
@click.pass_obj
@errors_as_messages
def profiles_refresh(settings: Settings) -> None:
    """Recompute every student's profile now (the daily job, by hand)."""
    from services import profiles as profile_job
    with store_for(settings) as store:
        n = profile_job.refresh_all(store, recommender(settings, store), now_ms())
    click.echo(f"{n} profile(s) refreshed")
