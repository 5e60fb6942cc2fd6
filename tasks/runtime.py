"""What a worker process holds on to between tasks: settings, the database engine, the Redis
client, the screener. Built lazily, after the prefork pool has forked, once per process."""

from __future__ import annotations

import logging
import os
import time
from functools import cache
from pathlib import Path

import redis
from sqlalchemy import Engine

from connectors.base import Connector, Installation
from connectors.registry import get_connector
from integration.config import Settings
from integration.secrets import secret_box
from screening.engine import Screener
from screening.lists.store import ListStore
from store.db import engine_for
from store.installations import get_installation
from tasks.ratelimit import SharedRateLimiter, ThrottledSession, account_key, budget_for

log = logging.getLogger(__name__)

# How often a worker looks at the list store for a new version (a few stat calls).
LIST_CHECK_SECONDS = 5.0


@cache
def settings() -> Settings:
    return Settings.from_env()


def engine() -> Engine:
    return engine_for(settings().database_url)


@cache
def redis_client() -> redis.Redis:
    return redis.Redis.from_url(settings().redis_url, socket_timeout=10, socket_connect_timeout=5)


def load_installation(installation_id: str) -> Installation:
    with engine().connect() as conn:
        return get_installation(conn, secret_box(settings()), installation_id)


def connector_for(installation: Installation) -> Connector:
    """The installation's connector, its HTTP spending the account's shared rate-limit budget."""
    limiter = SharedRateLimiter(
        redis_client(),
        account_key(installation.platform, installation.api_base_url, installation.api_key),
        budget_for(installation.platform, installation.settings),
    )
    return get_connector(installation.platform)(installation, session=ThrottledSession(limiter))


class NoListsError(RuntimeError):
    """Screening against nothing is never done: the task fails visibly with what to run."""


class ScreenerCache:
    """One Screener per process, rebuilt only when the list store holds a new version."""

    def __init__(self, lists_dir: Path):
        self.lists_dir = lists_dir
        self._screener: Screener | None = None
        self._versions: dict[str, str] = {}
        self._marker: tuple | None = None
        self._checked_at = 0.0

    def _store_marker(self) -> tuple:
        """Modification times of the store's top level: changes whenever a version lands."""
        if not self.lists_dir.exists():
            return ()
        entries = [self.lists_dir, *self.lists_dir.iterdir()]
        return tuple(sorted((str(p), p.stat().st_mtime_ns) for p in entries))

    def get(self) -> Screener:
        now = time.monotonic()
        if self._screener is not None and now - self._checked_at < LIST_CHECK_SECONDS:
            return self._screener
        self._checked_at = now
        marker = self._store_marker()
        if self._screener is not None and marker == self._marker:
            return self._screener
        snapshots = ListStore(self.lists_dir).current_snapshots()
        if not snapshots:
            raise NoListsError(
                f"no sanctions lists in {self.lists_dir}: run `hirewatch lists update` (or --from DIR)"
            )
        versions = {snapshot.name: snapshot.version for snapshot in snapshots}
        if versions != self._versions:
            started = time.perf_counter()
            self._screener = Screener(snapshots)
            log.info(
                "screener.loaded pid=%s versions=%s seconds=%.2f",
                os.getpid(),
                versions,
                time.perf_counter() - started,
            )
            self._versions = versions
        self._marker = marker
        return self._screener

    @property
    def versions(self) -> dict[str, str]:
        return dict(self._versions)


@cache
def screener_cache() -> ScreenerCache:
    return ScreenerCache(settings().lists_dir)
