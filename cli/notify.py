"""`kgtutor notify ...`: deliver the graph's e-mail outbox and list a student's notifications."""

from __future__ import annotations

import json
import time
from dataclasses import asdict
from datetime import UTC, datetime

import click

from cli.common import errors_as_messages, store_for
from graph.notify import deliver_due, notifications_for, outbox_counts
from services.notify import SmtpMailer
from services.settings import Settings
from tutor.errors import NotFound


@click.group()
def notify() -> None:
    """E-mail notifications: the outbox in the graph and its SMTP delivery."""


@notify.command()
@click.option("--limit", type=click.IntRange(min=1), default=100, show_default=True,
              help="Most messages sent in this run.")
@click.pass_obj
@errors_as_messages
def deliver(settings: Settings, limit: int) -> None:
    """Send the notifications due now, once; failed sends are retried later with backoff."""
    mailer = SmtpMailer(settings)
    with store_for(settings) as store:
        report = deliver_due(store, mailer, _now_ms(), limit)
        counts = outbox_counts(store)
    if not mailer.configured:
        click.echo("SMTP not configured (set KGTUTOR_SMTP_HOST): "
                   f"{counts['pending']} notification(s) wait in the outbox")
        return
    click.echo(f"sent {report.sent}, to retry {report.retried}, failed {report.failed}; "
               f"outbox: {counts['pending']} pending, {counts['sent']} sent, "
               f"{counts['failed']} failed")
    for error in report.errors:
        click.echo(f"  {error}")


@notify.command(name="list")
@click.option("--student", "student_id", required=True, help="Student id.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_obj
@errors_as_messages
def list_(settings: Settings, student_id: str, as_json: bool) -> None:
    """List a student's notifications, newest first."""
    from graph.roster import student_exists
    with store_for(settings) as store:
        found = notifications_for(store, student_id)
        if not found and not student_exists(store, student_id):
            raise NotFound(f"no student {student_id}")
    if as_json:
        click.echo(json.dumps([asdict(n) for n in found], ensure_ascii=False, indent=2))
        return
    for n in found:
        when = f"sent {_iso(n.sent)}" if n.sent else ""
        if n.status == "pending":
            when = f"next try {_iso(n.next_try)}"
        click.echo(f"{_iso(n.created)}  {n.status:<7} {n.attempts} tries  {n.to}  "
                   f"{n.subject}  {when}")
        if n.last_error and n.status != "sent":
            click.echo(f"    last error: {n.last_error}")


def _now_ms() -> int:
    return time.time_ns() // 1_000_000


def _iso(ms: int) -> str:
    return datetime.fromtimestamp(ms / 1000, UTC).strftime("%Y-%m-%d %H:%M:%SZ")
