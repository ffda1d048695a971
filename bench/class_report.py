"""CPU of a class report in process, on the graph `bench/api_load.py` leaves behind.

    KGTUTOR_VAR=var/loadbench .venv/bin/python bench/class_report.py [--rounds 3]

The report of a bench class of 30 students (``services.reports.class_report``, what
``GET /classes/{id}/report`` serves), on one recommender whose course was read first (on bench
class 0): each of bench classes 1-9 once, every student's history new to the progress model,
then ``--rounds`` times again, no student having answered since (a tutor opening the report
again). Prints the CPU per report, the process's own (the graph server is a separate process),
and that of the class's read alone (``class_learners``: 30 students' last 200 answers, mastery,
affect). Needs the bench's graph, models and classes: run `bench/api_load.py` once first.
"""

from __future__ import annotations

import argparse
import time

from cli.common import recommender, store_for
from graph import reports as report_store
from models.threads import one_thread
from services import reports
from services.settings import Settings
from tutor.adjust import WINDOW_MS

CLASSES = [f"lpp:bench-class-{i}" for i in range(1, 10)]
WARM_UP = "lpp:bench-class-0"  # other students: reads the course, keeps none of CLASSES


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3,
                        help="the second pass's rounds over the classes")
    args = parser.parse_args()
    one_thread()
    settings = Settings.from_env()
    with store_for(settings) as store:
        if report_store.class_roster(store, CLASSES[0]) is None:
            raise SystemExit("no bench classes: run bench/api_load.py on this KGTUTOR_VAR first")
        service = recommender(settings, store)
        reports.class_report(store, service, WARM_UP, _now())  # the course read, models loaded
        print("| pass | reports | the class's read, ms | whole report, ms |")
        print("|---|---:|---:|---:|")
        for label, rounds in (("first (each class once)", 1), ("again", args.rounds)):
            read = whole = 0.0
            for class_id in CLASSES * rounds:
                now = _now()
                started = time.process_time()
                report_store.class_learners(store, class_id, now - WINDOW_MS)
                read += time.process_time() - started
                started = time.process_time()
                reports.class_report(store, service, class_id, now)
                whole += time.process_time() - started
            n = len(CLASSES) * rounds
            print(f"| {label} | {n} | {1000 * read / n:.1f} | {1000 * whole / n:.1f} |",
                  flush=True)


def _now() -> int:
    return time.time_ns() // 1_000_000


if __name__ == "__main__":
    main()
