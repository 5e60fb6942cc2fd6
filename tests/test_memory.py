"""screening.memory: the cyclic collector kept off what a batch screens with, and handed it back."""

from __future__ import annotations

import gc
import weakref

from screening.memory import gc_frozen, replacing_long_lived


class _Node:
    """An object in a reference cycle: only the cyclic collector frees it."""

    def __init__(self) -> None:
        self.me = self


def test_frozen_objects_are_left_alone_and_handed_back_afterwards() -> None:
    before = _Node()
    before_gone = weakref.ref(before)
    frozen_at_start = gc.get_freeze_count()
    with gc_frozen():
        assert gc.get_freeze_count() > frozen_at_start
        del before
        gc.collect()
        assert before_gone() is not None  # alive when frozen: not collected while screening
        during = _Node()
        during_gone = weakref.ref(during)
        del during
        gc.collect()
        assert during_gone() is None  # made inside: collected as usual
    assert gc.get_freeze_count() == frozen_at_start
    gc.collect()
    assert before_gone() is None  # handed back: collected once the batch is done


def test_full_collections_pause_inside_and_young_cycles_are_still_freed() -> None:
    thresholds = gc.get_threshold()
    with gc_frozen():
        assert gc.get_threshold()[:2] == thresholds[:2]
        assert gc.get_threshold()[2] > 10**6  # what the batch keeps is not walked again and again
        during = _Node()
        during_gone = weakref.ref(during)
        del during
        kept = [[] for _ in range(50_000)]  # allocations trigger the young collections, no gc.collect()
        assert during_gone() is None
        del kept
    assert gc.get_threshold() == thresholds


def test_long_lived_objects_are_frozen_after_loading_and_handed_back_on_reload() -> None:
    gone_before_load = _Node()
    gone_ref = weakref.ref(gone_before_load)
    del gone_before_load
    with replacing_long_lived():
        kept = [_Node() for _ in range(10)]
    try:
        assert gone_ref() is None  # collected before freezing, not kept for good
        assert gc.get_freeze_count() >= len(kept)
        with replacing_long_lived():
            assert gc.get_freeze_count() == 0  # the old ones are the collector's again while replacing
    finally:
        gc.unfreeze()
