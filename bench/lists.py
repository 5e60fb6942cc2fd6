"""Time each list reader on the real files, the store import, and a worker's load of the stored lists.

Run: .venv/bin/python bench/lists.py [DATA_DIR]   (default ../shared/data). Prints figures; no asserts.
"""

from __future__ import annotations

import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from screening.lists import load_directory  # noqa: E402
from screening.lists import store as store_module  # noqa: E402
from screening.lists.store import ListStore  # noqa: E402


def _seconds(action) -> tuple[float, object]:
    started = time.perf_counter()
    result = action()
    return time.perf_counter() - started, result


def main() -> None:
    data = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT.parent / "shared" / "data"
    timings: dict[str, float] = {}
    total, snapshots = _seconds(lambda: load_directory(data, timings))
    print(f"load_directory({data}): {total:.2f} s")
    for snapshot in snapshots:
        print(f"  {snapshot.name:<10} {len(snapshot.entities):>6} entries  {timings[snapshot.name]:.3f} s")
    with tempfile.TemporaryDirectory() as tmp:
        store = ListStore(Path(tmp))
        imported, _ = _seconds(lambda: store.import_directory(data))
        print(f"ListStore.import_directory (parse, check, copy, pickle): {imported:.2f} s")
        store_module._CACHE.clear()
        loaded, current = _seconds(lambda: ListStore(Path(tmp)).current_snapshots())
        print(
            f"ListStore.current_snapshots in a fresh worker (unpickle): {loaded:.2f} s, "
            f"{sum(len(s.entities) for s in current)} entries"
        )
        cached, _ = _seconds(lambda: ListStore(Path(tmp)).current_snapshots())
        print(f"ListStore.current_snapshots again (cached per process): {cached * 1000:.2f} ms")
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS: {peak_mb:.0f} MB")


if __name__ == "__main__":
    main()
