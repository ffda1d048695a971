"""`kgtutor recommend STUDENT`: what to practise next, with the reasons; `kgtutor similar`:
more like this."""

from __future__ import annotations

import dataclasses
import json

import click

from cli.common import errors_as_messages, store_for
from graph.recommend import item_dataset, load_item_texts, load_learner
from services.recommend import Recommender, load_predictors
from services.settings import Settings
from tutor.errors import InvalidInput
from tutor.recommend import RecConfig
from tutor.recommend_types import RecommendationList
from tutor.similar import KINDS, ItemIndex, SimilarityConfig, for_student, more_like_this


@click.command()
@click.argument("student_id")
@click.option("-n", "--n", "n", type=click.IntRange(1, 50), default=5, show_default=True,
              help="List length.")
@click.option("--band", nargs=2, type=float, default=(0.5, 0.85), show_default=True,
              help="Target P(correct) band.")
@click.option("--challenge", type=click.FloatRange(0, 1), default=0.3, show_default=True,
              help="Share of challenge items.")
@click.option("--json", "as_json", is_flag=True, help="Print the full result as JSON.")
@click.pass_obj
@errors_as_messages
def recommend(settings: Settings, student_id: str, n: int, band: tuple[float, float],
              challenge: float, as_json: bool) -> None:
    """Recommend questions for STUDENT_ID: KPs from the graph, then questions on them."""
    config = RecConfig(n=n, band=band, challenge_share=challenge)
    with store_for(settings) as store:
        predictors = load_predictors(settings.models_dir)
        result = Recommender(store, predictors, config).recommend(student_id)
    click.echo(json.dumps(dataclasses.asdict(result), indent=2) if as_json else _text(result))


def _text(r: RecommendationList) -> str:
    lines = [f"student {r.student_id}" + (" (new: cold start)" if r.cold_start else "")]
    lines.append("knowledge points:")
    lines += [f"  {k.kp_id}  score {k.score:.2f}: " + "; ".join(k.reasons) for k in r.kps]
    lines.append("questions:")
    for i, item in enumerate(r.items, 1):
        lines.append(f"  {i}. {item.question_id} ({item.kp_id}) P {item.p:.2f}"
                     + ("  challenge" if item.challenge else ""))
        lines += [f"       - {reason}" for reason in item.reasons]
    avg = "n/a" if r.avg_difficulty is None else f"{r.avg_difficulty:.2f}"
    lines.append(f"average difficulty {avg} (band {r.difficulty_band[0]:.2f} to "
                 f"{r.difficulty_band[1]:.2f}); constraints met: {'yes' if r.band_met else 'no'}")
    lines += [f"note: {note}" for note in r.notes]
    return "\n".join(lines)


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
