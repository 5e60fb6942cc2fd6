"""Where the official lists are published, and the environment variable overriding each URL.

Read by integration/config.py (Settings.list_urls); no network code here.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Source:
    path: str  # where the file goes in a directory laid out like ../shared/data
    url: str
    env_var: str  # overrides `url` (mirror, proxy, test server)


def official_sources() -> list[Source]:
    from screening.lists.ofac.download import SOURCES as OFAC
    from screening.lists.un.download import SOURCES as UN

    return [*OFAC, *UN]


def resolve_urls(overrides: dict[str, str] | None = None) -> dict[str, str]:
    """File path -> URL, defaults replaced by `overrides` (keyed by file path or env var name)."""
    overrides = overrides or {}
    return {s.path: overrides.get(s.env_var) or overrides.get(s.path) or s.url for s in official_sources()}
