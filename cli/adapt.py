"""`kgtutor adjust`, `profiles`, `plan`, `report` and `affect`: the adaptation commands."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import click

from cli.common import errors_as_messages, store_for
from graph import affect as affect_store
from services import adjust as adjust_job
from services import profiles as profile_job
from services.plan import plan as build_plan
from services.recommend import Recommender, load_predictors
from services.reports import student_report
from services.scheduler import build, now_ms, service_jobs
from services.settings import Settings
from tutor.adjust import WINDOW_MS
from tutor.affect import fuse, self_report
from tutor.ports import GraphStore


def _service(settings: Settings, store: GraphStore) -> Recommender:
    return Recommender(store, load_predictors(settings.models_dir))


def _dump(value: object) -> None:
    click.echo(json.dumps(value, indent=2, ensure_ascii=False, default=str))


@click.command()
@click.option("--once", is_flag=True, help="Run one adjustment now and exit (for cron).")
@click.option("--student", "students", multiple=True, help="Only these students (repeatable).")
@click.option("--at", "at_ms", type=int, default=None, help="Pretend it is this epoch ms.")
@click.pass_obj
@errors_as_messages
def adjust(settings: Settings, once: bool, students: tuple[str, ...], at_ms: int | None) -> None:
    """The 15-minute dynamic adjustment. Without --once: run the scheduler in the foreground
    (adjustments every 15 minutes, e-mail delivery every minute, profiles daily)."""
    with store_for(settings) as store:
        service = _service(settings, store)
        if not once:
            from apscheduler.schedulers.blocking import BlockingScheduler
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


@click.group()
def profiles() -> None:
    """Student profiles (behaviour aggregates, interest tags, latest emotion)."""


@profiles.command("refresh")
@click.pass_obj
@errors_as_messages
def profiles_refresh(settings: Settings) -> None:
    """Recompute every student's profile now (the daily job, by hand)."""
    with store_for(settings) as store:
        n = profile_job.refresh_all(store, _service(settings, store), now_ms())
    click.echo(f"{n} profile(s) refreshed")


@click.command()
@click.argument("student_id")
@click.pass_obj
@errors_as_messages
def plan(settings: Settings, student_id: str) -> None:
    """The adapted plan for STUDENT_ID: questions, resources, actions and their reasons."""
    with store_for(settings) as store:
        p = build_plan(store, _service(settings, store), student_id, now_ms())
    _dump(dataclasses.asdict(p))


@click.command()
@click.argument("student_id")
@click.pass_obj
@errors_as_messages
def report(settings: Settings, student_id: str) -> None:
    """The tutor's report on STUDENT_ID, as JSON."""
    with store_for(settings) as store:
        _dump(student_report(store, _service(settings, store), student_id, now_ms()))


@click.group()
def affect() -> None:
    """Affect: consent, emoji, face and voice readings, export and erasure."""


@affect.command("consent")
@click.argument("student_id")
@click.argument("choice", type=click.Choice(["yes", "no"]))
@click.pass_obj
@errors_as_messages
def affect_consent(settings: Settings, student_id: str, choice: str) -> None:
    """Record whether STUDENT_ID consents to affect processing."""
    with store_for(settings) as store:
        affect_store.set_consent(store, student_id, choice == "yes", now_ms())
    click.echo(f"{student_id}: affect processing {'on' if choice == 'yes' else 'off'}")


@affect.command("emoji")
@click.argument("student_id")
@click.argument("choice")
@click.pass_obj
@errors_as_messages
def affect_emoji(settings: Settings, student_id: str, choice: str) -> None:
    """Record an emoji self-report (happy, neutral, confused, tired, upset)."""
    now = now_ms()
    with store_for(settings) as store:
        affect_store.record(store, student_id, self_report(choice, now))
        adaptation = adjust_job.react_to_affect(store, _service(settings, store), student_id,
                                                now)
    click.echo(f"{student_id}: recorded {choice}")
    for reason in adaptation.reasons:
        click.echo(f"  {reason}")


@affect.command("sense")
@click.argument("student_id")
@click.option("--face", "faces", multiple=True, type=click.Path(exists=True, dir_okay=False,
                                                                 path_type=Path))
@click.option("--voice", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.pass_obj
@errors_as_messages
def affect_sense(settings: Settings, student_id: str, faces: tuple[Path, ...],
                 voice: Path | None) -> None:
    """Analyse face frames and/or a voice clip in memory; store only the tags."""
    from models.face_affect import detect_face
    from models.voice_affect import detect_voice
    now = now_ms()
    with store_for(settings) as store:
        if not affect_store.consent(store, student_id):
            raise click.ClickException(f"{student_id} has not consented to affect processing")
        readings = []
        if faces:
            readings.append(detect_face([f.read_bytes() for f in faces], now))
        if voice:
            readings.append(detect_voice(voice.read_bytes(), now))
        for r in readings:
            if r is not None:
                affect_store.record(store, student_id, r)
                click.echo(f"{r.source}: {r.tag} (confidence {r.confidence:.2f})")


@affect.command("state")
@click.argument("student_id")
@click.pass_obj
@errors_as_messages
def affect_state(settings: Settings, student_id: str) -> None:
    """The fused state now, from the last 15 minutes of readings."""
    now = now_ms()
    with store_for(settings) as store:
        _dump(dataclasses.asdict(fuse(affect_store.history(store, student_id, now - WINDOW_MS),
                                      now)))


@affect.command("export")
@click.argument("student_id")
@click.pass_obj
@errors_as_messages
def affect_export(settings: Settings, student_id: str) -> None:
    """Print everything stored about STUDENT_ID's affect, as JSON."""
    with store_for(settings) as store:
        _dump({"student_id": student_id, "affect": affect_store.export(store, student_id)})


@affect.command("delete")
@click.argument("student_id")
@click.pass_obj
@errors_as_messages
def affect_delete(settings: Settings, student_id: str) -> None:
    """Erase STUDENT_ID's whole affect history."""
    with store_for(settings) as store:
        n = affect_store.delete(store, student_id)
    click.echo(f"{student_id}: {n} affect record(s) deleted")
