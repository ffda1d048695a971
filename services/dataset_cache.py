"""What is built once per dataset from the graph and kept for a while, shared by threads.

The recommender's catalogue and the similarity index both cost far more to build than to use,
and change only on imports and refits; each keeps them here, rebuilt after ``ttl_s`` seconds
or on :meth:`DatasetCache.invalidate`. A lock guards the cache, so concurrent callers build a
dataset's value once.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Generic, TypeVar

from cachetools import TTLCache

T = TypeVar("T")


class DatasetCache(Generic[T]):
    def __init__(self, ttl_s: float, clock: Callable[[], float] = time.monotonic) -> None:
        self._lock = threading.Lock()
        self._cache: TTLCache[str, T] = TTLCache(64, ttl_s, timer=clock)

    def __len__(self) -> int:
        """Datasets held now."""
        with self._lock:
            return len(self._cache)

    def get(self, dataset: str, build: Callable[[str], T]) -> T:
        """The dataset's value, built with ``build(dataset)`` when missing or too old."""
        with self._lock:
            if dataset not in self._cache:
                self._cache[dataset] = build(dataset)
            return self._cache[dataset]

    def invalidate(self, dataset: str | None = None) -> None:
        """Forget one dataset's value, or every one."""
        with self._lock:
            if dataset is None:
                self._cache.clear()
            else:
                self._cache.pop(dataset, None)
