"""`kgtutor train ...`: fit the models on a dataset folder and save them under var/models/;
the shared options and helpers of the model commands. torch and the models are imported by
the commands that run them, so the command line starts without them."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from cli.common import DATA_FORMATS, errors_as_messages, now_ms, store_for
from graph import cache_version
from services.settings import Settings
from tutor.errors import InvalidInput

if TYPE_CHECKING:
    from models.kt_data import KTData
    from models.registry import IrtModel
    from models.trainer import EpochLog
    from models.training import BiLstmTraining
    from tutor.ports import GraphStore


def model_options(fn: Callable[..., Any]) -> Callable[..., Any]:
    for option in reversed([
        click.option("--data", type=click.Path(path_type=Path), default=None,
                     help=f"{DATA_FORMATS}. [default: $KGTUTOR_DATA/assist2009/lpp]"),
        click.option("--device", default="cpu", show_default=True,
                     help="torch device: cpu, cuda, cuda:1 ..."),
        click.option("--seed", default=0, show_default=True, help="Random seed."),
        click.option("--epochs", type=click.IntRange(min=1), default=None,
                     help="Cap the number of epochs."),
        click.option("--threads", type=click.IntRange(min=1), default=None,
                     help="CPU threads for torch [default: torch's, all cores]; 1 is faster "
                          "when other jobs share the CPU."),
    ]):
        fn = option(fn)
    return fn


def graph_option(fn: Callable[..., Any]) -> Callable[..., Any]:
    """``--dataset NAME``: train on the graph's stored answers of that dataset."""
    return click.option(
        "--dataset", default=None,
        help="Train on the answers stored in the graph for this dataset (e.g. seed: the demo "
             "curriculum) instead of an lpp folder.")(fn)


@click.group()
def train() -> None:
    """Train a model on a dataset and save it under var/models/."""


@train.command()
@model_options
@graph_option
@click.option("--write-graph", is_flag=True,
              help="Also write a, b and theta onto the graph's questions and students (with "
                   "--dataset: questions with 30 answers or more; the course's refit).")
@click.pass_obj
@errors_as_messages
def irt(settings: Settings, data: Path | None, dataset: str | None, device: str,
        seed: int, epochs: int | None, threads: int | None, write_graph: bool) -> None:
    """Calibrate the 2PL IRT model on all students (a, b per question, theta per student)."""
    from models import registry, training
    from models.irt import IrtConfig

    kt = load_data(settings, data, device, threads, dataset)
    config = IrtConfig(seed=seed, max_iter=epochs or IrtConfig().max_iter)
    model = training.calibrate_irt(kt, config, device)
    path = registry.save_irt(settings.models_dir, model)
    seen = int((model.params.item_responses > 0).sum())
    click.echo(f"IRT: {seen:,} questions with responses, {len(model.student_ids):,} students; "
               f"saved {path}")
    if write_graph:
        with store_for(settings) as store:
            if dataset is None:
                items, students = _write_irt(store, model, settings.batch_size)
                cache_version.bump(store)  # every API worker rereads the catalogue
            else:  # the course's refit, as the API's and the nightly job's
                from services import calibration

                done = calibration.write(store, dataset, model, now_ms())
                items, students = done["questions"], done["students"]
        click.echo(f"wrote a, b to {items:,} questions and theta to {students:,} students")


@train.command()
@model_options
@graph_option
@click.option("--write-graph", is_flag=True,
              help="Also write the parameters onto the graph's KPs and retrace every "
                   "student's mastery with them.")
