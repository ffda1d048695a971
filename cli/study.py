"""`kgtutor study rehearse`: the classroom study run through the API of a running server
(``evaluation.rehearsal``); it never starts a server itself."""

from __future__ import annotations

import json
from pathlib import Path

import click

from cli.common import errors_as_messages
from services.settings import Settings


@click.group()
def study() -> None:
    """Studies in real classes: rehearse one through the API."""


@study.command()
@click.option("--api", "api_url", required=True, help="The running server, e.g. "
              "http://127.0.0.1:8000.")
@click.option("--token-file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              required=True, help="A file holding an admin's access token.")
@click.option("--students", type=click.IntRange(min=4), default=80, show_default=True)
@click.option("--budget", type=click.IntRange(min=1), default=40, show_default=True,
              help="Practice questions per student.")
@click.option("--arms", default="kgtutor,fixed", show_default=True,
              help="Comma-separated, the reference first; of kgtutor, fixed, mastery, "
                   "random.")
@click.option("--workers", type=click.IntRange(min=1), default=4, show_default=True,
              help="Students practising at once.")
@click.option("--seed", default=0, show_default=True)
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), required=True)
@click.pass_obj
@errors_as_messages
def rehearse(settings: Settings, api_url: str, token_file: Path, students: int, budget: int,
             arms: str, workers: int, seed: int, out: Path) -> None:
    """Simulated learners sit a pre-test, practise, sit a post-test and answer the
    questionnaire of an experiment, all over HTTP; writes the report, the HTTP errors and
    the request latencies to OUT."""
    from evaluation.rehearsal import RehearsalConfig
    from evaluation.rehearsal import rehearse as run
    from tutor.experiment import ARMS

    chosen = tuple(a.strip() for a in arms.split(",") if a.strip())
    if len(chosen) < 2 or any(a not in ARMS for a in chosen):
        raise click.BadParameter(f"two or more of {', '.join(ARMS)}", param_hint="--arms")
    token = token_file.read_text().strip()
    result = run(api_url, token, RehearsalConfig(students, budget, chosen, seed, workers),
                 log=click.echo)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2))
    report = result["report"]
    click.echo(f"{result['requests']:,} requests in {result['seconds']} s, "
               f"{result['http_errors']} HTTP errors, p50 {result['latency_ms']['p50']:.1f} ms, "
               f"p99 {result['latency_ms']['p99']:.1f} ms")
    for arm, a in (report.get("arms") or {}).items():
        mean = a["post_test"]["mean"]
        click.echo(f"  {arm:<8} n {a['n']:>3}  post-test "
                   f"{'-' if mean is None else f'{mean:.1f}'}  satisfaction "
                   f"{a['satisfaction']['mean'] or 0:.2f}  completion "
                   f"{a['completion']['mean'] or 0:.2f}")
    click.echo(f"wrote {out}")
