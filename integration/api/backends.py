"""The other areas' pieces the API and the review pages drive: Celery tasks (sent by name, so
the web process never imports the workers' code), re-screen jobs, list versions, installations.

Each raises `errors.Unavailable` with a reason when its piece is missing or down (503).
"""

from __future__ import annotations

import logging
from dataclasses import asdict
from typing import Any

from flask import current_app
from sqlalchemy import Connection, func, select

from connectors.base import AccessCheck
from connectors.registry import check_access
from integration.api.errors import ApiError, Unavailable, not_found
from integration.cli.installations import credentials_notice
from integration.config import Settings
from integration.secrets import secret_box as make_secret_box
from screening.lists import load_advisories
from screening.lists.diff import changed_fields, diff_snapshot_sets
from screening.lists.errors import ListError
from screening.lists.store import ListStore
from store import audit, jobs, review
from store import installations as stored
from store.secretbox import SecretBox
from store.tables import inbox, installations
from tasks.app import BULK_QUEUE, LIVE_QUEUE, make_celery

log = logging.getLogger(__name__)

WRITEBACK_TASK = "tasks.write_back_decision"  # pipeline: update the ATS tag and add a note


def settings() -> Settings:
    return current_app.config["HIREWATCH"]


def secret_box() -> SecretBox:
    """The receiver's box for installation credentials (one per app)."""
    if "hirewatch.secret_box" not in current_app.extensions:
        current_app.extensions["hirewatch.secret_box"] = make_secret_box(settings())
    return current_app.extensions["hirewatch.secret_box"]


def _celery():
    if "hirewatch.celery" not in current_app.extensions:
        current_app.extensions["hirewatch.celery"] = make_celery(settings())
    return current_app.extensions["hirewatch.celery"]


def send_task(name: str, kwargs: dict[str, Any], queue: str = LIVE_QUEUE) -> str:
    try:
        # Bounded retry: a request must not hang on a dead broker; the caller records the failure.
        policy = {"max_retries": 2, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.5}
        return _celery().send_task(name, kwargs=kwargs, queue=queue, retry=True, retry_policy=policy).id
    except Exception as exc:  # broker down: kombu raises OperationalError and friends
        log.error("enqueue failed task=%s error=%s", name, exc)
        raise Unavailable(f"the task queue is unreachable ({exc.__class__.__name__}); retry shortly") from exc


def write_back_decision(conn: Connection, installation_id: str, decision: dict, actor: str) -> None:
    """Ask the pipeline to update the ATS (tag + note). The decision itself is already stored;
    a queue outage is audited so the write-back can be redone, never silently dropped."""
    kwargs = {
        "installation_id": installation_id,
        "applicant_id": decision["applicant_id"],
        "decision_id": decision["id"],
    }
    try:
        action, outcome = "writeback.enqueued", {"task_id": send_task(WRITEBACK_TASK, kwargs)}
    except Unavailable as exc:
        action, outcome = "writeback.enqueue_failed", {"error": str(exc)}
    audit.record(
        conn,
        action=action,
        actor=actor,
        installation_id=installation_id,
        subject=decision["external_id"],
        details={**kwargs, **outcome},
    )


def record_decision(installation_id: str, applicant_id: int, body: dict, actor: str) -> dict:
    """Store the decision, audit it and queue the ATS write-back (shared with the review pages)."""
    engine = current_app.extensions["hirewatch.engine"]
    with engine.begin() as conn:
        try:
            decision = review.record_decision(
                conn,
                installation_id,
                applicant_id,
                decision=review.Decision(body["decision"]),
                reason=body["reason"],
                actor=actor,
                hit=body.get("hit_key"),
            )
        except LookupError as exc:
            raise not_found("applicant") from exc
        except review.ReviewError as exc:
            raise ApiError(422, "invalid", str(exc)) from exc
    # Enqueued only once the decision is committed: a worker quicker than the commit would
    # re-screen without it and put the applicant back to pending.
    with engine.begin() as conn:
        write_back_decision(conn, installation_id, decision, actor)
    return decision


