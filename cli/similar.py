"""`kgtutor similar ITEM`: more like this, by the items' text."""

from __future__ import annotations

import dataclasses
import json

import click

from cli.common import errors_as_messages, store_for
from services.settings import Settings
from tutor.errors import InvalidInput
from tutor.similar_types import KINDS, SimilarityConfig


@click.command()
@click.argument("item_id")
@click.option("--student", default=None,
              help="Instead: items like this student's last 100 answers (ITEM_ID is ignored "
                   "for the profile; pass any item of the dataset).")
@click.option("--kind", type=click.Choice(["question", "resource", "any"]), default="any",
              show_default=True)
@click.option("--min-cosine", type=click.FloatRange(0, 1),
              default=SimilarityConfig().min_cosine, show_default=True,
              help="Similarity threshold (the design's 0.7 is strict for short texts).")
@click.option("--top", type=click.IntRange(1, 50), default=5, show_default=True)
@click.option("--tag", "tags", multiple=True, metavar="TAG=WEIGHT",
              help="With --student: an interest tag (a KP id or words) and its weight.")
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
@errors_as_messages
def similar(settings: Settings, item_id: str, student: str | None, kind: str,
            min_cosine: float, top: int, tags: tuple[str, ...], as_json: bool) -> None:
    """More like this: questions and resources whose text is closest to ITEM_ID's."""
    from graph.recommend import item_dataset, load_item_texts, load_learner
    from tutor.similar import ItemIndex, for_student, more_like_this
    config = SimilarityConfig(top_k=top, min_cosine=min_cosine)
    kinds = KINDS if kind == "any" else (kind,)
    with store_for(settings) as store:
        index = ItemIndex.build(load_item_texts(store, item_dataset(store, item_id)), config)
        if student is None:
            found = more_like_this(index, item_id, config, kinds)
        else:
            _, learner = load_learner(store, student)
            recent = [q for q, _ in learner.history if q in index]
            found = for_student(index, recent, _weights(tags), config=config, kinds=kinds)
    if as_json:
        click.echo(json.dumps([dataclasses.asdict(s) for s in found], indent=2))
    elif not found:
        click.echo(f"nothing at cosine >= {min_cosine} (try a lower --min-cosine)")
    for s in found if not as_json else ():
        click.echo(f"{s.score:.2f}  {s.kind:<8} {s.id}  shares: {', '.join(s.shared_terms)}")


def _weights(tags: tuple[str, ...]) -> dict[str, float]:
    out = {}
    for tag in tags:
        name, _, weight = tag.rpartition("=")
        try:
            out[name or weight] = float(weight) if name else 1.0
        except ValueError:
            raise InvalidInput(f"--tag {tag!r}: give TAG=WEIGHT, e.g. fractions=2") from None
    return out
