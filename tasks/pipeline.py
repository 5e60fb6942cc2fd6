"""Screen one applicant and bring the ATS in line: the step webhooks and re-screens share."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlalchemy import Connection, Engine

from connectors.base import Connector, Installation
from screening.models import Applicant, ScreeningResult
from store import review
from store.applicants import Screened, record_screenings, upsert_applicant
from tasks import runtime
from tasks.writeback import write_back

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Outcome:
    row_id: int
    result: ScreeningResult | None  # None: identity unchanged, not re-screened
    wrote_back: bool = False


def review_url(row_id: int) -> str:
    return f"{runtime.settings().public_url}/review/applicants/{row_id}"


def screen_stored(
    conn: Connection, installation_id: str, row_id: int, applicant: Applicant
) -> ScreeningResult:
    """The verdict for one applicant already upserted (see `screen_many`)."""
    return screen_many(conn, installation_id, {row_id: applicant})[row_id]


def screen_many(
    conn: Connection, installation_id: str, stored: dict[int, Applicant]
) -> dict[int, ScreeningResult]:
    """Verdicts for applicants already upserted: lists, red flags, links, reviewers' decisions.

    The batch is indexed first, in one linkage write (unchanged applicants rewrite nothing), so
    each one links to the others and later applicants see them; decisions come in a few queries."""
    linker = runtime.linker(installation_id)
    records = linker.index_many(stored.values())
    states = review.review_states_of(conn, installation_id, list(stored))
    screener = runtime.screener_cache().get()
    return {
        row_id: review.apply_review(
            screener.screen(applicant, extra_flags=linker.flags(applicant, records[applicant.id])),
            states[row_id],
        )
        for row_id, applicant in stored.items()
    }


def screen_and_write_back(
    engine: Engine,
    connector: Connector,
    installation: Installation,
    applicant: Applicant,
    trigger: str,
    only_if_identity_changed: bool = False,
) -> Outcome:
    with engine.begin() as conn:
        upserted = upsert_applicant(conn, installation.id, applicant)
        if only_if_identity_changed and not upserted.identity_changed:
            log.info(
                "screening.skipped installation=%s candidate=%s reason=identity_unchanged",
                installation.id,
                applicant.id,
            )
            return Outcome(upserted.row_id, None)
    return rescreen_stored(engine, connector, installation, upserted.row_id, applicant, trigger)


def rescreen_stored(
    engine: Engine,
    connector: Connector,
    installation: Installation,
    row_id: int,
    applicant: Applicant,
    trigger: str,
) -> Outcome:
    """Screen an applicant we already hold (no ATS fetch) and write back if the verdict changed."""
    with engine.begin() as conn:
        result = screen_stored(conn, installation.id, row_id, applicant)
        record_screenings(conn, installation.id, [Screened(row_id, applicant.id, result)], trigger)
    wrote = write_back(engine, connector, installation, applicant.id, result, review_url(row_id))
    return Outcome(row_id, result, wrote)
