"""`kgtutor serve --workers 2`: two live worker processes on one graph share their rate limits
(in the graph server's Redis, per client as the trusted proxy names it) and their cache
invalidations (the graph's cache version), and a worker killed with SIGKILL is replaced.

Which worker answered comes from the server's access log (``--access-log``: its pid, and the
request line, whose ``n`` marks each request of a round).

The server starts with an empty numba cache (``NUMBA_CACHE_DIR``), as on a fresh install: one
worker compiles librosa's kernels while the other waits (``cli.warm_up``), and the worker forked
after a SIGKILL loads the cache the first wrote."""

from __future__ import annotations

import itertools
import os
import re
import signal
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from click.testing import CliRunner

from cli.common import store_for
from cli.main import main
from graph import cache_version
from graph.embedded import EmbeddedServer
from graph.irt import write_irt
from graph.recommend import load_catalogue
from services import accounts
from services.imports import SEED_DATASET
from services.settings import Settings
from tests.live_server import serving
from tutor.access import Role

PASSWORD = "two workers battery staple"
LIMIT = 12  # log-ins a minute per address, across the whole server
REFIT_B = 0.4321  # every question's difficulty after the "refit"


@pytest.fixture(scope="module")
def two_workers(tmp_path_factory: pytest.TempPathFactory
                ) -> Iterator[tuple[str, Path, Path, dict[str, str]]]:
    """The server, its var dir, its access log, and an admin's headers (logged in first:
    the rate-limit test spends the address's log-ins)."""
    var = tmp_path_factory.mktemp("workers-var")
    assert CliRunner().invoke(main, ["graph", "seed"], env={"KGTUTOR_VAR": str(var)}
                              ).exit_code == 0
    with store_for(Settings(var_dir=var)) as store:
        accounts.add_user(store, "admin", PASSWORD, Role.ADMIN, int(time.time() * 1000))
    access = var / "access.log"
    try:
        with serving(var, var / "serve.log", "--workers", "2",
                     "--no-scheduler", "--access-log", str(access), "--trusted-proxy",
                     "127.0.0.1",
                     KGTUTOR_AUTH_RATE_LIMIT=f"{LIMIT} per minute",
                     NUMBA_CACHE_DIR=str(var / "numba")) as url:
            both_workers_answer(url, access)
            r = requests.post(url + "/auth/login",
                              json={"username": "admin", "password": PASSWORD}, timeout=30)
            assert r.status_code == 200, r.text
            yield url, var, access, {"Authorization": f"Bearer {r.json()['access_token']}"}
    finally:
        EmbeddedServer(var / "graph").stop(force=True)


def both_workers_answer(url: str, access: Path) -> None:
    """Probe until each worker has answered: /health answers once the first is up, and the
    second waits for the first to compile numba's kernels (``cli.warm_up``)."""
    marker, deadline = uuid.uuid4().hex[:8], time.monotonic() + 120
    for i in itertools.count():
        assert requests.get(f"{url}/health?up={marker}-{i}", timeout=30).status_code == 200
        if len(set(pids_of(access, marker).values())) == 2:
            return
        assert time.monotonic() < deadline, "the second worker never answered"
        time.sleep(0.1)  # pacing the probe while a worker loads, not synchronising


def pids_of(access: Path, marker: str) -> dict[str, str]:
    """Request line -> pid of the worker that answered, for lines holding ``marker``."""
    found = {}
    for line in access.read_text().splitlines():
        m = re.search(r'pid=<?(\d+)>? "(\S+ \S+)', line)
        if m and marker in m.group(2):
            found[m.group(2)] = m.group(1)
    return found


def recommendation_round(url: str, access: Path, headers: dict[str, str], student: str,
                         mark: str, field: str) -> tuple[set[Any], set[str]]:
    """20 requests for the student's recommendations (n = 1..20, each marked in the access
    log): the values of ``field`` over their items, and the pids of the workers that
    answered."""
    values = set()
    for n in range(1, 21):
        r = requests.get(f"{url}/students/{student}/recommendations?n={n}&{mark}",
                         headers=headers, timeout=30)
        assert r.status_code == 200, r.text
        values |= {item[field] for item in r.json()["items"]}
    deadline = time.monotonic() + 10
    while len(pids := pids_of(access, mark)) < 20 and time.monotonic() < deadline:
        time.sleep(0.1)  # the access log is written after each response
    return values, set(pids.values())


def both_workers(round_: Callable[[str], tuple[set[Any], set[str]]]) -> set[Any]:
    """The values of rounds marked "before…" until both workers have answered one, so both
    hold the catalogue (the kernel hands a round's new connections to either worker, and
    now and then all 20 to one)."""
    values: set[Any] = set()
    pids: set[str] = set()
    for attempt in range(10):
        got, answered = round_(f"before{attempt}")
        values, pids = values | got, pids | answered
        if len(pids) == 2:
            return values
    raise AssertionError(f"10 rounds of 20 requests all went to one worker: {pids}")


def test_a_rate_limit_holds_across_both_workers(two_workers: tuple) -> None:
    url, _, access, _ = two_workers
    marker = uuid.uuid4().hex[:8]
    statuses = []
    for i in range(3 * LIMIT):  # a new connection each: the kernel hands them to either worker
        r = requests.post(f"{url}/auth/login?try={marker}-{i}", json={
            "username": f"nobody-{marker}-{i}", "password": "wrong password"}, timeout=30)
        statuses.append(r.status_code)
    # LIMIT passed (the admin's log-in was one), whichever worker answered
    assert statuses.count(429) == 2 * LIMIT + 1, statuses
    assert set(statuses[:LIMIT - 1]) == {401}
    deadline = time.monotonic() + 10
    while len(pids := pids_of(access, marker)) < 3 * LIMIT and time.monotonic() < deadline:
        time.sleep(0.1)  # the access log is written after each response
    assert len(set(pids.values())) == 2, "both workers must have answered"


