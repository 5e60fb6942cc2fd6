"""Sanctions lists and watchlists: loaders, version store, diffs.

Entry points: `load_directory(path)`, `load_demo()`, `load_advisories()`, `store.ListStore`,
`diff.diff_snapshots(old, new)`. Downloads live in `**/download.py`, the only modules of
`screening/` allowed to use `requests`.
"""

from screening.lists.advisories import load_advisories
from screening.lists.demo import load_demo
from screening.lists.directory import load_directory
from screening.lists.errors import (
    ListDownloadError,
    ListError,
    ListFormatError,
    ListUpdateRefused,
    NoListsError,
)

__all__ = [
    "ListDownloadError",
    "ListError",
    "ListFormatError",
    "ListUpdateRefused",
    "NoListsError",
    "load_advisories",
    "load_demo",
    "load_directory",
]
