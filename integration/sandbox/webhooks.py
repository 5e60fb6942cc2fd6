"""Signed Greenhouse webhooks, sent the way Greenhouse sends them.

The body is JSON with `<`, `>` and `&` escaped as `\\u003c`... and non-ASCII escaped (Greenhouse's
encoder), signed over those exact bytes by the Greenhouse connector's own `sign`.
"""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime

import requests

TIMEOUT_SECONDS = 10


def webhook_body(action: str, candidate: dict) -> dict:
    """The webhook envelope Greenhouse sends for `action` about `candidate` (Harvest-shaped)."""
    candidate_id = candidate["id"]
    application_ids = candidate.get("application_ids") or [candidate_id * 10]
    if action in ("new_candidate_application", "new_prospect_application", "application_updated"):
        application = {
            "id": application_ids[0],
            "status": "active",
            "prospect": action == "new_prospect_application",
            "applied_at": datetime.now(UTC).isoformat(),
            "candidate": {k: v for k, v in candidate.items() if k != "applications"},
            "jobs": [{"id": 4001, "name": "Senior Software Engineer", "status": "open"}],
        }
        return {"action": action, "payload": {"application": application}}
    if action == "update_candidate":
        return {
            "action": action,
            "payload": {"candidate": {k: v for k, v in candidate.items() if k != "applications"}},
        }
    if action == "delete_candidate":
        return {
            "action": action,
            "payload": {"person": {"id": candidate_id}, "deleted_application_ids": application_ids},
        }
    if action == "candidate_anonymized":
        return {
            "action": action,
            "payload": {"candidate_id": candidate_id, "anonymized_fields": ["full_name", "email_addresses"]},
        }
    raise ValueError(f"the sandbox cannot send {action!r} webhooks")


def encode_like_greenhouse(body: dict) -> bytes:
    text = json.dumps(body, ensure_ascii=True, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026").encode()


def send_candidate_webhook(url: str, secret: str, candidate: dict, action: str) -> int:
    """POST one signed webhook to `url`; the receiver's HTTP status (or 0 when unreachable)."""
    from connectors.registry import get_connector  # the connectors import requests sessions lazily too

    raw_body = encode_like_greenhouse(webhook_body(action, candidate))
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "Greenhouse-Webhooks (sandbox)",
        "Greenhouse-Event-ID": str(uuid.uuid4()),
        **get_connector("greenhouse").sign(secret, raw_body),
    }
    try:
        return requests.post(url, data=raw_body, headers=headers, timeout=TIMEOUT_SECONDS).status_code
    except requests.RequestException:
        return 0
