"""Recommendation latency on the embedded graph holding all of ASSISTments 2009.

    .venv/bin/python bench/rec_latency.py [--data ../shared/data] [--calls 300] [--callers 16]
        [--profile N] [--no-freeze]

Imports the lpp folder into a fresh embedded server, writes IRT parameters and inferred
prerequisites onto it, and builds the service the API uses (`services.recommend.Recommender`)
with a Bi-LSTM and a progress model loaded once. Their weights are untrained: weights do not
change the cost of a call, and training would add minutes. It keeps every student's models'
state on the graph, as `kgtutor train states` does, except for one set of students. Then it
times `recommend` for random students, single-threaded and with ``--callers`` concurrent
threads, first for students not asked before (cold: their kept state is read, the LSTMs do not
run) and then for the same students again (warm), then students with no state kept (cold, the
LSTMs run and their state is written back in the keeping thread, whose CPU counts too: a list
after an answer). It prints p50, p99, calls/s and, single-threaded, the CPU time per call (the
process's, so the graph server's share is not in it: it is a separate process). Targets
(issue 18): CPU of a cold call <= 4 ms. Once prepared, the heap is frozen as each `kgtutor
serve` worker's is once warm (``cli.serve.freeze_heap``; not with ``--no-freeze``, as this
bench ran before 2026-12-05).
``--profile N`` first profiles N cold calls with pyinstrument and prints the top of the tree.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
from heap import add_freeze_option, as_a_worker  # bench/, on the path when this file runs

from graph.embedded import EmbeddedServer
from graph.falkordb_store import FalkorStore
from graph.ingest import ingest
from graph.irt import write_irt
from graph.prereqs import write_inferred_prerequisites
from models.bilstm import BiLstmConfig, BiLstmKT
from models.predictors import BiLstmPredictor, ProgressPredictor
from models.progress import ProgressConfig, ProgressLSTM
from models.progress_data import ProgressDataConfig, fit_text_features, item_texts_from_skills
from models.sources import load_responses
from models.threads import one_thread
from models.training import calibrate_irt
from models.transitions import QuestionTransitions
from services import imports as sources
from services.recommend import Predictors, Recommender, dataset_of
from tutor.prereqs import infer_prerequisites


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path,
                        default=Path(os.environ.get("KGTUTOR_DATA", "../shared/data")))
    parser.add_argument("--calls", type=int, default=300)
    parser.add_argument("--callers", type=int, default=16)
    parser.add_argument("--profile", type=int, default=0, metavar="N",
                        help="profile N cold calls (students apart from the timed ones)")
    add_freeze_option(parser)
    args = parser.parse_args()
    one_thread()
    lpp = args.data / "assist2009" / "lpp"
    with tempfile.TemporaryDirectory(prefix="kgt-bench-") as tmp:
        server = EmbeddedServer(Path(tmp) / "graph")
        server.start()
        try:
            store = FalkorStore(server.client(), "bench")
            store.ensure_schema()
            service = _prepare(store, lpp, args.calls)
            as_a_worker(args)  # the heap frozen as each warm `kgtutor serve` worker's
            if args.profile:
                _profile(service, args.profile, args.calls)
            _measure(service, args.calls, args.callers)
            store.close()
        finally:
            server.stop()


def _prepare(store: FalkorStore, lpp: Path, calls: int) -> Recommender:
    started = time.perf_counter()
    data, _ = sources.assist_source(lpp, "lpp")
    ingest(store, data)
    kt = load_responses(lpp)
    students = kt.everyone.students
    irt = calibrate_irt(kt)
    p = irt.params
    write_irt(store, item_ids=irt.item_ids, a=p.a, b=p.b, item_responses=p.item_responses,
              student_ids=irt.student_ids, theta=p.theta, theta_var=p.theta_var,
              student_responses=irt.student_responses)
    edges = infer_prerequisites(kt.train, kt.item_skills, kt.skill_ids).edges
    write_inferred_prerequisites(store, "lpp", edges)
    texts = item_texts_from_skills(kt.item_skills, kt.skill_names)
    data_config = ProgressDataConfig()
    vectorizer, _ = fit_text_features(texts)
    progress = ProgressLSTM(ProgressConfig(data_config.n_features, kt.n_skills,
                                           progress_feature=data_config.progress_feature))
    bilstm = BiLstmKT(BiLstmConfig(kt.n_items, kt.n_skills), kt.item_skills)
    predictors = Predictors(
        BiLstmPredictor(bilstm, kt.item_ids,
                        transitions=QuestionTransitions.fit(kt.train.items, kt.n_items)),
        ProgressPredictor(progress, data_config, vectorizer, kt.item_ids, texts,
                          kt.item_skills, kt.skill_ids))
    service = Recommender(store, {dataset_of(kt.item_ids[0]): predictors})
    service.recommend(students[0])  # fills the catalogue cache
    service.students = students  # type: ignore[attr-defined]
    unkept = set(_groups(service, calls)[2].tolist())
    kept = service.keep([s for s in students if s not in unkept])
    print(f"prepared in {time.perf_counter() - started:.0f} s: {len(students):,} students "
          f"({kept:,} with their models' state kept), {kt.n_items:,} questions, "
          f"{len(edges)} inferred prerequisite edges")
    return service


def _groups(service: Recommender, calls: int) -> list[np.ndarray]:
    """Three sets of ``calls`` random students: cold then warm, cold with many callers then
    warm, and cold with nothing kept; the profile's come after them."""
    everyone = np.random.default_rng(0).permutation(service.students)  # type: ignore[attr-defined]
    return [everyone[i * calls:(i + 1) * calls] for i in range(3)]


def _measure(service: Recommender, calls: int, callers: int) -> None:
    """Cold: students not asked before, so every call runs the pipeline (from the models'
    kept state, but for the last set, whose states are written back). Warm: the same students
    again, their state unchanged, so the kept lists answer (a page or an LMS asking twice);
    each still reads the student from the graph."""
    first, second, unkept = _groups(service, calls)

    def timed(student: str) -> float:
        started = time.perf_counter()
        service.recommend(str(student))
        return (time.perf_counter() - started) * 1000

    print("\n| calls | callers | p50 ms | p99 ms | calls/s | CPU ms per call |")
    print("|---|---:|---:|---:|---:|---:|")
    for kind, threads, students in (
            ("cold", 1, first), ("cold", callers, second), ("warm", 1, first),
            ("warm", callers, second), ("cold, no state kept (written back)", 1, unkept)):
        started, cpu = time.perf_counter(), time.process_time()
        with ThreadPoolExecutor(threads) as pool:
            latencies = np.array(list(pool.map(timed, students)))
        service.kept_by_now()
        wall = time.perf_counter() - started
        cpu_ms = (time.process_time() - cpu) * 1000 / len(students)
        print(f"| {kind} | {threads} | {np.percentile(latencies, 50):.1f} | "
              f"{np.percentile(latencies, 99):.1f} | {len(students) / wall:.0f} | "
              f"{cpu_ms:.1f} |", flush=True)


def _profile(service: Recommender, calls: int, skip: int) -> None:
    """pyinstrument over ``calls`` cold calls on students the timed runs do not use."""
    from pyinstrument import Profiler

    everyone = np.random.default_rng(0).permutation(service.students)  # type: ignore[attr-defined]
    profiler = Profiler(interval=0.0005)
    with profiler:
        for student in everyone[3 * skip:3 * skip + calls]:
            service.recommend(str(student))
    print(profiler.output_text(unicode=False, color=False, show_all=False, short_mode=False),
          flush=True)


if __name__ == "__main__":
    main()
