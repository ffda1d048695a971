"""Chaos bench: a stream of answers from concurrent clients while the graph server is killed
with SIGKILL and restarted; does every acknowledged answer end up stored, exactly once?

    .venv/bin/python bench/chaos.py [--seconds 60] [--clients 8] [--kills 2] [--outage 2]

It makes a temporary KGTUTOR_VAR, seeds it (`kgtutor graph seed`), adds an admin account
(`kgtutor users add`) and starts `kgtutor serve` on a free loopback port. Each client posts
answers of the seeded students with ids of its own choosing, one at a time to
``/students/{id}/attempts`` or 2-20 at a time to ``/attempts/batch``, and re-sends each until
it is acknowledged (2xx), waiting 0.25 s after a 503 or no answer, as a client with idempotent
event ids would. At ``k/(kills+1)`` of the run the embedded graph server (the pid in its pid
file) gets kill -9, and ``--outage`` seconds later `kgtutor graph start`. At the end the stored
attempts are read back with ``graph.attempts.list_attempts`` and counted. Everything it starts
is stopped and the folder removed, also on Ctrl-C or SIGTERM.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import requests

from cli.common import store_for
from graph.attempts import AttemptFilter, list_attempts
from graph.recommend import load_catalogue
from graph.roster import StudentFilter, list_students
from services.settings import Settings
from services.store import embedded_server

KGTUTOR = str(Path(sys.executable).with_name("kgtutor"))
USER = "chaos-admin"
BACKOFF_S = 0.25  # after a 503 or no answer
GIVE_UP_S = 120  # after the end of the run, an answer still unacknowledged is given up


@dataclass
class Outage:
    """One kill -9 of the graph server, with monotonic times of what followed."""

    killed_at: float
    restarted_at: float = 0.0  # `kgtutor graph start` was run
    start_s: float = 0.0  # how long it took
    ready_at: float | None = None  # /ready answered 200 again
    first_ack_at: float | None = None  # first 2xx to a request sent after the kill


@dataclass
class Lab:
    """The temporary installation: its folder, environment and settings."""

    var: Path
    env: dict[str, str] = field(init=False)
    settings: Settings = field(init=False)

    def __post_init__(self) -> None:
        self.env = {**os.environ, "KGTUTOR_VAR": str(self.var), "KGTUTOR_GRAPH_URI": "embedded",
                    "KGTUTOR_GRAPH_NAME": "kgtutor",
                    "KGTUTOR_INGEST_RATE_LIMIT": "1000000 per minute"}
        self.settings = Settings.from_env(self.env)

    def kgtutor(self, *args: str, stdin: str = "") -> float:
        """Run a kgtutor command; return its wall time (it must succeed)."""
        started = time.monotonic()
        result = subprocess.run([KGTUTOR, *args], env=self.env, input=stdin, text=True,
                                capture_output=True, check=False, timeout=300)
        if result.returncode != 0:
            raise RuntimeError(f"kgtutor {' '.join(args)}: {result.stdout}{result.stderr}")
        return time.monotonic() - started


@dataclass
class Ledger:
    """What the clients sent and what the server acknowledged, shared by the client threads."""

    sent: set[str] = field(default_factory=set)
    acked: set[str] = field(default_factory=set)
    existing: int = 0  # acknowledged as stored before: an earlier send had stored it
    refused: dict[str, str] = field(default_factory=dict)
    statuses: Counter[int] = field(default_factory=Counter)  # per request; 0: no answer
    ack_times: list[tuple[float, float]] = field(default_factory=list)  # (sent at, 2xx at)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def answered(self, status: int) -> None:
        with self.lock:
            self.statuses[status] += 1

    def acknowledge(self, items: dict[str, str], sent_at: float) -> None:
        """Record a 2xx: ``items`` maps each event id to its status in the response."""
        with self.lock:
            self.ack_times.append((sent_at, time.monotonic()))
            for event_id, status in items.items():
                if status in ("created", "existing"):
                    self.acked.add(event_id)
                    self.existing += status == "existing"
                else:
                    self.refused[event_id] = status

    def first_ack_after(self, moment: float) -> float | None:
        """When the first request sent after ``moment`` was acknowledged."""
        with self.lock:
            return min((at for sent_at, at in self.ack_times if sent_at >= moment), default=None)


@dataclass
class Stream:
    """Clients that send answers until a deadline and re-send each until it is acknowledged."""

    url: str
    token: str
    students: list[str]
    questions: list[str]
    run: str
    ledger: Ledger = field(default_factory=Ledger)
    halt: threading.Event = field(default_factory=threading.Event)

    @property
    def prefix(self) -> str:
        return f"chaos-{self.run}-"

    def start(self, clients: int, stop_at: float) -> list[threading.Thread]:
        threads = [threading.Thread(target=self._client, args=(i, stop_at), daemon=True)
                   for i in range(clients)]
        for t in threads:
            t.start()
        return threads

    def _client(self, i: int, stop_at: float) -> None:
        rng = random.Random(i)
        session = requests.Session()
        session.headers["Authorization"] = f"Bearer {self.token}"
        n = 0
        while time.monotonic() < stop_at and not self.halt.is_set():
            size = 1 if rng.random() < 0.75 else rng.randint(2, 20)
            answers = [self._answer(rng, f"{self.prefix}c{i}-{n + j}") for j in range(size)]
            n += size
            with self.ledger.lock:
                self.ledger.sent.update(a["event_id"] for a in answers)
            self._deliver(session, answers, give_up_at=stop_at + GIVE_UP_S)

    def _answer(self, rng: random.Random, event_id: str) -> dict[str, object]:
        return {"event_id": event_id, "student_id": rng.choice(self.students),
                "question_id": rng.choice(self.questions), "correct": rng.random() < 0.6,
                "ts": datetime.now(UTC).isoformat()}

    def _deliver(self, session: requests.Session, answers: list[dict[str, object]],
                 give_up_at: float) -> None:
        """Send until acknowledged (2xx) or refused (4xx); wait a little after 5xx or none."""
        while not self.halt.is_set():
            sent_at = time.monotonic()
            status, items = self._post(session, answers)
            self.ledger.answered(status)
            if 200 <= status < 300:
                self.ledger.acknowledge(items, sent_at)
                return
            if (400 <= status < 500 and status != 429) or time.monotonic() > give_up_at:
                with self.ledger.lock:
                    self.ledger.refused.update((str(a["event_id"]), f"HTTP {status}")
                                               for a in answers)
                return
            time.sleep(BACKOFF_S)

    def _post(self, session: requests.Session, answers: list[dict[str, object]]
              ) -> tuple[int, dict[str, str]]:
        """POST one answer or a batch; return the status and each event id's item status."""
        try:
            if len(answers) == 1:
                body = {k: v for k, v in answers[0].items() if k != "student_id"}
                r = session.post(f"{self.url}/students/{answers[0]['student_id']}/attempts",
                                 json=body, timeout=60)
                status = "created" if r.status_code == 201 else "existing"
                return r.status_code, {str(answers[0]["event_id"]): status}
            r = session.post(f"{self.url}/attempts/batch", json={"attempts": answers},
                             timeout=60)
        except requests.RequestException:
            return 0, {}
        if r.status_code != 200:
            return r.status_code, {}
        return 200, {item["event_id"]: item["status"] for item in r.json()["items"]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--kills", type=int, default=2)
    parser.add_argument("--outage", type=float, default=2.0,
                        help="seconds between a kill and `kgtutor graph start`")
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, _exit_on_signal)  # so the clean-up below runs
    lab = Lab(Path(tempfile.mkdtemp(prefix="kgtutor-chaos-")))
    try:
        password = _prepare(lab)
        students, questions = _sample(lab.settings)
        with _serving(lab) as url:
            stream = Stream(url, _login(url, password), students, questions,
                            run=uuid.uuid4().hex[:8])
            outages = _run(lab, stream, args)
        stored = _stored(lab.settings, students, stream.prefix)
        _report(args, stream.ledger, stored, outages)
    finally:
        _stop_graph(lab)
        shutil.rmtree(lab.var, ignore_errors=True)


