"""Resources for a student: ranked by what helped similar students, text and level
(``tutor.resources``), and the record of who opened which.

The past uses of a course's resources are read in one query and grouped once per dataset,
kept ``ttl_s`` seconds (and dropped when the graph's cache version moves, as after an edit):
a use counts only once an answer on its KP follows, so a few minutes' staleness loses nothing
that matters. ``for_store`` keeps one ranker beside each store, as ``services.similar`` does.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence

from graph import cache_version
from graph import resources as store_
from graph.recommend import load_learner
from services import similar
from services.dataset_cache import DatasetCache, PerStore
from services.recommend import Recommender
from tutor.ports import GraphStore
from tutor.profiles import interest_tags
from tutor.recommend_types import Catalogue, LearnerState
from tutor.resources import (
    RankedResource,
    ResourceOption,
    ResourceRankConfig,
    UseTable,
    rank,
)
from tutor.similar import profile_scores

BASIC_KINDS = {"video", "worked_example"}  # what a confused student gets first
DEFAULT_CONFIG = ResourceRankConfig()


class ResourceRanker:
    def __init__(self, store: GraphStore, config: ResourceRankConfig = DEFAULT_CONFIG,
                 ttl_s: float = 300.0, clock: Callable[[], float] = time.monotonic) -> None:
        self.store, self.config = store, config
        self._uses: DatasetCache[UseTable] = DatasetCache(
            ttl_s, clock, version=lambda: cache_version.current(store))
        self._options: DatasetCache[tuple[list[ResourceOption],
                                          dict[str, list[ResourceOption]]]] = DatasetCache(
            ttl_s, clock, version=lambda: cache_version.current(store))

    def candidates(self, dataset: str, kp_ids: Sequence[str]
                   ) -> tuple[list[ResourceOption], list[ResourceOption]]:
        """(the course's support resources, every resource teaching one of ``kp_ids`` once per
        such KP), from the course's resources read once and kept until an edit or import moves
        the graph's cache version (every plan shows resources)."""
        support, taught = self._options.get(dataset, lambda d: store_.candidates(self.store, d))
        return support, [o for k in dict.fromkeys(kp_ids) for o in taught.get(k, ())]

    def uses(self, dataset: str) -> UseTable:
        return self._uses.get(dataset, lambda d: UseTable.of(
            store_.uses(self.store, d, self.config.before_window)))

    def rank(self, dataset: str, options: Sequence[ResourceOption], learner: LearnerState,
             catalogue: Catalogue, n: int, challenge_share: float) -> list[RankedResource]:
        """The best ``n`` of ``options`` for the student, with reasons."""
        if not options or n <= 0:
            return []
        mastery = {**catalogue.priors, **learner.placed, **learner.mastery}
        recent = [q for q, _ in learner.history]
        kps = {q: catalogue.questions[q].kp_ids for q in recent if q in catalogue.questions}
        text = profile_scores(similar.for_store(self.store).index(dataset), recent,
                              interest_tags(recent, kps), [o.id for o in options])
        return rank(options, self.uses(dataset), mastery, text, n, challenge_share,
                    self.config, catalogue.kp_names)

    def for_kps(self, dataset: str, kp_ids: Sequence[str], learner: LearnerState,
                catalogue: Catalogue, n: int, challenge_share: float = 0.0
                ) -> list[RankedResource]:
        """The best ``n`` resources on ``kp_ids`` (after a wrong answer: no challenge)."""
        _, options = self.candidates(dataset, kp_ids)
        return self.rank(dataset, options, learner, catalogue, n, challenge_share)


def as_row(r: RankedResource) -> dict[str, object]:
    """A ranked resource as the API shows it."""
    o = r.option
    return {"id": o.id, "title": o.title, "kind": o.kind, "level": str(o.level), "url": o.url,
            "kp_id": o.kp_id, "minutes": o.minutes, "score": round(r.score, 4),
            "challenge": r.challenge, "reasons": list(r.reasons)}


def after_wrong(store: GraphStore, recommender: Recommender, student_id: str,
                kp_ids: Sequence[str], n: int) -> list[dict[str, object]]:
    """What to study after a wrong answer on ``kp_ids``: the best ``n``, none above the
    student's level on purpose (no challenge share)."""
    dataset, learner = load_learner(store, student_id)
    catalogue, _ = recommender.catalogue(dataset)
    return [as_row(r) for r in for_store(store).for_kps(dataset, kp_ids, learner, catalogue, n)]


def resource(store: GraphStore, resource_id: str) -> dict[str, object]:
    return store_.resource(store, resource_id)


def record_use(store: GraphStore, student_id: str, resource_id: str, now: int
               ) -> dict[str, object]:
    return store_.record_use(store, student_id, resource_id, now)


for_store: PerStore[ResourceRanker] = PerStore(ResourceRanker)  # the one ResourceRanker of a store
