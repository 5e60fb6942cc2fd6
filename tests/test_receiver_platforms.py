"""Every platform, every event we act on: signed as the vendor signs it, through the real app.

Payloads are shaped as in each vendor's webhook docs (see ../shared/docs/ats-platforms.md), cut
to the fields the connector reads. A platform or event added to the registry without a delivery
here fails `test_every_handled_event_has_a_delivery_here`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import pytest
from sqlalchemy import select

from connectors.base import EventKind
from connectors.registry import METADATA, PLATFORMS
from integration.app import create_app
from store.db import engine_for
from store.installations import create_installation
from store.secretbox import SecretBox
from store.tables import inbox
from tests.receiver_support import TEST_SECRET_KEY, clear_live_queue, live_queue_inbox_ids, receiver_settings

SECRET = "platform-test-secret"


@dataclass(frozen=True)
class Delivery:
    platform: str
    event: str
    payload: dict[str, Any]
    sign_kw: dict[str, Any] = field(default_factory=dict)

    def signed(self, secret: str = SECRET, **overrides: Any) -> tuple[bytes, dict[str, str]]:
        connector = PLATFORMS[self.platform]
        return connector.signed_delivery(secret, self.payload, **{**self.sign_kw, **overrides})


def _greenhouse_candidate(**extra: Any) -> dict:
    return {
        "id": 57683957,
        "first_name": "Ada",
        "last_name": "Lovelace",
        "email_addresses": [{"value": "ada@example.com", "type": "personal"}],
        **extra,
    }


def _sr(event_name: str, body: dict) -> Delivery:
    return Delivery("smartrecruiters", event_name, body, {"event_name": event_name})


DELIVERIES = [
    Delivery(
        "greenhouse",
        "new_candidate_application",
        {
            "action": "new_candidate_application",
            "payload": {
                "application": {"id": 69306314, "candidate": _greenhouse_candidate(), "jobs": [{"id": 1}]}
            },
        },
    ),
    Delivery(
        "greenhouse",
        "new_prospect_application",
        {
            "action": "new_prospect_application",
            "payload": {
                "application": {"id": 69306315, "prospect": True, "candidate": _greenhouse_candidate()}
            },
        },
    ),
    Delivery(
        "greenhouse",
        "update_candidate",
        {"action": "update_candidate", "payload": {"candidate": _greenhouse_candidate(last_name="Byron")}},
    ),
    Delivery(
        "greenhouse",
        "merge_candidate",
        {"action": "merge_candidate", "payload": {"person": {"id": 111, "new_candidate_id": 222}}},
    ),
    Delivery(
        "greenhouse",
        "delete_candidate",
        {"action": "delete_candidate", "payload": {"person": {"id": 111}, "deleted_application_ids": [5]}},
    ),
    Delivery(
        "greenhouse",
        "candidate_anonymized",
        {
            "action": "candidate_anonymized",
            "payload": {"candidate_id": 111, "anonymized_fields": ["email_addresses", "phone_numbers"]},
        },
    ),
    Delivery(
        "lever",
        "applicationCreated",
        {
            "id": "9c8f",
            "event": "applicationCreated",
            "data": {
                "opportunityId": "250d8f03-738a-4bba-a671-8a3d73477145",
                "applicationId": "cdb33a5b",
                "postingId": "2f8c",
            },
        },
    ),
    Delivery(
        "lever",
        "candidateDeleted",
        {
            "id": "9c90",
            "event": "candidateDeleted",
            "data": {"opportunityId": "250d8f03-738a-4bba-a671-8a3d73477145"},
        },
    ),
    Delivery(
        "ashby",
        "applicationSubmit",
        {
            "action": "applicationSubmit",
            "data": {
                "application": {
                    "id": "app-1",
                    "status": "Active",
                    "candidate": {
                        "id": "cand-1",
                        "name": "Ada Lovelace",
                        "primaryEmailAddress": {"value": "ada@example.com"},
                    },
                }
            },
        },
    ),
    Delivery(
        "ashby", "candidateDelete", {"action": "candidateDelete", "data": {"candidate": {"id": "cand-1"}}}
    ),
    Delivery(
        "ashby",
        "candidateMerge",
        {
            "action": "candidateMerge",
            "data": {"deletedCandidate": {"id": "cand-1"}, "mergedCandidate": {"id": "cand-2"}},
        },
    ),
    Delivery(
        "workable",
        "candidate_created",
        {
            "id": "3fc9a",
            "name": "Ada Lovelace",
            "firstname": "Ada",
            "lastname": "Lovelace",
            "email": "ada@example.com",
        },
    ),
    _sr("application.created", {"job_id": "jid", "candidate_id": "cid"}),
    _sr("candidate.updated", {"id": "cid"}),
    _sr("candidate.deleted", {"id": "cid"}),
    _sr("application.screening-answers.created", {"job_id": "jid", "candidate_id": "cid"}),
    _sr("application.screening-answers.updated", {"job_id": "jid", "candidate_id": "cid"}),
    Delivery(
        "kombo",
        "data-changed",
        {
            "id": "5gjAtURLPbnTiwgkaBfiA3WJ",
            "type": "data-changed",
            "data": {
                "integration_id": "workday:CBNMt7dSNCzBdnRTx87dev4E",
                "integration_tool": "workday",
                "integration_category": "ATS",
                "changed_models": [{"name": "ats_candidates"}],
            },
        },
    ),
]

# What a body missing its required ids looks like, per platform (must be a 422 naming the field).
MISSING_FIELDS = {
    "greenhouse": Delivery(
        "greenhouse",
        "new_candidate_application",
        {"action": "new_candidate_application", "payload": {"application": {"id": 1}}},
    ),
    "lever": Delivery("lever", "applicationCreated", {"event": "applicationCreated", "data": {}}),
    "ashby": Delivery("ashby", "applicationSubmit", {"action": "applicationSubmit", "data": {}}),
    "workable": Delivery("workable", "candidate_created", {"name": "No Id"}),
    "smartrecruiters": _sr("application.created", {"job_id": "jid"}),
    "kombo": Delivery("kombo", "data-changed", {"id": "e1", "type": "data-changed", "data": {}}),
}

PINGS = {
    "greenhouse": Delivery("greenhouse", "ping", {"action": "ping", "payload": {"web_hook_id": 1}}),
    "ashby": Delivery("ashby", "ping", {"action": "ping", "data": {"webhookActionType": "ping"}}),
}


def _id(delivery: Delivery) -> str:
    return f"{delivery.platform}-{delivery.event}"


@dataclass
class App:
    client: Any
    engine: Any
    installations: dict[str, str]

    def post(self, platform: str, raw: bytes, headers: dict[str, str]):
        url = f"/webhooks/{platform}/{self.installations[platform]}"
        return self.client.post(url, data=raw, headers=headers, buffered=True)

    def rows(self) -> list:
        with self.engine.connect() as conn:
            return conn.execute(select(inbox).order_by(inbox.c.id)).all()


@pytest.fixture
def app(tmp_path, db_url) -> App:
    clear_live_queue()
    flask_app = create_app(receiver_settings(tmp_path, db_url))
    engine = engine_for(db_url)
    box = SecretBox(TEST_SECRET_KEY)
    with engine.begin() as conn:
        ids = {
            name: create_installation(conn, box, platform=name, name=name, webhook_secret=SECRET).id
            for name in PLATFORMS
        }
    return App(flask_app.test_client(), engine, ids)


def test_every_handled_event_has_a_delivery_here() -> None:
    covered = {(d.platform, d.event) for d in DELIVERIES} | {(d.platform, d.event) for d in PINGS.values()}
    declared = {(name, event) for name, meta in METADATA.items() for event in meta.handled_events}
    assert declared <= covered, f"add deliveries for {sorted(declared - covered)}"
    assert set(MISSING_FIELDS) == set(PLATFORMS)


@pytest.mark.parametrize("delivery", DELIVERIES, ids=_id)
def test_signed_delivery_is_accepted_stored_and_enqueued_once(app: App, delivery: Delivery) -> None:
    raw, headers = delivery.signed()
    success = PLATFORMS[delivery.platform].success_status
    first = app.post(delivery.platform, raw, headers)
    assert first.status_code == success, first.json
    replay = app.post(delivery.platform, raw, headers)
    assert (replay.status_code, replay.json["status"]) == (success, "duplicate")
    [row] = app.rows()
    declared_kind = METADATA[delivery.platform].events[delivery.event]
    assert (row.event_type, row.event_kind, row.status) == (delivery.event, declared_kind, "queued")
    assert row.body.encode() == raw and row.dedupe_key
    assert live_queue_inbox_ids() == [row.id]


@pytest.mark.parametrize("platform", sorted(PLATFORMS))
def test_wrong_secret_missing_and_tampered_signatures_are_401(app: App, platform: str) -> None:
    delivery = next(d for d in DELIVERIES if d.platform == platform)
    wrong_raw, wrong_headers = delivery.signed(secret="not-the-secret")
    raw, headers = delivery.signed()
    signature_key = METADATA[platform].signature_header
    if METADATA[platform].signature_location == "body":  # Lever signs token + triggeredAt only
        body = json.loads(raw)
        tampered = json.dumps({**body, "token": body["token"] + "x"}).encode()
        unsigned = json.dumps({k: v for k, v in body.items() if k != signature_key}).encode()
        unsigned_headers = headers
    else:
        tampered = raw.replace(b"}", b' , "extra": 1}', 1)
        unsigned = raw
        unsigned_headers = {k: v for k, v in headers.items() if k.lower() != signature_key.lower()}
    for attempt_raw, attempt_headers in [
        (wrong_raw, wrong_headers),
        (tampered, headers),
        (unsigned, unsigned_headers),
    ]:
        response = app.post(platform, attempt_raw, attempt_headers)
        assert (response.status_code, response.json) == (401, {"error": "invalid signature"})
    assert app.rows() == []


@pytest.mark.parametrize("platform", sorted(PLATFORMS))
def test_missing_fields_are_422_with_a_reason_and_non_json_400(app: App, platform: str) -> None:
    response = app.post(platform, *MISSING_FIELDS[platform].signed())
    assert response.status_code == 422 and response.json["error"], response.json
    connector = PLATFORMS[platform]
    if METADATA[platform].signature_location == "header":
        sign_kw = MISSING_FIELDS[platform].sign_kw
        not_json = b"<xml>not json</xml>"
        response = app.post(platform, not_json, connector.sign(SECRET, not_json, **sign_kw))
        assert response.status_code == 400 and response.json["error"]
    assert app.rows() == []


@pytest.mark.parametrize("platform", sorted(PINGS))
def test_ping_gets_the_success_status_and_nothing_is_stored(app: App, platform: str) -> None:
    response = app.post(platform, *PINGS[platform].signed())
    assert (response.status_code, response.json["status"]) == (PLATFORMS[platform].success_status, "ping")
    assert app.rows() == [] and live_queue_inbox_ids() == []


def test_smartrecruiters_activation_handshake_echoes_the_secret(app: App) -> None:
    response = app.post("smartrecruiters", b"", {"X-Hook-Secret": "sr-activation-secret"})
    assert response.status_code == 200
    assert response.headers["X-Hook-Secret"] == "sr-activation-secret"
    assert app.rows() == []


def test_smartrecruiters_stale_timestamp_is_401(app: App) -> None:
    delivery = next(d for d in DELIVERIES if d.platform == "smartrecruiters")
    raw, headers = delivery.signed(timestamp=1_000_000_000)  # 2001: far outside the window
    assert app.post("smartrecruiters", raw, headers).status_code == 401


def test_events_we_do_not_act_on_are_acknowledged_not_stored(app: App) -> None:
    for name, meta in METADATA.items():
        ignored = next((event for event, kind in meta.events.items() if kind == EventKind.IGNORED), None)
        if ignored is None:
            continue
        template = next(d for d in DELIVERIES if d.platform == name)
        payload = json.loads(json.dumps(template.payload).replace(template.event, ignored))
        sign_kw = {"event_name": ignored} if name == "smartrecruiters" else {}
        if name == "workable":
            payload = {"event_type": ignored, "data": template.payload}
        response = app.post(name, *Delivery(name, ignored, payload, sign_kw).signed())
        assert response.status_code == PLATFORMS[name].success_status, (name, response.json)
    assert app.rows() == []
