"""`kgtutor affect ...`: consent, emoji, face and voice readings, export and erasure."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import click

from cli.common import echo_json, errors_as_messages, now_ms, recommender, store_for
from graph import affect as affect_store
from services.settings import Settings
from tutor.affect import fuse, self_report


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
    from services import adjust as adjust_job
    now = now_ms()
    with store_for(settings) as store:
        affect_store.record(store, student_id, self_report(choice, now))
        adaptation = adjust_job.react_to_affect(store, recommender(settings, store), student_id,
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
    """Analyse face frames and/or a voice clip in memory; store only the tags, then react as
    the API does (path re-route, tutor e-mail at most once a window)."""
    from models.face_affect import detect_face
    from models.voice_affect import detect_voice
    from services import adjust as adjust_job
    now = now_ms()
    with store_for(settings) as store:
        if not affect_store.consent(store, student_id):
            raise click.ClickException(f"{student_id} has not consented to affect processing")
        readings = []
        if faces:
            readings.append(detect_face([f.read_bytes() for f in faces], now))
        if voice:
            readings.append(detect_voice(voice.read_bytes(), now))
        stored = [r for r in readings if r is not None]
        for r in stored:
            affect_store.record(store, student_id, r)
            click.echo(f"{r.source}: {r.tag} (confidence {r.confidence:.2f})")
        if stored:
            adaptation = adjust_job.react_to_affect(store, recommender(settings, store),
                                                    student_id, now)
            for reason in adaptation.reasons:
                click.echo(f"  {reason}")


@affect.command("state")
@click.argument("student_id")
@click.pass_obj
@errors_as_messages
def affect_state(settings: Settings, student_id: str) -> None:
    """The fused state now, from the last 15 minutes of readings."""
    from tutor.adjust import WINDOW_MS
    now = now_ms()
    with store_for(settings) as store:
        echo_json(dataclasses.asdict(fuse(affect_store.history(store, student_id,
                                                               now - WINDOW_MS), now)))


@affect.command("export")
@click.argument("student_id")
@click.pass_obj
@errors_as_messages
def affect_export(settings: Settings, student_id: str) -> None:
    """Print everything stored about STUDENT_ID's affect, as JSON."""
    with store_for(settings) as store:
        echo_json({"student_id": student_id, "affect": affect_store.export(store, student_id)})


@affect.command("delete")
@click.argument("student_id")
@click.pass_obj
@errors_as_messages
def affect_delete(settings: Settings, student_id: str) -> None:
    """Erase STUDENT_ID's whole affect history."""
    with store_for(settings) as store:
        n = affect_store.delete(store, student_id)
    click.echo(f"{student_id}: {n} affect record(s) deleted")
