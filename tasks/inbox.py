"""`tasks.process_inbox`: one webhook delivery, from the inbox row to the ATS write-back.

The receiver commits the row, then sends this task by name on the `live` queue. The row's
status is the truth: received -> queued -> done | ignored | failed | missing_in_ats |
delete_unconfirmed. A delivery that keeps failing ends `failed` with its last error and an
audit entry; `tasks.sweep_inbox` (beat) re-enqueues rows left `received` (Redis was down) or
stuck `queued` (a task lost).

Nothing is deleted because a fetch answered 404: a wrong API URL answers 404 for everyone. Our
copy goes only on a signed delete, anonymise or merge event, and a delete is first confirmed
with the ATS where it can be (the candidate must be gone there). A 404 keeps everything, marks
the delivery `missing_in_ats`, logs a warning, and many in a row mark the installation unhealthy.
"""

from __future__ import annotations

import logging
import random
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, func, select, update

from connectors.base import ConnectorAbort, ConnectorError, EventKind, PayloadError, WebhookEvent
from connectors.registry import get_connector
from screening.models import ScreeningResult
from store import audit
from store.applicants import delete_applicant, find_row_id, get_applicant, get_applicants
from store.inbox import (
    DELETE_UNCONFIRMED,
    FINAL_STATUSES,
    MISSING_IN_ATS,
    get_delivery,
    mark_queued,
    missing_streak,
    unqueued_ids,
)
from store.installations import set_unhealthy
from store.tables import inbox, installations
from store.writebacks import forget
from tasks import runtime
from tasks.app import LIVE_QUEUE, app
from tasks.pipeline import rescreen_stored, screen_and_write_back

log = logging.getLogger(__name__)
BACKOFF_BASE_SECONDS = 2.0
BACKOFF_CAP_SECONDS = 600.0


def retry_delay(retries: int, retry_after: float | None) -> float:
    """Exponential back-off with full jitter, never sooner than the ATS's Retry-After."""
    ceiling = min(BACKOFF_CAP_SECONDS, BACKOFF_BASE_SECONDS * 2**retries)
    return max(retry_after or 0.0, random.uniform(ceiling / 2, ceiling))


def _set_status(engine: Engine, inbox_id: int, status: str, error: str | None = None) -> None:
    with engine.begin() as conn:
        conn.execute(
            update(inbox)
            .where(inbox.c.id == inbox_id)
            .values(
                status=status, last_error=error, processed_at=func.now() if status in FINAL_STATUSES else None
            )
        )


def _start_attempt(engine: Engine, inbox_id: int) -> int:
    with engine.begin() as conn:
        conn.execute(
            update(inbox)
            .where(inbox.c.id == inbox_id)
            .values(status="queued", attempts=inbox.c.attempts + 1, enqueued_at=func.now())
        )
        return conn.execute(select(inbox.c.attempts).where(inbox.c.id == inbox_id)).scalar_one()


def short_reason(text: str, limit: int = 300) -> str:
    """What a tenant may read of an error: one line of printable text, cut short (an exception
    can quote whatever a remote service answered)."""
    line = " ".join("".join(c if c.isprintable() else " " for c in text).split())
    return line if len(line) <= limit else line[: limit - 1] + "…"


def _fail(engine: Engine, row, reason: str, message: str) -> None:
    shown = short_reason(message)
    _set_status(engine, row.id, "failed", f"{reason}: {shown}")
    with engine.begin() as conn:
        audit.record(
            conn,
            action="inbox.failed",
            actor="worker",
            installation_id=row.installation_id,
            subject=str(row.id),
            details={"reason": reason, "message": shown},
        )
    log.error("inbox.failed inbox_id=%s reason=%s message=%s", row.id, reason, message)


def _forget_candidate(engine: Engine, installation_id: str, candidate_id: str, why: str) -> None:
    """Deleted, anonymised or merged away in the ATS: drop our copy, linkage keys and ledger."""
    runtime.linker(installation_id).forget(candidate_id)
    with engine.begin() as conn:
        removed = delete_applicant(conn, installation_id, candidate_id)
        forget(conn, installation_id, candidate_id)
        audit.record(
            conn,
            action="applicant.deleted",
            actor="worker",
            installation_id=installation_id,
            subject=candidate_id,
            details={"why": why, "had_copy": removed},
        )


