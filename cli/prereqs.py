"""`kgtutor graph infer-prerequisites`: a prerequisite graph learnt from answers, for datasets
that ship none (ASSISTments). Edges are stored marked inferred, with their confidence.
`cli.graph` lists the command and imports this module when it runs."""

from __future__ import annotations

from pathlib import Path

import click

from cli.common import errors_as_messages, store_for
from services.settings import Settings
from tutor.prereqs import PrereqInferenceConfig, infer_prerequisites


@click.command(name="infer-prerequisites")
@click.argument("path", type=click.Path(path_type=Path))
@click.option("--name", default=None,
              help="Dataset name used at import [default: the folder's name, the file's stem].")
@click.option("--min-confidence", type=click.FloatRange(0, 1),
              default=PrereqInferenceConfig().min_confidence, show_default=True)
@click.option("--max-parents", type=click.IntRange(min=1),
              default=PrereqInferenceConfig().max_parents, show_default=True)
@click.pass_obj
@errors_as_messages
def infer_prerequisites_(settings: Settings, path: Path, name: str | None,
                         min_confidence: float, max_parents: int) -> None:
    """Infer KP prerequisites from the train students of a data set (an lpp folder, an EdNet
    folder, or an ASSISTments, DataShop, Junyi or Eedi log), and store them."""
    from graph import cache_version
    from graph.prereqs import write_inferred_prerequisites
    from models.sources import dataset_name, load_responses

    kt = load_responses(path, name)
    config = PrereqInferenceConfig(min_confidence=min_confidence, max_parents=max_parents)
    result = infer_prerequisites(kt.train, kt.item_skills, kt.skill_ids, config)
    with store_for(settings) as store:
        written, refused = write_inferred_prerequisites(store, name or dataset_name(path),
                                                        result.edges, settings.batch_size)
        cache_version.bump(store)
    r = result.report
    click.echo(f"inferred {r.kept} prerequisite edges from {r.candidates} candidates "
               f"(dropped: {r.dropped_cycle} for cycles, {r.dropped_reduction} by transitive "
               f"reduction, {r.dropped_parent_cap} over {max_parents} parents)")
    click.echo(f"stored {written}; refused {len(refused)} that would close a cycle with "
               "edges already in the graph")