@click.pass_obj
@errors_as_messages
def bkt(settings: Settings, data: Path | None, dataset: str | None, device: str,
        seed: int, epochs: int | None, threads: int | None, write_graph: bool) -> None:
    """Fit BKT per KP (prior, learn, guess, slip) on all students' answers, with pyBKT's EM.

    Mastery tracing and the recommender's expected-gain signal use them (docs/models.md)."""
    from models.bkt_em import EmConfig
    from models.kp_bkt import KpBktConfig, fit_kp_bkt

    kt = load_data(settings, data, device, threads, dataset)
    every = kt.everyone
    item_kps = [tuple(int(k) for k in row if k >= 0) for row in kt.item_skills]
    config = KpBktConfig(seed=seed, em=EmConfig(max_iter=epochs or EmConfig().max_iter))
    fit = fit_kp_bkt(every.items, every.correct, item_kps, kt.n_skills, config)
    learns = sorted(p.learn for p, own in zip(fit.params, fit.own, strict=True) if own)
    spread = f" (learn {learns[0]:.3f}..{learns[-1]:.3f})" if learns else ""
    click.echo(f"BKT: {int(fit.own.sum()):,} of {kt.n_skills:,} KPs fitted on their own{spread}, "
               f"the rest pooled")
    if write_graph:
        from graph.kp_bkt import write_kp_bkt

        with store_for(settings) as store:
            kps, edges = write_kp_bkt(store, kt.skill_ids, fit.params, fit.own,
                                         settings.batch_size)
            cache_version.bump(store)
        click.echo(f"wrote BKT to {kps:,} KPs; retraced {edges:,} mastery edges")


@train.command()
@model_options
@graph_option
@click.option("--graph-init", is_flag=True,
              help="Start question vectors from `kgtutor train embed`'s output.")
@click.option("--nproc", type=click.IntRange(1, 256), default=1, show_default=True,
              help="Processes training data-parallel (PyTorch DDP: gloo on CPU, nccl on GPUs); "
                   "under torchrun the group torchrun made.")
@click.pass_obj
@errors_as_messages
def bilstm(settings: Settings, data: Path | None, dataset: str | None, device: str,
           seed: int, epochs: int | None, threads: int | None, graph_init: bool,
           nproc: int) -> None:
    """Train the Bi-LSTM (P(correct) and candidate questions) on the train students, and
    count their question-to-question transitions (mixed into P(next))."""
    from models import registry, training
    from models.bilstm import BiLstmConfig
    from models.transitions import QuestionTransitions

    kt = load_data(settings, data, device, threads, dataset)
    vectors = registry.load_item_vectors(settings.models_dir, kt.item_ids) if graph_init else None
    plan = bilstm_plan(epochs)
    with epochs_bar("bilstm", plan.epochs) as on_epoch:
        fitted = training.fit_bilstm(kt, BiLstmConfig(kt.n_items, kt.n_skills), plan, seed,
                                     device, vectors, on_epoch, nproc=nproc)
    if fitted is None:  # a torchrun rank other than 0: rank 0 saves
        return
    model, logs = fitted
    transitions = QuestionTransitions.fit(kt.train.items, kt.n_items)
    path = registry.save_bilstm(settings.models_dir, model.cpu(), transitions, kt.item_ids,
                                kt.skill_ids, plan, dataset)
    best = max(logs, key=lambda e: e.val_score)
    click.echo(f"Bi-LSTM: {len(logs)} epochs, best validation AUC {best.val_score:.4f} "
               f"(epoch {best.epoch + 1}); saved {path}")


@train.command()
@model_options
@graph_option
@click.pass_obj
@errors_as_messages
def embed(settings: Settings, data: Path | None, dataset: str | None, device: str,
          seed: int, epochs: int | None, threads: int | None) -> None:
    """Train question embeddings over the question-KP-prerequisite graph (GraphSAGE)."""
    from models import registry, training
    from models.graph_embed import GraphEmbedConfig

    kt = load_data(settings, data, device, threads, dataset)
    config = GraphEmbedConfig(seed=seed)
    config = replace(config, epochs=epochs or config.epochs)
    with epochs_bar("embed", config.epochs) as on_epoch:
        encoder, vectors = training.fit_graph_encoder_on(kt, config, device, on_epoch)
    path = registry.save_embed(settings.models_dir, encoder.cpu(), vectors, kt.item_ids,
                               kt.n_skills)
    click.echo(f"graph embeddings: {vectors.shape[0]:,} questions x {vectors.shape[1]}; "
               f"saved {path}")


