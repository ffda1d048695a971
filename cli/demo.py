"""`kgtutor demo setup`: everything `make demo` does before it serves, in one command that a
test can run too (tests/integration/test_demo_cohort.py).

With ASSISTments 2009 at ``$KGTUTOR_DATA/assist2009/lpp`` it loads and trains on it as the
README describes; without it, the seed curriculum gets a deterministic simulated historical
cohort (`kgtutor graph simulate-cohort`) and every model trains on the graph's stored answers of
the seed dataset (`kgtutor train ... --dataset seed`), so the curriculum's own students meet
calibrated items, fitted BKT, the Bi-LSTM and the progress model.
"""

from __future__ import annotations

from typing import Any

import click

from services.settings import Settings


@click.group()
def demo() -> None:
    """The demo `make demo` serves."""


@demo.command()
@click.option("--students", type=click.IntRange(min=20), default=300, show_default=True,
              help="Simulated learners when no data set is found.")
@click.option("--seed", default=0, show_default=True,
              help="Seed of the simulated cohort and of every training.")
@click.option("--epochs", type=click.IntRange(min=1), default=3, show_default=True,
              help="Epochs of the Bi-LSTM and the progress model.")
@click.option("--embed-epochs", type=click.IntRange(min=1), default=None,
              help="Cap the question embeddings' epochs [default: early stopping].")
@click.option("--threads", type=click.IntRange(min=1), default=None,
              help="CPU threads for torch [default: torch's].")
@click.pass_context
def setup(ctx: click.Context, students: int, seed: int, epochs: int,
          embed_epochs: int | None, threads: int | None) -> None:
    """Load the demo curriculum and ASSISTments 2009 (or, without it, a simulated cohort on the
    curriculum), train every model, store the priors and profiles, create the demo logins."""
    from cli import adjust, graph, prereqs, profiles, train, users
    from services.imports import SEED_DATASET

    settings: Settings = ctx.obj
    lpp = settings.data_root / "assist2009" / "lpp"
    ctx.invoke(graph.seed)
    source: dict[str, Any]
    if (lpp / "q_mat.npz").is_file():
        click.echo(f"ASSISTments 2009 at {lpp}: loading and training on it")
        ctx.invoke(graph.assist2009, path=lpp)
        ctx.invoke(prereqs.infer_prerequisites_, path=lpp)
        source = {"data": lpp}
    else:
        click.echo(f"no ASSISTments 2009 data at {lpp}: the demo curriculum with a simulated "
                   "cohort (set KGTUTOR_DATA for real data)")
        ctx.invoke(graph.simulate_cohort, students=students, seed_=seed)
        source = {"dataset": SEED_DATASET}
    common = {**source, "seed": seed, "threads": threads}
    ctx.invoke(train.irt, write_graph=True, **common)
    ctx.invoke(train.bkt, write_graph=True, **common)
    ctx.invoke(train.embed, epochs=embed_epochs, **common)
    ctx.invoke(train.bilstm, graph_init=True, epochs=epochs, **common)
    ctx.invoke(train.progress, epochs=epochs, **common)
    ctx.invoke(train.states)
    ctx.invoke(train.priors)
    ctx.invoke(profiles.profiles_refresh)
    ctx.invoke(adjust.adjust, once=True)
    ctx.invoke(graph.stats)
    _demo_test(settings)
    ctx.invoke(users.demo)


DEMO_TEST = "demo-integers-check"


def _demo_test(settings: Settings) -> None:
    """A published test for class 9A (5 questions drawn per student from the integers
    chapter, 15 minutes), so the tutor's and the students' test pages have something to show;
    kept as it is when it exists."""
    from cli.common import now_ms, store_for
    from services import assessment
    from tutor.assessment import Assessment, BlueprintPart, Form
    from tutor.errors import NotFound

    with store_for(settings) as store:
        try:
            assessment.get(store, DEMO_TEST)
            return
        except NotFound:
            pass
        now = now_ms()
        assessment.create(store, Assessment(
            DEMO_TEST, "Integers check", Form.FIXED, "", "alg-tutor-hpark", now,
            class_ids=("alg-class-9a",), blueprint=(BlueprintPart("alg-ch-integers", 5),),
            time_limit_s=15 * 60), now)
        assessment.act(store, DEMO_TEST, "publish", now)
    click.echo(f"demo test {DEMO_TEST!r} published for class alg-class-9a")
