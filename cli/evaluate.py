"""`kgtutor evaluate kt|rec|learning|cat|resources`: the offline evaluations on held-out
students, side by side with their baselines, the simulated classroom study, the adaptive test
and the resource ranking. The runs live in ``evaluation/``; this
module parses, prints and writes."""

from __future__ import annotations

import json
import os
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

import click

from cli.common import DATA_FORMATS, errors_as_messages
from cli.train import bilstm_plan, epochs_bar, load_data, model_options
from services.settings import Settings
from tutor.errors import InvalidInput
from tutor.recommend_types import RecConfig

if TYPE_CHECKING:
    from tqdm import tqdm

    from evaluation.domains import Domain
    from models.trainer import EpochLog


class _Setting(click.ParamType):
    """NAME=V: a stage-1 signal's weight, or one of RecConfig's numeric settings."""

    name = "NAME=V"

    def convert(self, value: object, param: click.Parameter | None,
                ctx: click.Context | None) -> tuple[str, float]:
        from evaluation.tutor_policy import TUNABLE, tuned
        from tutor.kp_ranking import SIGNALS

        if isinstance(value, tuple):
            return value
        name, _, setting = str(value).partition("=")
        try:
            v = float(setting)
        except ValueError:
            self.fail(f"{value!r} is not NAME=V with V a number", param, ctx)
        if name not in SIGNALS and name not in TUNABLE:
            self.fail(f"{name!r} is neither a stage-1 signal ({', '.join(SIGNALS)}) nor a "
                      f"setting ({', '.join(TUNABLE)})", param, ctx)
        if TUNABLE.get(name) is int and not v.is_integer():
            self.fail(f"{name} takes a whole number, not {setting}", param, ctx)
        try:
            tuned(name, v)
        except InvalidInput as e:
            self.fail(str(e), param, ctx)
        return name, v


SETTING = _Setting()


@click.group()
def evaluate() -> None:
    """Offline evaluations on held-out students; the simulated classroom study."""


@evaluate.command()
@model_options
@click.option("--out", type=click.Path(path_type=Path), default=None,
              help='Also write {"models": {name: {"auc", "accuracy", "logloss"}}} as JSON.')
@click.pass_obj
@errors_as_messages
def kt(settings: Settings, data: Path | None, device: str, seed: int, epochs: int | None,
       threads: int | None, out: Path | None) -> None:
    """Next-response correctness on test students: irt, bilstm, bilstm_gnn, shuffled."""
    from tqdm import tqdm

    from evaluation.kt import evaluate_kt, format_table

    kt_data = load_data(settings, data, device, threads)
    plan = bilstm_plan(epochs)
    bars: dict[str, tqdm] = {}

    def on_epoch(name: str, log: EpochLog) -> None:
        bar = bars.setdefault(name, tqdm(total=plan.epochs, desc=name, unit="epoch",
                                         leave=False, disable=None))
        bar.set_postfix(val_auc=f"{log.val_score:.4f}")
        bar.update()

    try:
        report = evaluate_kt(kt_data, seed, device, plan, on_epoch=on_epoch,
                             log=lambda m: click.echo(m, err=True))
    finally:
        for bar in bars.values():
            bar.close()
    click.echo(format_table(report))
    _write_json(report, out)


@evaluate.command()
@model_options
@click.option("--splits", default="0.6,0.7,0.8,0.9", show_default=True,
              help="Shares of each test student's history observed before recommending.")
@click.option("-n", "--n", "n", type=click.IntRange(1, 100), default=10, show_default=True,
              help="Recommendations per student (the @N of the metrics).")
@click.option("--exposure", type=click.FloatRange(min=0), default=RecConfig().exposure,
              show_default=True,
              help="Our item exposure control: Gumbel scale inside a KP (0: off).")
@click.option("--out", type=click.Path(path_type=Path), default=None,
              help='Also write {"splits": {split: {method: {metric: value}}}} as JSON.')
@click.option("--figure", type=click.Path(path_type=Path), default=None,
              help="Where to draw each metric against the split [default: var/rec_eval.png].")
