"""The recommendation figure: a PNG with one panel per metric."""

from evaluation.figures import plot_metrics


def report() -> dict:
    def row(p: float) -> dict:
        return {"precision@10": p, "recall@10": p / 2, "f1@10": p / 3, "ndcg@10": p,
                "coverage": 12, "avg_difficulty": None}

    return {"n": 10, "splits": {"0.9": {"ours": row(0.3), "markov": row(0.2)},
                                "0.6": {"ours": row(0.1), "markov": row(0.05)}}}


def test_figure_is_written_as_png(tmp_path):
    path = tmp_path / "rec.png"
    plot_metrics(report(), path)
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert path.stat().st_size > 5_000


def test_figure_with_chosen_metrics(tmp_path):
    path = tmp_path / "two.png"
    plot_metrics(report(), path, metrics=("ndcg@{n}", "coverage"))
    assert path.read_bytes()[:4] == b"\x89PNG"
