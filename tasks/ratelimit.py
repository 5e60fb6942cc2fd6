"""One rate-limit budget per ATS account, shared by every worker process through Redis.

The budget is a fixed window like Greenhouse's (N requests per 10 seconds); every API request
of every worker spends one unit first, and waits for the next window when the unit is not
there. The limit the ATS announces (X-RateLimit-Limit) replaces the default once seen, so the
first 429 is usually the last. Time spent waiting is counted (bench/rescreen.py reports it).
"""

from __future__ import annotations

import hashlib
import logging
import random
import time
from dataclasses import dataclass

import redis
import requests

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Budget:
    requests: int
    per_seconds: float


# The vendors' documented defaults (../shared/docs/ats-platforms.md 0.2); an installation may
# override them with settings {"rate_limit": {"requests": N, "per_seconds": S}}.
PLATFORM_BUDGETS = {
    "greenhouse": Budget(50, 10.0),
    "lever": Budget(10, 1.0),
    "ashby": Budget(10, 1.0),  # unpublished: Lever's figure as a cautious guess
    "workable": Budget(10, 10.0),
    "smartrecruiters": Budget(10, 1.0),
}
DEFAULT_BUDGET = Budget(10, 1.0)
LIMIT_HEADER = "X-RateLimit-Limit"


def budget_for(platform: str, settings: dict) -> Budget:
    override = settings.get("rate_limit") or {}
    base = PLATFORM_BUDGETS.get(platform, DEFAULT_BUDGET)
    return Budget(
        int(override.get("requests", base.requests)), float(override.get("per_seconds", base.per_seconds))
    )


def account_key(platform: str, api_base_url: str | None, api_key: str | None) -> str:
    """Identifies the ATS account without putting the API key into Redis."""
    digest = hashlib.sha256(f"{platform}|{api_base_url}|{api_key}".encode()).hexdigest()[:16]
    return f"hirewatch:ratelimit:{platform}:{digest}"


class SharedRateLimiter:
    def __init__(self, client: redis.Redis, key: str, budget: Budget):
        self.client, self.key, self.budget = client, key, budget

    def limit(self) -> int:
        learned = self.client.get(f"{self.key}:limit")
        return int(learned) if learned else self.budget.requests

    def learn_limit(self, announced: str | None) -> None:
        if announced and announced.isdigit() and int(announced) > 0:
            self.client.set(f"{self.key}:limit", announced, ex=3600)

    def acquire(self) -> float:
        """Spend one request from the account's current window, waiting if it is used up."""
        waited = 0.0
        window = self.budget.per_seconds
        while True:
            now = time.time()
            window_id = int(now // window)
            counter = f"{self.key}:w:{window_id}"
            with self.client.pipeline() as pipe:
                used, _ = pipe.incr(counter).expire(counter, int(window * 2) + 1).execute()
            if used <= self.limit():
                break
            # Sleep to the next window, plus a little jitter so the workers do not stampede.
            pause = (window_id + 1) * window - now + random.uniform(0, window * 0.05)
            time.sleep(pause)
            waited += pause
        if waited:
            self.client.incrbyfloat(f"{self.key}:waited", waited)
            log.debug("ratelimit.waited key=%s seconds=%.3f", self.key, waited)
        return waited

    def total_waited(self) -> float:
        return float(self.client.get(f"{self.key}:waited") or 0.0)


class LocalRateLimiter:
    """The same fixed window kept in this process: for running without Redis (the filesystem
    broker of `hirewatch run` on a machine with no Redis), where each worker gets the whole budget
    divided by `share` (the number of worker processes expected)."""

    def __init__(self, budget: Budget, share: int = 1):
        self.budget = Budget(max(1, budget.requests // max(1, share)), budget.per_seconds)
        self._window_id, self._used, self._waited = -1, 0, 0.0

    def learn_limit(self, announced: str | None) -> None:
        """A per-process budget stays the conservative default share."""

    def acquire(self) -> float:
        waited = 0.0
        while True:
            now = time.time()
            window_id = int(now // self.budget.per_seconds)
            if window_id != self._window_id:
                self._window_id, self._used = window_id, 0
            if self._used < self.budget.requests:
                self._used += 1
                self._waited += waited
                return waited
            pause = (window_id + 1) * self.budget.per_seconds - now
            time.sleep(pause)
            waited += pause

    def total_waited(self) -> float:
        return self._waited


class ThrottledSession(requests.Session):
    """A requests session that spends the account's budget before every request."""

    def __init__(self, limiter: SharedRateLimiter | LocalRateLimiter):
        super().__init__()
        self.limiter = limiter

    def request(self, method, url, *args, **kwargs):  # same signature as requests.Session.request
        self.limiter.acquire()
        response = super().request(method, url, *args, **kwargs)
        self.limiter.learn_limit(response.headers.get(LIMIT_HEADER))
        return response
