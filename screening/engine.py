"""The screening engine: built once from the loaded lists, then screens applicant after applicant.

Used the same way by `hirewatch screen`, the Celery workers and the tests:

    screener = Screener(snapshots)
    result = screener.screen(applicant, extra_flags=flags)
"""

from __future__ import annotations

import logging
import time

from screening.matching import DEFAULT_THRESHOLD, SanctionsIndex
from screening.models import Applicant, Flag, ListSnapshot, ScreeningResult
from screening.verdict import decide

log = logging.getLogger(__name__)


class Screener:
    def __init__(self, snapshots: list[ListSnapshot], threshold: float = DEFAULT_THRESHOLD) -> None:
        if not snapshots:
            raise ValueError("no sanctions lists loaded: refusing to screen against nothing")
        started = time.perf_counter()
        self.index = SanctionsIndex(snapshots, threshold=threshold)
        self.lists = {s.name: s.version for s in snapshots}
        log.info("screener ready lists=%s seconds=%.2f", self.lists, time.perf_counter() - started)

    @property
    def threshold(self) -> float:
        return self.index.threshold

    def screen(self, applicant: Applicant, extra_flags: list[Flag] | tuple[Flag, ...] = ()) -> ScreeningResult:
        hits = self.index.match(applicant)
        flags = list(extra_flags)
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
