"""One rate-limit budget per ATS account: shared through Redis by every worker, or per process."""

from __future__ import annotations

import threading
import time

import pytest
import redis

from tasks.ratelimit import Budget, LocalRateLimiter, SharedRateLimiter, account_key, budget_for


@pytest.fixture
def client() -> redis.Redis:
    client = redis.Redis.from_url("redis://127.0.0.1:6379/13")
    try:
        client.flushdb()
    except redis.ConnectionError:
        pytest.skip("Redis not reachable on 127.0.0.1:6379")
    yield client
    client.flushdb()


def test_budget_is_shared_by_every_limiter_of_one_account(client) -> None:
    key = account_key("greenhouse", "http://ats.test/v1", "key-1")
    limiters = [SharedRateLimiter(client, key, Budget(4, 0.5)) for _ in range(2)]  # two "workers"
    started = time.monotonic()
    threads = [threading.Thread(target=lambda lim=lim: [lim.acquire() for _ in range(5)]) for lim in limiters]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # 10 requests at 4 per half-second window need at least a third window.
    assert time.monotonic() - started >= 0.5
    assert limiters[0].total_waited() > 0
    assert "key-1" not in key  # the API key never reaches Redis


def test_announced_limit_replaces_the_default(client) -> None:
    limiter = SharedRateLimiter(client, "hirewatch:ratelimit:test", Budget(50, 10.0))
    limiter.learn_limit("120")
    limiter.learn_limit("not a number")
    assert limiter.limit() == 120


def test_installation_can_override_the_platform_budget() -> None:
    assert budget_for("greenhouse", {}) == Budget(50, 10.0)
    assert budget_for("lever", {}) == Budget(10, 1.0)
    assert budget_for("greenhouse", {"rate_limit": {"requests": 200}}) == Budget(200, 10.0)


def test_local_limiter_splits_the_budget_between_processes() -> None:
    limiter = LocalRateLimiter(Budget(6, 0.4), share=2)
    started = time.monotonic()
    for _ in range(7):  # 3 per window each
        limiter.acquire()
    assert time.monotonic() - started >= 0.4
    assert limiter.total_waited() > 0