@click.pass_obj
@errors_as_messages
def rec(settings: Settings, data: Path | None, device: str, seed: int, epochs: int | None,
        threads: int | None, splits: str, n: int, exposure: float, out: Path | None,
        figure: Path | None) -> None:
    """Replay test students: recommend after a prefix; a hit is practised later.

    ``sequence_only`` is an ablation (our sequence model without the KP stage and the band).
    """
    from evaluation.figures import plot_metrics
    from evaluation.offline import compare_recommenders
    from evaluation.recommend import markdown_table

    shares = _shares(splits)
    kt = load_data(settings, data, device, threads)
    plan = bilstm_plan(epochs)
    with epochs_bar("bilstm", plan.epochs) as on_epoch:
        report = compare_recommenders(kt, shares, n, RecConfig(exposure=exposure), plan, seed,
                                      device, on_epoch)
    click.echo(markdown_table(report))
    figure = figure or settings.var_dir / "rec_eval.png"
    figure.parent.mkdir(parents=True, exist_ok=True)
    plot_metrics(report, figure)
    click.echo(f"figure: {figure}")
    _write_json(report, out)


@evaluate.command()
@click.option("--data", type=click.Path(path_type=Path), default=None,
              help=f"{DATA_FORMATS}: the simulator is fitted on its train split.")
@click.option("--domain", type=click.Choice(["demo", "junyi"]), default=None,
              help="demo: the seed curriculum (no data needed); junyi: the Junyi exercise "
                   "table's map under KGTUTOR_DATA, parameters drawn from ASSIST2009's fit.")
@click.option("--students-per-arm", type=click.IntRange(min=2), default=100, show_default=True)
@click.option("--seeds", type=click.IntRange(min=1), default=5, show_default=True)
@click.option("--first-seed", type=click.IntRange(min=0), default=0, show_default=True,
              help="Seeds run are first-seed.. ; tune on seeds apart from the reported ones.")
@click.option("--ablations", is_flag=True, help="Add the tutor's ablations as arms.")
@click.option("--soft-frontier", "soft_frontiers", type=click.FloatRange(0, 1, min_open=True),
              multiple=True, metavar="R",
              help="Add a kgtutor arm whose stage 1 admits KPs past the frontier whose "
                   "prerequisites are all known with chance >= R (RecConfig.ready; the "
                   "product's is 0.1); repeatable. For tuning seeds.")
@click.option("--config-arm", "--weight-arm", "config_arms", type=SETTING, multiple=True,
              help="NAME=V: add a kgtutor arm whose stage-1 weight NAME is V (RecConfig.weights, "
                   "e.g. complete=1) or whose RecConfig setting NAME is V (e.g. "
                   "mastery_threshold=0.9); repeatable. For tuning seeds.")
@click.option("--paired", is_flag=True,
              help="Tuning design: every arm practises the same learners, and comparisons add "
                   "the paired difference (far tighter than randomised arms). Not for the "
                   "reported seeds.")
@click.option("--pretest", type=click.Choice(["hidden", "seen"]), default="hidden",
              show_default=True,
              help="seen: the arms that read answers are given each learner's drawn pre-test "
                   "answers, as the product records a sitting's answers as attempts.")
@click.option("--map", "map_", type=click.Choice(["true", "degraded"]), default="true",
              show_default=True, help="The prerequisite map the tutors are given.")
@click.option("--history-students", type=click.IntRange(min=2), default=1000,
              show_default=True, help="Historical learners the tutors train on.")
@click.option("--history", type=click.Choice(["skill-builder", "fixed"]),
              default="skill-builder", show_default=True,
              help="How the historical cohort practised: skill builders as in the real logs, "
                   "or the fixed schedule (one answer per KP).")
@click.option("--no-bilstm", is_flag=True, help="Train no Bi-LSTM (the tutor runs without it).")
@click.option("--bilstm-epochs", type=click.IntRange(min=1), default=None,
              help="Cap the Bi-LSTM's epochs [default: early stopping].")
@click.option("--bkt-restarts", type=click.IntRange(min=1), default=1, show_default=True,
              help="EM restarts of the tutor's per-KP BKT fit (the product's `train bkt` "
                   "uses 1). For tuning seeds.")
