"""Hostile webhook deliveries through the real app and database: bodies nested too deeply,
replayed signatures (Lever's token, Greenhouse's signed body under a new event id)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from connectors.registry import get_connector
from integration.app import create_app
from store.db import engine_for
from store.installations import create_installation
from store.secretbox import SecretBox
from store.tables import inbox
from tests.receiver_support import TEST_SECRET_KEY, clear_live_queue, receiver_settings

SECRET = "whsec-test-0123456789"
DEEP = b"[" * 100_000 + b"]" * 100_000  # 200 kB, under the body limit; json.loads recurses per level


@pytest.fixture
def hooks(tmp_path, sqlite_url):
    clear_live_queue()
    app = create_app(receiver_settings(tmp_path, sqlite_url))
    engine = engine_for(sqlite_url)
    with engine.begin() as conn:
        ids = {
            platform: create_installation(
                conn, SecretBox(TEST_SECRET_KEY), platform=platform, name=platform, webhook_secret=SECRET
            ).id
            for platform in ("greenhouse", "lever")
        }
    client = app.test_client()

    def post(platform: str, raw_body: bytes, headers: dict[str, str]):
        return client.post(
            f"/webhooks/{platform}/{ids[platform]}", data=raw_body, headers=headers, buffered=True
        )

    def rows(platform: str) -> list:
        with engine.connect() as conn:
            return conn.execute(select(inbox).where(inbox.c.installation_id == ids[platform])).all()

    return {"post": post, "rows": rows, "ids": ids, "engine": engine}


def test_deeply_nested_json_is_400_before_and_after_authentication(hooks) -> None:
    lever = hooks["post"]("lever", DEEP, {"Content-Type": "application/json"})  # signature is in the body
    assert lever.status_code == 400 and "nested too deeply" in lever.json["error"]
    greenhouse = get_connector("greenhouse")
    signed = hooks["post"]("greenhouse", DEEP, greenhouse.sign(SECRET, DEEP))
    assert signed.status_code == 400 and "nested too deeply" in signed.json["error"]
    assert hooks["rows"]("lever") == [] and hooks["rows"]("greenhouse") == []
