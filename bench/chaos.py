"""Chaos bench: a stream of answers while the graph server is killed (-9) and restarted.

    .venv/bin/python bench/chaos.py [--seconds 60] [--clients 8] [--kills 2]

It seeds a graph of its own in a temporary folder, starts `kgtutor serve` on it, and runs
``--clients`` threads that each send answers (``POST /students/{id}/attempts``, a new event id
each) one after another, re-sending an answer until it is acknowledged (2xx) with a short
back-off on 5xx and refused connections, as a client with idempotent event ids should. During
the run the graph server is killed with SIGKILL ``--kills`` times, evenly spaced, and started
again with `kgtutor graph start` at once. At the end it reads back every student's attempts
through the API and prints:

* sent (distinct answers), acknowledged, stored;
* lost: acknowledged but not stored (goal 0); duplicated: stored more than once (goal 0);
* per kill: the seconds until `graph start` returned, until the API answered `/ready`, and
  until the first answer after the kill was acknowledged.

Everything it starts is stopped at the end, also on Ctrl-C.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import requests

REPO = Path(__file__).resolve().parents[1]
KGTUTOR = str(Path(sys.executable).with_name("kgtutor"))
PASSWORD = "chaos bench horse battery staple"
STUDENTS = ("alg-st-amara", "alg-st-ben", "alg-st-emma", "alg-st-farah", "alg-st-grace")
QUESTIONS = ("alg-q-absolute-value-01", "alg-q-integers-number-line-01", "alg-q-exponents-02")


@dataclass
class Tally:
    sent: int = 0
    acked: dict[str, str] = field(default_factory=dict)  # event id -> student
    ack_times: list[float] = field(default_factory=list)
    retries: int = 0
    statuses: Counter[str] = field(default_factory=Counter)
    lock: threading.Lock = field(default_factory=threading.Lock)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--kills", type=int, default=2)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="kgtutor-chaos-") as tmp:
        var = Path(tmp)
        env = {**os.environ, "KGTUTOR_VAR": str(var)}
        _cli(env, "graph", "seed")
        _cli(env, "users", "add", "chaos-admin", "--role", "admin", stdin=PASSWORD + "\n")
        port = _free_port()
        log = (var / "serve.log").open("w")
        server = subprocess.Popen([KGTUTOR, "serve", "--port", str(port), "--threads", "8",
                                   "--no-scheduler"], env=env, cwd=REPO, stdout=log,
                                  stderr=subprocess.STDOUT)
        url = f"http://127.0.0.1:{port}"
        try:
            _wait(url + "/health", 120)
            token = requests.post(url + "/auth/login", json={"username": "chaos-admin",
                                                             "password": PASSWORD},
                                  timeout=30).json()["access_token"]
            run(url, token, var, env, args)
        finally:
            server.terminate()
            server.wait(timeout=30)
            _cli(env, "graph", "stop", "--force", check=False)


def run(url: str, token: str, var: Path, env: dict[str, str], args: argparse.Namespace) -> None:
    tally, stop = Tally(), threading.Event()
    headers = {"Authorization": f"Bearer {token}"}
    started = time.monotonic()
    clients = [threading.Thread(target=_client, args=(url, headers, c, tally, stop))
               for c in range(args.clients)]
    for t in clients:
        t.start()
    kills = []
    try:
        for k in range(args.kills):
            _sleep_until(started + args.seconds * (k + 1) / (args.kills + 1))
            kills.append(_kill_and_restart(url, var, env, tally))
        _sleep_until(started + args.seconds)
    finally:
        stop.set()
        for t in clients:
            t.join()
    stored = _stored(url, headers)
    _report(tally, stored, kills, time.monotonic() - started, args)


def _client(url: str, headers: dict[str, str], client: int, tally: Tally,
            stop: threading.Event) -> None:
    session = requests.Session()
    n = 0
    while not stop.is_set():
        student, question = STUDENTS[n % len(STUDENTS)], QUESTIONS[(n + client) % 3]
        event = f"chaos-{client}-{n}"
        body = {"event_id": event, "question_id": question, "correct": n % 3 != 0}
        with tally.lock:
            tally.sent += 1
        while True:  # re-send until acknowledged, even after the stop: an answer is not dropped
            try:
                r = session.post(f"{url}/students/{student}/attempts", json=body,
                                 headers=headers, timeout=30)
                status = str(r.status_code)
            except requests.RequestException as e:
                status = type(e).__name__
            with tally.lock:
                tally.statuses[status] += 1
                if status in ("200", "201"):
                    tally.acked[event] = student
                    tally.ack_times.append(time.monotonic())
                    break
                tally.retries += 1
            if status.startswith("4"):
                raise SystemExit(f"answer {event} refused: {status} {r.text[:200]}")
            time.sleep(0.05)
        n += 1


def _kill_and_restart(url: str, var: Path, env: dict[str, str], tally: Tally) -> dict:
    pid = int((var / "graph" / "falkordb.pid").read_text().strip())
    killed = time.monotonic()
    os.kill(pid, signal.SIGKILL)
    while _alive(pid):
        time.sleep(0.01)
    _cli(env, "graph", "start")
    started = time.monotonic() - killed
    _wait(url + "/ready", 120)
    ready = time.monotonic() - killed
    while True:
        with tally.lock:
            after = [t for t in tally.ack_times if t > killed]
        if after or time.monotonic() - killed > 120:
            break
        time.sleep(0.01)
    return {"graph_start_s": started, "ready_s": ready,
            "first_ack_s": (min(after) - killed) if after else None}


def _stored(url: str, headers: dict[str, str]) -> Counter[str]:
    """Every stored event id of the bench's students, counted (a duplicate counts twice)."""
    seen: Counter[str] = Counter()
    for student in STUDENTS:
        page = 1
        while True:
            r = requests.get(f"{url}/students/{student}/attempts",
                             params={"page": page, "page_size": 100}, headers=headers, timeout=60)
            r.raise_for_status()
            rows = r.json()
            seen.update(a["event_id"].removeprefix("api:") for a in rows
                        if a["event_id"].removeprefix("api:").startswith("chaos-"))
            if len(rows) < 100:
                break
            page += 1
    return seen