# --- re-screen jobs (pipeline: store.jobs + the tasks.rescreen_page task) ---

RESCREEN_PAGE_TASK = "tasks.rescreen_page"


def credentials_needs(installation_id: str) -> str | None:
    """What the admin must do before the ATS can be reached (with the command), or None."""
    with current_app.extensions["hirewatch.engine"].connect() as conn:
        row = (
            conn.execute(installations.select().where(installations.c.id == installation_id))
            .mappings()
            .first()
        )
    return credentials_notice(stored.info_of(row)) if row else None


def start_rescreen(installation_id: str, actor: str) -> dict:
    """Create the job, then enqueue its first paging task on the bulk queue; refused (409) while
    the installation's credentials are ones the ATS no longer accepts."""
    needs = credentials_needs(installation_id)
    if needs:
        raise ApiError(409, "needs_credentials", f"this installation {needs}")
    engine = current_app.extensions["hirewatch.engine"]
    with engine.begin() as conn:
        job_id = jobs.create_job(conn, installation_id, kind="full", requested_by=actor)
        audit.record(
            conn,
            action="rescreen.started",
            actor=actor,
            installation_id=installation_id,
            subject=str(job_id),
            details={"kind": "full"},
        )
    try:
        send_task(RESCREEN_PAGE_TASK, {"job_id": job_id}, queue=BULK_QUEUE)
    except Unavailable:
        with engine.begin() as conn:
            jobs.set_status(conn, job_id, jobs.FAILED, error="the task queue was unreachable; start it again")
        raise
    return job_for(installation_id, job_id)


def job_for(installation_id: str, job_id: int) -> dict:
    with current_app.extensions["hirewatch.engine"].connect() as conn:
        job = jobs.get_job(conn, job_id)
    if job is None or job.installation_id != installation_id:
        raise not_found("re-screen job")
    return job.to_dict()


def recent_jobs(installation_id: str, limit: int = 20) -> list[dict]:
    with current_app.extensions["hirewatch.engine"].connect() as conn:
        return [job.to_dict() for job in jobs.list_jobs(conn, installation_id, limit=limit)]


def cancel_rescreen(installation_id: str, job_id: int, actor: str) -> dict:
    job_for(installation_id, job_id)  # 404 for another tenant's job
    with current_app.extensions["hirewatch.engine"].begin() as conn:
        if jobs.cancel_job(conn, job_id):
            audit.record(
                conn,
                action="rescreen.cancelled",
                actor=actor,
                installation_id=installation_id,
                subject=str(job_id),
            )
    return job_for(installation_id, job_id)


# --- list versions (lists: screening.lists.store.ListStore under HIREWATCH_LISTS_DIR) ---

DIFF_ENTRIES_SHOWN = 200  # per kind and list; the counts always give the full size


def _version_dict(info, current: str | None) -> dict:
    return {**asdict(info), "current": info.id == current}


def lists_status() -> dict:
    store = ListStore(settings().lists_dir)
    status = store.status()
    current = status.current.id if status.current else None
    return {
        "current": _version_dict(status.current, current) if status.current else None,
        "previous": _version_dict(status.previous, current) if status.previous else None,
        "versions": status.versions,
    }


def list_versions() -> list[dict]:
    store = ListStore(settings().lists_dir)
    current = store.current_version()
    return [_version_dict(info, current) for info in store.versions()]


def lists_diff(old: str, new: str) -> list[dict]:
    """Added, removed and changed entries per list between two stored versions."""
    store = ListStore(settings().lists_dir)
    try:
        diffs = diff_snapshot_sets(store.resolve(old), store.resolve(new))
    except ListError as exc:
        raise ApiError(404, "not_found", f"{exc}; see GET /lists/versions") from exc
    return [
        {
            "list": name,
            "old_version": diff.old_version,
            "new_version": diff.new_version,
            "counts": diff.counts(),
            "added": [_entry(e) for e in diff.added[:DIFF_ENTRIES_SHOWN]],
            "removed": [_entry(e) for e in diff.removed[:DIFF_ENTRIES_SHOWN]],
            "changed": [
                {**_entry(after), "fields": changed_fields(before, after)}
                for before, after in diff.changed[:DIFF_ENTRIES_SHOWN]
            ],
        }
        for name, diff in sorted(diffs.items())
    ]


