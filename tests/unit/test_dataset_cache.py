"""DatasetCache follows a shared version: read at most every ``check_s``, values dropped when
it moved (how one API worker's invalidation reaches the others, ``graph.cache_version``)."""

from __future__ import annotations

from services.dataset_cache import DatasetCache


class Shared:
    """The graph's cache version as the workers see it, with its reads counted."""

    def __init__(self) -> None:
        self.version, self.reads = 0, 0

    def __call__(self) -> int:
        self.reads += 1
        return self.version


def built(cache: DatasetCache[str], dataset: str, log: list[str]) -> str:
    """The dataset's value; ``log`` records each build."""
    def build(d: str) -> str:
        log.append(d)
        return f"{d}#{len(log)}"
    return cache.get(dataset, build)


def test_the_version_is_read_at_most_once_per_check() -> None:
    now, shared = [0.0], Shared()
    cache: DatasetCache[str] = DatasetCache(300, lambda: now[0], shared, check_s=0.5)
    for step in range(10):  # 10 requests within 0.45 s
        now[0] = step * 0.05
        built(cache, "seed", [])
    assert shared.reads == 1
    now[0] = 0.5
    built(cache, "seed", [])
    assert shared.reads == 2


def test_a_moved_version_drops_every_dataset_at_the_next_check() -> None:
    now, shared, log = [0.0], Shared(), []
    cache: DatasetCache[str] = DatasetCache(300, lambda: now[0], shared, check_s=0.5)
    first = built(cache, "seed", log), built(cache, "assist", log)
    shared.version = 1  # another worker imported or refitted
    now[0] = 0.4
    assert (built(cache, "seed", log), built(cache, "assist", log)) == first  # not checked yet
    now[0] = 0.9
    again = built(cache, "seed", log), built(cache, "assist", log)
    assert log == ["seed", "assist", "seed", "assist"] and again != first
    now[0] = 1.5  # the same version: kept
    assert (built(cache, "seed", log), built(cache, "assist", log)) == again


def test_the_first_version_read_keeps_what_was_built() -> None:
    shared, log = Shared(), []
    shared.version = 7  # a graph bumped long before this worker started
    cache: DatasetCache[str] = DatasetCache(300, lambda: 0.0, shared)
    assert built(cache, "seed", log) == built(cache, "seed", log) and log == ["seed"]


def test_without_a_version_only_the_ttl_and_invalidate_drop_values() -> None:
    now, log = [0.0], []
    cache: DatasetCache[str] = DatasetCache(60, lambda: now[0])
    built(cache, "seed", log), built(cache, "assist", log)
    cache.invalidate("seed")
    built(cache, "seed", log), built(cache, "assist", log)
    assert log == ["seed", "assist", "seed"]
    now[0] = 61
    built(cache, "assist", log)
    assert log[-1] == "assist" and len(cache) == 1  # seed expired too
