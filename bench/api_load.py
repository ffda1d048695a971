"""Load test of `kgtutor serve`: concurrent clients on a mix of recommendation, ingestion and
knowledge-map calls, over real HTTP.

    .venv/bin/python bench/api_load.py [--url URL] [--clients 16] [--seconds 60]

Without ``--url`` it starts `kgtutor serve` itself (no scheduler) on a free loopback port,
on the graph of ``KGTUTOR_VAR`` (default var/, as left by `make demo`: ASSIST2009 loaded as
dataset ``lpp``; another with ``KGTUTOR_BENCH_DATASET``).
It creates a bench admin account in that graph if missing. The mix per request: 50 %
``GET /students/{id}/recommendations`` for a random ASSIST student, 25 % ``POST
/students/{id}/attempts`` (a new event each time), 25 % ``GET /students/{id}/map/{chapter}``.
Prints req/s, p50, p99 and errors per kind. The clients run on the same machine as the
server, so they take CPU from it: on a 2-core machine the figures are a floor.
"""

from __future__ import annotations

import argparse
import os
import random
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import requests

from cli.common import store_for
from graph import accounts as stored
from graph import maps, roster
from graph.recommend import load_catalogue
from services import accounts
from services.settings import Settings
from tutor.access import Role

USER, PASSWORD = "bench-admin", "bench admin password"
DATASET = os.environ.get("KGTUTOR_BENCH_DATASET", "lpp")  # `graph import assist2009` names it lpp


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", default="")
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--threads", type=int, default=16, help="waitress threads")
    args = parser.parse_args()
    settings = Settings.from_env()
    students, chapters, questions = _sample(settings)
    with _server(settings, args.url, args.threads) as url:
        token = _login(url)
        results = _run(url, token, students, chapters, questions, args.clients, args.seconds)
    _report(results, args.clients, args.seconds)


def _sample(settings: Settings) -> tuple[list[str], list[str], list[str]]:
    """Students with answers, chapters and questions of the dataset; the bench account."""
    with store_for(settings) as store:
        if stored.find_user(store, USER) is None:
            accounts.add_user(store, USER, PASSWORD, Role.ADMIN, int(time.time() * 1000))
        _, page = roster.list_students(store, roster.StudentFilter(min_mastery=0.0), 0, 100000)
        students = [s["id"] for s in page if s["dataset"] == DATASET]
        chapters = [c.id for c in maps.chapters(store, DATASET)]
        questions = list(load_catalogue(store, DATASET).questions)
    if not students:
        sys.exit(f"no {DATASET} students with mastery in the graph: run `make demo` first")
    return students, chapters, questions


@contextmanager
def _server(settings: Settings, url: str, threads: int) -> Iterator[str]:
    if url:
        yield url.rstrip("/")
        return
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    kgtutor = Path(sys.executable).with_name("kgtutor")
    log = open(settings.var_dir / "bench-serve.log", "w")  # noqa: SIM115
    proc = subprocess.Popen([str(kgtutor), "serve", "--port", str(port), "--no-scheduler",
                             "--threads", str(threads)], stdout=log, stderr=subprocess.STDOUT,
                            env={**os.environ, "KGTUTOR_AUTH_RATE_LIMIT": "1000 per minute"})
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                if requests.get(url + "/ready", timeout=2).status_code == 200:
                    break
            except requests.ConnectionError:
                time.sleep(0.5)
        else:
            sys.exit("kgtutor serve did not start; see var/bench-serve.log")
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=60)
        log.close()


def _login(url: str) -> str:
    r = requests.post(url + "/auth/login", json={"username": USER, "password": PASSWORD},
                      timeout=30)
    r.raise_for_status()
    return r.json()["access_token"]


def _run(url: str, token: str, students: list[str], chapters: list[str],
         questions: list[str], clients: int, seconds: float
         ) -> dict[str, list[tuple[float, bool]]]:
    results: dict[str, list[tuple[float, bool]]] = defaultdict(list)
    lock = threading.Lock()
    stop = time.monotonic() + seconds
    # warm the recommender's catalogue cache once, as a running server would have
    requests.get(f"{url}/students/{students[0]}/recommendations",
                 headers={"Authorization": f"Bearer {token}"}, timeout=120)

    def client(seed: int) -> None:
        rng = random.Random(seed)
        session = requests.Session()
        session.headers["Authorization"] = f"Bearer {token}"
        mine: list[tuple[str, float, bool]] = []
        while time.monotonic() < stop:
            student = rng.choice(students)
            roll = rng.random()
            started = time.perf_counter()
            if roll < 0.5:
                kind = "recommendations"
                r = session.get(f"{url}/students/{student}/recommendations", timeout=60)
            elif roll < 0.75:
                kind = "ingestion"
                r = session.post(f"{url}/students/{student}/attempts", timeout=60, json={
                    "event_id": f"bench-{uuid.uuid4()}", "question_id": rng.choice(questions),
                    "correct": rng.random() < 0.6})
            else:
                kind = "map"
                r = session.get(f"{url}/students/{student}/map/{rng.choice(chapters)}",
                                timeout=60)
            mine.append((kind, time.perf_counter() - started, r.status_code < 400))
        with lock:
            for kind, seconds_, ok in mine:
                results[kind].append((seconds_, ok))

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def _report(results: dict[str, list[tuple[float, bool]]], clients: int,
            seconds: float) -> None:
    print(f"{clients} clients for {seconds:.0f} s")
    print(f"{'kind':<16}{'requests':>9}{'req/s':>8}{'p50 ms':>8}{'p99 ms':>8}{'errors':>8}")
    rows = [*results.items(), ("all", [x for v in results.values() for x in v])]
    for kind, rows_ in rows:
        times = np.array([t for t, _ in rows_]) * 1000
        errors = sum(1 for _, ok in rows_ if not ok)
        print(f"{kind:<16}{len(rows_):>9}{len(rows_) / seconds:>8.1f}"
              f"{np.percentile(times, 50):>8.1f}{np.percentile(times, 99):>8.1f}{errors:>8}")


if __name__ == "__main__":
    main()
