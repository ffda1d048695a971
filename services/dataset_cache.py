"""What is built once per dataset from the graph and kept for a while, shared by threads.

The recommender's catalogue and the similarity index both cost far more to build than to use,
and change only on imports, refits and edits; each keeps them here, rebuilt after ``ttl_s``
seconds or on :meth:`DatasetCache.invalidate`. A lock guards the cache, so concurrent callers
build a dataset's value once.

Several API worker processes each hold their own cache. Given a ``version`` probe (the graph's
cache version, ``graph.cache_version``), a cache reads it at most every ``check_s`` seconds
and drops every value when it moved: a change made through one worker, or by a command line
import or refit, reaches every worker within ``check_s`` plus one request.
"""

from __future__ import annotations

import threading
import time
import weakref
from collections.abc import Callable
from typing import TYPE_CHECKING, Generic, TypeVar

from cachetools import TTLCache

if TYPE_CHECKING:
    from tutor.ports import GraphStore

T = TypeVar("T")

CHECK_S = 0.5  # how stale another process's change may be seen: issue 18 asks for < 1 s


class DatasetCache(Generic[T]):
    def __init__(self, ttl_s: float, clock: Callable[[], float] = time.monotonic,
                 version: Callable[[], int] | None = None, check_s: float = CHECK_S) -> None:
        self._lock = threading.Lock()
        self._cache: TTLCache[str, T] = TTLCache(64, ttl_s, timer=clock)
        self._clock, self._version, self._check_s = clock, version, check_s
        self._seen: int | None = None
        self._checked = -float("inf")

    def __len__(self) -> int:
        """Datasets held now."""
        with self._lock:
            return len(self._cache)

    def get(self, dataset: str, build: Callable[[str], T]) -> T:
        """The dataset's value, built with ``build(dataset)`` when missing, too old, or when
        the shared version moved since it was built."""
        with self._lock:
            self._follow_version()
            if dataset not in self._cache:
                self._cache[dataset] = build(dataset)
            return self._cache[dataset]

    def invalidate(self, dataset: str | None = None, seen: int | None = None) -> None:
        """Forget one dataset's value, or every one (this process only: the caller moves the
        shared version for the others and passes the new one as ``seen``, so that this cache
        does not drop its values a second time for its own change)."""
        with self._lock:
            if seen is not None:
                self._seen = seen
            if dataset is None:
                self._cache.clear()
            else:
                self._cache.pop(dataset, None)

    def _follow_version(self) -> None:
        if self._version is None or self._clock() - self._checked < self._check_s:
            return
        version = self._version()
        self._checked = self._clock()
        if version != self._seen:
            if self._seen is not None:
                self._cache.clear()
            self._seen = version


class PerStore(Generic[T]):
    """One ``T`` per graph store, made on first use and kept beside it (weakly, so a closed
    store takes it along): for the holders of dataset caches that the app's ``Services`` has
    no slot for (``services.similar``, ``services.resources``)."""

    def __init__(self, make: Callable[[GraphStore], T]) -> None:
        self._make = make
        self._lock = threading.Lock()
        self._held: weakref.WeakKeyDictionary[GraphStore, T] = weakref.WeakKeyDictionary()

    def __call__(self, store: GraphStore) -> T:
        with self._lock:
            found = self._held.get(store)
            if found is None:
                found = self._held[store] = self._make(store)
            return found
