"""CPU of a class report in process, on the graph `bench/api_load.py` leaves behind.

    KGTUTOR_VAR=var/loadbench .venv/bin/python bench/class_report.py [--rounds 3] [--no-freeze]

The report of a bench class of 30 students (``services.reports.class_report``, what
``GET /classes/{id}/report`` serves), on one recommender whose course was read first (on bench
class 0) and whose heap is then frozen as a worker's is (``cli.serve.freeze_heap``; not with
``--no-freeze``): each of bench classes 1-9 once, every student's history new to the progress
model, then ``--rounds`` times again, no student having answered since (a tutor opening the
report again). Prints the CPU per report (the process's own: the graph server is a separate
process) and the full garbage collections that ran meanwhile with their CPU. Needs the bench's
graph, models and classes: run `bench/api_load.py` once first.
"""

from __future__ import annotations

import argparse
import gc
import time

from api_load import class_id  # bench/, on the path when this file runs
from heap import add_freeze_option, as_a_worker

from cli.common import recommender, store_for
from graph import reports as report_store
from models.threads import one_thread
from services import reports
from services.settings import Settings

CLASSES = [class_id(i) for i in range(1, 10)]
WARM_UP = class_id(0)  # other students: reads the course, keeps none of CLASSES


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3,
                        help="the second pass's rounds over the classes")
    add_freeze_option(parser)
    args = parser.parse_args()
    one_thread()
    settings = Settings.from_env()
    with store_for(settings) as store:
        if report_store.class_roster(store, CLASSES[0]) is None:
            raise SystemExit("no bench classes: run bench/api_load.py on this KGTUTOR_VAR first")
        service = recommender(settings, store)
        reports.class_report(store, service, WARM_UP, _now())  # the course read, models loaded
        as_a_worker(args)  # the heap frozen as each warm `kgtutor serve` worker's
        collections = _count_full_collections()
        print("| pass | reports | CPU per report, ms | full collections | their ms |")
        print("|---|---:|---:|---:|---:|")
        for label, rounds in (("first (each class once)", 1), ("again", args.rounds)):
            collections.clear()
            started = time.process_time()
            for class_id in CLASSES * rounds:
                reports.class_report(store, service, class_id, _now())
            n = len(CLASSES) * rounds
            print(f"| {label} | {n} | {1000 * (time.process_time() - started) / n:.1f} | "
                  f"{len(collections)} | {1000 * sum(collections):.0f} |", flush=True)


def _count_full_collections() -> list[float]:
    """CPU seconds of each full (generation 2) garbage collection from now on."""
    found: list[float] = []
    began: list[float] = []

    def note(phase: str, info: dict) -> None:
        if info["generation"] == 2:
            if phase == "start":
                began.append(time.process_time())
            elif began:
                found.append(time.process_time() - began.pop())

    gc.callbacks.append(note)
    return found


def _now() -> int:
    return time.time_ns() // 1_000_000


if __name__ == "__main__":
    main()
