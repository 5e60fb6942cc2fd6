"""The other areas' pieces the API and the review pages drive: Celery tasks (sent by name, so
the web process never imports the workers' code), re-screen jobs, list versions, installations.

Each raises `errors.Unavailable` with a reason when its piece is missing or down (503).
"""

from __future__ import annotations

import logging
from typing import Any

from flask import current_app
from sqlalchemy import Connection

from integration.api.errors import ApiError, Unavailable, not_found
from integration.config import Settings
from store import audit, review

log = logging.getLogger(__name__)

WRITEBACK_TASK = "tasks.write_back_decision"  # pipeline: update the ATS tag and add a note
RESCREEN_TASK = "tasks.rescreen_installation"


def settings() -> Settings:
    return current_app.config["HIREWATCH"]


def _celery():
    if "hirewatch.celery" not in current_app.extensions:
        from tasks.app import make_celery

        current_app.extensions["hirewatch.celery"] = make_celery(settings())
    return current_app.extensions["hirewatch.celery"]


def send_task(name: str, kwargs: dict[str, Any], queue: str = "live") -> str:
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
        task_id = send_task(WRITEBACK_TASK, kwargs)
    except Unavailable as exc:
        audit.record(
            conn,
            action="writeback.enqueue_failed",
            actor=actor,
            installation_id=installation_id,
            subject=decision["external_id"],
            details={**kwargs, "error": str(exc)},
        )
        return
    audit.record(
        conn,
        action="writeback.enqueued",
        actor=actor,
        installation_id=installation_id,
        subject=decision["external_id"],
        details={**kwargs, "task_id": task_id},
    )


def record_decision(installation_id: str, applicant_id: int, body: dict, actor: str) -> dict:
    """Store the decision, audit it and queue the ATS write-back (shared with the review pages)."""
    with current_app.extensions["hirewatch.engine"].begin() as conn:
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
        write_back_decision(conn, installation_id, decision, actor)
    return decision
