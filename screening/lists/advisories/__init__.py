"""HireWatch's advisories watchlist: people, companies, front companies and their domains,
e-mails and crypto addresses named in Treasury/DOJ/FBI releases on DPRK IT workers.

NOT a legal sanctions list: entries come from government releases (and the secondary reports
cited per entry in advisories.json), screened like a list and labelled `advisories`.
Maintained by hand from ../shared/docs/dprk-indicators.md section 4; every entry cites its source.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from screening.lists.watchlist import load_watchlist
from screening.models import ListSnapshot

ADVISORIES_FILE = Path(__file__).with_name("advisories.json")
REMARKS_PREFIX = "ADVISORY (named in a government release on DPRK IT workers; not a legal sanctions list)."


@cache
def _load() -> ListSnapshot:
    return load_watchlist(ADVISORIES_FILE, REMARKS_PREFIX)


def load_advisories() -> ListSnapshot:
    """The advisories snapshot (parsed once per process; callers must not mutate it)."""
    return _load()
