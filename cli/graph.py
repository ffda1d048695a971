"""`kgtutor graph ...`: the embedded server, imports, the knowledge map."""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from cli.common import LazyGroup, errors_as_messages, store_for
from graph import cache_version
from graph import maps as km
from services.settings import Settings
from services.store import embedded_server
from tutor.imports import ImportReport
from tutor.ports import GraphStore

if TYPE_CHECKING:
    from graph.ingest import GraphData, IngestResult

_MAX_PROBLEMS_SHOWN = 20


@click.group(cls=LazyGroup,
             lazy={"infer-prerequisites": "cli.prereqs:infer_prerequisites_"})
def graph() -> None:
    """The knowledge graph: server, imports, map."""


@graph.command()
@click.pass_obj
@errors_as_messages
def start(settings: Settings) -> None:
    """Start the embedded FalkorDB server (or re-attach to it)."""
    status = embedded_server(settings).start()
    click.echo(f"embedded graph running: pid {status.pid}, socket {status.socket}")


@graph.command()
@click.option("--force", is_flag=True, help="Also remove a stale pid file.")
@click.pass_obj
@errors_as_messages
def stop(settings: Settings, force: bool) -> None:
    """Stop the embedded server cleanly (data persist)."""
    stopped = embedded_server(settings).stop(force=force)
    click.echo("embedded graph stopped" if stopped else "embedded graph was not running")


@graph.command()
@click.pass_obj
@errors_as_messages
def status(settings: Settings) -> None:
    """Tell whether the embedded server runs."""
    s = embedded_server(settings).status()
    state = f"running (pid {s.pid})" if s.running else "stopped"
    click.echo(f"embedded graph {state}; data in {s.data_dir}")


@graph.command()
@click.option("--path", type=click.Path(path_type=Path), default=None,
              help="Curriculum folder (default: the shipped algebra course).")
@click.pass_obj
@errors_as_messages
def seed(settings: Settings, path: Path | None) -> None:
    """Load the demo curriculum (idempotent)."""
    from services import imports as sources
    data, report = sources.seed_source(path) if path else sources.seed_source()
    _run_import(settings, data, report)


@graph.command(name="simulate-cohort")
@click.option("--students", type=click.IntRange(min=20), default=300, show_default=True)
@click.option("--seed", "seed_", default=0, show_default=True, help="One seed, one cohort.")
@click.pass_obj
@errors_as_messages
def simulate_cohort(settings: Settings, students: int, seed_: int) -> None:
    """Load a simulated historical cohort on the demo curriculum (run `graph seed` first), as
    the seed dataset's own students and answers.

    For a demo with no data set: train on it with `kgtutor train ... --dataset seed` (as
    `kgtutor demo setup` does), so the seed curriculum's students meet calibrated items, fitted
    learn rates and the Bi-LSTM. Idempotent (deterministic event ids)."""
    from evaluation.demo_cohort import SOURCE, demo_cohort
    from graph.ingest import GraphData
    from services.imports import SEED_DATASET

    cohort = demo_cohort(students, seed_)
    data = GraphData(SEED_DATASET, students=cohort.students, attempts=cohort.attempts)
    _run_import(settings, data, ImportReport(source=f"{SOURCE} ({students} learners, seed "
                                                    f"{seed_})"))


@graph.group(name="import")
def import_() -> None:
    """Import real data (idempotent: a second import changes nothing)."""


def _importer(command: str | None = None, name: str | None = None, of: str = "the file's stem",
              metavar: str = "PATH") -> Callable[[Callable[..., None]], Any]:
    """What every import command shares: its PATH, ``--name`` (default ``name``, else ``of``),
    the settings and one-line errors; the command's own options go below it."""
    def decorate(fn: Callable[..., None]) -> Any:
        name_help = "Dataset name for ids." if name else f"Dataset name for ids (default: {of})."
        for wrap in (errors_as_messages, click.pass_obj,
                     click.option("--name", default=name, show_default=bool(name),
                                  help=name_help),
                     click.argument("path", type=click.Path(path_type=Path), metavar=metavar),
                     import_.command(name=command)):
            fn = wrap(fn)
        return fn
    return decorate