def _exit_on_signal(signum: int, _frame: object) -> None:
    raise SystemExit(128 + signum)


def _prepare(lab: Lab) -> str:
    """Seed the demo curriculum (this starts the graph server) and add the bench's admin."""
    lab.kgtutor("graph", "seed")
    password = uuid.uuid4().hex + uuid.uuid4().hex
    lab.kgtutor("users", "add", USER, "--role", "admin", stdin=password + "\n")
    return password


def _sample(settings: Settings) -> tuple[list[str], list[str]]:
    """The seeded students and their dataset's questions."""
    with store_for(settings) as store:
        _, rows = list_students(store, StudentFilter(), 0, 10_000)
        dataset = rows[0]["dataset"]
        questions = sorted(load_catalogue(store, dataset).questions)
    return sorted(r["id"] for r in rows if r["dataset"] == dataset), questions


@contextmanager
def _serving(lab: Lab) -> Iterator[str]:
    """`kgtutor serve` (no scheduler) on a free port until the block ends."""
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    with (lab.var / "serve.log").open("w") as log:
        proc = subprocess.Popen([KGTUTOR, "serve", "--port", str(port), "--no-scheduler"],
                                env=lab.env, stdout=log,
                                stderr=subprocess.STDOUT, start_new_session=True)
        try:
            if not _wait_ready(url, proc, 180):
                raise RuntimeError("kgtutor serve did not start:\n"
                                   + (lab.var / "serve.log").read_text()[-3000:])
            yield url
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def _free_port() -> int:
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_ready(url: str, proc: subprocess.Popen[bytes], timeout_s: float) -> bool:
    """Poll /ready until it answers 200; tell whether it did."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            if requests.get(url + "/ready", timeout=5).status_code == 200:
                return True
        except requests.RequestException:
            pass
        time.sleep(0.05)  # polling a process that is starting
    return False


def _login(url: str, password: str) -> str:
    r = requests.post(url + "/auth/login", json={"username": USER, "password": password},
                      timeout=30)
    r.raise_for_status()
    return r.json()["access_token"]


def _run(lab: Lab, stream: Stream, args: argparse.Namespace) -> list[Outage]:
    """Run the clients for ``args.seconds`` and kill the graph server ``args.kills`` times."""
    started = time.monotonic()
    threads = stream.start(args.clients, stop_at=started + args.seconds)
    outages = []
    try:
        for k in range(1, args.kills + 1):
            time.sleep(max(0.0, started + k * args.seconds / (args.kills + 1) - time.monotonic()))
            outages.append(_kill_and_restart(lab, stream.url, args.outage))
        for t in threads:
            t.join()
    finally:
        stream.halt.set()
    for outage in outages:
        outage.first_ack_at = stream.ledger.first_ack_after(outage.killed_at)
    return outages


def _kill_and_restart(lab: Lab, url: str, outage_s: float) -> Outage:
    """kill -9 the graph server, wait ``outage_s``, `kgtutor graph start`; /ready is watched
    from the kill on, so the time to serving again does not wait for the command to return."""
    pid = embedded_server(lab.settings).status().pid
    if pid is None:
        raise RuntimeError("the graph server is not running")
    with ThreadPoolExecutor(1) as pool:
        os.kill(pid, signal.SIGKILL)
        outage = Outage(killed_at=time.monotonic())
        ready = pool.submit(_ready_again, url, 120)
        time.sleep(outage_s)
        outage.restarted_at = time.monotonic()
        outage.start_s = lab.kgtutor("graph", "start")
        outage.ready_at = ready.result()
    return outage


def _ready_again(url: str, timeout_s: float) -> float | None:
    """When /ready answered 200 after having failed (None: not within ``timeout_s``)."""
    deadline, failed = time.monotonic() + timeout_s, False
    while time.monotonic() < deadline:
        try:
            ok = requests.get(url + "/ready", timeout=5).status_code == 200
        except requests.RequestException:
            ok = False
        if ok and failed:
            return time.monotonic()
        failed = failed or not ok
        time.sleep(0.02)  # polling a server that is coming back
    return None


def _stored(settings: Settings, students: list[str], prefix: str) -> Counter[str]:
    """How many times each of this run's event ids is stored (namespace removed)."""
    counts: Counter[str] = Counter()
    with store_for(settings) as store:
        for student in students:
            _, rows = list_attempts(store, student, AttemptFilter(), 0, 10**9)
            counts.update(r["event_id"].removeprefix("api:") for r in rows
                          if r["event_id"].startswith("api:" + prefix))
    return counts