@click.option("--told-arm", "told", type=click.Choice(["bkt", "prior", "state"]), multiple=True,
              help="Add an arm kgtutor_true_WHAT: the product told what it can never read, to "
                   "bound what inferring it better could give. bkt: the simulator's own per-KP "
                   "BKT parameters; prior: each learner's own chance of knowing each KP on "
                   "arrival; state: which KPs each learner knows on arrival. Repeatable. For "
                   "tuning seeds.")
@click.option("--true-bkt-arm", is_flag=True, hidden=True, help="The same as --told-arm bkt.")
@click.option("--fidelity/--no-fidelity", default=True, show_default=True,
              help="With --data, train the Bi-LSTM on simulated and on real logs and compare "
                   "their AUCs (about 70 s on ASSIST2009).")
@click.option("--threads", type=click.IntRange(min=1), default=None,
              help="CPU threads for torch [default: torch's].")
@click.option("--ability/--no-ability", default=True, show_default=True,
              help="Learners differ by a general ability, its spread fitted on the data "
                   "(docs/evaluation/learning.md); --no-ability: they differ only by chance.")
@click.option("--workers", type=click.IntRange(min=1), default=None,
              help="Processes running seeds side by side, one torch thread each "
                   "[default: the CPU count]; 1 runs in this process with a bar per arm.")
@click.option("--out", type=click.Path(path_type=Path), required=True,
              help="FILE.json; FILE.md (tables) and FILE.png (figure) are written beside it.")
@click.pass_obj
@errors_as_messages
def learning(settings: Settings, data: Path | None, domain: str | None, students_per_arm: int,
             seeds: int, first_seed: int, ablations: bool, soft_frontiers: tuple[float, ...],
             config_arms: tuple[tuple[str, float], ...], paired: bool, pretest: str, map_: str,
             history_students: int,
             history: str, no_bilstm: bool, bilstm_epochs: int | None, bkt_restarts: int,
             told: tuple[str, ...], true_bkt_arm: bool, fidelity: bool,
             threads: int | None, ability: bool, workers: int | None, out: Path) -> None:
    """The simulated classroom study: which policy makes simulated learners learn most."""
    from tqdm import tqdm

    from evaluation.domains import demo_domain, lpp_domain
    from evaluation.figures import plot_study
    from evaluation.study import StudyConfig, run_study
    from evaluation.study_report import markdown_table

    if (data is None) == (domain is None):
        raise InvalidInput("give exactly one of --data PATH or --domain demo|junyi")
    if threads is not None:
        import torch

        torch.set_num_threads(threads)
    config = StudyConfig(students_per_arm=students_per_arm, seeds=seeds, first_seed=first_seed,
                         map=map_, ablations=ablations, soft_frontiers=soft_frontiers,
                         config_arms=config_arms,
                         paired=paired, pretest=pretest,
                         history_students=history_students,
                         history=history.replace("-", "_"),
                         bilstm=not no_bilstm, bilstm_epochs=bilstm_epochs,
                         bkt_restarts=bkt_restarts,
                         told=tuple(dict.fromkeys((*told, *(("bkt",) if true_bkt_arm else ())))),
                         fidelity_auc=fidelity)
    world = (lpp_domain(data, settings.var_dir / "sim") if data is not None
             else demo_domain() if domain == "demo" else _junyi(settings))
    if not ability:
        world = replace(world, params=replace(world.params, ability_sd=0.0))
    result = run_study(world, config, lambda items, label, total: tqdm(
        items, desc=label, total=total, leave=False, disable=None),
        workers=min(workers or os.cpu_count() or 1, seeds + 1))
    table = markdown_table(result.report)
    click.echo(table)
    _write_json(result.report, out)
    out.with_suffix(".md").write_text(table)
    plot_study(result.report, {a: [o.post for o in v] for a, v in result.outcomes.items()},
               out.with_suffix(".png"), result.fidelity_rates)
    click.echo(f"wrote {out.with_suffix('.md')} and {out.with_suffix('.png')}")


@evaluate.command()
@click.option("--data", type=click.Path(path_type=Path), default=None,
              help=f"{DATA_FORMATS}; the item bank is the 2PL fitted on all its answers. "
                   "[default: $KGTUTOR_DATA/assist2009/lpp]")
