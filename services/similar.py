"""More like this for the web API: the TF-IDF item index of a dataset, built once and shared.

Building an index reads every question and resource text of a dataset and fits a vectoriser,
far more work than a query, and the texts change only on imports; so each dataset's index is
kept for ``ttl_s`` seconds. One ``SimilarItems`` serves one graph store: ``for_store`` keeps
them beside the store (weakly, so a closed store takes its indexes with it) because the app's
``Services`` holds no slot for them. Safe for concurrent callers (``services.dataset_cache``).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable

from graph import cache_version
from graph.recommend import item_dataset, load_item_texts, load_learner
from services.dataset_cache import DatasetCache, PerStore
from tutor.errors import NotFound
from tutor.ports import GraphStore
from tutor.similar import (
    KINDS,
    ItemIndex,
    ItemKind,
    Similar,
    SimilarityConfig,
    for_student,
    more_like_this,
)


class SimilarItems:
    def __init__(self, store: GraphStore, ttl_s: float = 300.0,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.store = store
        # clock: monotonic seconds, injected in tests
        self._cache: DatasetCache[ItemIndex] = DatasetCache(
            ttl_s, clock, version=lambda: cache_version.current(store))

    def index(self, dataset: str) -> ItemIndex:
        """The dataset's index, rebuilt when older than ``ttl_s``."""
        return self._cache.get(
            dataset, lambda d: ItemIndex.build(load_item_texts(self.store, d)))

    def like(self, item_id: str, kind: ItemKind, config: SimilarityConfig,
             kinds: Iterable[ItemKind] = KINDS) -> list[Similar]:
        """Items whose text is closest to the question's or resource's, itself left out."""
        index = self.index(item_dataset(self.store, item_id))
        if item_id not in index or KINDS[index.kinds[index.row(item_id)]] != kind:
            raise NotFound(f"no {kind} {item_id!r}")
        return more_like_this(index, item_id, config, kinds)

    def for_student(self, student_id: str, config: SimilarityConfig,
                    kinds: Iterable[ItemKind] = KINDS) -> list[Similar]:
        """Unseen items close to the student's recent answers (none for a new student)."""
        dataset, learner = load_learner(self.store, student_id)
        index = self.index(dataset)
        recent = [q for q, _ in learner.history if q in index]
        return for_student(index, recent, config=config, kinds=kinds)

    def invalidate(self, dataset: str | None = None) -> None:
        """Forget built indexes (after an import changed the texts), in every worker."""
        self._cache.invalidate(dataset, seen=cache_version.bump(self.store))


for_store: PerStore[SimilarItems] = PerStore(SimilarItems)  # the one SimilarItems of a store