def _report(tally: Tally, stored: Counter[str], kills: list[dict], seconds: float,
            args: argparse.Namespace) -> None:
    lost = [e for e in tally.acked if stored[e] == 0]
    duplicated = [e for e, n in stored.items() if n > 1]
    print(f"chaos: {args.clients} clients, {seconds:.0f} s, graph server killed (-9) "
          f"{len(kills)} times")
    print("| sent | acknowledged | stored | lost | duplicated | re-sends |")
    print("|---:|---:|---:|---:|---:|---:|")
    print(f"| {tally.sent:,} | {len(tally.acked):,} | {len(stored):,} | {len(lost)} | "
          f"{len(duplicated)} | {tally.retries:,} |")
    print()
    print("| kill | graph start returned | API ready | first answer acknowledged |")
    print("|---:|---:|---:|---:|")
    for i, k in enumerate(kills, 1):
        first = f"{k['first_ack_s']:.2f} s" if k["first_ack_s"] is not None else "never"
        print(f"| {i} | {k['graph_start_s']:.2f} s | {k['ready_s']:.2f} s | {first} |")
    print()
    print("responses:", ", ".join(f"{s} x{n:,}" for s, n in sorted(tally.statuses.items())))
    if lost:
        print("lost:", ", ".join(sorted(lost)[:20]))


def _cli(env: dict[str, str], *args: str, stdin: str = "", check: bool = True) -> None:
    done = subprocess.run([KGTUTOR, *args], env=env, cwd=REPO, input=stdin, text=True,
                          capture_output=True, timeout=300)
    if check and done.returncode != 0:
        raise SystemExit(f"kgtutor {' '.join(args)} failed: {done.stdout}{done.stderr}")


def _wait(url: str, timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            if requests.get(url, timeout=2).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.05)
    raise SystemExit(f"{url} did not answer in {timeout_s:.0f} s")


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def _sleep_until(deadline: float) -> None:
    time.sleep(max(0.0, deadline - time.monotonic()))


if __name__ == "__main__":
    main()
