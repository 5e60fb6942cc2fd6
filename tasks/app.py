"""The Celery application. Redis from REDIS_URL is the broker."""

from __future__ import annotations

from celery import Celery

from integration.config import Settings

LIVE_QUEUE = "live"  # webhook screenings: never starved by bulk work
BULK_QUEUE = "bulk"  # re-screens and list refreshes


def make_celery(settings: Settings | None = None) -> Celery:
    settings = settings or Settings.from_env()
    app = Celery("hirewatch", broker=settings.redis_url, include=[])
    app.conf.update(
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        task_default_queue=LIVE_QUEUE,
        task_serializer="json",
        accept_content=["json"],
        result_backend=None,
        broker_connection_retry_on_startup=True,
    )
    return app
