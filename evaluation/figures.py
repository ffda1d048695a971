"""The evaluations' figures: the recommendation report (each metric against the train split,
paper Fig. 11) and the classroom study (post-tests, learning curves, fidelity).

The I/O functions of the evaluation; the numbers come from :func:`evaluation.recommend.evaluate`
and :func:`evaluation.study.run_study`. They draw on a bare ``Figure`` with the Agg canvas, so no
pyplot state or GUI backend is touched.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from pathlib import Path

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

DEFAULT_METRICS = ("precision@{n}", "recall@{n}", "f1@{n}", "ndcg@{n}", "coverage",
                   "avg_difficulty")


def plot_metrics(report: dict, path: Path, metrics: Sequence[str] = DEFAULT_METRICS) -> None:
    """Write a PNG: one subplot per metric, x = split, a line per method."""
    keys = [m.format(n=report["n"]) for m in metrics]
    splits = sorted(report["splits"], key=float)
    methods = list(report["splits"][splits[0]]) if splits else []
    cols = min(3, len(keys))
    fig = Figure(figsize=(4 * cols, 3.2 * math.ceil(len(keys) / cols)), layout="constrained")
    FigureCanvasAgg(fig)
    for i, key in enumerate(keys):
        ax = fig.add_subplot(math.ceil(len(keys) / cols), cols, i + 1)
        for name in methods:
            pts = [(float(s), report["splits"][s][name].get(key)) for s in splits]
            pts = [(x, y) for x, y in pts if y is not None]  # e.g. no difficulty given
            ax.plot([x for x, _ in pts], [y for _, y in pts], marker="o", label=name)
        ax.set_title(key)
        ax.set_xlabel("train split")
        ax.grid(alpha=0.3)
    if keys:
        fig.axes[0].legend(fontsize="small")
    fig.savefig(path, format="png", dpi=100)


def plot_study(report: dict, posts: Mapping[str, Sequence[float]], path: Path,
               kp_rates: tuple[Sequence[float], Sequence[float]] | None = None) -> None:
    """Write the classroom study's PNG: post-test box plots per arm, the mean learning curves
    (the test after each session) and, when given, per-KP right-answer rates real vs simulated."""
    arms = list(posts)
    panels = 3 if kp_rates is not None else 2
    fig = Figure(figsize=(5.5 * panels, 4.2), layout="constrained")
    FigureCanvasAgg(fig)
    box = fig.add_subplot(1, panels, 1)
    box.boxplot([list(posts[a]) for a in arms], showmeans=True)
    box.set_xticks(range(1, len(arms) + 1), arms, rotation=45, ha="right", fontsize="small")
    box.set_ylabel("post-test (0-100)")
    box.set_title(f"{report['domain']}, {report['map']} map: post-test per arm")
    curves = fig.add_subplot(1, panels, 2)
    for a in arms:
        curve = report["arms"][a]["curve"]
        curves.plot(range(len(curve)), curve, marker="o", label=a)
    curves.set_xticks(range(len(report["arms"][arms[0]]["curve"])) if arms else [])
    curves.set_xlabel("sessions done (0: pre-test)")
    curves.set_ylabel("mean test score")
    curves.set_title("learning curves")
    curves.legend(fontsize="x-small")
    for ax in (box, curves):
        ax.grid(alpha=0.3)
    if kp_rates is not None:
        real, sim = kp_rates
        ax = fig.add_subplot(1, panels, 3)
        ax.scatter(real, sim, s=10, alpha=0.7)
        ax.plot([0, 1], [0, 1], color="grey", lw=1)
        ax.set_xlabel("real right-answer rate per KP")
        ax.set_ylabel("simulated")
        ax.set_title("fidelity: per-KP right-answer rates")
        ax.grid(alpha=0.3)
    fig.savefig(path, format="png", dpi=100)
