"""`POST /webhooks/<platform>/<installation_id>`: verify, persist, enqueue, reply.

The reply never waits on screening nor on Redis: the delivery is committed to the inbox, the
platform hears its success status, then the row's id is sent to the live queue (failing fast
when Redis is down; the pipeline's sweeper enqueues what is left `received`).
Replies are JSON, errors included (unknown routes, wrong methods with their `Allow` header, bodies
too large); a failed signature check says nothing more than "invalid signature".
"""

from __future__ import annotations

import logging

from flask import Blueprint, Flask, Response, current_app, jsonify, request
from werkzeug.exceptions import HTTPException

from connectors.base import Connector, EventKind, PayloadError, WebhookEvent
from connectors.registry import get_connector
from integration.config import Settings
from integration.enqueue import InboxEnqueuer
from store.inbox import accept_delivery, body_dedupe_key, remember_signature
from store.installations import find_webhook_secret
from store.secretbox import SecretBox

log = logging.getLogger(__name__)

webhooks = Blueprint("webhooks", __name__)
ROUTE = "/webhooks/<platform>/<installation_id>"


def _error(status: int, reason: str) -> tuple[Response, int]:
    return jsonify(error=reason), status


def http_error_as_json(exc: HTTPException) -> tuple[Response, int] | HTTPException:
    """App-wide: under /webhooks/ Werkzeug's own errors (no such route, wrong method, 413 from
    MAX_CONTENT_LENGTH) answer JSON with a reason like ours; other paths are left alone."""
    if not f"{request.path}/".startswith("/webhooks/"):
        return exc
    allow = dict(exc.get_headers()).get("Allow")
    if exc.code == 405 and allow:
        reason = f"method {request.method} not allowed; allowed: {allow}"
    elif exc.code == 404:
        reason = f"no such webhook endpoint; deliveries go to POST {ROUTE}"
    else:
        reason = "body too large" if exc.code == 413 else (exc.name or "error").lower()
    response, status = _error(exc.code or 500, reason)
    if allow:
        response.headers["Allow"] = allow
    return response, status


def _connector_class(platform: str) -> type[Connector] | None:
    try:
        return get_connector(platform)
    except LookupError:
        return None


def _read_body() -> bytes:
    """The raw body; 413 past MAX_CONTENT_LENGTH whether Content-Length says so or not."""
    raw_body = request.get_data(cache=False)
    if request.content_length is None and len(raw_body) >= (request.max_content_length or len(raw_body) + 1):
        # Werkzeug stops a chunked body quietly at the limit; one more byte read raises the 413.
        request.stream.read(1)
    return raw_body


@webhooks.post(ROUTE)
def receive(platform: str, installation_id: str) -> tuple[Response, int]:
    extensions = current_app.extensions
    connector = _connector_class(platform)
    if connector is None:
        return _error(404, "unknown platform")
    raw_body = _read_body()
    engine = extensions["hirewatch.engine"]
    with engine.connect() as conn:
        found = find_webhook_secret(conn, extensions["hirewatch.secret_box"], installation_id)
    if found is None or found[0] != platform:
        return _error(404, "unknown installation")
    secret = found[1]
    fields = f"platform={platform} installation={installation_id}"

    # A subscription handshake (SmartRecruiters' X-Hook-Secret) comes before any secret is in
    # use and is unsigned; echoing the caller's own header reveals nothing.
    echo = connector.handshake(request.headers)
    if echo is not None:
        log.info("webhook.handshake %s", fields)
        response = jsonify(status="ok")
        response.headers.update(echo)
        return response, connector.handshake_status

    try:
        if not secret or not connector.verify(secret, raw_body, request.headers):
            log.warning("webhook.rejected %s reason=signature", fields)
            return _error(401, "invalid signature")
    except PayloadError as exc:
        return _refused(exc, fields)

    # From here the signature is valid: it is recorded before anything is done with its event
    # (refused and ignored events too), so the same signed material is never acted on twice.
    replay_key = connector.replay_key(raw_body, request.headers)
    try:
        event = connector.parse_event(raw_body, request.headers)
    except PayloadError as exc:
        remember_signature(engine, installation_id, replay_key)
        return _refused(exc, fields)

    if event.kind in (EventKind.PING, EventKind.IGNORED):
        first = remember_signature(engine, installation_id, replay_key)
        log.info("webhook.%s %s event=%s replay=%s", event.kind.value, fields, event.event_type, not first)
        return jsonify(status=event.kind.value if first else "duplicate"), connector.success_status

    return _store_and_reply(connector, installation_id, event, raw_body, replay_key, fields)


def _refused(exc: PayloadError, fields: str) -> tuple[Response, int]:
    log.warning("webhook.rejected %s reason=payload status=%s detail=%s", fields, exc.status, exc.reason)
    return _error(exc.status, exc.reason)


def _store_and_reply(
    connector: type[Connector],
    installation_id: str,
    event: WebhookEvent,
    raw_body: bytes,
    replay_key: str,
    fields: str,
) -> tuple[Response, int]:
    """Commit the delivery to the inbox (once per dedupe key and signature), reply, then enqueue it."""
    accepted = accept_delivery(
        current_app.extensions["hirewatch.engine"],
        installation_id=installation_id,
        platform=connector.name,
        dedupe_key=event.dedupe_key or body_dedupe_key(raw_body),
        event_type=event.event_type,
        event_kind=event.kind.value,
        raw_body=raw_body,
        headers=dict(request.headers),
        replay_key=replay_key,
        candidate_id=event.candidate_id,
    )
    if accepted.duplicate:
        log.info("webhook.duplicate %s event=%s inbox_id=%s", fields, event.event_type, accepted.inbox_id)
        return jsonify(status="duplicate", inbox_id=accepted.inbox_id), connector.success_status

    log.info(
        "webhook.accepted %s event=%s kind=%s inbox_id=%s",
        fields,
        event.event_type,
        event.kind.value,
        accepted.inbox_id,
    )
    response = jsonify(status="accepted", inbox_id=accepted.inbox_id)
    # The row is committed: enqueue once the answer has gone out, so it never waits on Redis.
    enqueuer: InboxEnqueuer = current_app.extensions["hirewatch.enqueuer"]
    response.call_on_close(lambda: enqueuer.enqueue(accepted.inbox_id))
    return response, connector.success_status


def init_webhooks(app: Flask, settings: Settings, box: SecretBox) -> None:
    """Register the receiver on an app: the blueprint, the secret box, the enqueuer."""
    app.extensions["hirewatch.secret_box"] = box
    app.extensions["hirewatch.enqueuer"] = InboxEnqueuer(settings, app.extensions["hirewatch.engine"])
    app.register_blueprint(webhooks)
