"""`kgtutor curriculum ...`: a course as one JSON document, out and in (the API's
``/curriculum`` does the same for tutors; docs/authoring.md)."""

from __future__ import annotations

from pathlib import Path

import click

from cli.common import errors_as_messages, now_ms, store_for
from services.settings import Settings
from tutor.access import Principal, Role

OPERATOR = Principal("kgtutor-cli", Role.ADMIN)  # whoever runs the command line runs the server


@click.group()
def curriculum() -> None:
    """A course's chapters, KPs, prerequisites, questions and resources as one document."""


@curriculum.command("export")
@click.option("--dataset", default="seed", show_default=True)
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), required=True)
@click.pass_obj
@errors_as_messages
def export(settings: Settings, dataset: str, out: Path) -> None:
    """Write the course to OUT (answer keys included)."""
    from datasets import curriculum_json
    from services import authoring

    with store_for(settings) as store:
        doc = authoring.export_curriculum(store, OPERATOR, dataset)
    out.write_text(curriculum_json.dump(doc))
    click.echo(f"wrote {out}: " + ", ".join(f"{len(doc[s])} {s}"
                                             for s in curriculum_json.SECTIONS))


@curriculum.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.pass_obj
@errors_as_messages
def import_(settings: Settings, path: Path) -> None:
    """Check PATH whole, then write it (nothing is written when a line is wrong)."""
    from services import authoring

    with store_for(settings) as store:
        counts = authoring.import_curriculum(store, OPERATOR, path.read_text(), now_ms())
    click.echo("imported " + ", ".join(f"{n} {s}" for s, n in counts.items()))


@curriculum.command("questions-export")
@click.option("--dataset", default="seed", show_default=True)
@click.option("--format", "fmt", type=click.Choice(["gift", "moodle"]), default="gift",
              show_default=True, help="Moodle's GIFT, or Moodle XML.")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), required=True)
@click.pass_obj
@errors_as_messages
def questions_export(settings: Settings, dataset: str, fmt: str, out: Path) -> None:
    """Write the course's current questions to OUT in a question-bank format."""
    from services import authoring

    with store_for(settings) as store:
        text = authoring.export_questions(store, OPERATOR, dataset, fmt)
    out.write_text(text)
    click.echo(f"wrote {out}")


@curriculum.command("questions-import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["gift", "moodle"]), default="gift",
              show_default=True)
@click.option("--kp", default=None, help="The KP of questions under no category.")
@click.pass_obj
@errors_as_messages
def questions_import(settings: Settings, path: Path, fmt: str, kp: str | None) -> None:
    """Questions from a GIFT or Moodle XML file (all checked first; errors by line)."""
    from services import authoring

    with store_for(settings) as store:
        counts = authoring.import_questions(store, OPERATOR, path.read_text(), fmt, kp,
                                            now_ms())
    click.echo("questions " + ", ".join(f"{k}: {n}" for k, n in counts.items()))
