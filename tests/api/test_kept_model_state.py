"""What the models make of a student's answers is kept on the student after each answer
through the API, so the next list, on another worker, reads it: the same list as the models
give, without their LSTMs running. Real (untrained) Bi-LSTM and progress models of the seed
course, two apps standing for two workers, each with its own copy of the models."""

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
from tutor.ports import GraphStore

STUDENT = "t-kept-st"
QUESTIONS = ["alg-q-integers-number-line-01", "alg-q-integers-number-line-02",
             "alg-q-absolute-value-01"]


class Spied:
    """Each worker's models, counting the runs of their LSTMs."""

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
def workers(api_settings: Settings, api_store: GraphStore, lms_clients: Clients
            ) -> Workers:
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


def test_an_answer_keeps_the_state_another_worker_reads(
        workers: Workers, api_store: GraphStore,
        tokens: dict[str, str]) -> None:
    (first, first_models), (second, second_models), reference = workers
    admin = {"Authorization": f"Bearer {tokens['admin']}"}
    for i, q in enumerate(QUESTIONS):  # each answer through worker 1 keeps the new state
        r = first.test_client().post(f"/students/{STUDENT}/attempts", headers=admin, json={
            "event_id": f"kept-{i}", "question_id": q, "correct": i != 1,
            "ts": _iso(NOW + i * 1000)})
        assert r.status_code == 201, r.json
        first.extensions["kgtutor"].recommender.kept_by_now()  # kept in the worker's thread
        (row,) = model_histories(api_store, [STUDENT])
        assert [q for q, _ in row[2]] == QUESTIONS[:i + 1] and row[3] is not None
    assert first_models.runs > 0  # worker 1 ran the models to keep their state

    r = second.test_client().get(f"/students/{STUDENT}/recommendations", headers=admin)
    assert r.status_code == 200 and r.json["items"], r.json
    assert second_models.runs == 0  # worker 2 read the kept state: no LSTM ran

    # the list from the kept state is the list the models give without it
    dataset, learner = load_learner(api_store, STUDENT)
    kept_list = second_models.recommender(api_store).recommend(STUDENT)
    assert second_models.runs == 0
    computed = reference.recommender(api_store).recommend(STUDENT, learner=(dataset, learner))
    assert reference.runs > 0 and computed.items == kept_list.items


def test_keeping_again_writes_only_what_is_stale(
        workers: Workers, api_store: GraphStore,
        tokens: dict[str, str]) -> None:
    (first, _), (second, second_models), _ = workers
    recommender = second.extensions["kgtutor"].recommender
    assert recommender.keep([STUDENT, "no-such-student"]) == 0  # current, and unknown
    admin = {"Authorization": f"Bearer {tokens['admin']}"}
    again = first.test_client().post(f"/students/{STUDENT}/attempts", headers=admin, json={
        "event_id": "kept-0", "question_id": QUESTIONS[0], "correct": True, "ts": _iso(NOW)})
    assert again.status_code == 200  # stored already: nothing new, nothing kept again
    first.extensions["kgtutor"].recommender.kept_by_now()
    # an answer that skipped keeping (an import, say): the state is stale and refused
    api_store.write("create_attempts", {"rows": [{
        "event_id": "kept-import", "student_id": STUDENT, "question_id": QUESTIONS[0],
        "correct": False, "ts": NOW + 10_000, "seq": 0, "duration_s": None, "source": "import"}]})
    runs = second_models.runs
    r = second.test_client().get(f"/students/{STUDENT}/recommendations", headers=admin)
    assert r.status_code == 200 and second_models.runs > runs  # the models ran again
    assert recommender.keep([STUDENT]) == 1 and recommender.keep([STUDENT]) == 0


class FailingOnce:
    """The graph store, but its first read of the students' histories fails (the graph
    restarting, say)."""

    def __init__(self, inner: GraphStore) -> None:
        self.inner, self.failed = inner, False

    def read(self, query: str, params: Any = None) -> Any:
        if query == "model_histories" and not self.failed:
            self.failed = True
            raise ConnectionError("graph went away")
        return self.inner.read(query, params)

    def write(self, query: str, params: Any = None) -> Any:
        return self.inner.write(query, params)


def test_a_failed_keep_is_logged_and_the_next_one_runs(
        workers: Workers, api_store: GraphStore, caplog: pytest.LogCaptureFixture) -> None:
    _, _, reference = workers
    api_store.write("create_attempts", {"rows": [{
        "event_id": "kept-import-2", "student_id": STUDENT, "question_id": QUESTIONS[1],
        "correct": True, "ts": NOW + 20_000, "seq": 0, "duration_s": None, "source": "import"}]})
    store = FailingOnce(api_store)
    recommender = Recommender(store, {"seed": Predictors(reference.sequence, reference.weak)})
    recommender.keep_soon([STUDENT])
    recommender.kept_by_now()
    assert "keeping the models' state of 1 students failed" in caplog.text
    recommender.keep_soon([STUDENT])  # the keeping thread lives on
    recommender.kept_by_now()
    assert recommender.keep([STUDENT]) == 0  # kept by the second try
