"""`kgtutor study rehearse`: the classroom study run through the real API of a running server.

Simulated learners of the study's harness (``evaluation.learner`` on the demo course,
``evaluation.domains.demo_domain``) become HTTP clients of a ``kgtutor serve`` that someone else
started, with a token that may create classes, students, tests and experiments (an admin's).
The run:

1. creates a class, its students (with affect consent: they send self-reports), a pre-test and
   a post-test (the study's standard form: each KP's most typical question, two tests with the
   same questions) and an experiment with the arms asked for;
2. records every student's consent and has them sit the pre-test;
3. starts the experiment (the server randomises, blocked on the pre-test);
4. has each student practise ``budget`` questions as the practice page does: fetch the
   recommendations, answer the first, fetch again; a rest when the plan asks for one, a new
   session every ``session`` questions, and an emoji self-report ("tired", "confused") whenever
   the simulated learner emits one;
5. has them sit the post-test, stops the experiment, and has them answer the questionnaire;
6. fetches the report, and counts the HTTP errors (any answer of 400 or more) and times every
   request.

A learner answers a test item right with the harness's probability, without learning; in
practice it learns as in the study. It answers right with the course's answer key, which the
client reads from the seed curriculum (the server never sends it). **Satisfaction model**: a
learner's latent satisfaction is ``3 + 2.5 (r - 0.6) - 0.5 f`` where ``r`` is their share of
right practice answers and ``f`` is 1 if they reported fatigue; each Likert item is that plus
N(0, 0.6), rounded and clipped to 1-5, so the items agree as a scale does and success and
fatigue move them.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import requests

from evaluation.domains import demo_domain
from evaluation.learner import Learner, SimParams, standard_form
from tutor.affect import AffectTag

DATASET = "seed"
EMOJI = {AffectTag.FATIGUED: "tired", AffectTag.CONFUSED: "confused"}
TIMEOUT = (5.0, 60.0)


@dataclass(frozen=True)
class RehearsalConfig:
    students: int = 80
    budget: int = 40  # practice questions per student
    arms: tuple[str, ...] = ("kgtutor", "fixed")
    seed: int = 0
    workers: int = 4  # students practising at once (each is one client)
    session: int = 20  # questions per session
    per_kp: int = 1  # test items per KP


@dataclass
class Client:
    """One HTTP session that times every request and counts the failed ones."""

    base: str
    token: str
    latencies: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        self.http = requests.Session()
        self.http.headers["Authorization"] = f"Bearer {self.token}"

    def call(self, method: str, path: str, **kw: Any) -> Any:
        t0 = time.perf_counter()
        try:
            r = self.http.request(method, self.base + path, timeout=TIMEOUT, **kw)
            failed = f"{method} {path}: HTTP {r.status_code} {r.text[:200]}" \
                if r.status_code >= 400 else None
        except requests.RequestException as e:
            r, failed = None, f"{method} {path}: {type(e).__name__}"
        with self.lock:
            self.latencies.append(1000 * (time.perf_counter() - t0))
            if failed:
                self.errors.append(failed)
        if failed or r is None:
            return None
        return r.json() if r.content and r.headers.get("Content-Type", "").startswith(
            "application/json") else r.text


class Student:
    """A simulated learner as an API client."""

    def __init__(self, sid: str, params: SimParams, keys: dict[str, tuple[str, list[str]]],
                 rng: np.random.Generator) -> None:
        self.id, self.params, self.keys, self.rng = sid, params, keys, rng
        self.learner = Learner(params, rng)
        self.right = self.answered = 0
        self.tired = False

    def response(self, question: str, correct: bool) -> str:
        key, options = self.keys[question]
        if correct:
            return key
        wrong = [o for o in options if o != key] or [key + " (no)"]
        return wrong[int(self.rng.integers(len(wrong)))]

    def sit(self, api: Client, test_id: str) -> None:
        base = f"/students/{self.id}/tests/{test_id}"
        progress = api.call("POST", f"{base}/sittings")
        while progress and progress.get("question"):
            q = progress["question"]["id"]
            i = self.params.item_index[q]
            correct = bool(self.rng.random() < self.learner.p_correct(i))  # no learning
            progress = api.call("POST", f"{base}/answers", json={
                "question_id": q, "answer": self.response(q, correct)})
        if progress and not progress["sitting"]["finished"]:
            api.call("POST", f"{base}/finish")

    def practise(self, api: Client, budget: int, session: int) -> None:
        me = f"/students/{self.id}"
        while self.answered < budget:
            plan = api.call("GET", f"{me}/recommendations")
            if not plan or not plan["items"]:
                return
            if plan.get("rest"):
                self.learner.rest()
            q = plan["items"][0]["question_id"]
            i = self.params.item_index.get(q)
            if i is None:
                return
            correct = self.learner.answer(i)
            api.call("POST", f"{me}/answers", json={
                "question_id": q, "answer": self.response(q, correct),
                "duration_s": self.params.question_ms / 1000})
            self.answered += 1
            self.right += correct
            for reading in self.learner.take_signals():
                self.tired |= reading.tag is AffectTag.FATIGUED
                api.call("POST", f"{me}/affect/emoji", json={"emoji": EMOJI[reading.tag]})
            if self.answered % session == 0:
                self.learner.new_session()

    def likert(self, items: int) -> list[int]:
        rate = self.right / self.answered if self.answered else 0.6
        latent = 3 + 2.5 * (rate - 0.6) - 0.5 * self.tired
        return [int(np.clip(round(latent + self.rng.normal(0, 0.6)), 1, 5))
                for _ in range(items)]


def rehearse(api_url: str, token: str, config: RehearsalConfig = RehearsalConfig(),
             log: Callable[[str], None] = lambda _: None) -> dict:
    """Run the study through the API (module docstring); the result with its HTTP errors,
    request latencies and the experiment's report."""
    from seeds.curriculum import load_curriculum

    started = time.perf_counter()
    api = Client(api_url.rstrip("/"), token)
    params = demo_domain(config.seed).params
    keys = {q.id: (q.answer, list(q.options)) for q in load_curriculum().questions}
    run = uuid.uuid4().hex[:8]
    class_id = f"rehearsal-{run}"
    api.call("POST", "/classes", json={"id": class_id, "name": f"Rehearsal {run}",
                                       "dataset": DATASET})
    students = [Student(f"{class_id}-s{i:03d}", params, keys,
                        np.random.default_rng([config.seed, i])) for i in range(config.students)]
    form = [params.item_ids[int(i)] for i in standard_form(params, config.per_kp)]
    tests = []
    for name in ("Pre-test", "Post-test"):
        made = api.call("POST", "/tests", json={
            "title": f"{name} {run}", "form": "fixed", "class_ids": [class_id],
            "question_ids": form, "allow_back": False})
        tests.append(made["id"] if made else "")
        api.call("POST", f"/tests/{tests[-1]}/publish")
    pre, post = tests
    x = api.call("POST", "/experiments", json={
        "name": f"Rehearsal {run}", "hypothesis": f"{config.arms[0]} differs from the others",
        "class_ids": [class_id], "arms": list(config.arms), "pre_test_id": pre,
        "post_test_id": post, "seed": config.seed, "budget": config.budget})
    xid = x["id"] if x else ""
    log(f"class {class_id}, {config.students} students, experiment {xid}")

    def enrol(s: Student) -> None:
        api.call("POST", "/students", json={"id": s.id, "name": f"Learner {s.id[-3:]}",
                                            "class_ids": [class_id], "dataset": DATASET})
        api.call("PUT", f"/students/{s.id}/affect/consent", json={"consent": True})
        api.call("PUT", f"/students/{s.id}/experiments/{xid}/consent", json={"consent": True})
        s.sit(api, pre)

    with ThreadPoolExecutor(config.workers) as pool:
        list(pool.map(enrol, students))
        log("pre-test sat")
        api.call("POST", f"/experiments/{xid}/start")
        list(pool.map(lambda s: s.practise(api, config.budget, config.session), students))
        log("practice done")
        list(pool.map(lambda s: s.sit(api, post), students))
        api.call("POST", f"/experiments/{xid}/stop")
        items = len(x["questionnaire"]) if x else 5
        list(pool.map(lambda s: api.call(
            "POST", f"/students/{s.id}/experiments/{xid}/questionnaire",
            json={"answers": s.likert(items)}), students))
    report = api.call("GET", f"/experiments/{xid}/report") or {}
    lat = np.array(api.latencies)
    return {"http_errors": len(api.errors), "errors": api.errors[:20],
            "requests": len(lat), "seconds": round(time.perf_counter() - started, 1),
            "latency_ms": {"p50": float(np.percentile(lat, 50)),
                           "p99": float(np.percentile(lat, 99)), "max": float(lat.max())},
            "config": asdict(config), "experiment_id": xid, "report": report}
