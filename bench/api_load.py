"""Load test of `kgtutor serve`: concurrent clients on issue 18's mix, over real HTTP.

    .venv/bin/python bench/api_load.py [--url URL] [--clients 16] [--seconds 60]
        [--workers N] [--connections N] [--cpu-ms 4.0] [--bells 3]
        [--mix recommendations=70,answers=25,report=5]

Without ``--url`` it starts `kgtutor serve` itself (no scheduler, ``--workers``: default the
server's own default) on a free loopback port, on the graph of ``KGTUTOR_VAR`` (default var/,
as left by `make demo`: ASSIST2009 loaded as dataset ``lpp``; another with
``KGTUTOR_BENCH_DATASET``). It creates a bench admin account and, if missing, bench classes of
30 of the dataset's students. The mix per request: 70 % ``GET /students/{id}/recommendations``
for a random student (3,114 in ASSIST2009: most are asked for the first time, so cold),
25 % ``POST /students/{id}/attempts`` (a new event each time), 5 % ``GET
/classes/{id}/report``. Prints requests/s, p50, p99 and errors per route, and the ratio of
the recommendation rate to the physical ceiling: cores / CPU per cold recommendation
(``--cpu-ms``, from ``bench/rec_latency.py``), and the CPU each side used during the run
(the server's processes, the graph server's, the clients'). The clients run on the same
machine as the server and take CPU from it: on a 2-core machine the figures are a floor.
Before the mix, ``--bells`` bench classes each open the practice page at once: their 30
students' first recommendations sent together, the slowest and the median reported.
It ends with two figures of the machine itself (a fixed loop's time, a round trip between
two cores), so that sittings can be compared. ``--mix`` weighs the routes otherwise (also
``student``: ``GET /students/{id}``, and ``health``: ``GET /health``, unauthenticated): one
route alone gives its CPU per request.
"""

from __future__ import annotations

import argparse
import http.client
import json
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
from urllib.parse import urlsplit

import numpy as np
import requests

from cli.common import store_for
from cli.serve import WORKER_READY, cores
from graph import accounts as stored
from graph import roster
from graph.ingest import GraphData, ingest
from graph.recommend import load_catalogue
from services import accounts
from services.settings import Settings
from tutor.access import Role
from tutor.roster import SchoolClass

USER, PASSWORD = "bench-admin", "bench admin password"
DATASET = os.environ.get("KGTUTOR_BENCH_DATASET", "lpp")  # `graph import assist2009` names it lpp


def class_id(i: int) -> str:
    """The id of bench class ``i`` (``bench/class_report.py`` reads the same classes)."""
    return f"{DATASET}:bench-class-{i}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", default="")
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--connections", type=int, default=0,
                        help="connections per server worker (default: the server's default)")
    parser.add_argument("--workers", type=int, default=0,
                        help="server worker processes (default: the server's default)")
    parser.add_argument("--cpu-ms", type=float, default=4.0,
                        help="CPU ms of a cold recommendation (bench/rec_latency.py)")
    parser.add_argument("--bells", type=int, default=3,
                        help="classes that open the practice page at once, before the mix")
    parser.add_argument("--mix", type=_mix, default=_mix(ISSUE_MIX),
                        help=f"route=weight,... of {', '.join(ROUTES)} (default {ISSUE_MIX})")
    args = parser.parse_args()
    settings = Settings.from_env()
    students, classes, questions = _sample(settings)
    with _server(settings, args.url, args.connections, args.workers) as (url, pid):
        token = _login(url)
        if args.bells:
            _bells(url, token, students, args.bells)
        groups = {"kgtutor serve (master and workers)": lambda: _tree(pid) if pid else [],
                  "graph server": lambda: _graph_pid(settings),
                  "load clients (this process)": lambda: [os.getpid()]}
        before = {name: _cpu(pids()) for name, pids in groups.items()}
        results = _run(url, token, students, classes, questions, args.clients, args.seconds,
                       args.mix)
        used = {name: _cpu(pids()) - before[name] for name, pids in groups.items()}
    _report(results, args.clients, args.seconds, args.cpu_ms)
    wall_us, cpu_us = _wake_up_cost()
    print(f"\nthis machine now: a pure-Python loop of 10^6 additions {_loop_ms():.0f} ms; a "
          f"round trip between processes on two cores {wall_us:.0f} µs ({cpu_us:.0f} µs of "
          "the sender's CPU). Compare sittings only where these agree.")
    cores = len(os.sched_getaffinity(0))
    served = sum(map(len, results.values()))
    print(f"\n| process | CPU s | share of {cores} cores x {args.seconds:.0f} s | "
          "CPU ms per request |")
    print("|---|---:|---:|---:|")
    for name, seconds in [*used.items(), ("all", sum(used.values()))]:
        print(f"| {name} | {seconds:.1f} | {seconds / (cores * args.seconds):.0%} | "
              f"{1000 * seconds / max(served, 1):.2f} |")


