"""The screening engine: built once from the loaded lists, then screens applicant after applicant.

Used the same way by `hirewatch screen`, the Celery workers and the tests:

    screener = Screener(snapshots, linker=Linker(store, tenant_secret))
    result = screener.screen(applicant, extra_flags=flags)

Every screening runs the red-flag checks on the applicant's own data; with a linker it also
indexes the applicant in the tenant's linkage store and reports links to the other applicants.
"""

from __future__ import annotations

import logging
import time

from screening.linkage import Linker
from screening.matching import DEFAULT_THRESHOLD, SanctionsIndex
from screening.models import Applicant, Flag, ListSnapshot, ScreeningResult
from screening.redflags import assess
from screening.verdict import decide

log = logging.getLogger(__name__)


class Screener:
    def __init__(
        self,
        snapshots: list[ListSnapshot],
        threshold: float = DEFAULT_THRESHOLD,
        linker: Linker | None = None,
        index: SanctionsIndex | None = None,
    ) -> None:
        """index: the index over `snapshots`, when already loaded (screening.matching.stored); else
        built here, at `threshold`."""
        if not snapshots:
            raise ValueError("no sanctions lists loaded: refusing to screen against nothing")
        started = time.perf_counter()
        self.index = index or SanctionsIndex(snapshots, threshold=threshold)
        self.lists = {s.name: s.version for s in snapshots}
        self.linker = linker
        log.info("screener ready lists=%s seconds=%.2f", self.lists, time.perf_counter() - started)

    @property
    def threshold(self) -> float:
        return self.index.threshold

    def screen(
        self, applicant: Applicant, extra_flags: list[Flag] | tuple[Flag, ...] = ()
    ) -> ScreeningResult:
        hits = self.index.match(applicant)
        flags = assess(applicant, self.linker) + list(extra_flags)
        verdict = decide(hits, flags)
        return ScreeningResult(
            id=applicant.id,
            risk=verdict.risk,
            score=verdict.score,
            sanctions_hits=hits,
            flags=flags,
            lists=dict(self.lists),
            reasons=verdict.reasons,
            needs_review=verdict.needs_review,
        )
