"""The webhook receiver through the real Flask app, the real database and the real Redis."""

from __future__ import annotations

import json
from dataclasses import dataclass

import pytest
from flask.testing import FlaskClient
from sqlalchemy import Engine, select

from connectors.registry import get_connector
from integration.app import create_app
from store.db import engine_for
from store.installations import create_installation
from store.secretbox import SecretBox
from store.tables import inbox
from tests.receiver_support import (
    CLOSED_PORT_REDIS_URL,
    TEST_SECRET_KEY,
    clear_live_queue,
    live_queue_inbox_ids,
    receiver_settings,
)

GREENHOUSE = get_connector("greenhouse")
SECRET = "whsec-test-0123456789"

NEW_APPLICATION = {
    "action": "new_candidate_application",
    "payload": {
        "application": {
            "id": 69306314,
            "status": "active",
            "candidate": {
                "id": 57683957,
                "first_name": "Ada",
                "last_name": "Lovelace <\u00e9>",
                "email_addresses": [{"value": "ada@example.com", "type": "personal"}],
                "phone_numbers": [{"value": "+44 20 7946 0000", "type": "mobile"}],
            },
            "jobs": [{"id": 1, "name": "Backend engineer"}],
        }
    },
}


@dataclass
class Receiver:
    client: FlaskClient
    engine: Engine
    installation_id: str

    def post(self, raw_body: bytes, headers: dict[str, str], installation_id: str | None = None):
        url = f"/webhooks/greenhouse/{installation_id or self.installation_id}"
        # buffered: the response is closed before returning, so the after-reply enqueue has run.
        return self.client.post(url, data=raw_body, headers=headers, buffered=True)

    def rows(self) -> list:
        with self.engine.connect() as conn:
            return conn.execute(select(inbox).order_by(inbox.c.id)).all()


def _receiver(tmp_path, db_url: str, **overrides) -> Receiver:
    settings = receiver_settings(tmp_path, db_url, **overrides)
    app = create_app(settings)
    engine = engine_for(db_url)
    with engine.begin() as conn:
        installation = create_installation(
            conn, SecretBox(TEST_SECRET_KEY), platform="greenhouse", name="Acme", webhook_secret=SECRET
        )
    return Receiver(app.test_client(), engine, installation.id)


@pytest.fixture
def receiver(tmp_path, db_url) -> Receiver:
    clear_live_queue()
    return _receiver(tmp_path, db_url)


def _signed(payload: dict | bytes, event_id: str = "evt-1", secret: str = SECRET) -> tuple[bytes, dict]:
    # Greenhouse escapes non-ASCII as \uXXXX and signs the bytes exactly as sent.
    raw = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    return raw, GREENHOUSE.sign(secret, raw, event_id=event_id)


def test_signed_delivery_is_stored_then_enqueued_on_the_live_queue(receiver: Receiver) -> None:
    raw, headers = _signed(NEW_APPLICATION)
    response = receiver.post(raw, headers)
    assert response.status_code == 200, response.json
    [row] = receiver.rows()
    assert response.json == {"status": "accepted", "inbox_id": row.id}
    assert (row.platform, row.event_type, row.event_kind) == (
        "greenhouse",
        "new_candidate_application",
        "application_created",
    )
    assert (row.dedupe_key, row.status, row.body.encode()) == ("evt-1", "queued", raw)
    assert row.enqueued_at is not None and "signature" in row.headers
    assert live_queue_inbox_ids() == [row.id]


def test_without_event_id_the_body_hash_dedupes(receiver: Receiver) -> None:
    raw, headers = _signed(NEW_APPLICATION)
    del headers["Greenhouse-Event-ID"]
    assert receiver.post(raw, headers).status_code == 200
    assert receiver.post(raw, headers).json["status"] == "duplicate"
    [row] = receiver.rows()
    assert row.dedupe_key.startswith("sha256:")


@pytest.mark.parametrize("tamper", ["body", "wrong_secret", "missing_signature", "bad_algorithm"])
def test_bad_signatures_get_401_without_detail(receiver: Receiver, tamper: str) -> None:
    raw, headers = _signed(NEW_APPLICATION, secret="another-secret" if tamper == "wrong_secret" else SECRET)
    if tamper == "body":
        raw = raw.replace(b"Ada", b"Eve")
    elif tamper == "missing_signature":
        del headers["Signature"]
    elif tamper == "bad_algorithm":
        headers["Signature"] = headers["Signature"].replace("sha256", "sha1")
    response = receiver.post(raw, headers)
    assert (response.status_code, response.json) == (401, {"error": "invalid signature"})
    assert receiver.rows() == []


