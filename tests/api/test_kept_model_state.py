"""What the models make of a student's answers is kept on the student once they have run for
a list (written in the worker's keeping thread), so the student's next first list, on another
worker, reads it: the same list as the models give, without their LSTMs running. Real
(untrained) Bi-LSTM and progress models of the seed course; two apps stand for two workers,
each with its own copy of the models."""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from typing import Any

import pytest
import torch
from flask import Flask

from api import create_app
from graph.recommend import load_learner, model_histories
from models.bilstm import BiLstmConfig, BiLstmKT
from models.predictors import BiLstmPredictor, ProgressPredictor
from models.progress import ProgressConfig, ProgressLSTM
from models.progress_data import ProgressDataConfig, fit_text_features, item_texts_from_skills
from services.recommend import Predictors, Recommender
from services.settings import Settings
from services.training_data import graph_kt_data
from tests.api.conftest import NOW, Clients
from tests.api.test_recommend_round_trips import CountingStore
from tutor.ports import GraphStore

STUDENT = "t-kept-st"
QUESTIONS = ["alg-q-integers-number-line-01", "alg-q-integers-number-line-02",
             "alg-q-absolute-value-01"]


class Spied:
    """A worker's models, counting the runs of their LSTMs."""

    def __init__(self, bilstm: BiLstmKT, progress: ProgressLSTM, kt: Any) -> None:
        texts = item_texts_from_skills(kt.item_skills, kt.skill_names)
        config = ProgressDataConfig()
        vectorizer, _ = fit_text_features(texts)
        self.sequence = BiLstmPredictor(copy.deepcopy(bilstm), kt.item_ids)
        self.weak = ProgressPredictor(copy.deepcopy(progress), config, vectorizer, kt.item_ids,
                                      texts, kt.item_skills, kt.skill_ids)
        self.runs = 0
        context, window = self.sequence._heads.context, self.weak._window

        def counted_context(*args: Any) -> Any:
            self.runs += 1
            return context(*args)

        def counted_window(*args: Any) -> Any:
            self.runs += 1
            return window(*args)

        self.sequence._heads.context = counted_context  # type: ignore[method-assign]
        self.weak._window = counted_window  # type: ignore[method-assign]

    def recommender(self, store: GraphStore) -> Recommender:
        return Recommender(store, {"seed": Predictors(self.sequence, self.weak)})


Workers = tuple[tuple[Flask, Spied], tuple[Flask, Spied], Spied]  # 2 apps, a reference


@pytest.fixture(scope="module")
def workers(api_settings: Settings, api_store: GraphStore, lms_clients: Clients) -> Workers:
    api_store.write("create_student", {"id": STUDENT, "name": "Kept", "email": "",
                                       "tenant": "", "dataset": "seed", "now": NOW})
    kt = graph_kt_data(api_store, "seed")
    assert set(QUESTIONS) <= set(kt.item_ids)
    torch.manual_seed(0)
    bilstm = BiLstmKT(BiLstmConfig(kt.n_items, kt.n_skills), kt.item_skills).eval()
    data = ProgressDataConfig()
    progress = ProgressLSTM(ProgressConfig(data.n_features, kt.n_skills,
                                           progress_feature=data.progress_feature)).eval()
    out = []
    for _ in range(2):
        spied = Spied(bilstm, progress, kt)
        out.append((create_app(api_settings, store=api_store,
                               recommender=spied.recommender(api_store)), spied))
    return out[0], out[1], Spied(bilstm, progress, kt)


def _iso(ms: int) -> str:
    return datetime.fromtimestamp(ms / 1000, UTC).isoformat()


def _answer(app: Flask, token: str, i: int, question: str, correct: bool) -> None:
    r = app.test_client().post(f"/students/{STUDENT}/attempts",
                               headers={"Authorization": f"Bearer {token}"},
                               json={"event_id": f"kept-{i}", "question_id": question,
                                     "correct": correct, "ts": _iso(NOW + i * 1000)})
    assert r.status_code == 201, r.json


