"""`kgtutor serve` workers freeze their warm heap (``cli.serve.freeze_heap``): full garbage
collections leave it alone, and a re-read of the courses collects the old heap first."""

from __future__ import annotations

import gc
import weakref

from cli.serve import freeze_heap


class Node:
    """An object in a reference cycle: only the collector frees it, never refcounting."""

    def __init__(self) -> None:
        self.me = self


def test_a_frozen_heap_is_left_alone_until_frozen_again() -> None:
    try:
        old = Node()
        gone = weakref.ref(old)
        freeze_heap()
        assert gc.get_freeze_count() > 0
        del old
        gc.collect()
        assert gone() is not None  # frozen: a full pass does not walk it
        freeze_heap(again=True)
        assert gone() is None  # the old heap was collected before the new freeze
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()
