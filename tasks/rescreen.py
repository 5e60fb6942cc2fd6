"""Re-screen every candidate of an installation: page through the ATS, fan out in chunks.

`tasks.rescreen_page` fetches pages from the job's stored cursor; each page is upserted and
stored as a chunk together with the next cursor in one transaction, then `tasks.rescreen_chunk`
screens it on the `bulk` queue. A crash loses nothing: `resume_job` continues from the cursor
and re-enqueues chunks still pending, and applicants already screened by this job are skipped.
"""

from __future__ import annotations

import logging
import time
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine

from connectors.base import ConnectorAbort, ConnectorError
from connectors.registry import get_connector
from screening.models import Risk
from store import audit
from store.applicants import Screened, get_applicants, record_screenings, screened_by, upsert_applicant
from store.jobs import (
    CANCELLED,
    RUNNING,
    add_chunk,
    changes_since,
    chunk_applicants,
    claim_chunk,
    complete_if_finished,
    create_job,
    finish_chunk,
    get_job,
    job_cursor,
    pending_chunks,
    release_abandoned_chunks,
    set_status,
)
from store.writebacks import ever_written
from tasks import runtime
from tasks.app import BULK_QUEUE, app
from tasks.inbox import retry_delay
from tasks.pipeline import review_url, screen_many
from tasks.writeback import write_back

log = logging.getLogger(__name__)
# A paging task hands over to a fresh one after this share of the task time limit. Paging as long
# as possible in one task keeps the pages flowing: a continuation waits behind queued chunks.
PAGING_SHARE_OF_TIME_LIMIT = 0.5
# A changes listing starts this long before the last one did: clocks differ, and screening a
# candidate twice costs one screening (write-backs are keyed by verdict), missing one costs a miss.
CHANGES_OVERLAP = timedelta(minutes=10)


def start_rescreen(
    installation_id: str, kind: str = "full", requested_by: str = "system", cursor: str | None = None
) -> int:
    """Create a job and start paging; the admin API and `hirewatch rescreen` call this."""
    engine = runtime.engine()
    with engine.begin() as conn:
        job_id = create_job(conn, installation_id, kind=kind, requested_by=requested_by, cursor=cursor)
        audit.record(
            conn,
            action="rescreen.started",
            actor=requested_by,
            installation_id=installation_id,
            subject=str(job_id),
            details={"kind": kind},
        )
    runtime.enqueue("tasks.rescreen_page", [job_id], BULK_QUEUE)
    return job_id


def start_changes(installation_id: str, requested_by: str = "webhook") -> int | None:
    """Screen the candidates changed since the last such job (a platform whose webhooks say that
    something changed but not what: Kombo's data-changed). None: the platform lists no changes."""
    engine = runtime.engine()
    with engine.connect() as conn:
        since = changes_since(conn, installation_id)
    platform = runtime.load_installation(installation_id).platform
    cursor = get_connector(platform).changes_cursor((since or datetime.now(UTC)) - CHANGES_OVERLAP)
    if cursor is None:
        return None
    return start_rescreen(installation_id, kind="changes", requested_by=requested_by, cursor=cursor)


def cancel_rescreen(job_id: int, requested_by: str = "system") -> bool:
    engine = runtime.engine()
    with engine.begin() as conn:
        cancelled = set_status(conn, job_id, CANCELLED)
        job = get_job(conn, job_id)
        if cancelled and job:
            audit.record(
                conn,
                action="rescreen.cancelled",
                actor=requested_by,
                installation_id=job.installation_id,
                subject=str(job_id),
            )
    return cancelled


def resume_job(job_id: int) -> None:
    """Continue a job after a crash: re-enqueue its pending chunks and, if needed, the paging."""
    engine = runtime.engine()
    with engine.begin() as conn:
        job = get_job(conn, job_id)
        if job is None or job.status != RUNNING:
            return
        release_abandoned_chunks(conn, job_id)
        chunks = pending_chunks(conn, job_id)
    for chunk_id in chunks:
        runtime.enqueue("tasks.rescreen_chunk", [chunk_id], BULK_QUEUE)
    if not job.paging_done:
        runtime.enqueue("tasks.rescreen_page", [job_id], BULK_QUEUE)


def _running(engine: Engine, job_id: int) -> bool:
    with engine.connect() as conn:
        job = get_job(conn, job_id)
    return job is not None and job.status == RUNNING


