"""`kgtutor path ...`: a student's learning path to a goal KP, its re-routes and history."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime

import click

from cli.common import errors_as_messages, store_for
from services import paths as service
from services.settings import Settings
from tutor.mastery import MASTERY_THRESHOLD
from tutor.paths import LearningPath, StepStatus, next_session
from tutor.ports import GraphStore

TAU = MASTERY_THRESHOLD
_MARK = {StepStatus.DONE: "x", StepStatus.CURRENT: ">", StepStatus.TODO: " ",
         StepStatus.REMOVED: "-"}
_goal = click.option("--goal", default=None, help="Goal KP (default: the latest path).")
_tau = click.option("--tau", type=click.FloatRange(0, 1, min_open=True), default=TAU,
                    show_default=True, help="Mastery threshold (BKT p).")


@click.group()
def path() -> None:
    """Learning paths: plan, show, re-route, and what a tutor changes."""


@path.command()
@click.argument("student_id")
@click.argument("goal")
@_tau
@click.pass_obj
@errors_as_messages
def start(settings: Settings, student_id: str, goal: str, tau: float) -> None:
    """Plan STUDENT_ID's path to GOAL (an existing path to GOAL is kept)."""
    _run(settings, lambda s, now: service.start(s, student_id, goal, tau, now))


@path.command()
@click.argument("student_id")
@_goal
@click.pass_obj
@errors_as_messages
def show(settings: Settings, student_id: str, goal: str | None) -> None:
    """Show the current path: done, current and next steps."""
    _run(settings, lambda s, _: service.current(s, student_id, goal), changes=False)


@path.command()
@click.argument("student_id")
@_goal
@click.pass_obj
@errors_as_messages
def history(settings: Settings, student_id: str, goal: str | None) -> None:
    """Every version of the student's paths, newest first, with why it was made."""
    with store_for(settings) as store:
        versions = service.history(store, student_id, goal)
    if not versions:
        click.echo(f"no learning paths for {student_id}")
    for p in versions:
        click.echo(f"v{p.version:<3} {_when(p.ts)}  {p.goal_kp}  {p.reason}")


@path.command()
@click.argument("student_id")
@_goal
@_tau
@click.pass_obj
@errors_as_messages
def refresh(settings: Settings, student_id: str, goal: str | None, tau: float) -> None:
    """Skip the steps the student has mastered since."""
    _run(settings, lambda s, now: service.refresh_mastery(s, student_id, tau, now, goal))


@path.command()
@click.argument("student_id")
@click.argument("kp_id")
@_goal
@_tau
@click.pass_obj
@errors_as_messages
def confused(settings: Settings, student_id: str, kp_id: str, goal: str | None,
             tau: float) -> None:
    """The student is confused on KP_ID: insert its unmastered prerequisites."""
    _run(settings, lambda s, now: service.reroute_confused(s, student_id, kp_id, tau, now, goal))


@path.command()
@click.argument("student_id")
@click.argument("size", type=click.IntRange(0))
@_goal
@click.pass_obj
@errors_as_messages
def fatigue(settings: Settings, student_id: str, size: int, goal: str | None) -> None:
    """Shorten the next session to SIZE steps (0: full sessions again)."""
    _run(settings, lambda s, now: service.fatigue(s, student_id, size or None, now, goal))


def _tutor_command(name: str, action: Callable[..., LearningPath], doc: str) -> None:
    @path.command(name=name, help=doc)
    @click.argument("student_id")
    @click.argument("kp_id")
    @_goal
    @click.pass_obj
    @errors_as_messages
    def command(settings: Settings, student_id: str, kp_id: str, goal: str | None) -> None:
        _run(settings, lambda s, now: action(s, student_id, kp_id, now, goal))


_tutor_command("pin", service.tutor_pin, "Pin KP_ID's step in place (a tutor's action).")
_tutor_command("unpin", service.tutor_unpin, "Unpin KP_ID's step.")
_tutor_command("remove", service.tutor_remove,
               "Take KP_ID's step out of the path (it stays listed as removed).")


def _run(settings: Settings, call: Callable[[GraphStore, int], LearningPath],
         changes: bool = True) -> None:
    """Run one service call at time ``now`` and print the path, saying when nothing changed."""
    now = int(time.time() * 1000)
    with store_for(settings) as store:
        p = call(store, now)
    click.echo(render(p))
    if changes and p.ts != now:
        click.echo("(unchanged: no new version was stored)")


def render(p: LearningPath) -> str:
    """The path as text: one line per step, then the next session."""
    lines = [f"{p.student_id} -> {p.goal_kp}  (version {p.version}, {_when(p.ts)})",
             f"why: {p.reason}"]
    for i, s in enumerate(p.steps, 1):
        flags = "".join(f"  {f}" for f, on in (("pinned", s.pinned), ("inserted", s.inserted))
                        if on)
        lines.append(f"{_MARK[s.status]} {i:>3}. {s.status:<8} {s.kp_id}{flags}")
    session = ", ".join(next_session(p)) or "nothing left: goal reached"
    short = f" (shortened to {p.session_size} by fatigue)" if p.session_size else ""
    lines.append(f"next session{short}: {session}")
    return "\n".join(lines)


def _when(ts: int) -> str:
    return datetime.fromtimestamp(ts / 1000, UTC).strftime("%Y-%m-%d %H:%M UTC")

