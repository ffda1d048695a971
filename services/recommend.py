"""Recommendations for a student of the graph: the pure pipeline wired to cached graph reads.

The catalogue (KPs, prerequisites, questions with their IRT parameters) and the peers' mastery
matrix change only on imports and refits, so they are read once per dataset and kept for
``ttl_s`` seconds, or until the graph's cache version moves (``graph.cache_version``: an
import, a refit or an erasure through any process); a call then reads only the student
(profile, mastery, latest answers).
The pipeline is a pure function of what it is given, so its lists are kept too, in an LRU
keyed by everything it reads (the student's state, the settings, the re-route's KPs): a page or
an LMS that asks again before the student answers gets the same list without the models
running. A new catalogue (import, refit, TTL) empties it.
What the models' LSTMs make of a student's latest answers is kept on the student in the graph
once they have run for a list (written in the background) and by :meth:`Recommender.keep`
after training, so the student's next first list, on whichever worker (a class opening the
practice page, a new session, another worker), reads it instead of running them
(``docs/evaluation/latency.md``). It names the answers and the models it came from: when
either has changed since, it is ignored and the models run, so a state missing or stale only
costs time.
Safe for concurrent callers: the caches take locks, the pipeline itself holds no state.
"""

from __future__ import annotations

import logging
import struct
import threading
from collections.abc import Hashable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Protocol, runtime_checkable

from cachetools import LRUCache

from graph import cache_version
from graph.recommend import (
    Kept,
    load_catalogue,
    load_learner_kept,
    load_peers,
    model_histories,
    write_kept,
)
from graph.roster import all_students
from models import registry
from services.dataset_cache import DatasetCache
from tutor.errors import InvalidInput
from tutor.ports import GraphStore
from tutor.recommend import Catalogue, PeerMastery, RecConfig, SequenceModel, WeakKPModel
from tutor.recommend import recommend as run_pipeline
from tutor.recommend_types import LearnerState, RecommendationList

History = Sequence[tuple[str, bool]]
log = logging.getLogger("kgtutor.recommend")
KEEP_BATCH = 500  # students read and written per round trip by Recommender.keep


@runtime_checkable
class Keeps(Protocol):
    """A model that can hand out its state after a history and take it back
    (``models.predictors``)."""

    def kept(self, history: History) -> bytes: ...

    def recall(self, history: History, kept: bytes) -> bool: ...


@dataclass(frozen=True)
class Predictors:
    """The trained models a dataset has, loaded once by the caller; any may be missing."""

    sequence: SequenceModel | None = None
    weak: WeakKPModel | None = None


def load_predictors(models_dir: Path) -> dict[str, Predictors]:
    """The saved Bi-LSTM and progress model, keyed by the dataset they were trained on: the
    one saved with them (`kgtutor train ... --dataset`), else the one their question ids belong
    to (ids are namespaced ``dataset:q:...``); whatever is missing is left out."""
    found: dict[str, dict[str, object]] = {}
    if (models_dir / registry.BILSTM_FILE).exists():
        sequence = registry.bilstm_predictor(models_dir)
        key = sequence.dataset or dataset_of(sequence.item_ids[0])
        found.setdefault(key, {})["sequence"] = sequence
    if (models_dir / registry.PROGRESS_FILE).exists():
        weak = registry.progress_predictor(models_dir)
        found.setdefault(weak.dataset or dataset_of(weak.item_ids[0]), {})["weak"] = weak
    return {dataset: Predictors(**models) for dataset, models in found.items()}  # type: ignore[arg-type]


def dataset_of(item_id: str) -> str:
    """The dataset an id belongs to: ids are namespaced ``dataset:kind:...``."""
    return item_id.split(":", 1)[0]


