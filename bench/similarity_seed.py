"""How close are the seed curriculum's items under the similarity index?

    .venv/bin/python bench/similarity_seed.py

For every question and resource of the demo curriculum, the cosine of its best match
("more like this", any kind) and how many items have a match at the design's 0.7 and at lower
thresholds: whether 0.7 suits short texts. Also the index build time.
"""

from __future__ import annotations

import time

import numpy as np

from seeds.curriculum import load_curriculum
from tutor.similar import ItemIndex, SimilarityConfig, curriculum_items, more_like_this


def main() -> None:
    c = load_curriculum()
    items = curriculum_items(c.questions, c.tests, c.resources, c.kps)
    started = time.perf_counter()
    index = ItemIndex.build(items)
    print(f"index of {len(items)} items built in {time.perf_counter() - started:.3f} s\n")
    best_only = SimilarityConfig(min_cosine=0.0, top_k=1)
    print("| items | n | best >= 0.7 | >= 0.5 | >= 0.3 | best cosine p10 / p50 / p90 |")
    print("|---|---:|---:|---:|---:|---|")
    for kind in ("question", "resource"):
        best = np.array([(r[0].score if (r := more_like_this(index, i.id, best_only)) else 0.0)
                         for i in items if i.kind == kind])
        p10, p50, p90 = np.quantile(best, [0.1, 0.5, 0.9])
        print(f"| {kind}s | {len(best)} | {(best >= 0.7).sum()} | {(best >= 0.5).sum()} | "
              f"{(best >= 0.3).sum()} | {p10:.2f} / {p50:.2f} / {p90:.2f} |")


if __name__ == "__main__":
    main()
