"""Server time of test sittings on the embedded graph: a CAT and a fixed form, per request.

    .venv/bin/python bench/sittings.py [--items 2000] [--students 40]

Builds a course in a fresh embedded server (20 chapters, ``--items`` gradable questions with a
2PL fit on 200 answers each), a class of ``--students`` students, and two published tests: an
adaptive one over every chapter (SE ≤ 0.3 or 20 items) and a fixed form of 20 questions drawn per
student from a blueprint. Every student sits both through ``services.assessment`` (what the API
calls), answering from a true θ, and the bench times each start, answer and hand-in. It prints
p50, p95 and max per kind of request (ms of wall time, the graph server's included) and the
CAT's median length. No target is set by an issue; the figures go to docs/evaluation/latency.md.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from graph.embedded import EmbeddedServer
from graph.falkordb_store import FalkorStore
from graph.ingest import GraphData, ingest
from graph.irt import write_irt
from graph.practice import answer_key
from services import assessment as service
from tutor.assessment import Assessment, BlueprintPart, Form
from tutor.curriculum import Chapter, KnowledgePoint, Question, Tests
from tutor.roster import SchoolClass, Student

CHAPTERS, KPS_PER_CHAPTER = 20, 5
OPTIONS = ("a", "b", "c", "d")


def build(store: FalkorStore, items: int, students: int, rng: np.random.Generator) -> None:
    chapters = [f"b-ch{c}" for c in range(CHAPTERS)]
    kps = [f"b-k{c}-{k}" for c in range(CHAPTERS) for k in range(KPS_PER_CHAPTER)]
    questions = [f"b-q{i}" for i in range(items)]
    ingest(store, GraphData(
        "bench",
        chapters=[Chapter(c, c, i) for i, c in enumerate(chapters)],
        kps=[KnowledgePoint(k, k, chapters[i // KPS_PER_CHAPTER]) for i, k in enumerate(kps)],
        questions=[Question(q, q, OPTIONS, OPTIONS[i % 4]) for i, q in enumerate(questions)],
        tests=[Tests(q, kps[i % len(kps)]) for i, q in enumerate(questions)],
        students=[Student(f"b-s{i}") for i in range(students)],
        classes=[SchoolClass("b-class", "Bench class", (), tuple(
            f"b-s{i}" for i in range(students)))]))
    write_irt(store, item_ids=questions, a=rng.uniform(0.5, 2.5, items),
              b=rng.normal(0.0, 1.2, items), item_responses=[200] * items, student_ids=[],
              theta=[], theta_var=[], student_responses=[])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=2000)
    parser.add_argument("--students", type=int, default=40)
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    with tempfile.TemporaryDirectory(prefix="kgt-bench-") as tmp:
        server = EmbeddedServer(Path(tmp) / "graph")
        server.start()
        try:
            store = FalkorStore(server.client(), "bench")
            store.ensure_schema()
            build(store, args.items, args.students, rng)
            run(store, args.students, rng)
        finally:
            server.stop()


def run(store: FalkorStore, students: int, rng: np.random.Generator) -> None:
    now = 1_800_000_000_000
    cat = service.create(store, Assessment(
        "bench-cat", "CAT", Form.ADAPTIVE, "", "", now, class_ids=("b-class",),
        scope_ids=tuple(f"b-ch{c}" for c in range(CHAPTERS))), now)
    fixed = service.create(store, Assessment(
        "bench-fixed", "Fixed", Form.FIXED, "", "", now, class_ids=("b-class",),
        blueprint=tuple(BlueprintPart(f"b-ch{c}", 1) for c in range(CHAPTERS))), now)
    for test in (cat, fixed):
        service.act(store, test.id, "publish", now)
    bank = service.cat_bank(store, cat)
    params = {q: (a, b) for q, a, b in zip(bank.question_ids, bank.a, bank.b, strict=True)}
    times: dict[str, list[float]] = defaultdict(list)
    lengths = []

    def timed(kind: str, call: Callable[..., Any], *args: Any) -> Any:
        t0 = time.perf_counter()
        out = call(store, *args)
        times[kind].append(1000 * (time.perf_counter() - t0))
        return out

    for s in range(students):
        sid, theta = f"b-s{s}", float(rng.normal())
        for test in (cat, fixed):
            kind = "cat" if test is cat else "fixed"
            progress, _ = timed(f"{kind} start", service.start, test.id, sid, now)
            while progress.question_id is not None:
                q = progress.question_id
                a, b = params[q]
                key, _ = answer_key(store, q)
                right = rng.random() < 1 / (1 + np.exp(-a * (theta - b)))
                response = key if right else next(o for o in OPTIONS if o != key)
                progress, _ = timed(f"{kind} answer", service.answer, test.id, sid, q,
                                    response, now)
            if kind == "cat":
                lengths.append(len(progress.sitting.items))
            else:
                timed("fixed hand-in", service.finish, test.id, sid, now)
    print(f"{students} students, a bank of {len(bank.question_ids)} calibrated questions; CAT "
          f"length median {np.median(lengths):.0f}")
    print("| request | n | p50 ms | p95 ms | max ms |")
    print("|---|---:|---:|---:|---:|")
    for kind, values in times.items():
        v = np.array(values)
        print(f"| {kind} | {len(v)} | {np.percentile(v, 50):.1f} | {np.percentile(v, 95):.1f} "
              f"| {v.max():.1f} |")


if __name__ == "__main__":
    main()
