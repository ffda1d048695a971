"""Do inferred prerequisites hold on students they were not inferred from?

    .venv/bin/python bench/prereq_validity.py [--data ../shared/data]

Infers the KP prerequisite graph from the ASSIST2009 train students (the defaults of
`kgtutor graph infer-prerequisites`), then on the test students measures each edge A -> B's
lift: success on B's first answers of students who mastered A before starting B, minus that
of the others (edges with at least 5 test students on each side). Compared with the same edges
reversed and with random edges over co-practised KP pairs of the same count.
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

import numpy as np

from models.sources import load_responses
from tutor.prereqs import NEVER, Milestones, PrereqInferenceConfig, infer_prerequisites
from tutor.prereqs import milestones as read_milestones


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path,
                        default=Path(os.environ.get("KGTUTOR_DATA", "../shared/data")))
    args = parser.parse_args()
    kt = load_responses(args.data / "assist2009" / "lpp")
    config = PrereqInferenceConfig()
    started = time.perf_counter()
    result = infer_prerequisites(kt.train, kt.item_skills, kt.skill_ids, config)
    seconds = time.perf_counter() - started
    index = {k: i for i, k in enumerate(kt.skill_ids)}
    edges = [(index[e.before], index[e.after]) for e in result.edges]
    print(f"{len(edges)} edges from {result.report.candidates} candidates in {seconds:.1f} s\n")
    test = read_milestones(kt.test, kt.item_skills, kt.n_skills, config)
    train = read_milestones(kt.train, kt.item_skills, kt.n_skills, config)
    rng = np.random.default_rng(0)
    print("| edge set | edges judged | mean lift | share of edges > 0 |")
    print("|---|---:|---:|---:|")
    rows = [("inferred", edges), ("same edges reversed", [(b, a) for a, b in edges])]
    rows += [(f"random co-practised #{r + 1}", _random(train, len(edges), config, rng))
             for r in range(3)]
    for name, edge_set in rows:
        lifts = _lifts(edge_set, test)
        print(f"| {name} | {len(lifts)} of {len(edge_set)} | {lifts.mean():+.3f} | "
              f"{(lifts > 0).mean():.2f} |")
    print("\nstrongest edges:")
    for e in result.edges[:10]:
        print(f"  {e.confidence:.2f}  {kt.skill_names[index[e.before]]} -> "
              f"{kt.skill_names[index[e.after]]}")


def _lifts(edges: list[tuple[int, int]], m: Milestones) -> np.ndarray:
    out = []
    for a, b in edges:
        both = (m.first_attempt[:, a] != NEVER) & (m.first_attempt[:, b] != NEVER)
        first = both & (m.first_mastery[:, a] < m.first_attempt[:, b])
        other = both & ~first
        if first.sum() >= 5 and other.sum() >= 5:
            out.append(m.early_success[first, b].mean() - m.early_success[other, b].mean())
    return np.array(out)


def _random(m: Milestones, n: int, config: PrereqInferenceConfig, rng: np.random.Generator
            ) -> list[tuple[int, int]]:
    """n random pairs that enough train students practised both of, oriented along a random
    order (so the set is a DAG like the inferred one)."""
    attempted = (m.first_attempt != NEVER).astype(float)
    together = attempted.T @ attempted
    k = len(together)
    pairs = [(a, b) for a in range(k) for b in range(a + 1, k)
             if together[a, b] >= config.min_students]
    rank = rng.permutation(k)
    picked = rng.choice(len(pairs), size=min(n, len(pairs)), replace=False)
    return [(a, b) if rank[a] < rank[b] else (b, a) for a, b in (pairs[i] for i in picked)]


if __name__ == "__main__":
    main()
