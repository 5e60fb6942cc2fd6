"""What a worker process holds on to between tasks: settings, the database engine, the Redis
client, the screener. Built lazily, after the prefork pool has forked, once per process."""

from __future__ import annotations

import logging
import os
import time
from functools import cache

import redis
from celery import Celery
from sqlalchemy import Engine

from connectors.base import Connector, Installation, TokenCache
from connectors.registry import get_connector
from integration.config import Settings
from integration.secrets import secret_box
from screening.engine import Screener
from screening.linkage import Linker
from screening.lists import NoListsError, load_demo
from screening.lists.store import ListStore
from screening.matching.stored import current_index
from screening.memory import replacing_long_lived
from store.db import engine_for
from store.installations import get_installation
from store.linkage import linker_for
from tasks.app import make_celery
from tasks.ratelimit import LocalRateLimiter, SharedRateLimiter, ThrottledSession, account_key, budget_for
from tasks.tokens import RedisTokenCache

log = logging.getLogger(__name__)

# How often a worker looks at the list store for a new version (a few stat calls).
LIST_CHECK_SECONDS = 5.0


@cache
def settings() -> Settings:
    return Settings.from_env()


def engine() -> Engine:
    return engine_for(settings().database_url)


@cache
def _sender() -> Celery:
    return make_celery(settings())


def enqueue(task_name: str, args: list, queue: str) -> None:
    """Send a task by name to the broker of the current settings (not the import-time ones)."""
    _sender().send_task(task_name, args=args, queue=queue)


@cache
def redis_client() -> redis.Redis:
    return redis.Redis.from_url(settings().redis_url, socket_timeout=10, socket_connect_timeout=5)


@cache
def linker(installation_id: str) -> Linker:
    """The tenant's linkage index (keyed hashes in the database): links to its earlier applicants."""
    return linker_for(engine(), installation_id, settings().linkage_master_key)


def load_installation(installation_id: str) -> Installation:
    with engine().connect() as conn:
        return get_installation(conn, secret_box(settings()), installation_id)


# Worker processes `hirewatch run` starts; only used to split the budget when there is no Redis.
LOCAL_WORKER_PROCESSES = 2


def connector_for(installation: Installation) -> Connector:
    """The installation's connector, its HTTP (token requests too) spending the account's shared
    rate-limit budget, its OAuth token shared by the workers through Redis."""
    budget = budget_for(installation.platform, installation.settings)
    connector = get_connector(installation.platform)
    if settings().redis_url.startswith(("redis://", "rediss://")):
        credential = installation.api_key or installation.client_id
        key = account_key(installation.platform, installation.api_base_url, credential)
        limiter: SharedRateLimiter | LocalRateLimiter = SharedRateLimiter(redis_client(), key, budget)
        tokens: TokenCache | None = RedisTokenCache(redis_client(), secret_box(settings()))
    else:
        limiter = LocalRateLimiter(budget, share=LOCAL_WORKER_PROCESSES)
        tokens = None  # each process keeps its own (no Redis to share them through)
    return connector(
        installation,
        session=ThrottledSession(limiter),
        tokens=tokens,
        allowed_urls=settings().allow_api_urls,
        resume_limits=settings().resume_limits,
    )


class ScreenerCache:
    """One Screener per process, rebuilt only when the list store's current version changes.

    The check reads the store's small pointer file at most every LIST_CHECK_SECONDS, so a new
    list version reaches every worker within seconds while a task never rebuilds the index.
    """

    def __init__(self, store: ListStore, demo: bool = False):
        self.store, self.demo = store, demo
        self._screener: Screener | None = None
        self._version: str | None = None
        self._checked_at = 0.0

    def _load(self) -> Screener:
        """The store's current lists with their stored index (built and stored on first use)."""
        try:
            snapshots, index = current_index(self.store)
        except NoListsError:
            if not self.demo:
                raise
            log.warning("screener.demo_lists: no list stored; screening against the made-up DEMO list")
            return Screener(load_demo())
        return Screener(snapshots, index=index)

    def get(self, check_now: bool = False) -> Screener:
        """The current Screener; raises NoListsError (saying how to fix it) when no list is stored."""
        now = time.monotonic()
        if self._screener is not None and not check_now and now - self._checked_at < LIST_CHECK_SECONDS:
            return self._screener
        self._checked_at = now
        version = self.store.current_version()
        if self._screener is None or version != self._version:
            started = time.perf_counter()
            with replacing_long_lived():
                self._screener = None  # the old lists and index go before the new ones load
                self._screener = self._load()
            self._version = version
            log.info(
                "screener.loaded pid=%s version=%s seconds=%.2f",
                os.getpid(),
                version,
                time.perf_counter() - started,
            )
        return self._screener


@cache
def screener_cache() -> ScreenerCache:
    return ScreenerCache(ListStore(settings().lists_dir), demo=settings().demo_lists)


def reset() -> None:
    """Forget everything cached (tests that change the environment between cases)."""
    for cached in (settings, _sender, redis_client, screener_cache, linker):
        cached.cache_clear()
