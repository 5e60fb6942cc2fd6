"""DEMO list: a handful of MADE-UP entries for trying HireWatch on a machine with no lists and no
network (`make run`). Never real sanctions data: list name `demo`, program `DEMO`, and every
entry's remarks start with "DEMO ENTRY". Real screening needs `hirewatch lists update`.
"""

from __future__ import annotations

from pathlib import Path

from screening.lists.watchlist import load_watchlist
from screening.models import ListSnapshot

DEMO_FILE = Path(__file__).with_name("demo.json")
REMARKS_PREFIX = "DEMO ENTRY (made up for trying HireWatch; not a real sanctions listing)."


def load_demo() -> list[ListSnapshot]:
    """The DEMO list alone (no advisories, so a demo run is visibly not a real screening)."""
    return [load_watchlist(DEMO_FILE, REMARKS_PREFIX)]
