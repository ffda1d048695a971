"""The `kgtutor` command line: one click group; each area is a module of cli/, imported only
when its command runs, so torch loads only for the commands that use it, and `--help` lists
them from their summaries here without importing any."""

from __future__ import annotations

import click

from cli.common import LazyGroup
from services.settings import Settings
from tutor.errors import KgtutorError

COMMANDS = {  # name: (module, attribute, its help's first sentence, which `--help` lists)
    "adjust": ("adjust", "adjust", "The 15-minute dynamic adjustment."),
    "affect": ("affect", "affect",
               "Affect: consent, emoji, face and voice readings, export and erasure."),
    "curriculum": ("authoring", "curriculum", "A course's chapters, KPs, prerequisites, "
                   "questions and resources as one document."),
    "demo": ("demo", "demo", "The demo `make demo` serves."),
    "evaluate": ("evaluate", "evaluate", "Offline evaluations on held-out students; the "
                 "simulated classroom study."),
    "graph": ("graph", "graph", "The knowledge graph: server, imports, map."),
    "lms": ("lms", "lms", "LMS service accounts: client credentials scoped to one tenant."),
    "lrs": ("lrs", "lrs", "The learning record store connector (KGTUTOR_LRS_URL, _USER, "
            "_PASSWORD, _TENANT)."),
    "notify": ("notify", "notify",
               "E-mail notifications: the outbox in the graph and its SMTP delivery."),
    "path": ("paths", "path", "Learning paths: plan, show, re-route, and what a tutor changes."),
    "plan": ("plan", "plan", "The adapted plan for STUDENT_ID: questions, resources, actions "
             "and their reasons."),
    "profiles": ("profiles", "profiles", "Student profiles (behaviour aggregates, interest "
                 "tags, latest emotion)."),
    "record": ("records", "record", "A student's whole record: export it (right of access) "
               "or erase it (right to erasure)."),
    "recommend": ("recommend", "recommend", "Recommend questions for STUDENT_ID: KPs from "
                  "the graph, then questions on them."),
    "report": ("reports", "report", "The tutor's report on STUDENT_ID, as JSON."),
    "serve": ("serve", "serve", "Serve the API with gunicorn: every core busy, the jobs in "
              "their own process."),
    "similar": ("similar", "similar", "More like this: questions and resources whose text is "
                "closest to ITEM_ID's."),
    "study": ("study", "study", "Studies in real classes: rehearse one through the API."),
    "tests": ("assessment", "tests", "Tests: list them, publish, close, reopen or archive "
              "them, read their results."),
    "train": ("train", "train", "Train a model on a dataset and save it under var/models/."),
    "users": ("users", "users", "People who log in to the API: students, tutors, admins."),
}


@click.group(cls=LazyGroup, lazy={name: f"cli.{module}:{attribute}"
                                  for name, (module, attribute, _) in COMMANDS.items()},
             summaries={name: summary for name, (_, _, summary) in COMMANDS.items()})
@click.pass_context
def main(ctx: click.Context) -> None:
    """kgtutor: knowledge-graph tutoring service."""
    try:
        ctx.obj = Settings.from_env()
    except KgtutorError as e:
        raise click.ClickException(str(e)) from None
