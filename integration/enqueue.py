"""Hand an inbox row to the workers, failing fast: the webhook reply never waits on Redis.

The row is already committed when this runs, so a broker that is down costs nothing but a
delay: the row stays `received` and the pipeline's periodic sweeper enqueues it later.
"""

from __future__ import annotations

import logging

from celery import Celery
from kombu.exceptions import KombuError
from redis.exceptions import RedisError
from sqlalchemy import Engine

from integration.config import Settings
from store.inbox import mark_unqueued
from tasks.app import LIVE_QUEUE, make_celery

log = logging.getLogger(__name__)

PROCESS_INBOX_TASK = "tasks.process_inbox"  # defined by the pipeline (tasks/), sent here by name

# Seconds: a broker that does not answer this fast is treated as down for this delivery.
_BROKER_TIMEOUTS = {"socket_connect_timeout": 0.5, "socket_timeout": 1.0, "max_retries": 0}


def fast_failing_celery(settings: Settings) -> Celery:
    celery = make_celery(settings)
    celery.conf.update(
        broker_connection_timeout=0.5,
        broker_connection_retry=False,
        broker_connection_max_retries=0,
        broker_transport_options={**celery.conf.broker_transport_options, **_BROKER_TIMEOUTS},
    )
    return celery


class InboxEnqueuer:
    def __init__(self, settings: Settings, engine: Engine):
        self._settings = settings
        self._engine = engine
        self._celery: Celery | None = None  # built on first use: gunicorn forks after import

    def enqueue(self, inbox_id: int) -> bool:
        """Send the live-queue task for a committed (`queued`) row.

        False (logged) when the broker is unreachable: the row goes back to `received`.
        """
        if self._celery is None:
            self._celery = fast_failing_celery(self._settings)
        try:
            self._celery.send_task(PROCESS_INBOX_TASK, args=[inbox_id], queue=LIVE_QUEUE, retry=False)
        except (KombuError, RedisError, OSError) as exc:
            with self._engine.begin() as conn:
                mark_unqueued(conn, inbox_id)
            log.warning(
                "inbox.enqueue_failed inbox_id=%s error=%s: kept as received; the sweeper will "
                "enqueue it when Redis is back",
                inbox_id,
                exc.__class__.__name__,
            )
            return False
        log.debug("inbox.enqueued inbox_id=%s queue=%s", inbox_id, LIVE_QUEUE)
        return True
