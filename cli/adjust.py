"""`kgtutor adjust`: the 15-minute dynamic adjustment, once or on a schedule."""

from __future__ import annotations

import click

from cli.common import errors_as_messages, now_ms, recommender, store_for
from services.settings import Settings


@click.command()
@click.option("--once", is_flag=True, help="Run one adjustment now and exit (for cron).")
@click.option("--student", "students", multiple=True, help="Only these students (repeatable).")
@click.option("--at", "at_ms", type=int, default=None, help="Pretend it is this epoch ms.")
@click.pass_obj
@errors_as_messages
def adjust(settings: Settings, once: bool, students: tuple[str, ...], at_ms: int | None) -> None:
    """The 15-minute dynamic adjustment. Without --once: run the scheduler in the foreground
    (adjustments every 15 minutes, e-mail delivery every minute, profiles daily)."""
    from services import adjust as adjust_job
    with store_for(settings) as store:
        service = recommender(settings, store)
        if not once:
            from apscheduler.schedulers.blocking import BlockingScheduler

            from services.scheduler import build, service_jobs
            click.echo("scheduler running; Ctrl-C stops it")
            build(service_jobs(store, service, settings), scheduler=BlockingScheduler()).start()
            return
        run = adjust_job.run_once(store, service, at_ms or now_ms(), students or None)
    click.echo(f"window {run.window}: {len(run.created)} adjusted, {len(run.already_done)} "
               f"already adjusted by another run, {run.emails_queued} e-mail(s) queued")
    for a in run.created:
        click.echo(f"  {a.student_id}: {', '.join(a.findings) or 'on track'}")
        for action in a.actions:
            click.echo(f"    - {action.kind} {' '.join(action.kp_ids)} {action.text}".rstrip())