class Recommender:
    def __init__(self, store: GraphStore, predictors: dict[str, Predictors] | None = None,
                 config: RecConfig = RecConfig(), ttl_s: float = 300.0,
                 lists: int = 10_000) -> None:
        self.store = store
        self.predictors = predictors or {}  # dataset -> its models
        self.config = config
        self._cache: DatasetCache[tuple[Catalogue, PeerMastery]] = DatasetCache(
            ttl_s, version=lambda: cache_version.current(store))
        self._lists: LRUCache[Hashable, RecommendationList] = LRUCache(lists)
        self._lists_from: dict[str, Catalogue] = {}  # dataset -> catalogue the lists came from
        self._lists_lock = threading.Lock()
        self._keeper: ThreadPoolExecutor | None = None  # the keeping thread, made on first use
        self._keeper_lock = threading.Lock()

    def recommend(self, student_id: str, n: int | None = None, config: RecConfig | None = None,
                  focus: Sequence[str] = (),
                  learner: tuple[str, LearnerState] | None = None,
                  unfocused: RecConfig | None = None, kept: Kept | None = None
                  ) -> RecommendationList:
        """The pipeline for one student; ``config`` and ``focus`` come from the affect rules
        and adjustments (``services.plan``), which pass the ``learner`` they already read and
        the models' state ``kept`` for the student."""
        if learner is None:
            dataset, learner_state, kept = load_learner_kept(self.store, student_id)
        else:
            dataset, learner_state = learner
        catalogue, peers = self.catalogue(dataset)
        models = self.predictors_for(dataset)
        config = config or self.config
        config = config if n is None else replace(config, n=n)
        key = (dataset, _state_key(learner_state), repr(config), tuple(focus), repr(unfocused))
        with self._lists_lock:
            if self._lists_from.get(dataset) is not catalogue:
                self._lists_from[dataset] = catalogue
                self._lists.clear()
            listed = self._lists.get(key)
        if listed is not None:
            return listed
        history = learner_state.history
        recalled = kept is not None and bool(history) and _recall(models, history, kept.data)
        result = run_pipeline(catalogue, learner_state, config, peers, models.sequence,
                              models.weak, focus=focus, unfocused=unfocused)
        with self._lists_lock:
            self._lists[key] = result
        if history and not recalled:  # the LSTMs ran: keep what they made of these answers
            self._keep_computed(student_id, models, history)
        return result

    def keep(self, student_ids: Sequence[str]) -> int:
        """Keep on each student what the models work out about their latest answers (their
        next list then reads it), unless what is kept is current already; returns how many
        were written (`kgtutor train states`, after training). A student whose answers a
        model does not know (a question added since it was trained) keeps nothing: the
        recommender runs the models as before."""
        if not self.predictors:
            return 0
        written = 0
        for start in range(0, len(student_ids), KEEP_BATCH):
            rows = []
            for sid, dataset, history, old in model_histories(
                    self.store, student_ids[start:start + KEEP_BATCH]):
                models = self.predictors_for(dataset)
                if not history or (old is not None and _recall(models, history, old.data)):
                    continue
                try:
                    state = _pack(models, history)
                except InvalidInput:
                    continue
                if state is not None:
                    rows.append((sid, state))
            if rows:
                write_kept(self.store, rows)
                written += len(rows)
        return written

    def _keep_computed(self, student_id: str, models: Predictors, history: History) -> None:
        """Pack what this thread's models just made of the history (no LSTM runs again) and
        write it in this process's keeping thread: the list's response does not wait for the
        write, and the student's next first list, on any worker, reads it. A failure is
        logged: a state not kept only costs time."""
        try:
            state = _pack(models, history)
        except InvalidInput:  # an answer the models do not know: nothing to keep
            return
        if state is None:
            return
        with self._keeper_lock:
            if self._keeper is None:
                self._keeper = ThreadPoolExecutor(1, thread_name_prefix="kgtutor-keep")
            self._keeper.submit(self._write_logged, [(student_id, state)])

    def kept_by_now(self, timeout: float = 30.0) -> None:
        """Wait until the states handed to the keeping thread before this call are written
        (tests, and a process about to stop)."""
        with self._keeper_lock:
            pending = self._keeper.submit(lambda: None) if self._keeper else None
        if pending is not None:
            pending.result(timeout)

    def _write_logged(self, rows: list[tuple[str, bytes]]) -> None:
        try:
            write_kept(self.store, rows)
        except Exception:  # a lost state only costs time; say why, keep the thread
            log.exception("keeping the models' state of %d students failed", len(rows))

    def keep_everyone(self) -> int:
        """:meth:`keep` for every student of a dataset with models (after training)."""
        return self.keep([sid for sid, dataset in all_students(self.store)
                          if dataset in self.predictors])

    def predictors_for(self, dataset: str) -> Predictors:
        return self.predictors.get(dataset, Predictors())

    def catalogue(self, dataset: str) -> tuple[Catalogue, PeerMastery]:
        return self._cache.get(dataset, self._read_catalogue)

    def _read_catalogue(self, dataset: str) -> tuple[Catalogue, PeerMastery]:
        catalogue = load_catalogue(self.store, dataset)
        return catalogue, load_peers(self.store, dataset, tuple(catalogue.kp_names))

    def invalidate(self, dataset: str | None = None) -> None:
        """Forget cached graph reads and the lists made from them (after an import or a refit),
        here and, through the graph's cache version, in every other worker."""
        self._cache.invalidate(dataset, seen=cache_version.bump(self.store))
        with self._lists_lock:
            self._lists.clear()


def _pack(models: Predictors, history: History) -> bytes | None:
    """What each model keeps after the history, in one string of bytes (a part's length,
    then the part; 0: that model keeps nothing); None when neither keeps anything."""
    parts = [m.kept(history) if isinstance(m, Keeps) else b""
             for m in (models.sequence, models.weak)]
    if not any(parts):
        return None
    return b"".join(struct.pack("<I", len(p)) + p for p in parts)


def _recall(models: Predictors, history: History, kept: bytes) -> bool:
    """Hand each model its part of a :func:`_pack`; True if every model that keeps took its
    part (a part of other answers or another model is refused, and that model runs)."""
    at, taken = 0, True
    for model in (models.sequence, models.weak):
        if at + 4 > len(kept):
            return False
        (size,) = struct.unpack_from("<I", kept, at)
        part, at = kept[at + 4:at + 4 + size], at + 4 + size
        if isinstance(model, Keeps):
            taken = bool(part) and model.recall(history, part) and taken
    return taken


def _state_key(state: LearnerState) -> Hashable:
    """Everything of the student the pipeline reads, hashable (mastery is a mapping)."""
    return (state.student_id, state.history, tuple(sorted(state.mastery.items())), state.theta,
            state.theta_var, state.theta_responses, tuple(sorted(state.placed.items())),
            state.placed_at)