ROUTES = ("recommendations", "answers", "report", "student", "health")
ISSUE_MIX = "recommendations=70,answers=25,report=5"


def _mix(text: str) -> dict[str, float]:
    """``route=weight,...`` as each route's share of the requests."""
    try:
        weights = {k.strip(): float(v) for k, v in (p.split("=") for p in text.split(","))}
    except ValueError:
        raise argparse.ArgumentTypeError(f"not route=weight,...: {text}") from None
    if set(weights) - set(ROUTES) or sum(weights.values()) <= 0 or min(weights.values()) < 0:
        raise argparse.ArgumentTypeError(f"routes are {', '.join(ROUTES)}, weights ≥ 0")
    total = sum(weights.values())
    return {k: w / total for k, w in weights.items() if w > 0}


CLASS_SIZE = 30


def _sample(settings: Settings) -> tuple[list[str], list[str], list[str]]:
    """Students with answers, bench classes and questions of the dataset; the bench account."""
    with store_for(settings) as store:
        if stored.find_user(store, USER) is None:
            accounts.add_user(store, USER, PASSWORD, Role.ADMIN, int(time.time() * 1000))
        _, page = roster.list_students(store, roster.StudentFilter(min_mastery=0.0), 0, 100000)
        students = sorted(s["id"] for s in page if s["dataset"] == DATASET)
        if not students:
            sys.exit(f"no {DATASET} students with mastery in the graph: run `make demo` first")
        classes = [SchoolClass(class_id(i), f"Bench class {i}", (),
                               tuple(students[i * CLASS_SIZE:(i + 1) * CLASS_SIZE]))
                   for i in range(min(10, len(students) // CLASS_SIZE or 1))]
        ingest(store, GraphData(DATASET, classes=classes))  # MERGE: idempotent
        questions = list(load_catalogue(store, DATASET).questions)
    return students, [c.id for c in classes], questions


def _cpu(pids: list[int]) -> float:
    """CPU seconds (user + system) the processes have used so far; gone ones count 0."""
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime: the stat's fields 14, 15
    return total / os.sysconf("SC_CLK_TCK")


def _loop_ms(n: int = 1_000_000) -> float:
    """The best of three timings of a fixed pure-Python loop: this machine's speed now."""
    best = float("inf")
    for _ in range(3):
        start, total = time.perf_counter(), 0
        for i in range(n):
            total += i
        best = min(best, time.perf_counter() - start)
    return 1000 * best


def _wake_up_cost(trips: int = 5000) -> tuple[float, float]:
    """µs of wall time and of the sender's CPU per round trip of one byte over a socket pair
    between two processes on two different cores. On a virtual machine, waking a process on
    another core costs what the host makes it cost, and every request pays it several times
    (client, worker, graph server). The bench's figures moved by some 40 % between sittings
    with the code unchanged (docs/evaluation/api-load.md): this and :func:`_loop_ms` show two
    ways a machine can change, not every way (within one sitting, throughput moved by a tenth
    with both steady)."""
    cores = sorted(os.sched_getaffinity(0))
    ours, theirs = socket.socketpair()
    child = os.fork()
    if child == 0:  # the echo, on the last core
        try:
            os.sched_setaffinity(0, {cores[-1]})
            for _ in range(trips):
                theirs.send(theirs.recv(1))
        finally:
            os._exit(0)
    mask = os.sched_getaffinity(0)
    os.sched_setaffinity(0, {cores[0]})
    try:
        wall, cpu = time.perf_counter(), time.process_time()
        for _ in range(trips):
            ours.send(b"x")
            ours.recv(1)
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    finally:
        os.sched_setaffinity(0, mask)
        os.waitpid(child, 0)
        ours.close()
        theirs.close()
    return 1e6 * wall / trips, 1e6 * cpu / trips


def _tree(pid: int) -> list[int]:
    """``pid`` and its children (gunicorn's workers)."""
    children = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            if int(stat.read_text().rsplit(")", 1)[1].split()[1]) == pid:
                children.append(int(stat.parent.name))
        except (OSError, ValueError, IndexError):
            continue
    return [pid, *children]


def _graph_pid(settings: Settings) -> list[int]:
    """The embedded graph server's process, when this machine runs it."""
    found = settings.graph_dir / "falkordb.pid"
    return [int(found.read_text().strip())] if found.exists() else []


@contextmanager
def _server(settings: Settings, url: str, connections: int, workers: int
            ) -> Iterator[tuple[str, int | None]]:
    if url:
        yield url.rstrip("/"), None
        return
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    kgtutor = Path(sys.executable).with_name("kgtutor")
    log = open(settings.var_dir / "bench-serve.log", "w")  # noqa: SIM115
    command = [str(kgtutor), "serve", "--port", str(port), "--no-scheduler",
               *(["--connections", str(connections)] if connections else []),
               *(["--workers", str(workers)] if workers else [])]
    proc = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT,
                            env={**os.environ, "KGTUTOR_AUTH_RATE_LIMIT": "1000 per minute"})
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 180
        expected = workers or cores()
        while time.monotonic() < deadline and proc.poll() is None:  # every worker, warm: the
            # clients' keep-alive connections would all go to the first one otherwise
            log.flush()
            logged = (settings.var_dir / "bench-serve.log").read_text(errors="replace")
            if logged.count(WORKER_READY) >= expected:
                break
            time.sleep(0.5)
        else:
            sys.exit("kgtutor serve did not start; see var/bench-serve.log")
        yield url, proc.pid
    finally:
        proc.terminate()
        proc.wait(timeout=60)
        log.close()


def _login(url: str) -> str:
    r = requests.post(url + "/auth/login", json={"username": USER, "password": PASSWORD},
                      timeout=30)
    r.raise_for_status()
    return r.json()["access_token"]


def _bells(url: str, token: str, students: list[str], rounds: int) -> None:
    """A class of 30 opening the practice page together (issue 18's "why"): its 30 students'
    first recommendations sent at once, a class at a time, on a server that has not yet
    planned for them; the slowest is how long the last student waits."""
    print(f"| class at once ({CLASS_SIZE} students, first plans) | slowest ms | p50 ms | "
          "errors |\n|---|---:|---:|---:|")
    for i in range(1, rounds + 1):  # bench class 0 holds the warm-up student
        times = _at_once(url, token, students[i * CLASS_SIZE:(i + 1) * CLASS_SIZE])
        ms = np.array([t for t, _ in times]) * 1000
        print(f"| bench class {i} | {ms.max():.0f} | {np.percentile(ms, 50):.0f} | "
              f"{sum(not ok for _, ok in times)} |")
    print()


def _at_once(url: str, token: str, members: list[str]) -> list[tuple[float, bool]]:
    """Each member's recommendations, all sent together: (seconds, ok) per request."""
    start = threading.Barrier(len(members))
    times: list[tuple[float, bool]] = []

    def open_page(student: str) -> None:
        start.wait()
        began = time.perf_counter()
        r = requests.get(f"{url}/students/{student}/recommendations", timeout=60,
                         headers={"Authorization": f"Bearer {token}"})
        times.append((time.perf_counter() - began, r.status_code == 200))

    threads = [threading.Thread(target=open_page, args=(s,)) for s in members]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return times


def _run(url: str, token: str, students: list[str], classes: list[str],
         questions: list[str], clients: int, seconds: float, mix: dict[str, float]
         ) -> dict[str, list[tuple[float, bool]]]:
    results: dict[str, list[tuple[float, bool]]] = defaultdict(list)
    lock = threading.Lock()
    stop = time.monotonic() + seconds
    # warm the recommender's catalogue cache once, as a running server would have
    requests.get(f"{url}/students/{students[0]}/recommendations",
                 headers={"Authorization": f"Bearer {token}"}, timeout=120)

    routes, weights = list(mix), list(mix.values())

    def client(seed: int) -> None:
        rng = random.Random(seed)
        session = _Connection(url, token)
        mine: list[tuple[str, float, bool]] = []
        while time.monotonic() < stop:
            student = rng.choice(students)
            kind = rng.choices(routes, weights)[0]
            started = time.perf_counter()
            if kind == "recommendations":
                status = session.send("GET", f"/students/{student}/recommendations")
            elif kind == "answers":
                status = session.send("POST", f"/students/{student}/attempts", {
                    "event_id": f"bench-{uuid.uuid4()}", "question_id": rng.choice(questions),
                    "correct": rng.random() < 0.6})
            elif kind == "report":
                status = session.send("GET", f"/classes/{rng.choice(classes)}/report")
            elif kind == "student":
                status = session.send("GET", f"/students/{student}")
            else:
                status = session.send("GET", "/health")
            mine.append((kind, time.perf_counter() - started, status < 400))
        session.close()
        with lock:
            for kind, seconds_, ok in mine:
                results[kind].append((seconds_, ok))

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


class _Connection:
    """One client's keep-alive HTTP connection (``http.client``): a request costs the client
    about a third of the CPU it costs through ``requests``, and the clients share the server's
    cores here, so what they spend is taken from the server."""

    def __init__(self, url: str, token: str) -> None:
        parts = urlsplit(url)
        self._kind = (http.client.HTTPSConnection if parts.scheme == "https"
                      else http.client.HTTPConnection)
        self._address = (parts.hostname or "127.0.0.1", parts.port)
        self._prefix = parts.path.rstrip("/")  # a server behind a proxy's path
        self._headers = {"Authorization": f"Bearer {token}"}
        self._conn = self._open()

    def _open(self) -> http.client.HTTPConnection:
        return self._kind(*self._address, timeout=60)

    def send(self, method: str, path: str, body: object = None) -> int:
        """The response's status, its body read and dropped; a connection that fails is an
        error (599), and the next request opens a new one."""
        headers, data = self._headers, None
        if body is not None:
            data = json.dumps(body).encode()
            headers = {**headers, "Content-Type": "application/json"}
        try:
            self._conn.request(method, self._prefix + path, data, headers)
            response = self._conn.getresponse()
            response.read()
            return response.status
        except (OSError, http.client.HTTPException):
            self._conn.close()
            self._conn = self._open()
            return 599

    def close(self) -> None:
        self._conn.close()


def _report(results: dict[str, list[tuple[float, bool]]], clients: int,
            seconds: float, cpu_ms: float) -> None:
    print(f"{clients} clients for {seconds:.0f} s\n")
    print("| route | requests | req/s | p50 ms | p99 ms | errors |")
    print("|---|---:|---:|---:|---:|---:|")
    rows = [*sorted(results.items()), ("all", [x for v in results.values() for x in v])]
    for kind, rows_ in rows:
        times = np.array([t for t, _ in rows_]) * 1000
        errors = sum(1 for _, ok in rows_ if not ok)
        print(f"| {kind} | {len(rows_)} | {len(rows_) / seconds:.1f} | "
              f"{np.percentile(times, 50):.1f} | {np.percentile(times, 99):.1f} | {errors} |")
    cores = len(os.sched_getaffinity(0))
    ceiling = cores * 1000 / cpu_ms
    rate = len(results.get("recommendations", ())) / seconds
    print(f"\nrecommendations: {rate:.0f}/s against a ceiling of {ceiling:.0f}/s "
          f"({cores} cores / {cpu_ms} ms CPU per cold call): {rate / ceiling:.0%}")


if __name__ == "__main__":
    main()
