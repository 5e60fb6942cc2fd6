"""Hostile webhook deliveries through the real app and database: bodies nested too deeply,
replayed signatures (Lever's token, Greenhouse's signed body under a new event id)."""

from __future__ import annotations

import json

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
            for platform in ("greenhouse", "lever", "ashby")
        }
    client = app.test_client()

    def post(platform: str, raw_body: bytes, headers: dict[str, str]):
        return client.post(
            f"/webhooks/{platform}/{ids[platform]}", data=raw_body, headers=headers, buffered=True
        )

    def rows(platform: str) -> list:
        with engine.connect() as conn:
            return conn.execute(select(inbox).where(inbox.c.installation_id == ids[platform])).all()

    return {"post": post, "rows": rows, "ids": ids, "engine": engine, "url": sqlite_url}


def test_deeply_nested_json_is_400_before_and_after_authentication(hooks) -> None:
    lever = hooks["post"]("lever", DEEP, {"Content-Type": "application/json"})  # signature is in the body
    assert lever.status_code == 400 and "nested too deeply" in lever.json["error"]
    greenhouse = get_connector("greenhouse")
    signed = hooks["post"]("greenhouse", DEEP, greenhouse.sign(SECRET, DEEP))
    assert signed.status_code == 400 and "nested too deeply" in signed.json["error"]
    assert hooks["rows"]("lever") == [] and hooks["rows"]("greenhouse") == []


def test_a_lever_token_seen_on_an_ignored_event_cannot_be_replayed_as_a_delete(hooks) -> None:
    lever = get_connector("lever")
    stage_change = {"event": "candidateStageChange", "data": {"opportunityId": "opp-1", "toStageId": "s2"}}
    raw_body, headers = lever.signed_delivery(SECRET, stage_change)
    assert hooks["post"]("lever", raw_body, headers).json["status"] == "ignored"
    signed = {k: v for k, v in json.loads(raw_body).items() if k in ("token", "triggeredAt", "signature")}
    rewritten = json.dumps(
        {"event": "candidateDeleted", "data": {"opportunityId": "opp-2"}, **signed}
    ).encode()
    replay = hooks["post"]("lever", rewritten, headers)
    assert replay.status_code == 200 and replay.json["status"] == "duplicate"
    assert hooks["rows"]("lever") == []  # nothing to act on: no inbox row, no task


def test_a_lever_token_on_a_kept_event_is_used_once_whatever_the_body(hooks) -> None:
    lever = get_connector("lever")
    created = {"event": "applicationCreated", "data": {"opportunityId": "opp-1", "applicationId": "app-1"}}
    raw_body, headers = lever.signed_delivery(SECRET, created)
    assert hooks["post"]("lever", raw_body, headers).json["status"] == "accepted"
    rewritten = raw_body.replace(b"applicationCreated", b"candidateDeleted").replace(b"opp-1", b"opp-2")
    assert hooks["post"]("lever", rewritten, headers).json["status"] == "duplicate"
    assert [row.candidate_id for row in hooks["rows"]("lever")] == ["opp-1"]


def test_a_greenhouse_body_replayed_under_a_new_event_id_is_a_duplicate(hooks) -> None:
    greenhouse = get_connector("greenhouse")
    body = {
        "action": "new_candidate_application",
        "payload": {"application": {"id": 1, "candidate": {"id": 7}}},
    }
    raw_body, headers = greenhouse.signed_delivery(SECRET, body)
    first = hooks["post"]("greenhouse", raw_body, {**headers, "Greenhouse-Event-ID": "evt-1"})
    again = hooks["post"]("greenhouse", raw_body, {**headers, "Greenhouse-Event-ID": "evt-2"})
    assert first.json["status"] == "accepted"
    assert again.status_code == 200 and again.json == {
        "status": "duplicate",
        "inbox_id": first.json["inbox_id"],
    }
    assert len(hooks["rows"]("greenhouse")) == 1


def test_an_unconfirmable_lever_delete_is_kept_an_ashby_one_is_not(hooks, monkeypatch) -> None:
    """Without an API key the ATS cannot be asked: Ashby's signed body alone may delete,
    Lever's body (not covered by its signature) may not."""
    from types import SimpleNamespace

    from connectors.base import Installation
    from store.inbox import DELETE_UNCONFIRMED
    from tasks import inbox as inbox_tasks
    from tasks import runtime

    monkeypatch.setenv("HIREWATCH_DATABASE_URL", hooks["url"])  # the workers' database: this test's
    runtime.reset()
    lever, ashby = get_connector("lever"), get_connector("ashby")
    lever_body, _ = lever.signed_delivery(
        SECRET, {"event": "candidateDeleted", "data": {"opportunityId": "o1"}}
    )
    ashby_body, _ = ashby.signed_delivery(
        SECRET, {"action": "candidateDelete", "data": {"candidate": {"id": "c7"}}}
    )
    outcomes = {}
    for connector, body in ((lever, lever_body), (ashby, ashby_body)):
        installation_id = hooks["ids"][connector.name]
        event = connector.parse_event(body, {})
        row = SimpleNamespace(id=1, installation_id=installation_id)
        instance = connector(Installation(id=installation_id, platform=connector.name))
        outcomes[connector.name] = inbox_tasks._delete_when_confirmed(hooks["engine"], instance, row, event)
    runtime.reset()
    assert outcomes == {"lever": DELETE_UNCONFIRMED, "ashby": "done"}