def test_the_limit_counts_the_client_the_trusted_proxy_names(two_workers: tuple) -> None:
    """The tests' requests come from 127.0.0.1, the trusted proxy: X-Forwarded-For names the
    client, and each client has its own limit (whatever 127.0.0.1 itself has spent)."""
    url = two_workers[0]
    marker = uuid.uuid4().hex[:8]

    def log_in(client: str, i: int) -> int:
        return requests.post(f"{url}/auth/login?try={marker}-{client}-{i}", json={
            "username": f"nobody-{marker}", "password": "wrong password"},
            headers={"X-Forwarded-For": client}, timeout=30).status_code

    spent = [log_in("203.0.113.7", i) for i in range(LIMIT + 2)]
    assert spent == [401] * LIMIT + [429] * 2
    assert log_in("203.0.113.8", 0) == 401


def test_a_refit_reaches_every_worker_within_a_second(two_workers: tuple) -> None:
    url, var, access, headers = two_workers

    def round_(tag: str) -> tuple[set[float], set[str]]:
        return recommendation_round(url, access, headers, "alg-st-amara", f"r={tag}",
                                    "difficulty")

    before = both_workers(round_)
    assert REFIT_B not in before
    with store_for(Settings(var_dir=var)) as store:  # what `train irt --write-graph` does
        ids = sorted(load_catalogue(store, SEED_DATASET).questions)
        write_irt(store, item_ids=ids, a=[1.0] * len(ids), b=[REFIT_B] * len(ids),
                  item_responses=[100] * len(ids), student_ids=[], theta=[], theta_var=[],
                  student_responses=[])
        cache_version.bump(store)
    for attempt in range(50):  # rounds until both workers answer with the refit
        after, pids = round_(f"after{attempt}")
        if after == {REFIT_B} and len(pids) == 2:
            break
    else:
        # without the version bump each worker keeps its catalogue for the cache's 300 s
        raise AssertionError(f"a worker still serves the old catalogue: {after}")


def test_an_authoring_edit_through_one_worker_reaches_every_worker(two_workers: tuple) -> None:
    """A tutor's edit (here an admin archives the KP a student is recommended) goes through one
    worker; both workers' next recommendations leave the KP out (the edit moves the version)."""
    url, _, access, headers = two_workers

    def round_(tag: str) -> tuple[set[str], set[str]]:
        return recommendation_round(url, access, headers, "alg-st-ben", f"a={tag}", "kp_id")

    before = both_workers(round_)
    archived = sorted(before)[0]
    r = requests.patch(f"{url}/kps/{archived}", json={"archived": True}, headers=headers,
                       timeout=30)
    assert r.status_code == 200, r.text
    for attempt in range(50):  # rounds until both workers answer without the KP
        after, pids = round_(f"after{attempt}")
        if archived not in after and len(pids) == 2:
            break
    else:
        raise AssertionError(f"a worker still recommends the archived {archived}")
    requests.patch(f"{url}/kps/{archived}", json={"archived": False}, headers=headers,
                   timeout=30)


def test_an_erasure_through_a_worker_moves_the_version_every_worker_follows(
        two_workers: tuple) -> None:
    """What a worker invalidates itself (an erasure changes peers' mastery and popularity) it
    also announces to the others: the version the refit test shows both workers follow."""
    url, var, _, headers = two_workers
    student = f"st-erased-{uuid.uuid4().hex[:8]}"
    r = requests.post(f"{url}/students", json={"id": student, "name": "Erased"},
                      headers=headers, timeout=30)
    assert r.status_code == 201, r.text
    with store_for(Settings(var_dir=var)) as store:
        before = cache_version.current(store)
        r = requests.delete(f"{url}/students/{student}", headers=headers, timeout=30)
        assert r.status_code == 204, r.text
        assert cache_version.current(store) > before


def test_a_worker_killed_with_sigkill_is_replaced(two_workers: tuple) -> None:
    """kill -9 of a worker: the master forks a new one, and the server keeps answering."""
    url, _, access, headers = two_workers
    marker = uuid.uuid4().hex[:8]
    for i in range(10):
        requests.get(f"{url}/students/alg-st-amara?k={marker}-{i}", headers=headers, timeout=30)
    deadline = time.monotonic() + 10
    while not (pids := set(pids_of(access, marker).values())) and time.monotonic() < deadline:
        time.sleep(0.1)
    victim = int(sorted(pids)[0])
    os.kill(victim, signal.SIGKILL)
    answered, seen = [], set()
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and len(seen - {str(victim)}) != 2:
        tag = f"{marker}-after-{len(answered)}"
        try:
            r = requests.get(f"{url}/students/alg-st-amara?k={tag}", headers=headers, timeout=30)
            answered.append(r.status_code)
        except requests.ConnectionError:  # a connection the dying worker held
            answered.append(0)
        time.sleep(0.05)  # pacing the probe while the master forks, not synchronising
        seen = set(pids_of(access, f"{marker}-after").values())
    assert str(victim) not in seen
    assert len(seen) == 2, "the master must have replaced the killed worker"
    assert answered.count(200) >= len(answered) - 1  # at most the one request it was serving
