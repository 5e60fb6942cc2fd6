"""`hirewatch run --once`: the whole service comes up, screens the demo applications, and stops."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
from pathlib import Path

import pytest
import redis

from screening.lists.store import ListStore
from tests.conftest import FIXTURES, ROOT, private_redis_url

pytestmark = [pytest.mark.slow, pytest.mark.services]
RUN_REDIS_DB = 11


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _run_command(tmp_path, redis_url: str, *args: str) -> tuple[list[str], dict[str, str]]:
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
    return [sys.executable, "-c", "from integration.cli import main; main()", "run", *args, *ports], env


def _leftovers(tmp_path) -> list[int]:
    """Processes still running with this test's data directory in their environment."""
    marker = f"HIREWATCH_DATA_DIR={tmp_path / 'var'}".encode()
    found = []
    for environ in Path("/proc").glob("[0-9]*/environ"):
        try:
            if marker in environ.read_bytes().split(b"\0"):
                found.append(int(environ.parent.name))
        except OSError:  # gone meanwhile, or not ours to read
            continue
    return found


@pytest.fixture
def redis_url():
    url = private_redis_url(RUN_REDIS_DB)
    client = redis.Redis.from_url(url)
    try:
        client.flushdb()
    except redis.ConnectionError:
        pytest.skip("Redis not reachable on 127.0.0.1:6379")
    yield url
    client.flushdb()


def test_run_once_screens_demo_applications_and_stops_everything_twice(tmp_path, redis_url) -> None:
    command, env = _run_command(tmp_path, redis_url, "--once")
    outputs = []
    for _ in range(2):  # the second run in the same data directory works as the first did
        done = subprocess.run(command, env=env, cwd=tmp_path, capture_output=True, text=True, timeout=150)
        assert done.returncode == 0, done.stderr[-3000:]
        assert "Review queue:" in done.stdout and "/_sandbox/writebacks" in done.stdout
        flagged = [line for line in done.stdout.splitlines() if "tags: HireWatch:" in line]
        assert flagged, done.stdout
        assert all("notes: 1" in line for line in flagged)
        assert (tmp_path / "var" / "hirewatch.db").exists()  # the embedded SQLite default
        assert _leftovers(tmp_path) == []  # every child stopped
        outputs.append(done.stdout)
    passwords = [re.search(r"Log in as: +demo@hirewatch.local +password: (\S+)", out) for out in outputs]
    assert all(passwords) and passwords[0][1] != passwords[1][1]
    assert "earlier run's demo reviewer" in outputs[1]


def test_a_signal_to_run_alone_stops_every_child(tmp_path, redis_url) -> None:
    """`kill` (SIGTERM) to the `hirewatch run` process only, as a supervisor or `kill PID` sends it,
    started with SIGINT ignored as a shell does for a background job: nothing is left behind."""
    command, env = _run_command(tmp_path, redis_url)
    ignore_sigint = lambda: signal.signal(signal.SIGINT, signal.SIG_IGN)  # noqa: E731
    process = subprocess.Popen(
        command, env=env, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
        preexec_fn=ignore_sigint,
    )  # fmt: skip
    try:
        for line in process.stdout:
            if line.startswith("Running."):
                break
        assert len(_leftovers(tmp_path)) >= 5  # run itself, web, worker, beat, sandbox
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=60) == 0
    finally:
        if process.poll() is None:
            process.kill()
    assert _leftovers(tmp_path) == []