@_importer(of="the folder's name", metavar="FOLDER")
def assist2009(settings: Settings, path: Path, name: str | None) -> None:
    """lpp-format folder: *.csv (user_id item_id timestamp correct [skill_id]) + q_mat.npz."""
    from services import imports as sources
    _run_import(settings, *sources.assist_source(path, name))


@_importer()
def assistments(settings: Settings, path: Path, name: str | None) -> None:
    """An ASSISTments CSV as ASSISTments ships it: the 2009 skill builder, 2012, 2015 or 2017."""
    from services import imports as sources
    _run_import(settings, *sources.assistments_source(path, name))


@_importer()
@click.option("--kc", default=None,
              help="The knowledge-component model whose KCs become KPs: KC(<this>) "
                   "(default: Default, else the file's first model).")
def datashop(settings: Settings, path: Path, name: str | None, kc: str | None) -> None:
    """A DataShop student-step or transaction export: KDD Cup 2010, OLI courses (Statics)."""
    from services import imports as sources
    _run_import(settings, *sources.datashop_source(path, name, kc))


@_importer()
def eedi(settings: Settings, path: Path, name: str | None) -> None:
    """Eedi's NeurIPS 2020 answers (train_task_*.csv), with the metadata beside them."""
    from services import imports as sources
    _run_import(settings, *sources.eedi_source(path, name))


@_importer(of="the folder's name", metavar="FOLDER")
@click.option("--questions", type=click.Path(path_type=Path), default=None,
              help="EdNet-Contents' questions.csv (default: in the folder or ../contents).")
@click.option("--users", type=click.IntRange(min=1), default=None,
              help="Read only the first N students' files.")
def ednet(settings: Settings, path: Path, name: str | None, questions: Path | None,
          users: int | None) -> None:
    """EdNet KT1: a folder of u<N>.csv files, one per student, with the contents' questions."""
    from services import imports as sources
    _run_import(settings, *sources.ednet_source(path, name, questions, users))


@_importer(of="the file's stem or the folder's name")
def sequences(settings: Settings, path: Path, name: str | None) -> None:
    """Knowledge-tracing sequences: DKT/DKVMN (3 lines per student), AKT (4), pyKT's data.txt
    (6) or train_valid.csv and test.csv; a file, or a folder of folds (its first fold)."""
    from services import imports as sources
    _run_import(settings, *sources.sequences_source(path, name))


@_importer(name="junyi")
def junyi(settings: Settings, path: Path, name: str) -> None:
    """Junyi Academy exercise table: exercises, topics, prerequisites."""
    from services import imports as sources
    _run_import(settings, *sources.junyi_source(path, name))


@_importer(command="junyi-log", name="junyi")
@click.option("--exercises", type=click.Path(path_type=Path), default=None,
              help="The exercise table (default: junyi_Exercise_table.csv beside the log).")
def junyi_log(settings: Settings, path: Path, name: str, exercises: Path | None) -> None:
    """Junyi Academy problem log (junyi_ProblemLog_original.csv), with the exercise table."""
    from services import imports as sources
    _run_import(settings, *sources.junyi_log_source(path, name, exercises))


@_importer(command="csv")
@click.option("--features-out", type=click.Path(path_type=Path), default=None,
              help="Also write the cleaned feature table (z-scores, one-hot) to this CSV.")
def csv_(settings: Settings, path: Path, name: str | None, features_out: Path | None) -> None:
    """Generic LMS export CSV, cleaned by the documented rules."""
    from services import imports as sources
    _run_import(settings, *sources.lms_source(path, name, features_out))


@graph.command()
@click.option("--json", "as_json", is_flag=True, help="Print JSON (the format scripts read).")
@click.pass_obj
@errors_as_messages
def stats(settings: Settings, as_json: bool) -> None:
    """Count nodes by label, relationships by type, and attempts."""
    with store_for(settings) as store:
        result = km.graph_stats(store)
    if as_json:
        click.echo(json.dumps(result, sort_keys=True))
        return
    for section in ("nodes", "relationships"):
        click.echo(f"{section}:")
        for key, count in sorted(result[section].items()):
            click.echo(f"  {key:<24} {count:>9,}")
    click.echo(f"attempts: {result['attempts']:,}")