def _stop_graph(lab: Lab) -> None:
    """Stop the graph server cleanly, or kill it; never leave it running."""
    server = embedded_server(lab.settings)
    try:
        server.stop(force=True)
    except Exception as e:  # a clean stop failed: kill it
        pid = server.status().pid
        print(f"graph stop failed ({e}); killing pid {pid}", file=sys.stderr)
        if pid is not None:
            os.kill(pid, signal.SIGKILL)


def _report(args: argparse.Namespace, ledger: Ledger, stored: Counter[str],
            outages: list[Outage]) -> None:
    acked, sent = ledger.acked, ledger.sent
    rows = [
        ("answers sent", len(sent)),
        ("acknowledged (2xx)", len(acked)),
        ("  of which 'existing' (stored by an unacknowledged send)", ledger.existing),
        ("stored", len(stored)),
        ("lost (acknowledged, not stored; goal 0)", len(acked - stored.keys())),
        ("duplicated (stored more than once; goal 0)", sum(1 for n in stored.values() if n > 1)),
        ("stored, never acknowledged", len(stored.keys() - acked)),
        ("refused (4xx) or given up", len(ledger.refused)),
        ("requests (with re-sends)", sum(ledger.statuses.values())),
    ]
    print(f"chaos: {args.clients} clients, {args.seconds:.0f} s, {args.kills} kill -9 of the "
          f"graph server, `kgtutor graph start` {args.outage:.1f} s after each; "
          f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC, load average "
          f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    for name, value in rows:
        print(f"{name:<58}{value:>8}")
    print("statuses: " + ", ".join(f"{s or 'no answer'}: {n}"
                                   for s, n in sorted(ledger.statuses.items())))
    print(f"{'kill':<6}{'graph start s':>14}{'start->ready s':>16}{'kill->ready s':>15}"
          f"{'kill->first ack s':>19}")
    for i, o in enumerate(outages, 1):
        print(f"{i:<6}{o.start_s:>14.2f}{_since(o.restarted_at, o.ready_at):>16}"
              f"{_since(o.killed_at, o.ready_at):>15}{_since(o.killed_at, o.first_ack_at):>19}")
    for event_id, reason in list(ledger.refused.items())[:10]:
        print(f"refused {event_id}: {reason}")


def _since(start: float, end: float | None) -> str:
    return "never" if end is None else f"{end - start:.2f}"


if __name__ == "__main__":
    main()
