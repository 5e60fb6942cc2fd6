"""Helpers shared by the receiver, installations and manifest tests."""

from __future__ import annotations

import atexit
import base64
import dataclasses
import json
import shutil
import socket
import subprocess
import time
from functools import cache
from pathlib import Path

import redis

from integration.config import Settings

SHARED_REDIS_URL = "redis://127.0.0.1:6379/11"
CLOSED_PORT_REDIS_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1: "Redis is down"
TEST_SECRET_KEY = "receiver-tests-key"


@cache
def private_redis_url() -> str:
    """A private real Redis for this test process, so that test runs in other worktrees sharing
    the machine's Redis can neither consume nor clear the queue these tests inspect.
    Falls back to a database of the shared Redis when no redis-server binary is installed."""
    binary = shutil.which("redis-server")
    if binary is None:
        return SHARED_REDIS_URL
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = subprocess.Popen(
        [binary, "--bind", "127.0.0.1", "--port", str(port), "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
    )
    atexit.register(server.terminate)
    url = f"redis://127.0.0.1:{port}/0"
    client = redis.Redis.from_url(url)
    deadline = time.monotonic() + 10
    while True:
        try:
            client.ping()
            return url
        except redis.ConnectionError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.02)


def receiver_settings(tmp_path: Path, database_url: str, **overrides) -> Settings:
    base = Settings.from_env()
    values = dict(
        env="development",
        data_dir=tmp_path,
        database_url=database_url,
        redis_url=private_redis_url(),
        secret_key=TEST_SECRET_KEY,
        public_url="https://hooks.example.com",
        max_body_bytes=1024 * 1024,
    )
    values.update(overrides)
    return dataclasses.replace(base, **values)


def live_queue_inbox_ids() -> list[int]:
    """The inbox ids of the process_inbox messages waiting in the `live` queue (read, not popped)."""
    client = redis.Redis.from_url(private_redis_url())
    ids = []
    for raw in client.lrange("live", 0, -1):
        message = json.loads(raw)
        if message["headers"]["task"] != "tasks.process_inbox":
            continue
        args, _kwargs, _embed = json.loads(base64.b64decode(message["body"]))
        ids.extend(args)
    return ids


def clear_live_queue() -> None:
    redis.Redis.from_url(private_redis_url()).delete("live")
