"""The `kgtutor` command line: one click group; each area adds its subcommands."""

from __future__ import annotations

import click

from cli import prereqs  # noqa: F401  (adds `graph infer-prerequisites`)
from cli.accounts import lms, users
from cli.adapt import adjust, affect, plan, profiles, report
from cli.evaluate import evaluate
from cli.graph import graph
from cli.lrs import lrs
from cli.notify import notify
from cli.paths import path
from cli.recommend import recommend, similar
from cli.serve import serve
from cli.train import train
from services.settings import Settings
from tutor.errors import KgtutorError


@click.group()
@click.pass_context
def main(ctx: click.Context) -> None:
    """kgtutor: knowledge-graph tutoring service."""
    try:
        ctx.obj = Settings.from_env()
    except KgtutorError as e:
        raise click.ClickException(str(e)) from None


main.add_command(graph)
main.add_command(train)
main.add_command(evaluate)
main.add_command(recommend)
main.add_command(similar)
main.add_command(adjust)
main.add_command(affect)
main.add_command(plan)
main.add_command(profiles)
main.add_command(report)
main.add_command(notify)
main.add_command(path)
main.add_command(serve)
main.add_command(users)
main.add_command(lms)
main.add_command(lrs)
