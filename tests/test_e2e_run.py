"""`hirewatch run --once`: the whole service comes up, screens the demo applications, and stops."""

from __future__ import annotations

import os
import socket
import subprocess
import sys

import pytest
import redis

from screening.lists.store import ListStore
from tests.conftest import FIXTURES, ROOT

pytestmark = [pytest.mark.slow, pytest.mark.services]
RUN_REDIS_DB = 11


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_run_once_screens_demo_applications_and_stops_everything(tmp_path) -> None:
    redis_url = f"redis://127.0.0.1:6379/{RUN_REDIS_DB}"
    client = redis.Redis.from_url(redis_url)
    try:
        client.flushdb()
    except redis.ConnectionError:
        pytest.skip("Redis not reachable on 127.0.0.1:6379")
    ListStore(tmp_path / "lists").import_directory(FIXTURES / "lists" / "basic")
    env = {
        **os.environ,
        "HIREWATCH_DATA_DIR": str(tmp_path / "var"),
        "HIREWATCH_LISTS_DIR": str(tmp_path / "lists"),
        "REDIS_URL": redis_url,
        "PYTHONPATH": str(ROOT),
    }
    env.pop("HIREWATCH_DATABASE_URL", None)
    ports = ["--port", str(_free_port()), "--sandbox-port", str(_free_port())]
    command = [sys.executable, "-c", "from integration.cli import main; main()", "run", "--once", *ports]
    try:
        done = subprocess.run(command, env=env, cwd=tmp_path, capture_output=True, text=True, timeout=150)
    finally:
        client.flushdb()
    assert done.returncode == 0, done.stderr[-3000:]
    assert "Review queue:" in done.stdout and "/_sandbox/writebacks" in done.stdout
    flagged = [line for line in done.stdout.splitlines() if "tags: HireWatch:" in line]
    assert flagged, done.stdout
    assert all("notes: 1" in line for line in flagged)
    assert (tmp_path / "var" / "hirewatch.db").exists()  # the embedded SQLite default
    leftovers = subprocess.run(["pgrep", "-f", str(tmp_path)], capture_output=True, text=True).stdout.split()
    assert leftovers == []  # every child stopped
