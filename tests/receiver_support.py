"""Helpers shared by the receiver, installations and manifest tests."""

from __future__ import annotations

import base64
import dataclasses
import json
from pathlib import Path

import redis

from integration.config import Settings
from tests.conftest import private_redis_url

CLOSED_PORT_REDIS_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1: "Redis is down"
TEST_SECRET_KEY = "receiver-tests-key"


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
