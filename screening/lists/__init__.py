"""Sanctions lists and watchlists: loaders, version store, diffs.

Entry points: `load_directory(path)`, `load_demo()`, `load_advisories()`, `ListStore(root)`,
`load_lists(store_root, directory, allow_demo)`, `diff_snapshots(old, new)`. The HTTP code lives
in `download.py`, the only kind of module in `screening/` allowed to use `requests`.
"""

from screening.lists.advisories import load_advisories
from screening.lists.dates import birth_year_range
from screening.lists.demo import load_demo
from screening.lists.diff import ListDiff, changed_fields, diff_snapshot_sets, diff_snapshots
from screening.lists.directory import load_directory
from screening.lists.errors import (
    ListDownloadError,
    ListError,
    ListFormatError,
    ListUpdateRefused,
    NoListsError,
)
from screening.lists.store import ListStore, UpdateResult, VersionInfo, load_lists

__all__ = [
    "ListDiff",
    "ListDownloadError",
    "ListError",
    "ListFormatError",
    "ListStore",
    "ListUpdateRefused",
    "NoListsError",
    "UpdateResult",
    "VersionInfo",
    "birth_year_range",
    "changed_fields",
    "diff_snapshot_sets",
    "diff_snapshots",
    "load_advisories",
    "load_demo",
    "load_directory",
    "load_lists",
]