@train.command()
@model_options
@graph_option
@click.pass_obj
@errors_as_messages
def progress(settings: Settings, data: Path | None, dataset: str | None, device: str,
             seed: int, epochs: int | None, threads: int | None) -> None:
    """Train the LSTM progress model (progress % and the weakest KP)."""
    from models import registry, training

    kt = load_data(settings, data, device, threads, dataset)
    with epochs_bar("progress", epochs or 50) as on_epoch:
        result = training.fit_progress(kt, seed, device, epochs or 50, on_epoch=on_epoch)
    path = registry.save_progress(settings.models_dir, result.model.cpu(), result.data_config,
                                  result.vectorizer, kt, dataset)
    t = result.test
    if t:
        click.echo(f"progress on test students: MAE {t['progress_mae']:.2f} points "
                   f"(baseline {t['baseline_progress_mae']:.2f}); weakest KP top-1 "
                   f"{t['weakest_top1']:.3f} (baseline {t['baseline_weakest_top1']:.3f}), "
                   f"top-3 {t['weakest_top3']:.3f} (baseline {t['baseline_weakest_top3']:.3f})")
    click.echo(f"progress model: {len(result.logs)} epochs; saved {path}")


@train.command()
@click.pass_obj
@errors_as_messages
def priors(settings: Settings) -> None:
    """Store each KP's population prior (the share of students who know it before practising
    it, from their first answers) on the graph's KPs, for every dataset; run after imports.

    The recommender counts a KP a student never practised at this P(known), so the frontier
    skips what most students already know (docs/recommender.md)."""
    from services.priors import refresh_priors

    with store_for(settings) as store:
        written = refresh_priors(store, settings.batch_size)
    for dataset, n in sorted(written.items()):
        click.echo(f"population prior of {n:,} KPs of {dataset or '(no dataset)'} stored")
    if not written:
        click.echo("no KPs in the graph: nothing to do")


@train.command()
@click.pass_obj
@errors_as_messages
def states(settings: Settings) -> None:
    """Keep on every student what the saved Bi-LSTM and progress model make of their latest
    answers; run after training them. A student's first recommendation then reads it instead
    of running the LSTMs; a list that runs them keeps its student's afterwards, so a student
    who answers stays current without this (docs/evaluation/latency.md). One missing or
    stale only costs that time."""
    from models.threads import one_thread
    from services.recommend import Recommender, load_predictors

    one_thread()  # one history at a time: a second thread would only spin
    predictors = load_predictors(settings.models_dir)
    if not predictors:
        click.echo(f"no trained Bi-LSTM or progress model in {settings.models_dir}: nothing "
                   "to keep")
        return
    with store_for(settings) as store:
        written = Recommender(store, predictors).keep_everyone()
    click.echo(f"kept the models' state of {written:,} students "
               f"({', '.join(sorted(predictors))}); the others' was current")


def _write_irt(store: GraphStore, model: IrtModel, batch_size: int) -> tuple[int, int]:
    """Unpack a calibrated model into the arrays ``graph.irt.write_irt`` stores."""
    from graph.irt import write_irt

    p = model.params
    return write_irt(store, item_ids=model.item_ids, a=p.a, b=p.b,
                     item_responses=p.item_responses, student_ids=model.student_ids,
                     theta=p.theta, theta_var=p.theta_var,
                     student_responses=model.student_responses, batch_size=batch_size)


def load_data(settings: Settings, data: Path | None, device: str, threads: int | None,
              dataset: str | None = None) -> KTData:
    """An lpp folder's answers, or with ``dataset`` the graph's stored answers of it."""
    import torch

    from models.sources import load_responses

    _check_device(device)
    if threads is not None:
        torch.set_num_threads(threads)
    if dataset is None:
        return load_responses(data or settings.data_root / "assist2009" / "lpp")
    if data is not None:
        raise InvalidInput("give --data DIR or --dataset NAME, not both")
    from services.training_data import graph_kt_data

    with store_for(settings) as store:
        return graph_kt_data(store, dataset)


def _check_device(device: str) -> None:
    import torch

    try:
        torch.empty(0, device=device)
    except (RuntimeError, AssertionError) as e:
        raise InvalidInput(f"device {device!r} is not usable here: {e}") from None


def bilstm_plan(epochs: int | None) -> BiLstmTraining:
    from models.training import BiLstmTraining

    plan = BiLstmTraining()
    return replace(plan, epochs=epochs or plan.epochs)


@contextmanager
def epochs_bar(name: str, total: int) -> Iterator[Callable[[EpochLog], None]]:
    """A progress bar of epochs (on a terminal) showing the validation score."""
    from tqdm import tqdm

    with tqdm(total=total, desc=name, unit="epoch", disable=None) as bar:
        def on_epoch(log: EpochLog) -> None:
            bar.set_postfix(val=f"{log.val_score:.4f}")
            bar.update()

        yield on_epoch