def handle(engine: Engine, row, event: WebhookEvent) -> str:
    """Act on one parsed event; the final inbox status."""
    if event.kind is EventKind.DATA_CHANGED:
        from tasks.rescreen import start_changes  # tasks.rescreen imports this module

        start_changes(row.installation_id)
        return "done"
    if event.kind in (EventKind.PING, EventKind.IGNORED) or not event.candidate_id:
        return "ignored"
    installation = runtime.load_installation(row.installation_id)
    connector = runtime.connector_for(installation)
    if event.kind is EventKind.CANDIDATE_DELETED:
        return _delete_when_confirmed(engine, connector, row, event)
    try:
        applicant = connector.fetch_candidate(str(event.candidate_id), event.application_id)
    except ConnectorError as exc:
        if exc.reason != "not_found":
            raise
        return _missing_in_ats(engine, row, str(event.candidate_id), str(exc))
    _fetched(engine, row.installation_id)
    if event.kind is EventKind.CANDIDATE_MERGED and event.merged_from:
        # The ATS has the surviving candidate: the merged-away one's copy goes.
        _forget_candidate(engine, row.installation_id, str(event.merged_from), "merged")
    outcome = screen_and_write_back(
        engine,
        connector,
        installation,
        applicant,
        trigger="webhook",
        only_if_identity_changed=event.kind is EventKind.CANDIDATE_UPDATED,
    )
    linked = linked_candidates(outcome.result)
    if linked:
        runtime.enqueue("tasks.rescreen_linked", [installation.id, linked], LIVE_QUEUE)
    return "done"


def _delete_when_confirmed(engine: Engine, connector, row, event: WebhookEvent) -> str:
    """A signed delete: drop our copy, unless the ATS still has the candidate (a replayed or
    forged-looking event). Anonymised candidates stay in the ATS by design, and without an API
    key we cannot ask: there the signed event alone decides."""
    candidate_id = str(event.candidate_id)
    anonymised = event.event_type in connector.anonymise_events
    if connector.has_credentials() and not anonymised and connector.candidate_exists(candidate_id):
        with engine.begin() as conn:
            audit.record(
                conn,
                action="applicant.delete_unconfirmed",
                actor="worker",
                installation_id=row.installation_id,
                subject=candidate_id,
                details={"event": event.event_type, "inbox_id": row.id},
            )
        log.warning(
            "inbox.delete_unconfirmed inbox_id=%s candidate=%s: the ATS still has the candidate; kept",
            row.id,
            candidate_id,
        )
        return DELETE_UNCONFIRMED
    _forget_candidate(engine, row.installation_id, candidate_id, event.event_type)
    return "done"


def _missing_in_ats(engine: Engine, row, candidate_id: str, message: str) -> str:
    """The ATS answered 404: keep everything, say so, and after many in a row mark the
    installation unhealthy (a wrong API URL answers 404 for every candidate)."""
    with engine.begin() as conn:
        audit.record(
            conn,
            action="applicant.missing_in_ats",
            actor="worker",
            installation_id=row.installation_id,
            subject=candidate_id,
            details={"inbox_id": row.id, "message": message[:200]},
        )
        streak = missing_streak(conn, row.installation_id)[0] + 1  # this row is not final yet
        unhealthy = streak >= runtime.settings().unhealthy_after_404s
        if unhealthy and set_unhealthy(conn, row.installation_id, True):
            audit.record(
                conn,
                action="installation.unhealthy",
                actor="worker",
                installation_id=row.installation_id,
                details={"missing_in_a_row": streak},
            )
    log.warning(
        "inbox.missing_in_ats inbox_id=%s installation=%s candidate=%s in_a_row=%d: kept; "
        "check the installation's API base URL (hirewatch installations check %s)",
        row.id,
        row.installation_id,
        candidate_id,
        streak,
        row.installation_id,
    )
    return MISSING_IN_ATS


def _fetched(engine: Engine, installation_id: str) -> None:
    """A fetch worked: an installation marked unhealthy for its 404s is active again."""
    with engine.begin() as conn:
        if set_unhealthy(conn, installation_id, False):
            audit.record(conn, action="installation.healthy", actor="worker", installation_id=installation_id)


def linked_candidates(result: ScreeningResult | None) -> list[str]:
    """The earlier applicants a screening linked this one to (by their ATS candidate id)."""
    if result is None:
        return []
    return sorted({str(other) for flag in result.flags for other in flag.evidence.get("applicants", [])})


@app.task(name="tasks.process_inbox", bind=True, acks_late=True, reject_on_worker_lost=True, max_retries=None)
def process_inbox(self, inbox_id: int) -> str:
    engine = runtime.engine()
    with engine.connect() as conn:
        row = get_delivery(conn, inbox_id)
    if row is None:
        log.warning("inbox.missing inbox_id=%s", inbox_id)
        return "missing"
    if row.status in FINAL_STATUSES:
        return row.status  # a duplicate message: the work is done
    attempts = _start_attempt(engine, inbox_id)
    try:
        event = get_connector(row.platform).parse_event(row.body.encode(), row.headers or {})
        status = handle(engine, row, event)
    except PayloadError as exc:
        _fail(engine, row, "bad_payload", exc.reason)
        return "failed"
    except ConnectorAbort as exc:
        _abort_installation(engine, row.installation_id, exc.reason)
        _fail(engine, row, exc.reason, str(exc))
        return "failed"
    except ConnectorError as exc:
        if attempts >= runtime.settings().task_max_retries:
            _fail(engine, row, exc.reason, str(exc))
            return "failed"
        delay = retry_delay(self.request.retries, exc.retry_after)
        _set_status(engine, inbox_id, "queued", f"{exc.reason}: {exc}; retry in {delay:.0f}s")
        log.warning(
            "inbox.retry inbox_id=%s reason=%s attempt=%d delay=%.1f", inbox_id, exc.reason, attempts, delay
        )
        raise self.retry(countdown=delay) from exc
    except Exception as exc:  # a bug or an outage we did not foresee: retry, then fail visibly
        if attempts >= runtime.settings().task_max_retries:
            _fail(engine, row, exc.__class__.__name__, str(exc))
            return "failed"
        _set_status(engine, inbox_id, "queued", f"{exc.__class__.__name__}: {short_reason(str(exc))}")
        log.exception("inbox.error inbox_id=%s attempt=%d", inbox_id, attempts)
        raise self.retry(countdown=retry_delay(self.request.retries, None)) from exc
    _set_status(engine, inbox_id, status)
    return status