def _entry(entity) -> dict:
    return {
        "entity_id": entity.native_id,
        "name": entity.primary_name,
        "type": str(entity.type),
        "programs": list(entity.programs),
    }


_ENTRY_INDEX: dict[str, dict[tuple[str, str], Any]] = {}  # list version -> (list, native id) -> Entity


def list_entry(list_name: str, entity_id: str):
    """The current list entry a hit points to (for its identifiers and dates), or None when the
    lists are not stored here or the entry left the list. Indexed once per version per process."""
    store = ListStore(settings().lists_dir)
    version = store.current_version()
    if version is None:
        return None
    if version not in _ENTRY_INDEX:
        _ENTRY_INDEX.clear()
        _ENTRY_INDEX[version] = {
            (entity.list, entity.native_id): entity
            for snapshot in store.current_snapshots()
            for entity in snapshot.entities
        }
    return _ENTRY_INDEX[version].get((list_name, str(entity_id)))


# --- what the review pages show of an installation and of the advisories watchlist ---


def installation_summary(installation_id: str) -> dict:
    """Platform, name, API base URL and status (never a secret)."""
    with current_app.extensions["hirewatch.engine"].connect() as conn:
        row = conn.execute(
            select(
                installations.c.id,
                installations.c.platform,
                installations.c.name,
                installations.c.api_base_url,
                installations.c.status,
                installations.c.created_at,
            ).where(installations.c.id == installation_id)
        ).first()
    return row._asdict() if row else {}


def installation_overview(installation_id: str) -> dict:
    """The installation with its webhook URL and how its deliveries are going."""
    summary = installation_summary(installation_id)
    with current_app.extensions["hirewatch.engine"].connect() as conn:
        health = stored.installation_health(conn, installation_id)
        mine = inbox.c.installation_id == installation_id
        last = conn.execute(select(func.max(inbox.c.received_at)).where(mine)).scalar()
        counts = dict(
            conn.execute(select(inbox.c.status, func.count()).where(mine).group_by(inbox.c.status)).all()
        )
        failure = conn.execute(
            select(inbox.c.last_error, inbox.c.processed_at)
            .where(mine, inbox.c.last_error.is_not(None))
            .order_by(inbox.c.id.desc())
            .limit(1)
        ).first()
    return {
        **summary,
        "webhook_url": f"{settings().public_url}/webhooks/{summary.get('platform')}/{installation_id}",
        "last_delivery": last,
        "deliveries": counts,
        "last_error": failure.last_error if failure else None,
        "last_error_at": failure.processed_at if failure else None,
        "missing_in_a_row": health.missing_in_a_row,
        "last_missing_at": health.last_missing_at,
        "warning": health.warning,
    }


def check_installation(installation_id: str, actor: str) -> AccessCheck:
    """Authenticate and read one page from the ATS with the stored settings (as `hirewatch
    installations check`); a pass clears an unhealthy mark. Audited either way."""
    engine = current_app.extensions["hirewatch.engine"]
    with engine.connect() as conn:
        installation = stored.get_installation(conn, secret_box(), installation_id)
    result = check_access(installation, settings().allow_api_urls)
    with engine.begin() as conn:
        if result.ok:
            stored.set_unhealthy(conn, installation_id, False)
        audit.record(
            conn,
            action="installation.check",
            actor=actor,
            installation_id=installation_id,
            details={"ok": result.ok, "problem": result.problem, "message": result.message},
        )
    return result


def advisories_watchlist() -> list[dict]:
    """The shipped watchlist of government releases on DPRK IT workers, entry by entry."""
    return [
        {
            "id": entity.native_id,
            "name": entity.primary_name,
            "type": str(entity.type),
            "listed_on": entity.listed_on,
            "source_url": entity.source_url,
        }
        for entity in sorted(load_advisories().entities, key=lambda e: e.primary_name.lower())
    ]
