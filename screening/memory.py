"""Loading many small objects at once (a list version, a stored index), and screening with them,
without the cyclic GC walking them."""

from __future__ import annotations

import atexit
import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector: while a loader allocates hundreds of thousands of objects
    that all stay alive, each collection it triggers walks them for nothing (a third of the time to
    unpickle the lists)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


@contextmanager
def gc_frozen() -> Iterator[None]:
    """Keep the cyclic garbage collector off everything alive now while a batch is screened
    (gc.freeze), and off what the batch keeps (gen-2 collections paused). The lists and their index
    stay alive throughout and hold no reference cycles, yet each full collection would walk their
    ~700,000 objects again: 1.2 s of a 4,000-name `hirewatch screen` run. What the batch makes and
    keeps (its results, the matcher's caches) would be walked by each full collection too: 0.15 s
    of the same run. Young objects are still collected as usual, so cycles made and dropped inside
    are freed; the frozen objects and the full collections are handed back on the way out."""
    thresholds = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(thresholds[0], thresholds[1], _NEVER)
    try:
        yield
    finally:
        gc.set_threshold(*thresholds)
        gc.unfreeze()


_NEVER = 2**31 - 1  # collections of the young generations before a full one


@contextmanager
def replacing_long_lived() -> Iterator[None]:
    """Replace what a long-running process keeps for its life (a worker's lists and index): the old
    ones are handed back to the collector first (they free by reference counting once dropped), the
    new ones frozen after loading (gc.freeze), so the worker's full collections no longer walk them
    (0.16 s each with the real lists loaded). Garbage is collected before freezing: nothing left
    unreachable is kept for good."""
    gc.unfreeze()
    try:
        yield
    finally:
        gc.collect()
        gc.freeze()


def skip_final_collection() -> None:
    """Leave what is alive when this process exits out of the interpreter's last full collection
    (gc.freeze from an exit hook). A batch command exits right after its batch; its lists and index
    hold no garbage, and walking their ~700,000 objects once more took ~1 s of a 4,000-name
    `hirewatch screen` run. The hook is registered once however often this is called."""
    atexit.unregister(gc.freeze)
    atexit.register(gc.freeze)