def _abort_installation(engine: Engine, installation_id: str, reason: str) -> None:
    """Bad credentials or revoked access: mark the installation so the admin sees it."""
    with engine.begin() as conn:
        conn.execute(
            update(installations)
            .where(installations.c.id == installation_id)
            .values(status=f"aborted: {reason}")
        )
        audit.record(
            conn,
            action="installation.aborted",
            actor="worker",
            installation_id=installation_id,
            details={"reason": reason},
        )


def stuck_ids(engine: Engine, older_than: timedelta, limit: int = 500) -> list[int]:
    """Rows `queued` for longer than any task may take: their message was lost."""
    cutoff = datetime.now(UTC) - older_than
    with engine.connect() as conn:
        query = (
            select(inbox.c.id)
            .where(inbox.c.status == "queued", inbox.c.enqueued_at <= cutoff)
            .order_by(inbox.c.id)
            .limit(limit)
        )
        return list(conn.execute(query).scalars())


@app.task(name="tasks.sweep_inbox", acks_late=True, ignore_result=True)
def sweep_inbox() -> int:
    """Enqueue deliveries the receiver could not enqueue, and those whose task went missing."""
    settings = runtime.settings()
    engine = runtime.engine()
    with engine.connect() as conn:
        waiting = unqueued_ids(conn, older_than=timedelta(seconds=min(settings.sweep_seconds, 10)))
    stuck = stuck_ids(engine, timedelta(minutes=settings.stuck_minutes))
    for inbox_id in waiting + stuck:
        runtime.enqueue("tasks.process_inbox", [inbox_id], LIVE_QUEUE)
        with engine.begin() as conn:
            if not mark_queued(conn, inbox_id):  # stuck rows: restart their clock
                conn.execute(update(inbox).where(inbox.c.id == inbox_id).values(enqueued_at=func.now()))
    if waiting or stuck:
        log.info("inbox.swept received=%d stuck=%d", len(waiting), len(stuck))
    return len(waiting) + len(stuck)


@app.task(
    name="tasks.write_back_decision", bind=True, acks_late=True, reject_on_worker_lost=True, max_retries=8
)
def write_back_decision(self, installation_id: str, applicant_id: int, decision_id: int) -> str:
    """A reviewer decided (the admin API sends this): re-screen the stored applicant, with the
    decision's suppressions applied, and bring the ATS tag and note in line with the new verdict."""
    engine = runtime.engine()
    with engine.connect() as conn:
        stored = get_applicant(conn, applicant_id)
    if stored is None or stored[0] != installation_id:
        log.warning("decision.unknown_applicant applicant_id=%s decision_id=%s", applicant_id, decision_id)
        return "missing"
    return _rescreen_held(self, engine, installation_id, [(applicant_id, stored[1])], "decision")


@app.task(name="tasks.rescreen_linked", bind=True, acks_late=True, reject_on_worker_lost=True, max_retries=8)
def rescreen_linked(self, installation_id: str, candidate_ids: list[str]) -> str:
    """Earlier applicants a new one links to: the first member of a ring was clear until the
    second applied. Re-screened from our copy (no ATS fetch); their re-screen links back to
    the new applicant, who is already flagged, so this does not cascade further."""
    engine = runtime.engine()
    with engine.connect() as conn:
        row_ids = [find_row_id(conn, installation_id, cid) for cid in candidate_ids]
        held = get_applicants(conn, [row_id for row_id in row_ids if row_id is not None])
    return _rescreen_held(self, engine, installation_id, list(held.items()), "linked")


def _rescreen_held(task, engine: Engine, installation_id: str, held: list, trigger: str) -> str:
    """Re-screen stored applicants and bring their ATS tags and notes in line (write-backs are
    keyed by verdict, so a retry after a partial run writes nothing twice)."""
    installation = runtime.load_installation(installation_id)
    connector = runtime.connector_for(installation)
    try:
        for row_id, applicant in held:
            rescreen_stored(engine, connector, installation, row_id, applicant, trigger=trigger)
    except ConnectorAbort as exc:
        _abort_installation(engine, installation_id, exc.reason)
        return "failed"
    except ConnectorError as exc:
        raise task.retry(countdown=retry_delay(task.request.retries, exc.retry_after)) from exc
    return "done"
