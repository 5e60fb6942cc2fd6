"""Fetch the official list files into a directory laid out like ../shared/data.

One of the only modules of screening/ allowed to use `requests` (tests/test_architecture.py).
Files are streamed into the target directory (a temporary one: the store imports it only once
every file has arrived).
"""

from __future__ import annotations

import logging
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

import requests
from tqdm import tqdm

from screening.lists.errors import ListDownloadError

log = logging.getLogger(__name__)

# The OFAC SLS sits behind an AWS WAF that answers 403 unless the User-Agent starts with
# "Mozilla/<digit>" and is at least 40 characters (opensanctions/opensanctions#5237).
DEFAULT_USER_AGENT = "Mozilla/5.0 (X11; Linux x86_64; compatible; HireWatch/0.1 sanctions-list-updater)"
DEFAULT_TIMEOUT = 60.0  # seconds, for connecting and between bytes
ATTEMPTS = 3
CHUNK = 1 << 16
NO_NETWORK_HELP = (
    "No network access to the official list servers? Import files fetched elsewhere with "
    "`hirewatch lists update --from DIR` (DIR laid out as ofac/sdn.csv, ofac/alt.csv, ofac/add.csv, "
    "ofac/sdn_comments.csv, ofac/cons_*.csv, un/consolidated.xml), or point the HIREWATCH_*_URL "
    "variables at a mirror."
)


def download_all(
    urls: dict[str, str],
    target: Path,
    user_agent: str = DEFAULT_USER_AGENT,
    timeout: float = DEFAULT_TIMEOUT,
    retry_pause: float = 2.0,
    progress: bool = False,
) -> dict[str, Path]:
    """Download every `relative path -> URL` into `target`; all or nothing (ListDownloadError).

    `progress` shows a bar on stderr (one step per file).
    """
    fetched = {}
    bar = tqdm(total=len(urls), desc="downloading lists", unit="file", file=sys.stderr, disable=not progress)
    with requests.Session() as session, bar:
        session.headers.update({"User-Agent": user_agent, "Accept": "*/*"})
        for path, url in urls.items():
            bar.set_postfix_str(path)
            fetched[path] = _fetch(session, url, target / path, timeout, retry_pause)
            bar.update()
    return fetched


def _fetch(session: requests.Session, url: str, dest: Path, timeout: float, retry_pause: float) -> Path:
    dest.parent.mkdir(parents=True, exist_ok=True)
    for attempt in range(1, ATTEMPTS + 1):
        try:
            return _stream(session, url, dest, timeout)
        except (requests.ConnectionError, requests.Timeout) as exc:
            if attempt == ATTEMPTS:
                host = urlsplit(url).hostname
                raise ListDownloadError(
                    f"could not reach {host} for {url} ({exc.__class__.__name__}). {NO_NETWORK_HELP}"
                ) from exc
        except _RetryableStatus as exc:
            if attempt == ATTEMPTS:
                raise ListDownloadError(
                    f"{url} answered HTTP {exc.status} {ATTEMPTS} times; try later"
                ) from exc
        log.warning("list download retry url=%s attempt=%d", url, attempt)
        time.sleep(retry_pause * attempt)
    raise AssertionError("unreachable")


class _RetryableStatus(Exception):
    def __init__(self, status: int) -> None:
        super().__init__(status)
        self.status = status


def _stream(session: requests.Session, url: str, dest: Path, timeout: float) -> Path:
    started = time.perf_counter()
    with session.get(url, stream=True, timeout=timeout, allow_redirects=True) as response:
        if response.status_code == 429 or response.status_code >= 500:
            raise _RetryableStatus(response.status_code)
        if response.status_code != 200:
            hint = " (a WAF refusing the User-Agent?)" if response.status_code == 403 else ""
            raise ListDownloadError(f"{url} answered HTTP {response.status_code}{hint}")
        size = 0
        with dest.open("wb") as handle:
            for chunk in response.iter_content(CHUNK):
                handle.write(chunk)
                size += len(chunk)
    if size == 0:
        raise ListDownloadError(f"{url} sent an empty file")
    log.info("list downloaded url=%s bytes=%d seconds=%.1f", url, size, time.perf_counter() - started)
    return dest
