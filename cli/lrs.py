"""`kgtutor lrs sync --once`: pull new xAPI statements from the configured LRS now."""

from __future__ import annotations

import json
import time
from dataclasses import asdict

import click

from cli.common import errors_as_messages, store_for
from services.lrs import PAGE_SIZE, sync_once
from services.settings import Settings


@click.group()
def lrs() -> None:
    """The learning record store connector (KGTUTOR_LRS_URL, _USER, _PASSWORD, _TENANT)."""


@lrs.command()
@click.option("--once", is_flag=True,
              help="Sync once now and exit (the server runs it every 5 minutes itself).")
@click.option("--page-size", type=click.IntRange(min=1), default=PAGE_SIZE, show_default=True,
              help="Statements asked for per page.")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@click.pass_obj
@errors_as_messages
def sync(settings: Settings, once: bool, page_size: int, as_json: bool) -> None:
    """Import the statements stored since the last sync; the cursor is kept in the graph."""
    if not once:
        raise click.UsageError("the 5-minute sync runs inside `kgtutor serve`; "
                               "use --once to sync now")
    if not settings.lrs_url:
        raise click.ClickException("KGTUTOR_LRS_URL is not set: no LRS to sync from")
    with store_for(settings) as store:
        report = sync_once(store, settings, time.time_ns() // 1_000_000, page_size=page_size)
    if as_json:
        click.echo(json.dumps(asdict(report), indent=2))
        return
    click.echo(f"{report.fetched} statement(s) in {report.pages} page(s): "
               f"{report.created} new, {report.existing} already imported, "
               f"{report.seen} behind the cursor, {report.activity} activity, "
               f"{report.ignored} ignored, {report.rejected} rejected, "
               f"{report.malformed} malformed (skipped)")
    for line in report.skipped:
        click.echo(f"  skipped {line}")
    click.echo(f"cursor: {report.cursor or '(none: nothing imported yet)'}")
