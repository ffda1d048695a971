"""The recommendation report as a figure: each metric against the train split (paper Fig. 11).

The one I/O function of the evaluation; the numbers come from :func:`evaluation.recommend.evaluate`.
It draws on a bare ``Figure`` with the Agg canvas, so no pyplot state or GUI backend is touched.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
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
