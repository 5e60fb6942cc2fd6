"""Every setting HireWatch reads from the environment, read here and only here.

Documented in README.md ("Configuration"); code asks `Settings.from_env()` for names, never
`os.environ` directly.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from connectors.resume import Limits
from connectors.urls import parse_allowed_prefixes
from screening.lists.sources import official_sources


def _env(name: str, default: str) -> str:
    value = os.environ.get(name, "").strip()
    return value or default


@dataclass(frozen=True)
class Settings:
    env: str
    data_dir: Path
    database_url: str
    redis_url: str
    lists_dir: Path
    secret_key: str | None
    public_url: str
    max_body_bytes: int
    # Pipeline (tasks/): list refresh period, the inbox sweeper, retries and time limits.
    list_refresh_hours: float = 24.0
    sweep_seconds: float = 30.0
    stuck_minutes: float = 15.0
    task_max_retries: int = 8
    task_time_limit: int = 300
    demo_lists: bool = False  # screen against the labelled DEMO list when no list is stored (`hirewatch run`)
    # Official list URLs overridden by env var (HIREWATCH_OFAC_SDN_URL, ...): env var name -> URL.
    list_urls: dict[str, str] = field(default_factory=dict)
    lists_user_agent: str | None = None  # HIREWATCH_LISTS_USER_AGENT (default: a browser-like one)
    lists_timeout: float = 60.0  # HIREWATCH_LISTS_TIMEOUT, seconds
    # HIREWATCH_LINKAGE_KEY: master key of the per-tenant HMAC that hashes linkage keys (phones,
    # e-mails, addresses...). Defaults to HIREWATCH_SECRET_KEY. Changing it orphans stored keys.
    linkage_key: str | None = None
    badge_ttl_seconds: int = 90 * 24 * 3600  # HIREWATCH_BADGE_TTL: risk-badge links in ATS notes
    # HIREWATCH_ALLOW_API_URLS: URL prefixes (http allowed) the operator lets installations and
    # attachment downloads use beyond each platform's own API hosts: the sandbox, test stand-ins.
    allow_api_urls: tuple[str, ...] = ()
    unhealthy_after_404s: int = 5  # HIREWATCH_UNHEALTHY_AFTER_404S: fetches answered 404 in a row
    resume_memory_mb: int = 512  # HIREWATCH_RESUME_MEMORY_MB: address space of the résumé parser
    resume_seconds: float = 20.0  # HIREWATCH_RESUME_SECONDS: time one résumé may take to parse
    worker_max_memory_mb: int = 1536  # HIREWATCH_WORKER_MAX_MEMORY_MB: replace a worker child above

    @property
    def production(self) -> bool:
        return self.env == "production"

    @classmethod
    def from_env(cls) -> Settings:
        data_dir = Path(_env("HIREWATCH_DATA_DIR", "var")).resolve()
        return cls(
            env=_env("HIREWATCH_ENV", "development"),
            data_dir=data_dir,
            database_url=_env("HIREWATCH_DATABASE_URL", f"sqlite:///{data_dir / 'hirewatch.db'}"),
            redis_url=_env("REDIS_URL", "redis://127.0.0.1:6379/0"),
            lists_dir=Path(_env("HIREWATCH_LISTS_DIR", str(data_dir / "lists"))).resolve(),
            secret_key=os.environ.get("HIREWATCH_SECRET_KEY") or None,
            public_url=_env("HIREWATCH_PUBLIC_URL", "http://127.0.0.1:8000").rstrip("/"),
            max_body_bytes=int(_env("HIREWATCH_MAX_BODY_BYTES", str(1024 * 1024))),
            list_refresh_hours=float(_env("HIREWATCH_LIST_REFRESH_HOURS", "24")),
            sweep_seconds=float(_env("HIREWATCH_SWEEP_SECONDS", "30")),
            stuck_minutes=float(_env("HIREWATCH_STUCK_MINUTES", "15")),
            task_max_retries=int(_env("HIREWATCH_TASK_MAX_RETRIES", "8")),
            task_time_limit=int(_env("HIREWATCH_TASK_TIME_LIMIT", "300")),
            demo_lists=_env("HIREWATCH_DEMO_LISTS", "0") == "1",
            list_urls={s.env_var: _env(s.env_var, "") for s in official_sources() if _env(s.env_var, "")},
            lists_user_agent=os.environ.get("HIREWATCH_LISTS_USER_AGENT") or None,
            lists_timeout=float(_env("HIREWATCH_LISTS_TIMEOUT", "60")),
            linkage_key=os.environ.get("HIREWATCH_LINKAGE_KEY") or None,
            # Risk-badge links in ATS notes stay valid this long (default 90 days).
            badge_ttl_seconds=int(_env("HIREWATCH_BADGE_TTL", str(90 * 24 * 3600))),
            allow_api_urls=parse_allowed_prefixes(_env("HIREWATCH_ALLOW_API_URLS", "")),
            unhealthy_after_404s=int(_env("HIREWATCH_UNHEALTHY_AFTER_404S", "5")),
            resume_memory_mb=int(_env("HIREWATCH_RESUME_MEMORY_MB", "512")),
            resume_seconds=float(_env("HIREWATCH_RESUME_SECONDS", "20")),
            worker_max_memory_mb=int(_env("HIREWATCH_WORKER_MAX_MEMORY_MB", "1536")),
        )

    @property
    def resume_limits(self) -> Limits:
        return Limits(memory_bytes=self.resume_memory_mb * 1024 * 1024, seconds=self.resume_seconds)

    @property
    def linkage_master_key(self) -> bytes:
        """The linkage HMAC master key; a fixed development key outside production."""
        key = self.linkage_key or self.secret_key
        if key:
            return key.encode()
        if self.production:
            raise RuntimeError("set HIREWATCH_LINKAGE_KEY (or HIREWATCH_SECRET_KEY) in production")
        return b"hirewatch-development-linkage-key"