def test_unknown_installation_platform_mismatch_and_platform_are_404(receiver: Receiver) -> None:
    raw, headers = _signed(NEW_APPLICATION)
    assert receiver.post(raw, headers, installation_id="nope").json == {"error": "unknown installation"}
    mismatch = receiver.client.post(f"/webhooks/lever/{receiver.installation_id}", data=raw, headers=headers)
    assert mismatch.status_code == 404
    unknown = receiver.client.post(f"/webhooks/myspace/{receiver.installation_id}", data=raw, headers=headers)
    assert (unknown.status_code, unknown.json) == (404, {"error": "unknown platform"})
    assert receiver.rows() == []


def test_oversized_body_is_413_json(tmp_path, db_url) -> None:
    receiver = _receiver(tmp_path, db_url, max_body_bytes=2048)
    payload = {**NEW_APPLICATION, "padding": "x" * 4096}
    raw, headers = _signed(payload)
    response = receiver.post(raw, headers)
    assert (response.status_code, response.json) == (413, {"error": "body too large"})
    assert receiver.rows() == []


@pytest.mark.parametrize("method", ["GET", "PUT", "PATCH", "DELETE"])
def test_any_other_method_than_post_is_405_json_with_allow(receiver: Receiver, method: str) -> None:
    response = receiver.client.open(f"/webhooks/greenhouse/{receiver.installation_id}", method=method)
    assert response.status_code == 405 and response.is_json
    assert "POST" in response.headers["Allow"].split(", ")
    assert response.json["error"] == f"method {method} not allowed; allowed: {response.headers['Allow']}"
    assert receiver.rows() == []


@pytest.mark.parametrize("path", ["/webhooks", "/webhooks/greenhouse", "/webhooks/greenhouse/a/b"])
def test_unknown_webhook_routes_are_404_json(receiver: Receiver, path: str) -> None:
    for response in (receiver.client.get(path), receiver.client.post(path, data=b"{}")):
        assert response.status_code == 404 and response.is_json
        assert response.json["error"].startswith("no such webhook endpoint")


def test_json_errors_stay_under_their_prefixes(receiver: Receiver) -> None:
    elsewhere = receiver.client.get("/no-such-page")
    assert elsewhere.status_code == 404 and not elsewhere.is_json  # Flask's own page
    assert receiver.client.get("/api/v1/nothing-here").json["error"] == "not_found"  # the admin API's


@pytest.mark.parametrize("action", ["ping", "hire_candidate", "some_future_event"])
def test_ping_and_events_we_do_not_act_on_are_200_and_nothing_enqueued(receiver: Receiver, action) -> None:
    response = receiver.post(*_signed({"action": action, "payload": {"web_hook_id": 1}}))
    assert response.status_code == 200
    assert receiver.rows() == [] and live_queue_inbox_ids() == []


def test_redis_down_still_accepts_and_keeps_the_row_received(tmp_path, db_url) -> None:
    receiver = _receiver(tmp_path, db_url, redis_url=CLOSED_PORT_REDIS_URL)
    response = receiver.post(*_signed(NEW_APPLICATION))
    assert response.status_code == 200 and response.json["status"] == "accepted"
    [row] = receiver.rows()
    assert (row.status, row.enqueued_at) == ("received", None)


def test_production_without_secret_key_refuses_to_start(tmp_path, db_url) -> None:
    from store.secretbox import SecretKeyError

    with pytest.raises(SecretKeyError):
        create_app(receiver_settings(tmp_path, db_url, env="production", secret_key=None))


def test_the_answer_goes_out_before_the_enqueue(receiver: Receiver) -> None:
    raw, headers = _signed(NEW_APPLICATION)
    response = receiver.client.post(
        f"/webhooks/greenhouse/{receiver.installation_id}", data=raw, headers=headers
    )
    [row] = receiver.rows()
    # Committed before the answer; handed to Redis only once the answer is out.
    assert (response.status_code, row.status, live_queue_inbox_ids()) == (200, "queued", [])
    response.close()  # what the WSGI server does once the reply is written
    assert live_queue_inbox_ids() == [row.id]
