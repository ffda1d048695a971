"""The `kgtutor` command line: one click group; each area adds its subcommands."""

from __future__ import annotations

import click

from api import cli_prereq  # noqa: F401  (adds `graph infer-prerequisites`)
from api.cli_accounts import lms, users
from api.cli_adapt import adjust, affect, plan, profiles, report
from api.cli_evaluate import evaluate
from api.cli_graph import graph
from api.cli_lrs import lrs
from api.cli_models import train
from api.cli_notify import notify
from api.cli_path import path
from api.cli_rec import recommend, similar
from api.cli_serve import serve
from tutor.errors import KgtutorError
from tutor.settings import Settings


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