def _list(app: Flask, token: str) -> dict[str, Any]:
    r = app.test_client().get(f"/students/{STUDENT}/recommendations",
                              headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 200 and r.json["items"], r.json
    app.extensions["kgtutor"].recommender.kept_by_now()  # the keeping thread has written
    return r.json


def _imported(store: GraphStore, event_id: str, question: str, ts: int) -> None:
    """A right answer stored as an import stores it: no list runs, nothing is kept for it."""
    store.write("create_attempts", {"rows": [{
        "event_id": event_id, "student_id": STUDENT, "question_id": question, "correct": True,
        "ts": ts, "seq": 0, "duration_s": None, "source": "import"}]})


def test_a_list_keeps_the_state_another_worker_reads(
        workers: Workers, api_store: GraphStore, tokens: dict[str, str]) -> None:
    (first, first_models), (second, second_models), reference = workers
    for i, q in enumerate(QUESTIONS):
        _answer(first, tokens["admin"], i, q, i != 1)
    assert first_models.runs == 0  # an answer runs no model
    _list(first, tokens["admin"])
    assert first_models.runs == 2  # the Bi-LSTM's context and the progress model, once each
    (row,) = model_histories(api_store, [STUDENT])
    assert [q for q, _ in row[2]] == QUESTIONS and row[3] is not None

    _list(second, tokens["admin"])
    assert second_models.runs == 0  # worker 2 read the kept state: no LSTM ran

    # the list from the kept state is the list the models give without it
    dataset, learner = load_learner(api_store, STUDENT)
    kept_list = second_models.recommender(api_store).recommend(STUDENT)
    assert second_models.runs == 0
    computed = reference.recommender(api_store).recommend(STUDENT, learner=(dataset, learner))
    assert reference.runs > 0 and computed.items == kept_list.items and kept_list.items

    # a new answer makes the state stale: worker 2 runs the models and keeps the new one,
    # which worker 1 then reads
    _answer(first, tokens["admin"], 3, QUESTIONS[0], False)
    _list(second, tokens["admin"])
    assert second_models.runs == 2
    runs = first_models.runs
    _list(first, tokens["admin"])
    assert first_models.runs == runs


def test_a_list_writes_the_state_once_and_nothing_else(
        workers: Workers, api_store: GraphStore) -> None:
    _, _, reference = workers
    _imported(api_store, "kept-import", QUESTIONS[2], NOW + 10_000)
    counting = CountingStore(api_store)
    recommender = reference.recommender(counting)
    first = recommender.recommend(STUDENT)
    recommender.kept_by_now()
    assert dict(counting.writes) == {"write_model_states": 1}
    counting.reset()
    again = reference.recommender(counting)  # another worker: no list kept in memory
    assert again.recommend(STUDENT).items == first.items
    again.kept_by_now()
    assert not counting.writes  # the state was current: nothing written
    assert recommender.keep([STUDENT, "no-such-student"]) == 0  # current, and unknown


class FailingOnce:
    """The graph store, but its first write of a kept state fails (the graph restarting)."""

    def __init__(self, inner: GraphStore) -> None:
        self.inner, self.failed = inner, False

    def read(self, query: str, params: Any = None) -> Any:
        return self.inner.read(query, params)

    def write(self, query: str, params: Any = None) -> Any:
        if query == "write_model_states" and not self.failed:
            self.failed = True
            raise ConnectionError("graph went away")
        return self.inner.write(query, params)


def test_a_failed_keep_is_logged_and_costs_only_time(
        workers: Workers, api_store: GraphStore, caplog: pytest.LogCaptureFixture) -> None:
    _, _, reference = workers
    _imported(api_store, "kept-import-2", QUESTIONS[1], NOW + 20_000)
    store = FailingOnce(api_store)
    failing = reference.recommender(store)
    listed = failing.recommend(STUDENT)
    failing.kept_by_now()
    recommender = reference.recommender(store)  # another worker: nothing kept, models run
    assert recommender.recommend(STUDENT).items == listed.items
    recommender.kept_by_now()
    assert store.failed
    assert "keeping the models' state of 1 students failed" in caplog.text
    assert recommender.keep([STUDENT]) == 0  # the second list kept it: the thread lives on
