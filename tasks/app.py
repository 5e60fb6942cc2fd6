"""The Celery application. Redis from REDIS_URL is the broker.

Webhook screenings run on the `live` queue, re-screens and list refreshes on `bulk`: a worker
serving both takes live work first, and `hirewatch worker --queues live` can reserve workers
for it, so a 100,000-candidate re-screen never delays a new application.
"""

from __future__ import annotations

import sys
from datetime import timedelta

from celery import Celery

from integration.config import Settings

LIVE_QUEUE = "live"  # webhook screenings: never starved by bulk work
BULK_QUEUE = "bulk"  # re-screens and list refreshes

TASK_MODULES = ["tasks.inbox", "tasks.rescreen", "tasks.lists"]
# Redelivery of a task whose worker vanished without acking (the whole process killed, not just
# the pool child) waits this long; it must exceed the longest retry countdown we schedule.
VISIBILITY_TIMEOUT_SECONDS = 3600


def make_celery(settings: Settings | None = None) -> Celery:
    settings = settings or Settings.from_env()
    app = Celery("hirewatch", broker=settings.redis_url, include=TASK_MODULES)
    app.conf.update(
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        task_default_queue=LIVE_QUEUE,
        task_routes={
            "tasks.process_inbox": {"queue": LIVE_QUEUE},
            "tasks.sweep_inbox": {"queue": LIVE_QUEUE},
            "tasks.rescreen_*": {"queue": BULK_QUEUE},
            "tasks.refresh_lists": {"queue": BULK_QUEUE},
        },
        task_time_limit=settings.task_time_limit,
        # A child that a task left this big (KiB) is replaced after it: one hostile file or leak
        # cannot keep a worker's memory high (résumés parse in their own limited process anyway).
        worker_max_memory_per_child=settings.worker_max_memory_mb * 1024,
        task_soft_time_limit=max(1, settings.task_time_limit - 30),
        task_serializer="json",
        accept_content=["json"],
        result_backend=None,
        task_ignore_result=True,
        broker_connection_retry_on_startup=True,
        broker_transport_options=_transport_options(settings),
        beat_schedule={
            "sweep-inbox": {
                "task": "tasks.sweep_inbox",
                "schedule": timedelta(seconds=settings.sweep_seconds),
            },
            "refresh-lists": {
                "task": "tasks.refresh_lists",
                "schedule": timedelta(hours=settings.list_refresh_hours),
            },
        },
    )
    return app


def _transport_options(settings: Settings) -> dict:
    if settings.redis_url.startswith("filesystem://"):
        # No Redis on this machine (`hirewatch run` fallback): tasks are files under the data dir.
        folder = settings.data_dir / "broker"
        for sub in ("queue", "processed"):
            (folder / sub).mkdir(parents=True, exist_ok=True)
        return {
            "data_folder_in": str(folder / "queue"),
            "data_folder_out": str(folder / "queue"),
            "processed_folder": str(folder / "processed"),
            "store_processed": False,
        }
    return {"visibility_timeout": VISIBILITY_TIMEOUT_SECONDS}


app = make_celery()  # `celery -A tasks.app worker`; settings from the environment at import


def worker_args(
    queues: str = f"{LIVE_QUEUE},{BULK_QUEUE}", concurrency: int | None = None, loglevel: str = "info"
) -> list[str]:
    """`celery worker` arguments as HireWatch runs it (the CLI, the benchmarks, the tests)."""
    args = ["worker", "--queues", queues, "--loglevel", loglevel, "--without-gossip", "--without-mingle"]
    return args + (["--concurrency", str(concurrency)] if concurrency else [])


def worker_command(**options) -> list[str]:
    """A separate worker process running `worker_args(**options)`."""
    return [sys.executable, "-m", "celery", "-A", "tasks.app", *worker_args(**options)]