@graph.command(name="map")
@click.option("--chapter", default=None, help="Chapter id: show its KP graph.")
@click.option("--student", default=None, help="Overlay this student's mastery (and frontier).")
@click.option("--class", "class_id", default=None, help="Overlay this class's mean mastery.")
@click.option("--dataset", default=None, help="Only chapters of this dataset.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_obj
@errors_as_messages
def map_(settings: Settings, chapter: str | None, student: str | None, class_id: str | None,
         dataset: str | None, as_json: bool) -> None:
    """Browse the knowledge map: chapters, or one chapter's KPs and prerequisite edges."""
    with store_for(settings) as store:
        result = _map_view(store, chapter, student, class_id, dataset)
    if as_json:
        click.echo(json.dumps(result, ensure_ascii=False, indent=2))
    else:
        _print_map(result)


@graph.command()
@click.argument("kp_id")
@click.pass_obj
@errors_as_messages
def ancestors(settings: Settings, kp_id: str) -> None:
    """List every direct or indirect prerequisite of a KP."""
    with store_for(settings) as store:
        for ancestor_id, name in km.ancestors(store, kp_id):
            click.echo(f"{ancestor_id}\t{name}")


@graph.command()
@click.argument("from_id")
@click.argument("to_id")
@click.pass_obj
@errors_as_messages
def chain(settings: Settings, from_id: str, to_id: str) -> None:
    """Print the shortest prerequisite chain from one KP to another."""
    with store_for(settings) as store:
        path = km.prerequisite_chain(store, from_id, to_id)
    click.echo(" -> ".join(path) if path else f"no prerequisite chain from {from_id} to {to_id}")


def _map_view(store: GraphStore, chapter: str | None, student: str | None,
              class_id: str | None, dataset: str | None) -> dict[str, Any]:
    overlay = {}
    if student:
        overlay = km.student_overlay(store, student)
    elif class_id:
        overlay = km.class_overlay(store, class_id)
    view: dict[str, Any] = {}
    if chapter:
        view["map"] = asdict(km.chapter_map(store, chapter, overlay))
    else:
        view["chapters"] = [asdict(c) for c in km.chapters(store, dataset)]
        view["overlay"] = [asdict(m) for m in overlay.values()]
    if student:
        view["frontier"] = [asdict(f) for f in km.frontier(store, student)]
    return view


def _print_map(view: dict[str, Any]) -> None:
    for c in view.get("chapters", []):
        click.echo(f"{c['id']:<48} {c['kps']:>4} KPs  {c['name']}")
    if "map" in view:
        for kp in view["map"]["kps"]:
            mastery = "" if kp["mastery"] is None else f"  mastery {kp['mastery']:.2f}"
            ext = "  (other chapter)" if kp["external"] else ""
            click.echo(f"{kp['id']:<48} {kp['name']}{mastery}{ext}")
        for e in view["map"]["edges"]:
            click.echo(f"  {e['before']} -> {e['after']}")
    for f in view.get("frontier", []):
        click.echo(f"ready: {f['id']} ({f['name']}, p={f['p']:.2f})")


def _run_import(settings: Settings, data: GraphData, report: ImportReport) -> None:
    from graph.ingest import ingest
    started = time.perf_counter()
    with store_for(settings) as store:
        result = ingest(store, data, settings.batch_size, progress=sys.stderr.isatty(),
                        repair=True)
        cache_version.bump(store)  # every API worker rereads the catalogue
    if settings.backend == "embedded":
        embedded_server(settings).compact()
    _print_report(report, result, time.perf_counter() - started)


def _print_report(report: ImportReport, result: IngestResult, seconds: float) -> None:
    click.echo(f"import of {report.source} done in {seconds:.1f} s")
    for key, value in report.counts.items():
        click.echo(f"  read {key}: {value:,}")
    for key, value in result.written.items():
        if value:
            click.echo(f"  wrote {key}: {value:,}")
    click.echo(f"  attempts new: {result.attempts_new:,}, "
               f"already stored: {result.attempts_existing:,}; "
               f"mastery edges refreshed: {result.mastery_refreshed:,}; "
               f"abilities (theta) refreshed: {result.theta_refreshed:,}")
    for note in report.notes:
        click.echo(f"  note: {note}")
    for problem in report.problems[:_MAX_PROBLEMS_SHOWN]:
        click.echo(f"  skipped line {problem.line}: {problem.reason}")
    hidden = len(report.problems) - _MAX_PROBLEMS_SHOWN
    if hidden > 0:
        click.echo(f"  ... and {hidden:,} more skipped rows")