@app.task(name="tasks.rescreen_page", bind=True, acks_late=True, reject_on_worker_lost=True, max_retries=None)
def rescreen_page(self, job_id: int) -> None:
    engine = runtime.engine()
    with engine.connect() as conn:
        job = get_job(conn, job_id)
        cursor = job_cursor(conn, job_id)
    if job is None or job.status != RUNNING or job.paging_done:
        return
    installation = runtime.load_installation(job.installation_id)
    hand_over_at = time.monotonic() + runtime.settings().task_time_limit * PAGING_SHARE_OF_TIME_LIMIT
    try:
        connector = runtime.connector_for(installation)  # refuses credentials the ATS retired
        for page in connector.list_candidates(cursor):
            if not _running(engine, job_id):
                return
            with engine.begin() as conn:
                row_ids = [upsert_applicant(conn, installation.id, a).row_id for a in page.applicants]
                chunk_id = add_chunk(conn, job_id, row_ids, page.next_cursor)
            runtime.enqueue("tasks.rescreen_chunk", [chunk_id], BULK_QUEUE)
            if page.next_cursor and time.monotonic() > hand_over_at:
                runtime.enqueue("tasks.rescreen_page", [job_id], BULK_QUEUE)
                return
    except ConnectorAbort as exc:
        with engine.begin() as conn:
            set_status(conn, job_id, "failed", f"{exc.reason}: {exc}")
        return
    except ConnectorError as exc:
        raise self.retry(countdown=retry_delay(min(self.request.retries, 6), exc.retry_after)) from exc
    with engine.begin() as conn:
        complete_if_finished(conn, job_id)


@app.task(name="tasks.rescreen_chunk", acks_late=True, reject_on_worker_lost=True)
def rescreen_chunk(chunk_id: int) -> None:
    engine = runtime.engine()
    with engine.begin() as conn:
        found = chunk_applicants(conn, chunk_id)
        if found is None or not claim_chunk(conn, chunk_id):
            return  # unknown, done, or being screened by another copy of this message
    job_id, _status, row_ids = found
    trigger = f"rescreen:{job_id}"
    with engine.connect() as conn:
        job = get_job(conn, job_id)
        already = screened_by(conn, row_ids, trigger)
    if job is None or job.status != RUNNING:
        return
    installation = runtime.load_installation(job.installation_id)
    connector = runtime.connector_for(installation)
    screened = screen_batch(engine, installation.id, row_ids, trigger, already_recorded=already)
    with engine.connect() as conn:
        written = ever_written(conn, installation.id, [applicant.id for _, applicant, _ in screened])
    failed = 0
    for row_id, applicant, result in screened:
        if result.risk == Risk.CLEAR and applicant.id not in written:
            continue  # nothing of ours in the ATS and nothing to say: no API call, no ledger read
        try:
            write_back(engine, connector, installation, applicant.id, result, review_url(row_id))
        except ConnectorError as exc:
            failed += 1
            with engine.begin() as conn:
                audit.record(
                    conn,
                    action="writeback.failed",
                    actor="worker",
                    installation_id=installation.id,
                    subject=applicant.id,
                    details={"reason": exc.reason, "trigger": trigger},
                )
            log.warning("rescreen.writeback_failed candidate=%s reason=%s", applicant.id, exc.reason)
    with engine.begin() as conn:
        finish_chunk(conn, chunk_id, job_id, done=len(row_ids) - failed, failed=failed)


def screen_batch(
    engine: Engine, installation_id: str, row_ids: list[int], trigger: str, already_recorded: set[int]
) -> list:
    """Screen stored applicants, recording the results in one transaction (one commit per chunk).

    Applicants this job already recorded (a chunk resumed after a crash) are screened again in
    memory only, so their write-back, which may not have happened, is checked against the ledger.
    """
    with engine.begin() as conn:
        stored = get_applicants(conn, row_ids)  # applicants deleted since the page was fetched are absent
        results = screen_many(conn, installation_id, stored)
        screened = [(row_id, stored[row_id], results[row_id]) for row_id in row_ids if row_id in stored]
        new = [Screened(r, a.id, result) for r, a, result in screened if r not in already_recorded]
        record_screenings(conn, installation_id, new, trigger)
    return screened


def wait_for(job_id: int, on_progress, poll_seconds: float = 0.5, timeout: float | None = None):
    """Poll a job until it finishes, calling `on_progress(JobProgress)` on each poll."""
    engine = runtime.engine()
    deadline = None if timeout is None else time.monotonic() + timeout
    while True:
        with engine.connect() as conn:
            job = get_job(conn, job_id)
        on_progress(job)
        if job is None or job.finished or (deadline and time.monotonic() > deadline):
            return job
        time.sleep(poll_seconds)
