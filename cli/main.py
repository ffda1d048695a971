"""The `kgtutor` command line: one click group; each area is a module of cli/, imported only
when its command runs (or when `--help` lists it), so torch loads only for the commands that
use it."""

from __future__ import annotations

import click

from cli.common import LazyGroup
from services.settings import Settings
from tutor.errors import KgtutorError

COMMANDS = {name: f"cli.{module}:{attribute}" for name, module, attribute in (
    ("adjust", "adjust", "adjust"),
    ("affect", "affect", "affect"),
    ("curriculum", "authoring", "curriculum"),
    ("demo", "demo", "demo"),
    ("evaluate", "evaluate", "evaluate"),
    ("graph", "graph", "graph"),
    ("lms", "lms", "lms"),
    ("lrs", "lrs", "lrs"),
    ("notify", "notify", "notify"),
    ("path", "paths", "path"),
    ("plan", "plan", "plan"),
    ("profiles", "profiles", "profiles"),
    ("record", "records", "record"),
    ("recommend", "recommend", "recommend"),
    ("report", "reports", "report"),
    ("serve", "serve", "serve"),
    ("similar", "similar", "similar"),
    ("study", "study", "study"),
    ("tests", "assessment", "tests"),
    ("train", "train", "train"),
    ("users", "users", "users"),
)}


@click.group(cls=LazyGroup, lazy=COMMANDS)
@click.pass_context
def main(ctx: click.Context) -> None:
    """kgtutor: knowledge-graph tutoring service."""
    try:
        ctx.obj = Settings.from_env()
    except KgtutorError as e:
        raise click.ClickException(str(e)) from None
