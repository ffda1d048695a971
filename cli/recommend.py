"""`kgtutor recommend STUDENT`: what to practise next, with the reasons."""

from __future__ import annotations

import dataclasses
import json
from typing import TYPE_CHECKING

import click

from cli.common import errors_as_messages, store_for
from services.settings import Settings

if TYPE_CHECKING:
    from tutor.recommend_types import RecommendationList


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
    from services.recommend import Recommender, load_predictors
    from tutor.recommend import RecConfig
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