@click.option("--examinees", type=click.IntRange(min=10), default=1000, show_default=True)
@click.option("--seed", default=0, show_default=True)
@click.option("--min-responses", type=click.IntRange(min=1), default=50, show_default=True,
              help="Questions with fewer answers are left out of the bank.")
@click.option("--out", type=click.Path(path_type=Path), required=True,
              help="FILE.json; FILE.md (the table) is written beside it.")
@click.pass_obj
@errors_as_messages
def cat(settings: Settings, data: Path | None, examinees: int, seed: int, min_responses: int,
        out: Path) -> None:
    """The adaptive test against two fixed forms, on simulated examinees of known ability."""
    import numpy as np
    from tqdm import tqdm

    from evaluation.cat import CatStudy, cold_start, evaluate_cat, markdown
    from evaluation.offline import lpp_catalogue
    from models.training import calibrate_irt
    from tutor.prereqs import infer_prerequisites

    kt_data = load_data(settings, data, "cpu", None)
    irt = calibrate_irt(kt_data)
    p = irt.params
    try:
        report = evaluate_cat(p.a, p.b, p.item_responses,
                              CatStudy(examinees=examinees, seed=seed,
                                       min_responses=min_responses),
                              lambda xs, label, n: tqdm(xs, desc=label, total=n, leave=False,
                                                        disable=None))
    except ValueError as e:
        raise InvalidInput(str(e)) from None
    edges = infer_prerequisites(kt_data.train, kt_data.item_skills, kt_data.skill_ids).edges
    catalogue = lpp_catalogue(kt_data, kt_data.train, p.a, p.b, edges)
    report["cold_start"] = cold_start(catalogue, p.a, p.b,
                                      np.flatnonzero(p.item_responses >= min_responses),
                                      seed=seed)
    table = markdown(report)
    click.echo(table)
    _write_json(report, out)
    out.with_suffix(".md").write_text(table)


@evaluate.command()
@click.option("--learners", type=click.IntRange(min=2), default=300, show_default=True,
              help="Simulated learners per arm (the same ones in every arm).")
@click.option("--history", type=click.IntRange(min=1), default=300, show_default=True,
              help="Learners whose resource uses the ranking learns from.")
@click.option("--questions", type=click.IntRange(min=10), default=120, show_default=True,
              help="Answers per learner.")
@click.option("--seed", type=click.IntRange(min=0), default=0, show_default=True)
@click.option("--out", type=click.Path(path_type=Path), required=True,
              help="FILE.json; FILE.md (the table) is written beside it.")
@errors_as_messages
def resources(learners: int, history: int, questions: int, seed: int, out: Path) -> None:
    """The resource ranking against the basic-first order, on simulated learners of the demo
    curriculum (evaluation/resource_study.py says how)."""
    from evaluation.resource_study import ResourceStudy, markdown, run_study

    report = run_study(ResourceStudy(learners=learners, history=history, questions=questions,
                                     seed=seed),
                       lambda stage: click.echo(f"simulating: {stage}", err=True))
    table = markdown(report)
    click.echo(table)
    _write_json(report, out)
    out.with_suffix(".md").write_text(table)


def _junyi(settings: Settings) -> Domain:
    """Junyi's map under the data folder, drawn from the ASSIST2009 fit there if any."""
    from evaluation.domains import fitted, junyi_domain

    lpp = settings.data_root / "assist2009" / "lpp"
    reference = fitted(lpp, settings.var_dir / "sim")[1] if lpp.is_dir() else None
    return junyi_domain(settings.data_root / "junyi" / "junyi_Exercise_table.csv", reference)


def _shares(splits: str) -> list[float]:
    try:
        shares = [float(x) for x in splits.split(",")]
    except ValueError:
        raise InvalidInput(f"--splits {splits!r}: give shares like 0.6,0.8") from None
    if not all(0 < x < 1 for x in shares):
        raise InvalidInput(f"--splits {splits!r}: every share must lie strictly between 0 and 1")
    return shares


def _write_json(report: dict, out: Path | None) -> None:
    if out is not None:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(report, indent=2) + "\n")
        click.echo(f"wrote {out}")
